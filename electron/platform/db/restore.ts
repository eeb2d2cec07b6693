/**
 * Restoring a backup into a data directory while Pupitre is stopped (issue 14, point 4). The
 * backup is verified first (verifyBackup: digest, key, integrity, version); the database in place
 * must not be open in another process (an exclusive SQLite lock proves it); it is never deleted
 * but set aside next to the new one (`pupitre.db.avant-restauration-…`), with its WAL; the
 * backup is copied to a temporary file, flushed and moved into place in one step; the marker then
 * records the key the restored database uses.
 */
import { copyFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract';
import { STORE_FILES } from '../../contract/storage-files';
import { fsyncFile, verifyBackup, type VerifiedBackup } from './backup';
import { fsyncDirectory, restrictToOwner } from './files';
import { openDatabase } from './index';
import { keyCheckValue, writeKeyFile } from './key';
import { readMarker, statOrNull, writeMarker } from './marker';
import { storageErrorOf } from './storage-errors';

export interface RestoreOptions {
  dataDir: string;
  backupPath: string;
  /** The key the backup was made with (this installation's, or the one given with --key-file). */
  keyHex: string;
  /** The key of the database in place, when known (to prove no other process has it open). */
  currentKeyHex: string | null;
  /** Writes `keyHex` as the data directory's key file (a backup of another installation). */
  installKeyFile: boolean;
  /** Last schema version this Pupitre knows. */
  supportedVersion: number;
  /** Tables a Pupitre database has: a file without them is refused. */
  requiredTables: readonly string[];
  now: Date;
}

export interface RestoreReport {
  restored: VerifiedBackup;
  /** Where the database that was in place now is (null when there was none). */
  setAside: string | null;
}

export async function restoreDatabase(options: RestoreOptions): Promise<RestoreReport> {
  const verified = await verifyBackup(options.backupPath, options.keyHex, options.supportedVersion);
  const missing = options.requiredTables.filter((table) => !verified.tables.includes(table));
  if (missing.length > 0) throw new AppError('BACKUP_NOT_PUPITRE', { missingTables: missing.length });

  const dbPath = join(options.dataDir, STORE_FILES.database);
  const stamp = options.now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  const release = lockCurrent(dbPath, options.currentKeyHex ?? options.keyHex);
  try {
    const temporary = join(options.dataDir, `.${STORE_FILES.database}.restauration-${stamp}`);
    try {
      copyFileSync(options.backupPath, temporary);
      restrictToOwner(temporary);
      fsyncFile(temporary);
      let setAside: string | null = null;
      const current = statOrNull(dbPath);
      if (current !== null) {
        setAside = `${dbPath}.avant-restauration-${stamp}`;
        // Release our lock before moving the file it is held on.
        release();
        for (const suffix of ['-wal', '-shm', '']) {
          if (statOrNull(`${dbPath}${suffix}`) !== null) renameSync(`${dbPath}${suffix}`, `${setAside}${suffix}`);
        }
      } else {
        release();
      }
      renameSync(temporary, dbPath);
      fsyncDirectory(options.dataDir);
      if (options.installKeyFile) writeKeyFile(options.dataDir, options.keyHex);
      const marker = readMarker(options.dataDir);
      writeMarker(options.dataDir, {
        format: 1,
        createdAt: marker.state === 'ok' ? marker.marker.createdAt : options.now.toISOString(),
        keyCheck: keyCheckValue(options.keyHex),
      });
      return { restored: verified, setAside };
    } finally {
      rmSync(temporary, { force: true });
    }
  } catch (error) {
    release();
    throw storageErrorOf(error, options.dataDir) ?? error;
  }
}

/**
 * Proves that no other process has the current database open — the app or `pupitre serve` keep a
 * WAL connection, which holds a shared lock — by taking SQLite's exclusive lock, without waiting.
 * A database that cannot be opened (gone, damaged, another key) has no user to wait for.
 */
function lockCurrent(dbPath: string, keyHex: string): () => void {
  if (statOrNull(dbPath)?.size === undefined || statSync(dbPath).size === 0) return () => undefined;
  let db;
  try {
    db = openDatabase({ path: dbPath, keyHex, readonly: false, busyTimeoutMs: 0 });
  } catch {
    return () => undefined;
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY') === true) throw new AppError('DB_IN_USE');
    throw error;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    db.close();
  };
}
