/**
 * Opening the installation's database safely (issue 14, point 3). The rules:
 * - a database that existed (its marker is there) and is gone or emptied is refused, never
 *   replaced by an empty one: the user restores a backup;
 * - the key is created only when no database exists; a database without its key, or next to an
 *   unreadable key file, is refused;
 * - a wrong key (its check value differs from the marker's) says « clé invalide »; a first page that
 *   does not decrypt under the right key says « endommagée »;
 * - the database file is created 0600 before SQLite opens it (SQLite gives its WAL and shared-memory
 *   files the same mode);
 * - a restore a crash interrupted is undone or finished before anything is read;
 * - file-system and SQLite failures get the store's own codes (storage-errors.ts).
 */
import { AppError } from '../../contract';
import { createPrivateFile, restrictToOwner } from './files';
import { openDatabase, type Db } from './index';
import { ensureDataDir, keyCheckValue } from './key';
import { completePendingRestore } from './restore-journal';
import { databasePath as databasePathOf, readMarker, statOrNull, writeMarker, type MarkerState } from './marker';
import { storageErrorOf } from './storage-errors';

export interface OpenStoreOptions {
  dataDir: string;
  keyHex: string;
  /** ISO time written into a new marker. */
  now: () => string;
  busyTimeoutMs?: number;
}

export interface OpenedStore {
  db: Db;
  path: string;
  /** True when this call created the database file. */
  created: boolean;
  /**
   * Records that the database exists (writes the marker with the key check value) once the
   * caller has migrated it; a no-op when the marker is already complete.
   */
  confirm(): void;
}

export { databasePath } from './marker';

export function openStore(options: OpenStoreOptions): OpenedStore {
  const { dataDir, keyHex } = options;
  const path = databasePathOf(dataDir);
  return withStorageErrors(dataDir, () => {
    ensureDataDir(dataDir);
    // A restore a crash interrupted is undone or finished first (restore-journal.ts).
    completePendingRestore(dataDir);
    const marker = readMarker(dataDir);
    const stats = statOrNull(path);
    const keyCheck = keyCheckValue(keyHex);
    if (marker.state !== 'absent') {
      if (stats === null) throw new AppError('DB_MISSING', { reason: 'absent' });
      if (stats.size === 0) throw new AppError('DB_MISSING', { reason: 'empty' });
      if (marker.state === 'ok' && marker.marker.keyCheck !== null && marker.marker.keyCheck !== keyCheck) {
        throw new AppError('DB_KEY_INVALID', { reason: 'key-check' });
      }
    }
    const created = stats === null;
    if (created) createPrivateFile(path);
    else for (const suffix of ['', '-wal', '-shm']) restrictIfPresent(`${path}${suffix}`);

    let db: Db;
    try {
      db = openDatabase({ path, keyHex, ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }) });
    } catch (error) {
      throw refineOpenError(error, marker, keyCheck);
    }
    return {
      db,
      path,
      created,
      confirm: () => {
        if (marker.state === 'ok' && marker.marker.keyCheck === keyCheck) return;
        withStorageErrors(dataDir, () =>
          writeMarker(dataDir, {
            format: 1,
            createdAt: marker.state === 'ok' ? marker.marker.createdAt : options.now(),
            keyCheck,
          }),
        );
      },
    };
  });
}

/** Runs `fn` and turns file-system and SQLite failures into the store's codes. */
export function withStorageErrors<T>(dataDir: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw storageErrorOf(error, dataDir) ?? error;
  }
}

function refineOpenError(error: unknown, marker: MarkerState, keyCheck: string): unknown {
  if (!(error instanceof AppError) || error.code !== 'DB_KEY_INVALID' || error.details?.reason !== 'decrypt') return error;
  // The first page does not decrypt. With the marker's check value we know whether the key is right.
  if (marker.state === 'ok' && marker.marker.keyCheck === keyCheck) return new AppError('DB_DAMAGED', { reason: 'first-page' }, { cause: error });
  return new AppError('DB_UNREADABLE', { reason: 'key-or-damage' }, { cause: error });
}

function restrictIfPresent(path: string): void {
  if (statOrNull(path) !== null) restrictToOwner(path);
}
