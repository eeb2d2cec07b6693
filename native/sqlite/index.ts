/**
 * SQLite with encryption at rest: `better-sqlite3-multiple-ciphers` (SQLite3MultipleCiphers,
 * SQLCipher-compatible cipher). Only `native/` loads native addons (ARCHITECTURE.md §2); the
 * platform's db module reaches SQLite through this adapter.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';

const require = createRequire(import.meta.url);

export type SqliteDatabase = BetterSqlite3.Database;
export type SqliteStatement<P extends unknown[] | object = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
export type SqliteOptions = BetterSqlite3.Options;

type SqliteConstructor = new (filename: string, options?: SqliteOptions) => SqliteDatabase;

let constructorCache: SqliteConstructor | undefined;

export function loadSqlite(): SqliteConstructor {
  if (constructorCache === undefined) {
    // URI file names let the online backup give its destination connection the cipher and key
    // (backupEncrypted below). The addon reads this once, when it loads; our paths never start
    // with "file:", so ordinary opens are unchanged. This configures the addon itself, which is
    // why its adapter, not the composition root, sets it.
    // eslint-disable-next-line no-restricted-syntax -- the addon's own switch, read once at load
    process.env.SQLITE_USE_URI ??= '1';
    constructorCache = require('better-sqlite3-multiple-ciphers') as SqliteConstructor;
  }
  return constructorCache;
}

export function openSqlite(filename: string, options?: SqliteOptions): SqliteDatabase {
  const Database = loadSqlite();
  return new Database(filename, options);
}

export interface EncryptedBackupOptions {
  /** The key of the source database (64 hex characters): the copy is encrypted with it. */
  keyHex: string;
  /** Pages copied per step; the event loop runs between steps (default 256 pages, 1 MiB). */
  pagesPerStep?: number;
  onProgress?(copiedPages: number, totalPages: number): void;
}

interface BackupHandle {
  transfer(pages: number): { totalPages: number; remainingPages: number };
  close(): void;
}

/**
 * SQLite's online backup API (better-sqlite3's Backup object) into an encrypted destination.
 * SQLite3MultipleCiphers refuses to back up an encrypted database into a plain one, and
 * better-sqlite3 opens the destination itself, without a key; the destination is therefore named
 * by a URI carrying the cipher and the key (SQLite3MultipleCiphers URI parameters `cipher`,
 * `legacy`, `key`). better-sqlite3's JS wrapper checks `path.dirname` of the name as a path, which
 * a URI fails, so the native Backup constructor is called directly — the same call the wrapper
 * makes — and stepped here. Writers on other connections may continue meanwhile (the backup
 * restarts its pass when the source changes under it, as the API specifies).
 */
export async function backupEncrypted(db: SqliteDatabase, destination: string, options: EncryptedBackupOptions): Promise<{ totalPages: number }> {
  if (!/^[0-9a-f]{64}$/i.test(options.keyHex)) throw new TypeError('backupEncrypted: the key must be 64 hex characters');
  const { cppdb } = require('better-sqlite3-multiple-ciphers/lib/util') as { cppdb: symbol };
  const native = (db as unknown as Record<symbol, { backup(db: SqliteDatabase, attached: string, file: string, unlink: boolean): BackupHandle }>)[cppdb];
  if (native === undefined) throw new Error('backupEncrypted: not a better-sqlite3 connection');
  const uri = `${fileUri(destination)}?cipher=sqlcipher&legacy=4&key=${encodeURIComponent(`x'${options.keyHex}'`)}`;
  const backup = native.backup(db, 'main', uri, true);
  const pages = options.pagesPerStep ?? 256;
  return new Promise((resolve, reject) => {
    const step = (): void => {
      try {
        const progress = backup.transfer(pages);
        options.onProgress?.(progress.totalPages - progress.remainingPages, progress.totalPages);
        if (progress.remainingPages === 0) {
          backup.close();
          resolve({ totalPages: progress.totalPages });
          return;
        }
        setImmediate(step);
      } catch (error) {
        backup.close();
        reject(error as Error);
      }
    };
    setImmediate(step);
  });
}

/** A SQLite URI for an absolute path: reserved characters percent-encoded, Windows drives kept. */
function fileUri(path: string): string {
  const slashed = path.replace(/\\/g, '/');
  const encoded = slashed
    .split('/')
    .map((part) => encodeURIComponent(part).replace(/%3A/gi, ':'))
    .join('/');
  return `file:${encoded.startsWith('/') ? '' : '/'}${encoded}`;
}

/**
 * `PRAGMA quick_check` on a second, read-only connection in a worker thread, so that a long check
 * (about 0.7 s per 100 MB here, see bench/README.md) never blocks the host's event loop while the
 * desk is in use. Resolves with SQLite's lines ('ok' alone when the base is sound) or the error
 * that stopped the check.
 */
export function quickCheckInWorker(path: string, keyHex: string): Promise<string[]> {
  if (!/^[0-9a-f]{64}$/i.test(keyHex)) return Promise.reject(new TypeError('quickCheckInWorker: the key must be 64 hex characters'));
  loadSqlite();
  const addon = require.resolve('better-sqlite3-multiple-ciphers');
  // Plain CommonJS evaluated in the worker: no TypeScript loader is needed there.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.addon);
    let db;
    try {
      db = new Database(workerData.path, { readonly: true, fileMustExist: true });
      db.pragma("cipher='sqlcipher'");
      db.pragma('legacy=4');
      db.pragma(workerData.keyPragma);
      const rows = db.pragma('quick_check(20)');
      parentPort.postMessage(rows.map((row) => String(Object.values(row)[0])));
    } catch (error) {
      parentPort.postMessage([(error && error.code ? error.code : 'error') + ': ' + (error && error.message)]);
    } finally {
      if (db) db.close();
    }`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { addon, path, keyPragma: `key="x'${keyHex}'"` }, env: { SQLITE_USE_URI: '1' } });
    worker.once('message', (lines: string[]) => resolve(lines));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`quick_check worker exited with ${code}`));
    });
  });
}
