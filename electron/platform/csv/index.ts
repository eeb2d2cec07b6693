/**
 * Writing CSV that a spreadsheet opens safely (issue 14 point 5: a cell starting with = + - @ is
 * neutralised wherever it is exported). OWASP « CSV injection »: a cell a spreadsheet would read
 * as a formula (=, +, -, @, or a tab or carriage return before them) is prefixed with an
 * apostrophe, which spreadsheets show as text; cells holding the separator, a quote or a line
 * break are quoted (RFC 4180). The reports are for people: the apostrophe is the price of safety.
 */
import { startsLikeFormula } from '../../contract/text';

export type CsvWriteSeparator = ';' | ',' | '\t';

/** One cell, neutralised and quoted as needed. */
export function csvCell(value: string | number | null | undefined, separator: CsvWriteSeparator = ';'): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (startsLikeFormula(text)) text = `'${text}`;
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * A whole file: UTF-8 with a byte-order mark (spreadsheets then read accents right), CRLF line
 * ends (RFC 4180), `;` by default (French spreadsheets).
 */
export function csvFile(rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>, separator: CsvWriteSeparator = ';'): string {
  return `\uFEFF${rows.map((row) => row.map((cell) => csvCell(cell, separator)).join(separator)).join('\r\n')}\r\n`;
}
