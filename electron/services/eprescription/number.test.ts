import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateNumber, formatNumber, normalizeNumber, numberFromQrPayload, NUMBER_PATTERN, qrPayloadOf } from './number';
import { eprescriptionRecogniser, recogniseEprescriptionPayload } from './recognise';

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('e-prescription number (modelled)', () => {
  it('allocates 18 upper-case alphanumerics, with no structure a checksum could rely on', () => {
    const numbers = Array.from({ length: 500 }, () => allocateNumber());
    for (const n of numbers) expect(n).toMatch(NUMBER_PATTERN);
    expect(new Set(numbers).size).toBe(numbers.length);
    // Every character of the alphabet appears somewhere: the draw is over the whole alphabet.
    expect(new Set(numbers.join('')).size).toBe(36);
  });

  it('reads a number as typed: groups, lower case, dashes', () => {
    expect(normalizeNumber('01s2tb pz2jcn-zzyghz')).toBe('01S2TBPZ2JCNZZYGHZ');
    expect(normalizeNumber(' 01S2TB.PZ2JCN.ZZYGHZ ')).toBe('01S2TBPZ2JCNZZYGHZ');
    expect(normalizeNumber('01S2TBPZ2JCNZZYGH')).toBeNull();
    expect(normalizeNumber('01S2TBPZ2JCNZZYGHZÉ')).toBeNull();
  });

  it('prints and reads back any number it allocates', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 35 }), { minLength: 18, maxLength: 18 }), (draws) => {
        let i = 0;
        const n = allocateNumber(() => draws[i++] as number);
        expect(normalizeNumber(formatNumber(n))).toBe(n);
        expect(numberFromQrPayload(qrPayloadOf(n))).toBe(n);
        expect(recogniseEprescriptionPayload(ascii(`${qrPayloadOf(n)}\r\n`), 'qrcode')?.numberEnd).toBe(n.slice(-4));
      }),
    );
  });
});

describe('e-prescription scan recogniser', () => {
  it('claims the QR code of an ordonnance numérique, with a French summary that shows only the end of the number', () => {
    const recognised = eprescriptionRecogniser.recognise(ascii('01S2TBPZ2JCNZZYGHZ'), 'qrcode');
    expect(eprescriptionRecogniser.kind).toBe('eprescription');
    expect(recognised).toEqual({ kind: 'eprescription', summary: 'Ordonnance numérique (n° …YGHZ)', numberEnd: 'YGHZ' });
  });

  it('leaves other codes to the other recognisers', () => {
    // The INS datamatrix (ANS « Format datamatrix INS »), an URL, a CIP13 barcode, binary, too long.
    expect(recogniseEprescriptionPayload(ascii('IS010000000000000000000000S1185057512345673S21.2.250.1.213.1.4.8\x1dS3ADA'), 'datamatrix')).toBeNull();
    expect(recogniseEprescriptionPayload(ascii('https://example.org/qr?x=1'), 'qrcode')).toBeNull();
    expect(recogniseEprescriptionPayload(ascii('3400935955838'), 'ean13')).toBeNull();
    expect(recogniseEprescriptionPayload(Uint8Array.from([0x30, 0x31, 0xff, 0x00]), 'qrcode')).toBeNull();
    expect(recogniseEprescriptionPayload(ascii('A'.repeat(300)), 'qrcode')).toBeNull();
    expect(recogniseEprescriptionPayload(new Uint8Array(0), 'qrcode')).toBeNull();
  });
});
