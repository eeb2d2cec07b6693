/**
 * SQLite with encryption at rest: `better-sqlite3-multiple-ciphers` (SQLite3MultipleCiphers,
 * SQLCipher-compatible cipher). Only `native/` loads native addons (ARCHITECTURE.md §2); the
 * platform's db module reaches SQLite through this adapter.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';

const require = createRequire(import.meta.url);

export type SqliteDatabase = BetterSqlite3.Database;
export type SqliteStatement<P extends unknown[] | object = unknown[], R = unknown> = BetterSqlite3.Statement<P, R>;
export type SqliteOptions = BetterSqlite3.Options;

type SqliteConstructor = new (filename: string, options?: SqliteOptions) => SqliteDatabase;

let constructorCache: SqliteConstructor | undefined;

export function loadSqlite(): SqliteConstructor {
  constructorCache ??= require('better-sqlite3-multiple-ciphers') as SqliteConstructor;
  return constructorCache;
}

export function openSqlite(filename: string, options?: SqliteOptions): SqliteDatabase {
  const Database = loadSqlite();
  return new Database(filename, options);
}
