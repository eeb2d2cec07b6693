/**
 * The encrypted store (ARCHITECTURE.md §4): one SQLite database per installation, encrypted with
 * the SQLCipher scheme, WAL, foreign keys, busy timeout; ordered migrations under
 * `PRAGMA user_version`.
 */
import { AppError } from '../../contract/errors';
import { openSqlite, type SqliteDatabase } from '../../../native/sqlite';

export type Db = SqliteDatabase;

export interface OpenOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /** Raw 32-byte key as 64 hex characters; omitted only for ':memory:' test databases. */
  keyHex?: string;
  readonly?: boolean;
  busyTimeoutMs?: number;
}

const HEX_KEY = /^[0-9a-f]{64}$/i;

/** SQLite page cache per connection, in KiB (decrypted pages). */
export const PAGE_CACHE_KIB = 32 * 1024;

export { openStore, withStorageErrors, type OpenedStore, type OpenStoreOptions } from './store';
export { prepareKeyFile } from './key';
export { databaseExisted, databasePath } from './marker';
export { storageErrorOf, STORAGE_ERROR_CODES } from './storage-errors';
export { checkIntegrity, checkIntegrityInBackground, isUnreadableWithoutKey, type IntegrityReport } from './integrity';
export { createSealedFileStore, type SealedFileRef, type SealedFileStore } from './sealed-files';
export { backupDatabase, listBackups, rotateBackups, readManifest, verifyBackup, type BackupFile, type BackupManifest, type VerifiedBackup } from './backup';
export { restoreDatabase, type RestoreOptions, type RestoreReport, type RestoreStep } from './restore';
export { completePendingRestore, type PendingRestoreOutcome } from './restore-journal';
export { applyRestoreRequest, cancelRestoreRequest, readRestoreRequest, writeRestoreRequest, type RestoreOutcome, type RestoreRequest } from './restore-request';
export { checkPassphraseStrength, createPassphraseKey, hasPassphraseFile, unlockPassphraseKey, DEFAULT_KDF, type PassphraseKdf } from './passphrase';

export function openDatabase(options: OpenOptions): Db {
  const db = openSqlite(options.path, { readonly: options.readonly ?? false, timeout: options.busyTimeoutMs ?? 5000 });
  try {
    if (options.keyHex !== undefined) {
      if (!HEX_KEY.test(options.keyHex)) throw new AppError('DB_KEY_INVALID', { reason: 'format' });
      // SQLCipher v4 scheme; a raw key (x'…') skips the passphrase KDF since the key is random.
      db.pragma(`cipher='sqlcipher'`);
      db.pragma(`legacy=4`);
      db.pragma(`key="x'${options.keyHex}'"`);
    } else if (options.path !== ':memory:') {
      throw new AppError('DB_KEY_INVALID', { reason: 'missing' });
    }
    // Reading the schema is the first access that needs the key: a wrong key fails here (as does
    // a damaged first page: openStore tells them apart with the marker's key check value).
    try {
      db.prepare('SELECT count(*) AS n FROM sqlite_master').get();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') throw new AppError('DB_KEY_INVALID', { reason: 'decrypt' }, { cause: error });
      throw error;
    }
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    // Pages are decrypted when they enter SQLite's page cache: with the default 2 MiB, a desk
    // searching 100 000 patients decrypts the same index pages again on most queries. 32 MiB
    // keeps the search indexes warm (bench/patients-search); it fills only with pages read.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export interface Migration {
  version: number;
  /** What the step does, for the Diagnostic screen. */
  name: string;
  up(db: Db): void;
}

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
}

/**
 * Applies the pending migrations in one transaction. A database whose `user_version` is newer
 * than the last known migration is refused and left untouched (Signal Desktop does the same).
 */
export function migrate(db: Db, migrations: readonly Migration[]): MigrationReport {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration list out of order at ${migration.name}: expected version ${index + 1}`);
    }
  });
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new AppError('DB_NEWER_SCHEMA', { databaseVersion: current, supportedVersion: latest });
  }
  const pending = migrations.slice(current);
  if (pending.length === 0) return { from: current, to: current, applied: [] };
  const run = db.transaction(() => {
    for (const migration of pending) migration.up(db);
    db.pragma(`user_version = ${latest}`);
  });
  try {
    run.immediate();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('DB_MIGRATION_FAILED', { failedFrom: current }, { cause: error });
  }
  return { from: current, to: latest, applied: pending.map((m) => m.name) };
}

/** Runs `fn` in an IMMEDIATE transaction (the writer lock is taken at BEGIN, no upgrade deadlock). */
export function inTransaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}
