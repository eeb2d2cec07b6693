/**
 * Use case: decode the codes in a picture file (`pupitre scan decode PHOTO.jpg`): PNG or JPEG, QR
 * Code and DataMatrix, several codes per image, photos taken at an angle, rotated or slightly
 * blurred. zxing-cpp compiled to WebAssembly (`zxing-wasm`, the same engine the webcam uses in
 * the renderer: bench/scan.bench.ts) decodes the file itself (stb_image inside the module) with
 * `tryHarder`, `tryRotate` and downscaling. The .wasm file is read from the installed package:
 * never fetched (zxing-wasm's default is a CDN).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { prepareZXingModule, readBarcodes, type ReadResult } from 'zxing-wasm/reader';
import { AppError } from '../../contract';
import { symbologyFromZxing } from './symbology';

export interface DecodedCode {
  symbology: string;
  /** AIM identifier zxing gives (`]Q1`, `]d1`). */
  aim: string | null;
  /** The symbol's bytes as encoded (GS separators kept), not zxing's display text. */
  payload: Uint8Array;
  /** Corners in image pixels, clockwise from top-left. */
  corners: Array<{ x: number; y: number }>;
  /** Rotation of the symbol in the image, degrees. */
  orientation: number;
}

export const MAX_IMAGE_BYTES = 40 * 1024 * 1024;
const require = createRequire(import.meta.url);
let ready: Promise<unknown> | null = null;

function loadModule(): Promise<unknown> {
  ready ??= (async () => {
    const file = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
    const wasmBinary = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
    return prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
  })();
  return ready;
}

/** PNG signature (RFC 2083 §3.1) or JPEG SOI marker FF D8 FF. */
export function imageType(bytes: Uint8Array): 'png' | 'jpeg' | null {
  if (bytes.length > 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return null;
}

export function toDecodedCode(result: ReadResult): DecodedCode {
  const { topLeft, topRight, bottomRight, bottomLeft } = result.position;
  return {
    symbology: symbologyFromZxing(result.format),
    aim: result.symbologyIdentifier === '' ? null : result.symbologyIdentifier,
    payload: Uint8Array.from(result.bytes),
    corners: [topLeft, topRight, bottomRight, bottomLeft].map((p) => ({ x: p.x, y: p.y })),
    orientation: result.orientation,
  };
}

export async function decodeImage(bytes: Uint8Array): Promise<DecodedCode[]> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new AppError('SCAN_IMAGE_TOO_LARGE', { bytes: bytes.length });
  if (imageType(bytes) === null) throw new AppError('SCAN_IMAGE_UNREADABLE', { reason: 'signature' });
  await loadModule();
  const results = await readBarcodes(bytes, {
    formats: ['QRCode', 'MicroQRCode', 'DataMatrix'],
    tryHarder: true,
    tryRotate: true,
    tryInvert: true,
    tryDownscale: true,
    maxNumberOfSymbols: 32,
    textMode: 'Plain',
  });
  return results.filter((r) => r.isValid).map(toDecodedCode);
}
