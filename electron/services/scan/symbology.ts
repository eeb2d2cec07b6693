/**
 * Symbology names. Scanners say what they read with an AIM identifier (ISO/IEC 15424: `]` + code
 * character + modifier), zxing with its format names; everything becomes one canonical name.
 * Code characters: ISO/IEC 15424:2008 table 1 (Q QR Code, d Data Matrix, C Code 128, E EAN/UPC,
 * L PDF417, z Aztec, A Code 39, I ITF, e GS1 DataBar, X other/none).
 */

const AIM_CODES: Record<string, string> = {
  Q: 'qr',
  d: 'datamatrix',
  C: 'code128',
  E: 'ean-upc',
  L: 'pdf417',
  z: 'aztec',
  A: 'code39',
  G: 'code93',
  I: 'itf',
  e: 'gs1-databar',
  F: 'codabar',
};

export const SYMBOLOGY_LABEL: Record<string, string> = {
  qr: 'QR Code',
  'qr-micro': 'Micro QR Code',
  datamatrix: 'DataMatrix',
  code128: 'Code 128',
  'ean-upc': 'EAN/UPC',
  pdf417: 'PDF417',
  aztec: 'Aztec',
  code39: 'Code 39',
  code93: 'Code 93',
  itf: 'Entrelacé 2 parmi 5',
  'gs1-databar': 'GS1 DataBar',
  codabar: 'Codabar',
  nfc: 'sans contact (NFC)',
  keyboard: 'saisie clavier',
  unknown: 'code',
};

/** `]Q1` → `qr`; null when it is not an AIM identifier or the code character is unknown. */
export function symbologyFromAim(aim: string | null | undefined): string | null {
  if (aim === null || aim === undefined || aim.length !== 3 || aim[0] !== ']') return null;
  return AIM_CODES[aim[1] ?? ''] ?? null;
}

/** zxing-cpp / zxing-js format names → canonical (`QRCode` → `qr`, `DataMatrix` → `datamatrix`). */
export function symbologyFromZxing(format: string): string {
  const key = format.replace(/[_\s-]/g, '').toLowerCase();
  const table: Record<string, string> = {
    qrcode: 'qr',
    microqrcode: 'qr-micro',
    rmqrcode: 'qr-micro',
    datamatrix: 'datamatrix',
    code128: 'code128',
    ean13: 'ean-upc',
    ean8: 'ean-upc',
    upca: 'ean-upc',
    upce: 'ean-upc',
    pdf417: 'pdf417',
    aztec: 'aztec',
    code39: 'code39',
    code93: 'code93',
    itf: 'itf',
    codabar: 'codabar',
  };
  return table[key] ?? 'unknown';
}

/** The symbology to record: the source's own name unless it said `unknown` and an AIM id tells. */
export function canonicalSymbology(symbology: string, aim: string | null | undefined): string {
  const fromAim = symbologyFromAim(aim);
  if (symbology === 'unknown' || symbology === '' || symbology === 'keyboard') return fromAim ?? (symbology === '' ? 'unknown' : symbology);
  return symbology;
}

export const symbologyLabel = (symbology: string): string => SYMBOLOGY_LABEL[symbology] ?? symbology;

/**
 * Honeywell's own code identifier (byte 61 of a HID-POS report), used when a scanner sends no AIM
 * identifier: 0x73 `s` QR Code, 0x77 `w` Data Matrix (WebHidBarcodeScanner's Honeywell table).
 */
export function symbologyFromHoneywellCode(code: number): string | null {
  if (code === 0x73) return 'qr';
  if (code === 0x77) return 'datamatrix';
  return null;
}
