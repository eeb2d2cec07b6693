/**
 * Restoring a backup into a data directory while Pupitre is stopped (issue 14, point 4). The
 * backup is verified first (verifyBackup: digest, key, integrity, version); the database in place
 * must not be open in another process (an exclusive SQLite lock proves it, and its WAL is folded
 * into the file while the lock is held); it is never deleted but set aside next to the new one
 * (`pupitre.db.avant-restauration-…`); the backup is copied to a temporary file and flushed, and
 * the swap itself follows a journal (restore-journal.ts), so that a crash at any point leaves
 * either the base from before or the restored one, never none.
 */
import { copyFileSync, rmSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract';
import { STORE_FILES } from '../../contract/storage-files';
import { fsyncFile, verifyBackup, type VerifiedBackup } from './backup';
import { fsyncDirectory, restrictToOwner, writeFileAtomic } from './files';
import { openDatabase } from './index';
import { keyCheckValue } from './key';
import { readMarker, statOrNull } from './marker';
import { completePendingRestore, DATABASE_SUFFIXES, finishRestore, undoRestore, writeRestoreJournal, type RestoreJournal } from './restore-journal';
import { storageErrorOf } from './storage-errors';

/** Points of a restore after which a crash test may stop the process (see restore.crash.test.ts). */
export type RestoreStep = 'journal-written' | 'set-aside' | 'swapped';

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
  /** Called after each step of the swap (crash tests stop the process there). */
  afterStep?(step: RestoreStep): void;
}

export interface RestoreReport {
  restored: VerifiedBackup;
  /** Where the database that was in place now is (null when there was none). */
  setAside: string | null;
}

export async function restoreDatabase(options: RestoreOptions): Promise<RestoreReport> {
  const { dataDir } = options;
  // A restore a crash interrupted is undone or finished before another one starts.
  withStorage(dataDir, () => completePendingRestore(dataDir));
  const verified = await verifyBackup(options.backupPath, options.keyHex, options.supportedVersion);
  const missing = options.requiredTables.filter((table) => !verified.tables.includes(table));
  if (missing.length > 0) throw new AppError('BACKUP_NOT_PUPITRE', { missingTables: missing.length });

  const dbPath = join(dataDir, STORE_FILES.database);
  const stamp = options.now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');
  const marker = withStorage(dataDir, () => readMarker(dataDir));
  const journal: RestoreJournal = {
    format: 1,
    staged: `.${STORE_FILES.database}.restauration-${stamp}`,
    stagedKey: options.installKeyFile ? `.${STORE_FILES.keyFile}.restauration-${stamp}` : null,
    // A WAL without its base is set aside too: it must never be replayed onto the restored base.
    setAside: DATABASE_SUFFIXES.some((suffix) => statOrNull(`${dbPath}${suffix}`) !== null) ? `${STORE_FILES.database}.avant-restauration-${stamp}` : null,
    keySetAside: options.installKeyFile && statOrNull(join(dataDir, STORE_FILES.keyFile)) !== null ? `${STORE_FILES.keyFile}.avant-restauration-${stamp}` : null,
    marker: { createdAt: marker.state === 'ok' ? marker.marker.createdAt : options.now.toISOString(), keyCheck: keyCheckValue(options.keyHex) },
  };
  const staged = join(dataDir, journal.staged);
  let journalWritten = false;
  const release = lockCurrent(dbPath, options.currentKeyHex ?? options.keyHex);
  try {
    copyFileSync(options.backupPath, staged);
    restrictToOwner(staged);
    fsyncFile(staged);
    if (journal.stagedKey !== null) writeFileAtomic(join(dataDir, journal.stagedKey), `${options.keyHex.toLowerCase()}\n`, { mode: 0o600 });
    writeRestoreJournal(dataDir, journal);
    journalWritten = true;
    options.afterStep?.('journal-written');
    // Our lock is released before the file it is held on moves.
    release();
    if (journal.setAside !== null) {
      const aside = join(dataDir, journal.setAside);
      for (const suffix of DATABASE_SUFFIXES) {
        if (statOrNull(`${dbPath}${suffix}`) !== null) renameSync(`${dbPath}${suffix}`, `${aside}${suffix}`);
      }
      fsyncDirectory(dataDir);
      options.afterStep?.('set-aside');
    }
    renameSync(staged, dbPath);
    fsyncDirectory(dataDir);
    options.afterStep?.('swapped');
    finishRestore(dataDir, journal);
    return { restored: verified, setAside: journal.setAside === null ? null : join(dataDir, journal.setAside) };
  } catch (error) {
    release();
    try {
      if (!journalWritten) {
        rmSync(staged, { force: true });
        if (journal.stagedKey !== null) rmSync(join(dataDir, journal.stagedKey), { force: true });
      } else if (statOrNull(staged) !== null) {
        undoRestore(dataDir, journal);
      } else {
        finishRestore(dataDir, journal);
      }
    } catch {
      // The journal stays: the next start undoes or finishes the restore.
    }
    throw storageErrorOf(error, dataDir) ?? error;
  }
}

function withStorage<T>(dataDir: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw storageErrorOf(error, dataDir) ?? error;
  }
}

/**
 * Proves that no other process has the current database open — the app or `pupitre serve` keep a
 * WAL connection, which holds a shared lock — by taking SQLite's exclusive lock, without waiting,
 * and folds the WAL into the database file, so that the base set aside is whole in one file. A
 * database that cannot be opened (gone, damaged, another key) has no user to wait for.
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
    db.pragma('wal_checkpoint(TRUNCATE)');
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
