import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiControlsBySimd, hasForbiddenAsciiControl } from './ascii-controls';
import { CONTROL_CHAR } from './lite';

const byRegExp = (bytes: Uint8Array): boolean => CONTROL_CHAR.test(Buffer.from(bytes).toString('latin1'));

describe('hasForbiddenAsciiControl (XML 1.0 §2.2 on ASCII bytes)', () => {
  it('runs as SIMD WebAssembly here (Node and Electron have it)', () => {
    expect(asciiControlsBySimd).toBe(true);
  });

  it('answers as the regular expression does, on any ASCII bytes (property)', () => {
    const ascii = fc.uint8Array({ minLength: 0, maxLength: 300, min: 0, max: 0x7f });
    const mostlyBase64 = fc.array(fc.constantFrom(0x41, 0x2f, 0x2b, 0x3d, 0x0a, 0x0d, 0x09, 0x20, 0x00, 0x08, 0x0b, 0x0c, 0x0e, 0x1f, 0x7f), { maxLength: 300 }).map((a) => Uint8Array.from(a));
    fc.assert(
      fc.property(fc.oneof(ascii, mostlyBase64), (bytes) => {
        expect(hasForbiddenAsciiControl(bytes)).toBe(byRegExp(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds one control anywhere in a megabyte, pieces and vectors edges included, and none in tab, LF, CR', () => {
    const bytes = Buffer.alloc(1_336_723, 0x41);
    for (let i = 76; i < bytes.length; i += 77) bytes[i] = i % 3 === 0 ? 0x0a : i % 3 === 1 ? 0x0d : 0x09;
    expect(hasForbiddenAsciiControl(bytes)).toBe(false);
    for (const at of [0, 15, 16, 65_535, 65_536, 65_537, 131_071, 1_000_000, bytes.length - 1]) {
      for (const control of [0x00, 0x01, 0x08, 0x0b, 0x0c, 0x0e, 0x1f]) {
        const kept = bytes[at] as number;
        bytes[at] = control;
        expect({ at, control, found: hasForbiddenAsciiControl(bytes) }).toEqual({ at, control, found: true });
        expect(hasForbiddenAsciiControl(bytes.subarray(at))).toBe(true);
        expect(hasForbiddenAsciiControl(bytes.subarray(0, at))).toBe(byRegExp(bytes.subarray(0, at)));
        bytes[at] = kept;
      }
    }
  });
});
