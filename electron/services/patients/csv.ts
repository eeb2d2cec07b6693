/**
 * Reading a practice software's CSV export: encoding (UTF-8, with or without BOM, else
 * Windows-1252, which most French practice software still writes), separator (`;` in French
 * exports, `,` otherwise), RFC 4180 quoting, and a suggested mapping from the column headers.
 */
import type { ImportField, ImportMapping } from '../../contract/domains/patients';
import { foldForComparison } from '../identity';

export type CsvEncoding = 'utf-8' | 'windows-1252';
export type CsvSeparator = ';' | ',';

export interface CsvTable {
  encoding: CsvEncoding;
  separator: CsvSeparator;
  headers: string[];
  /** Data rows with their line number in the file (header = line 1). */
  rows: Array<{ line: number; cells: string[] }>;
}

export class CsvError extends Error {
  constructor(readonly reason: 'EMPTY' | 'UNTERMINATED_QUOTE' | 'NO_HEADER' | 'DUPLICATE_HEADER') {
    super(reason);
    this.name = 'CsvError';
  }
}

export function decodeCsvBytes(bytes: Uint8Array): { text: string; encoding: CsvEncoding } {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(body), encoding: 'windows-1252' };
  }
}

/** Windows-1252 characters at 0x80–0x9F (where it differs from Latin-1); unassigned bytes stay C1 controls. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * Not valid UTF-8: Windows-1252, which maps every byte. Decoded by hand because Node's
 * TextDecoder('windows-1252') may decode 0x80–0x9F as Latin-1 control characters (Œ, œ, ’ lost).
 */
export function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += byte >= 0x80 && byte <= 0x9f ? CP1252_HIGH[byte - 0x80] : String.fromCharCode(byte);
  return text;
}

/** Splits CSV text into records of cells, honouring quotes (a quoted cell may hold separators, quotes and line breaks). */
function parseRecords(text: string, separator: CsvSeparator): Array<{ line: number; cells: string[] }> {
  const records: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let cellStarted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else {
        if (char === '\n') line += 1;
        cell += char;
      }
      continue;
    }
    if (char === '"' && !cellStarted) {
      quoted = true;
      cellStarted = true;
    } else if (char === separator) {
      cells.push(cell);
      cell = '';
      cellStarted = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      cells.push(cell);
      records.push({ line: recordLine, cells });
      cells = [];
      cell = '';
      cellStarted = false;
      line += 1;
      recordLine = line;
    } else {
      cell += char;
      cellStarted = true;
    }
  }
  if (quoted) throw new CsvError('UNTERMINATED_QUOTE');
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push({ line: recordLine, cells });
  }
  // Blank lines (a trailing newline, an empty line between records) carry nothing.
  return records.filter((r) => !(r.cells.length === 1 && r.cells[0]?.trim() === ''));
}

/** The separator that appears most in the header line, outside quotes. */
export function detectSeparator(text: string): CsvSeparator {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const outside = firstLine.replace(/"[^"]*"/g, '');
  const semicolons = outside.split(';').length - 1;
  const commas = outside.split(',').length - 1;
  return commas > semicolons ? ',' : ';';
}

export function readCsv(bytes: Uint8Array): CsvTable {
  const { text, encoding } = decodeCsvBytes(bytes);
  if (text.trim() === '') throw new CsvError('EMPTY');
  const separator = detectSeparator(text);
  const records = parseRecords(text, separator);
  const [header, ...rows] = records;
  if (header === undefined) throw new CsvError('NO_HEADER');
  const headers = header.cells.map((h) => h.trim());
  if (headers.every((h) => h === '')) throw new CsvError('NO_HEADER');
  if (new Set(headers.filter((h) => h !== '')).size !== headers.filter((h) => h !== '').length) throw new CsvError('DUPLICATE_HEADER');
  return { encoding, separator, headers, rows };
}

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
