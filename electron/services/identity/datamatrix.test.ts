import zxing from '@zxing/library';
import bwipjs from 'bwip-js/node';
import fc from 'fast-check';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  DATAMATRIX_HEADER,
  DatamatrixPayloadError,
  GS,
  INS_OID,
  applyIdentityEvent,
  computeMatriculeKey,
  decodeInsDatamatrix,
  encodeInsDatamatrix,
  initialIdentityState,
  insDatamatrixPayload,
  normalizeStrictTraits,
  renderInsDatamatrixPng,
  renderInsDatamatrixSvg,
  type InsDatamatrixPayload,
  type IdentityRecord,
} from '.';
import { AppError } from '../../contract';

// @zxing/library ships CommonJS: its named exports come through the default import under Node.
const { BinaryBitmap, DataMatrixReader, DecodeHintType, HybridBinarizer, RGBLuminanceSource } = zxing;

/** insi.md §4: the example of ANS « Format datamatrix INS », as summarised by InsiDatamatrixPayload.php. */
const ADA: InsDatamatrixPayload = {
  matricule: '185057512345673',
  oid: INS_OID.NIR,
  birthGivenNames: 'ADA',
  birthName: 'LOVELACE',
  sex: 'F',
  birthDate: '1815-12-10',
  birthPlaceCode: '99100',
};
const ADA_TEXT = `IS010000000000000000000000S1185057512345673S21.2.250.1.213.1.4.8${GS}S3ADA${GS}S4LOVELACE${GS}S5FS610-12-1815S799100`;

function decodeLuminance(luminance: Uint8ClampedArray, width: number, height: number): string {
  const source = new RGBLuminanceSource(luminance, width, height);
  const hints = new Map([[DecodeHintType.PURE_BARCODE, true]]);
  return new DataMatrixReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
}

/** Minimal PNG reader for the 8-bit images bwip-js writes: inflate IDAT, undo the row filters. */
function pngLuminance(png: Buffer): { luminance: Uint8ClampedArray; width: number; height: number } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.subarray(offset + 4, offset + 8).toString('latin1');
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      colorType = data[9] ?? 0;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType] ?? 0;
  expect(channels).toBeGreaterThan(0);
  const stride = width * channels;
  const inflated = inflateSync(Buffer.concat(idat));
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = inflated[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const rawByte = inflated[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= channels ? (pixels[y * stride + x - channels] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] ?? 0) : 0;
      let value: number;
      if (filter === 0) value = rawByte;
      else if (filter === 1) value = rawByte + a;
      else if (filter === 2) value = rawByte + b;
      else if (filter === 3) value = rawByte + Math.floor((a + b) / 2);
      else {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        value = rawByte + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      pixels[y * stride + x] = value & 0xff;
    }
  }
  const luminance = new Uint8ClampedArray(width * height);
  for (let i = 0; i < width * height; i += 1) {
    const base = i * channels;
    const [r, g, b] = channels >= 3 ? [pixels[base] ?? 0, pixels[base + 1] ?? 0, pixels[base + 2] ?? 0] : [pixels[base] ?? 0, pixels[base] ?? 0, pixels[base] ?? 0];
    const alpha = channels === 4 ? (pixels[base + 3] ?? 255) : channels === 2 ? (pixels[base + 1] ?? 255) : 255;
    // transparent background = white paper
    const gray = (r * 299 + g * 587 + b * 114) / 1000;
    luminance[i] = Math.round((gray * alpha + 255 * (255 - alpha)) / 255);
  }
  return { luminance, width, height };
}

function traitsOf(input: Parameters<typeof normalizeStrictTraits>[0]) {
  const result = normalizeStrictTraits(input);
  if (!result.ok) throw new Error('fixture traits must be valid');
  return result.traits;
}

function qualifiedRecord(): IdentityRecord {
  const traits = traitsOf({ birthName: 'ADRTROIS', birthGivenNames: 'DOMINIQUE', birthDate: '26/02/1997', sex: 'F', birthPlaceCode: '2A020' });
  const ctx = { at: '2026-11-22T10:00:00.000Z', actor: 'CPS 1' };
  let record: IdentityRecord = { traits, identity: initialIdentityState() };
  record = applyIdentityEvent(record, { type: 'insi.succeeded', ins: { matricule: '297022A02077878', oid: INS_OID.TEST }, traits }, ctx).record;
  return applyIdentityEvent(record, { type: 'document.checked', device: 'passeport' }, ctx).record;
}

describe('INS datamatrix payload (ANS « Format datamatrix INS » v2.2, insi.md §4)', () => {
  it('encodes the ANS example exactly: header, S1–S7, GS after short variable fields', () => {
    expect(encodeInsDatamatrix(ADA)).toBe(ADA_TEXT);
    expect(DATAMATRIX_HEADER).toBe('IS010000000000000000000000');
    expect(decodeInsDatamatrix(ADA_TEXT)).toEqual(ADA);
  });

  it('puts no GS after a 20-character OID (test/demo domains fill S2) nor after fixed-length fields', () => {
    const text = encodeInsDatamatrix({ ...ADA, oid: INS_OID.DEMO });
    expect(text).toContain(`S21.2.250.1.213.1.4.11S3ADA${GS}`);
    expect(text).toContain('S5FS610-12-1815S799100');
    expect(decodeInsDatamatrix(text).oid).toBe(INS_OID.DEMO);
  });

  it('leaves S7 out when the birth place is unknown', () => {
    const text = encodeInsDatamatrix({ ...ADA, birthPlaceCode: null });
    expect(text.endsWith('S610-12-1815')).toBe(true);
    expect(decodeInsDatamatrix(text).birthPlaceCode).toBeNull();
  });

  it('reads blocks by identifier whatever their order (as Mediboard readDatamatrixINS does)', () => {
    const reordered = `${DATAMATRIX_HEADER}S4LOVELACE${GS}S3ADA${GS}S1185057512345673S5FS610-12-1815S21.2.250.1.213.1.4.8${GS}S799100`;
    expect(decodeInsDatamatrix(reordered)).toEqual(ADA);
  });

  it('refuses what the format cannot carry and malformed symbols', () => {
    expect(() => encodeInsDatamatrix({ ...ADA, birthName: 'Lovelace' })).toThrow(DatamatrixPayloadError);
    expect(() => encodeInsDatamatrix({ ...ADA, matricule: '185057512345674' })).toThrow(/S1/);
    expect(() => decodeInsDatamatrix(ADA_TEXT.replace('IS01', 'IS02'))).toThrow(/header/);
    expect(() => decodeInsDatamatrix(ADA_TEXT.replace('S5F', 'S9F'))).toThrow(/unknown block/);
    expect(() => decodeInsDatamatrix(ADA_TEXT.replace(`S4LOVELACE${GS}`, ''))).toThrow(/S4 missing/);
  });

  it('is generated only for a QUAL identity', () => {
    const record = qualifiedRecord();
    expect(insDatamatrixPayload(record)).toEqual({
      matricule: '297022A02077878',
      oid: INS_OID.TEST,
      birthGivenNames: 'DOMINIQUE',
      birthName: 'ADRTROIS',
      sex: 'F',
      birthDate: '1997-02-26',
      birthPlaceCode: '2A020',
    });
    const recup = { ...record, identity: { ...record.identity, status: 'RECUP' as const, documentCheck: null } };
    expect(() => insDatamatrixPayload(recup)).toThrow(AppError);
    try {
      insDatamatrixPayload(recup);
    } catch (error) {
      expect((error as AppError).code).toBe('IDENTITY_DATAMATRIX_NOT_QUALIFIED');
    }
  });

  it('round-trips any valid payload through encode and decode', () => {
    const letters = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')), minLength: 1, maxLength: 12 });
    const name = fc
      .array(fc.tuple(letters, fc.constantFrom(' ', '-', "'", '--')), { minLength: 1, maxLength: 8 })
      .map((parts) => parts.map(([word, sep]) => word + sep).join('').replace(/[ '-]+$/, ''))
      .filter((s) => s.length <= 100);
    const number = fc
      .tuple(fc.constantFrom('1', '2', '7', '8'), fc.integer({ min: 10, max: 99 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('63', '2A', '2B', '75', '99'), fc.integer({ min: 0, max: 999_999 }))
      .map(([s, y, m, d, rest]) => `${s}${y}${String(m).padStart(2, '0')}${d}${String(rest).padStart(6, '0')}`);
    const payload: fc.Arbitrary<InsDatamatrixPayload> = fc.record({
      matricule: number.map((n) => n + computeMatriculeKey(n)),
      oid: fc.constantFrom(INS_OID.NIR, INS_OID.NIA, INS_OID.TEST, INS_OID.DEMO),
      birthGivenNames: name,
      birthName: name,
      sex: fc.constantFrom('M' as const, 'F' as const),
      birthDate: fc.date({ min: new Date('1900-01-01'), max: new Date('2026-11-22'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      birthPlaceCode: fc.option(fc.constantFrom('63220', '2A020', '2B020', '97411', '99100'), { nil: null }),
    });
    fc.assert(
      fc.property(payload, (p) => {
        const text = encodeInsDatamatrix(p);
        expect(text.startsWith(DATAMATRIX_HEADER)).toBe(true);
        expect(decodeInsDatamatrix(text)).toEqual(p);
      }),
      { numRuns: 300 },
    );
  });
});

describe('INS datamatrix rendering (bwip-js) decoded back with ZXing', () => {
  it('renders a square ECC200 symbol whose raw module bitmap decodes to the payload', () => {
    const text = encodeInsDatamatrix(insDatamatrixPayload(qualifiedRecord()));
    // bwip-js's default export carries raw(): the module bitmap (its named `raw` export is the 'raw' symbology)
    const [symbol] = bwipjs.raw({ bcid: 'datamatrix', text }) as Array<{ pixs: number[]; pixx: number; pixy: number }>;
    if (symbol === undefined) throw new Error('bwip-js returned no symbol');
    expect(symbol.pixx).toBe(symbol.pixy);
    const scale = 4;
    const quiet = 2;
    const size = (symbol.pixx + 2 * quiet) * scale;
    const luminance = new Uint8ClampedArray(size * size).fill(255);
    for (let y = 0; y < symbol.pixy; y += 1) {
      for (let x = 0; x < symbol.pixx; x += 1) {
        if (symbol.pixs[y * symbol.pixx + x] !== 1) continue;
        for (let dy = 0; dy < scale; dy += 1) {
          for (let dx = 0; dx < scale; dx += 1) luminance[((y + quiet) * scale + dy) * size + (x + quiet) * scale + dx] = 0;
        }
      }
    }
    const decoded = decodeLuminance(luminance, size, size);
    expect(decoded).toBe(text);
    expect(decodeInsDatamatrix(decoded).matricule).toBe('297022A02077878');
  });

  it('renders a PNG with at least one module of quiet zone that decodes to the payload', async () => {
    const text = encodeInsDatamatrix(ADA);
    const png = await renderInsDatamatrixPng(text, { scale: 3, quietZone: 1 });
    const { luminance, width, height } = pngLuminance(png);
    expect(width).toBe(height);
    // quiet zone: the first 6 rows and columns (1 module = 2 × scale pixels) are white
    for (let i = 0; i < 6; i += 1) {
      for (let j = 0; j < width; j += 1) {
        expect(luminance[i * width + j]).toBeGreaterThan(200);
        expect(luminance[j * width + i]).toBeGreaterThan(200);
      }
    }
    expect(decodeLuminance(luminance, width, height)).toBe(text);
  });

  it('renders an SVG for the print preview', () => {
    const svg = renderInsDatamatrixSvg(encodeInsDatamatrix(ADA));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('viewBox');
    expect(svg).toContain('<path');
  });
});
