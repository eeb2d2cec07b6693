/**
 * The QR code of the ordonnance numérique, drawn with bwip-js (TEAM.md: barcodes are written with
 * bwip-js and read with zxing). The payload is the number (number.ts, modelled); error correction
 * level M (ISO/IEC 18004: ~15 % of the symbol recoverable, enough for a crumpled paper).
 */
import bwipjs, { toBuffer, type RenderOptions } from 'bwip-js/node';

/** BWIPP's qrcode option `eclevel` (not in bwip-js's typings). */
type QrOptions = RenderOptions & { eclevel: 'L' | 'M' | 'Q' | 'H' };

export interface QrModules {
  /** Modules per side. */
  size: number;
  /** Row-major, 1 = dark. */
  dark: (x: number, y: number) => boolean;
}

export function qrModules(payload: string): QrModules {
  // bwip-js's default export carries raw(): the module bitmap of the symbol.
  const [symbol] = bwipjs.raw('qrcode', payload, 'eclevel=M') as Array<{ pixs: number[]; pixx: number; pixy: number }>;
  if (symbol === undefined || symbol.pixx !== symbol.pixy) throw new Error('bwip-js returned no square QR symbol');
  return { size: symbol.pixx, dark: (x, y) => symbol.pixs[y * symbol.pixx + x] === 1 };
}

/** PNG of the QR code with a four-module quiet zone (ISO/IEC 18004 §6.3.8), for the CDA. */
export function qrPng(payload: string): Promise<Buffer> {
  const options: QrOptions = { bcid: 'qrcode', text: payload, eclevel: 'M', scale: 4, paddingwidth: 8, paddingheight: 8, backgroundcolor: 'FFFFFF' };
  return toBuffer(options);
}
