import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvFile } from '../../platform/csv';
import { readCsv } from '.';

describe('CSV export (issue 14: formulas neutralised wherever exported)', () => {
  it('prefixes what a spreadsheet would read as a formula, and quotes what needs it', () => {
    expect(csvCell('=HYPERLINK("http://x";"y")')).toBe('"\'=HYPERLINK(""http://x"";""y"")"');
    expect(csvCell('+33 1 23')).toBe("'+33 1 23");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell(' =1')).toBe("' =1");
    expect(csvCell('DUPONT')).toBe('DUPONT');
    expect(csvCell('a;b')).toBe('"a;b"');
    expect(csvCell(null)).toBe('');
  });

  it('writes files Pupitre reads back cell for cell, never a cell starting with a formula sign (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom(...'=+-@;,"\r\n\t xé'.split('')), maxLength: 8 });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const file = csvFile([['A', 'B', 'C'], ...rows]);
        const table = readCsv(Buffer.from(file, 'utf8'));
        const read = [...table.rows()].map((r) => r.cells);
        const expected = rows
          .map((r) => r.map((c) => (/^[=+\-@\t\r]/.test(c) || /^[=+\-@]/.test(c.trimStart()) ? `'${c}` : c)))
          .filter((r) => !(r.length === 1 && r[0]?.trim() === ''));
        expect(read).toEqual(expected);
        for (const row of read) for (const value of row) expect(value.trimStart()).not.toMatch(/^[=+\-@]/);
      }),
      { numRuns: 300 },
    );
  });
});
