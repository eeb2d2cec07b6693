/**
 * The durable marker that a database exists in this data directory (`pupitre.db.marker`, JSON,
 * no secret). Written once the database has been created and migrated; from then on a missing or
 * emptied `pupitre.db` is an incident the user must resolve (restore a backup), never a reason to
 * create an empty database. It sits next to the key because what deletes the data directory as a
 * whole also deletes the key: then the installation really is new.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { STORE_FILES } from '../../contract/storage-files';
import { writeFileAtomic } from './files';

export interface DatabaseMarker {
  format: 1;
  /** When the database was first created (or first opened by a version that writes markers). */
  createdAt: string;
  /** HMAC of a fixed label under the key (see key.ts): a wrong key is told from a damaged file. */
  keyCheck: string | null;
}

export type MarkerState = { state: 'absent' } | { state: 'ok'; marker: DatabaseMarker } | { state: 'damaged' };

export function markerPath(dataDir: string): string {
  return join(dataDir, STORE_FILES.marker);
}

export function readMarker(dataDir: string): MarkerState {
  let text: string;
  try {
    text = readFileSync(markerPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<DatabaseMarker>;
    if (value.format !== 1 || typeof value.createdAt !== 'string') return { state: 'damaged' };
    return { state: 'ok', marker: { format: 1, createdAt: value.createdAt, keyCheck: typeof value.keyCheck === 'string' ? value.keyCheck : null } };
  } catch {
    // Even unreadable, its presence says a database existed.
    return { state: 'damaged' };
  }
}

export function writeMarker(dataDir: string, marker: DatabaseMarker): void {
  writeFileAtomic(markerPath(dataDir), `${JSON.stringify(marker, null, 2)}\n`, { mode: 0o600 });
}

export function databasePath(dataDir: string): string {
  return join(dataDir, STORE_FILES.database);
}

/** A database existed here: its marker is there, or a non-empty database file. */
export function databaseExisted(dataDir: string): boolean {
  if (readMarker(dataDir).state !== 'absent') return true;
  const stats = statOrNull(databasePath(dataDir));
  return stats !== null && stats.size > 0;
}

export function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
