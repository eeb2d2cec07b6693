/**
 * Checks of the database as stored: page-level integrity (`PRAGMA quick_check`: every page is
 * read, so SQLite3MultipleCiphers verifies each page's authentication code; indexes are not
 * compared with their tables, which `integrity_check` does at a higher cost) and encryption at
 * rest (the file must not open as plain SQLite).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { openSqlite, quickCheckInWorker } from '../../../native/sqlite';
import type { Db } from './index';

export interface IntegrityReport {
  ok: boolean;
  /** SQLite's own lines (page numbers, trees), or the error that stopped the check. */
  problems: string[];
}

/** `PRAGMA quick_check` (or `integrity_check` when `thorough`), at most `maxProblems` lines. */
export function checkIntegrity(db: Db, options: { thorough?: boolean; maxProblems?: number } = {}): IntegrityReport {
  const pragma = options.thorough === true ? 'integrity_check' : 'quick_check';
  try {
    const rows = db.pragma(`${pragma}(${options.maxProblems ?? 20})`, { simple: false }) as Array<Record<string, string>>;
    const lines = rows.map((row) => Object.values(row)[0] ?? '');
    return lines.length === 1 && lines[0] === 'ok' ? { ok: true, problems: [] } : { ok: false, problems: lines };
  } catch (error) {
    // A page whose authentication code fails stops the check with SQLITE_CORRUPT or SQLITE_NOTADB.
    return { ok: false, problems: [`${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`] };
  }
}

const PLAIN_SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

/**
 * True when the file is not readable as plain SQLite: its header is not SQLite's, and a
 * connection without the key cannot read its schema.
 */
export function isUnreadableWithoutKey(path: string): boolean {
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.equals(PLAIN_SQLITE_HEADER)) return false;
  const plain = openSqlite(path, { readonly: true, fileMustExist: true });
  try {
    plain.prepare('SELECT count(*) FROM sqlite_master').get();
    return false;
  } catch (error) {
    return (error as { code?: string }).code === 'SQLITE_NOTADB';
  } finally {
    plain.close();
  }
}

/** `quick_check` of the file at `path` on a worker thread (the event loop keeps serving). */
export async function checkIntegrityInBackground(path: string, keyHex: string): Promise<IntegrityReport> {
  const lines = await quickCheckInWorker(path, keyHex);
  return lines.length === 1 && lines[0] === 'ok' ? { ok: true, problems: [] } : { ok: false, problems: lines };
}
