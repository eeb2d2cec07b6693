/**
 * Reading a practice software's CSV export: encoding (UTF-8 with or without BOM; UTF-16 with a
 * BOM or recognised by its NUL bytes, what Excel writes as « Texte Unicode »; else Windows-1252,
 * which most French practice software still writes), separator (`;` in French exports, `,`, tab
 * in Excel's Unicode text, `|`), RFC 4180 quoting, and a suggested mapping from the column headers.
 *
 * Bounded (issue 14 point 5): the file is refused above MAX_IMPORT_BYTES or MAX_IMPORT_LINES for
 * its size, binary content is refused for what it is, and rows are read one at a time from the
 * decoded text (`CsvTable.rows()`), never held all at once: an export costs its text and a few
 * bytes per line, whatever its shape.
 */
import { IMPORT_MAX_BYTES, IMPORT_MAX_LINES, type ImportField, type ImportMapping } from '../../contract/domains/patients';
import { foldForComparison } from '../identity';

export type CsvEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
export type CsvSeparator = ';' | ',' | '\t' | '|';

/** 20 Mo: a practice export of ~100 000 patients (the contract's bound, checked by the renderer too). */
export const MAX_IMPORT_BYTES = IMPORT_MAX_BYTES;
/** Lines of data an import accepts (one patient each). */
export const MAX_IMPORT_LINES = IMPORT_MAX_LINES;
/** Columns a line may have. */
export const MAX_IMPORT_COLUMNS = 200;
/** Characters a cell may hold (the longest field stored is far shorter, see fields.ts). */
export const MAX_CELL_CHARS = 1_000;

export interface CsvRow {
  /** Line number in the file of the row's first line (header = line 1). */
  line: number;
  cells: string[];
}

export interface CsvTable {
  encoding: CsvEncoding;
  separator: CsvSeparator;
  headers: string[];
  /** Number of data rows. */
  rowCount: number;
  /** The data rows, read from the text one at a time (each call starts over). */
  rows(): Iterable<CsvRow>;
}

export type CsvErrorReason = 'EMPTY' | 'UNTERMINATED_QUOTE' | 'NO_HEADER' | 'DUPLICATE_HEADER' | 'NOT_TEXT' | 'TOO_LARGE' | 'TOO_MANY_COLUMNS';

export class CsvError extends Error {
  constructor(
    readonly reason: CsvErrorReason,
    /** Line where the problem starts, when there is one; counts for a size refusal. */
    readonly details: { line?: number; lines?: number; bytes?: number } = {},
  ) {
    super(reason);
    this.name = 'CsvError';
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Windows-1252 characters at 0x80–0x9F (where it differs from Latin-1); unassigned bytes stay C1 controls. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * Windows-1252, which maps every byte. Decoded by hand because Node's TextDecoder('windows-1252')
 * may decode 0x80–0x9F as Latin-1 control characters (Œ, œ, ’ lost): Latin-1 first, then the 32
 * characters where the two differ.
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
}

function decodeStrict(bytes: Uint8Array, label: 'utf-8' | 'utf-16le' | 'utf-16be'): string | null {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** UTF-16 without a BOM: text of Latin letters has a NUL byte in every other position. */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const sample = Math.min(bytes.length - (bytes.length % 2), 4096);
  if (sample < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) evenNul += 1;
    if (bytes[i + 1] === 0) oddNul += 1;
  }
  const pairs = sample / 2;
  if (oddNul > pairs * 0.4 && evenNul < pairs * 0.05) return 'utf-16le';
  if (evenNul > pairs * 0.4 && oddNul < pairs * 0.05) return 'utf-16be';
  return null;
}

/**
 * The file's text and encoding. A byte-order mark decides; UTF-16 is also recognised without one;
 * NUL bytes otherwise mean the file is not text (a spreadsheet, a PDF, an archive).
 */
export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), 'utf-16be');
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (!hasBom) {
    const guessed = utf16WithoutBom(bytes);
    if (guessed !== null) return utf16(bytes, guessed);
  }
  const body = hasBom ? bytes.subarray(3) : bytes;
  if (body.includes(0)) throw new CsvError('NOT_TEXT');
  const utf8 = decodeStrict(body, 'utf-8');
  if (utf8 !== null) return { text: utf8, encoding: 'utf-8' };
  // A UTF-8 mark on bytes that are not UTF-8: not a text file either.
  if (hasBom) throw new CsvError('NOT_TEXT');
  return { text: decodeWindows1252(body), encoding: 'windows-1252' };
}

function utf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): { text: string; encoding: CsvEncoding } {
  const text = bytes.length % 2 === 0 ? decodeStrict(bytes, encoding) : null;
  if (text === null || text.includes('\u0000')) throw new CsvError('NOT_TEXT');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, encoding };
}

// ---------------------------------------------------------------------------------------------
// Records

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads records from `text` starting at `start`, quote-aware (RFC 4180: a quoted cell may hold
 * separators, doubled quotes and line breaks). Unquoted cells are cut with `indexOf`, not read a
 * character at a time. Blank lines carry nothing and are skipped.
 */
interface CsvRecord extends CsvRow {
  /** Offset and line number just after the record. */
  end: number;
  nextLine: number;
}

function* records(text: string, separator: CsvSeparator, start = 0, firstLine = 1): Generator<CsvRecord> {
  const sep = separator.charCodeAt(0);
  const n = text.length;
  let i = start;
  let line = firstLine;
  while (i < n) {
    const recordLine = line;
    const cells: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted cell: up to the closing quote; "" is a quote.
        let value = '';
        let from = i + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) throw new CsvError('UNTERMINATED_QUOTE', { line: recordLine });
          value += text.slice(from, quote);
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += '"';
            from = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        line += countLineFeeds(value);
        // Anything between the closing quote and the separator belongs to the cell (lenient, as spreadsheets are).
        let end = i;
        while (end < n && text.charCodeAt(end) !== sep && text.charCodeAt(end) !== LF && text.charCodeAt(end) !== CR) end++;
        cells.push(value + text.slice(i, end));
        i = end;
      } else {
        let end = i;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c === sep || c === LF || c === CR) break;
          end++;
        }
        cells.push(text.slice(i, end));
        i = end;
      }
      if (cells.length > MAX_IMPORT_COLUMNS) throw new CsvError('TOO_MANY_COLUMNS', { line: recordLine });
      const c = text.charCodeAt(i);
      if (c === sep) {
        i++;
        continue;
      }
      // End of record: CRLF, LF, CR, or end of text.
      if (c === CR && text.charCodeAt(i + 1) === LF) i += 2;
      else if (i < n) i++;
      line++;
      break;
    }
    if (!(cells.length === 1 && (cells[0] as string).trim() === '')) yield { line: recordLine, cells, end: i, nextLine: line };
  }
}

function countLineFeeds(value: string): number {
  let count = 0;
  for (let at = value.indexOf('\n'); at >= 0; at = value.indexOf('\n', at + 1)) count++;
  return count;
}

/** The separator that appears most in the header line, outside quotes (`;` on a tie: French exports). */
export function detectSeparator(text: string): CsvSeparator {
  const firstLine = text.split(/\r?\n|\r/, 1)[0] ?? '';
  const outside = firstLine.replace(/"[^"]*"/g, '');
  let best: CsvSeparator = ';';
  let bestCount = 0;
  for (const candidate of [';', '\t', ',', '|'] as const) {
    const count = outside.split(candidate).length - 1;
    if (count > bestCount) {
      best = candidate;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Reads a CSV export: decodes it, finds the separator and the header line, and counts the data
 * rows (refusing a file above MAX_IMPORT_LINES). The rows themselves are read again on demand.
 */
export function readCsv(bytes: Uint8Array): CsvTable {
  if (bytes.byteLength > MAX_IMPORT_BYTES) throw new CsvError('TOO_LARGE', { bytes: bytes.byteLength });
  const { text, encoding } = decodeCsvBytes(bytes);
  if (text.trim() === '') throw new CsvError('EMPTY');
  const separator = detectSeparator(text);
  const iterator = records(text, separator);
  const first = iterator.next();
  if (first.done === true) throw new CsvError('NO_HEADER');
  const headers = first.value.cells.map((h) => h.trim());
  if (headers.every((h) => h === '')) throw new CsvError('NO_HEADER');
  const named = headers.filter((h) => h !== '');
  if (new Set(named).size !== named.length) throw new CsvError('DUPLICATE_HEADER');
  // The data starts right after the header record.
  const headerEnd = { offset: first.value.end, line: first.value.nextLine };
  let rowCount = 0;
  for (const _row of records(text, separator, headerEnd.offset, headerEnd.line)) {
    rowCount += 1;
    if (rowCount > MAX_IMPORT_LINES) throw new CsvError('TOO_LARGE', { lines: rowCount, bytes: bytes.byteLength });
  }
  return {
    encoding,
    separator,
    headers,
    rowCount,
    rows: () => records(text, separator, headerEnd.offset, headerEnd.line),
  };
}

// ---------------------------------------------------------------------------------------------
// Mapping

/**
 * Header names seen in French practice software exports, folded (accents, case and punctuation
 * removed) → field. Order matters: the more specific names come first.
 */
const HEADER_SYNONYMS: Array<[ImportField, string[]]> = [
  ['birthName', ['NOM DE NAISSANCE', 'NOM NAISSANCE', 'NOM DE JEUNE FILLE', 'NOM JEUNE FILLE', 'NOMNAISSANCE', 'NOM NAIS', 'NOM']],
  ['usedName', ['NOM D USAGE', 'NOM USAGE', 'NOM UTILISE', 'NOM MARITAL', 'NOMUSAGE', 'NOM']],
  ['firstGivenName', ['PREMIER PRENOM', 'PREMIER PRENOM DE NAISSANCE', 'PRENOM 1']],
  ['birthGivenNames', ['PRENOMS', 'PRENOMS DE NAISSANCE', 'LISTE DES PRENOMS', 'PRENOM S', 'PRENOM']],
  ['usedGivenName', ['PRENOM D USAGE', 'PRENOM USUEL', 'PRENOM UTILISE', 'PRENOM USAGE', 'PRENOM']],
  ['birthDate', ['DATE DE NAISSANCE', 'DATE NAISSANCE', 'NE E LE', 'NE LE', 'DDN', 'NAISSANCE', 'DATENAISSANCE']],
  ['sex', ['SEXE', 'GENRE', 'SEX']],
  ['birthPlaceCode', ['LIEU DE NAISSANCE INSEE', 'CODE LIEU NAISSANCE', 'CODE INSEE NAISSANCE', 'LIEU DE NAISSANCE', 'LIEU NAISSANCE', 'COG']],
  ['declaredNir', ['N SECURITE SOCIALE', 'NUMERO DE SECURITE SOCIALE', 'NUMERO SECURITE SOCIALE', 'NO SECURITE SOCIALE', 'N SECU', 'NIR', 'NSS', 'INS']],
  ['externalId', ['N DOSSIER', 'NUMERO DE DOSSIER', 'NO DOSSIER', 'DOSSIER', 'ID PATIENT', 'IDENTIFIANT', 'ID', 'CODE PATIENT']],
];

function foldHeader(header: string): string {
  return foldForComparison(header.replace(/[°º]/g, ' ').replace(/[^\p{L}\p{N}]+/gu, ' '));
}

/** Suggests a mapping from the headers: each field at most once, unmatched columns ignored. */
export function suggestMapping(headers: readonly string[]): ImportMapping {
  const mapping: ImportMapping = {};
  const taken = new Set<ImportField>();
  const folded = headers.map((h) => foldHeader(h));
  for (const [field, synonyms] of HEADER_SYNONYMS) {
    for (const synonym of synonyms) {
      const index = folded.findIndex((h, i) => h === synonym && mapping[headers[i] as string] === undefined);
      if (index !== -1 && !taken.has(field)) {
        mapping[headers[index] as string] = field;
        taken.add(field);
        break;
      }
    }
  }
  for (const header of headers) if (header !== '' && mapping[header] === undefined) mapping[header] = 'ignore';
  return mapping;
}
