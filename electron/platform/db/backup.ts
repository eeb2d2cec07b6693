/**
 * Encrypted backups of the database (issue 14, point 4). A backup is a copy made with SQLite's
 * online backup API while the database is in use, encrypted with the same key, written to a
 * temporary file, flushed, checked (it must not open without the key, and must pass
 * `quick_check`), then moved into place. Beside it, a small description (`.json`, no secret):
 * when, schema version, size, SHA-256 of the file and the key check value — so that a restore
 * tells a damaged backup (digest differs) from one made with another key (check value differs)
 * before opening it. Keeping the key (or the passphrase) is what makes a backup usable.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { backupEncrypted } from '../../../native/sqlite';
import { AppError } from '../../contract';
import { createPrivateFile, fsyncDirectory, writeFileAtomic } from './files';
import { checkIntegrity, checkIntegrityInBackground, isUnreadableWithoutKey } from './integrity';
import { openDatabase, type Db } from './index';
import { keyCheckValue } from './key';
import { storageErrorOf } from './storage-errors';

export const BACKUP_PREFIX = 'pupitre-';
export const BACKUP_SUFFIX = '.db';
const MANIFEST_SUFFIX = '.json';

export interface BackupManifest {
  format: 1;
  createdAt: string;
  schemaVersion: number;
  sizeBytes: number;
  sha256: string;
  keyCheck: string;
}

export interface BackupFile extends BackupManifest {
  path: string;
  file: string;
}

/** `pupitre-2026-01-15T09-00-00Z.db`: sorts by time, no character a file system refuses. */
export function backupFileName(at: Date): string {
  return `${BACKUP_PREFIX}${at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-')}${BACKUP_SUFFIX}`;
}

export interface BackupOptions {
  folder: string;
  keyHex: string;
  now: Date;
  onProgress?(copiedPages: number, totalPages: number): void;
  /**
   * Makes the copy stand on its own: what the installation keeps beside the database (documents
   * waiting to be sent, in sealed files) is put into it. Called with the copy open (same key)
   * before it is flushed and checked; returns how many items were put in. It should yield to the
   * event loop between items (the desk keeps working during a backup).
   */
  complete?(copy: Db): Promise<number>;
}

/** Makes one verified encrypted backup of `db` in `folder`. */
export async function backupDatabase(db: Db, options: BackupOptions): Promise<BackupFile> {
  const file = backupFileName(options.now);
  const path = join(options.folder, file);
  const temporary = join(options.folder, `.${file}.partial`);
  try {
    mkdirSync(options.folder, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw folderError(error, options.folder);
  }
  try {
    rmSync(temporary, { force: true });
    createPrivateFile(temporary);
  } catch (error) {
    throw folderError(error, options.folder);
  }
  try {
    await backupEncrypted(db, temporary, { keyHex: options.keyHex, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    if (options.complete !== undefined) await completeCopy(temporary, options.keyHex, options.complete);
    // Asynchronous flush: syncing a large copy must not hold the event loop.
    const handle = await open(temporary, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    // A copy that opens without the key, or does not pass quick_check, is not a backup.
    if (!isUnreadableWithoutKey(temporary)) throw new AppError('BACKUP_FAILED', { reason: 'not-encrypted' });
    const schemaVersion = await checkCopy(temporary, options.keyHex);
    const manifest: BackupManifest = {
      format: 1,
      createdAt: options.now.toISOString(),
      schemaVersion,
      sizeBytes: statSync(temporary).size,
      sha256: await sha256Of(temporary),
      keyCheck: keyCheckValue(options.keyHex),
    };
    renameSync(temporary, path);
    fsyncDirectory(options.folder);
    writeFileAtomic(`${path}${MANIFEST_SUFFIX}`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return { ...manifest, path, file };
  } catch (error) {
    rmSync(temporary, { force: true });
    rmSync(`${temporary}-journal`, { force: true });
    rmSync(`${temporary}-wal`, { force: true });
    rmSync(`${temporary}-shm`, { force: true });
    if (error instanceof AppError) throw error;
    throw storageErrorOf(error, options.folder) ?? new AppError('BACKUP_FAILED', { reason: (error as { code?: string }).code ?? 'unknown' }, { cause: error });
  }
}

/** Opens the copy, lets `complete` add to it, and leaves it as one file again (no WAL beside it). */
async function completeCopy(path: string, keyHex: string, complete: (copy: Db) => Promise<number>): Promise<void> {
  const copy = openDatabase({ path, keyHex });
  try {
    // The copy is a temporary file, flushed once and checked after this; a crash leaves a
    // `.partial` that is discarded. A flush per commit here would be work thrown away.
    copy.pragma('synchronous = OFF');
    await complete(copy);
    copy.pragma('wal_checkpoint(TRUNCATE)');
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  rmSync(`${path}-wal`, { force: true });
  rmSync(`${path}-shm`, { force: true });
}

/** Backups of a folder with their description, newest first; files without one are skipped. */
export function listBackups(folder: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const backups: BackupFile[] = [];
  for (const name of names) {
    if (!name.startsWith(BACKUP_PREFIX) || !name.endsWith(BACKUP_SUFFIX)) continue;
    const manifest = readManifest(join(folder, name));
    if (manifest !== null) backups.push({ ...manifest, path: join(folder, name), file: name });
  }
  return backups.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Keeps the `keep` newest backups of the folder and deletes the older ones (with their description). */
export function rotateBackups(folder: string, keep: number): string[] {
  const removed: string[] = [];
  for (const old of listBackups(folder).slice(Math.max(keep, 1))) {
    rmSync(old.path, { force: true });
    rmSync(`${old.path}${MANIFEST_SUFFIX}`, { force: true });
    removed.push(old.file);
  }
  if (removed.length > 0) fsyncDirectory(folder);
  return removed;
}

export function readManifest(backupPath: string): BackupManifest | null {
  try {
    const value = JSON.parse(readFileSync(`${backupPath}${MANIFEST_SUFFIX}`, 'utf8')) as Partial<BackupManifest>;
    if (value.format !== 1 || typeof value.sha256 !== 'string' || typeof value.keyCheck !== 'string' || typeof value.createdAt !== 'string') return null;
    return {
      format: 1,
      createdAt: value.createdAt,
      schemaVersion: Number(value.schemaVersion ?? 0),
      sizeBytes: Number(value.sizeBytes ?? 0),
      sha256: value.sha256,
      keyCheck: value.keyCheck,
    };
  } catch {
    return null;
  }
}

export interface VerifiedBackup {
  path: string;
  schemaVersion: number;
  createdAt: string | null;
  tables: string[];
}

/**
 * Checks a backup before it is restored: present, digest as described, made with this key,
 * readable, every page and index consistent (`integrity_check`), and not newer than this version.
 */
export async function verifyBackup(path: string, keyHex: string, supportedVersion: number): Promise<VerifiedBackup> {
  try {
    if (!statSync(path).isFile()) throw new AppError('BACKUP_NOT_FOUND');
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('BACKUP_NOT_FOUND', { file: basename(path) });
  }
  const manifest = readManifest(path);
  if (manifest !== null) {
    if ((await sha256Of(path)) !== manifest.sha256) throw new AppError('BACKUP_DAMAGED', { reason: 'digest' });
    if (manifest.keyCheck !== keyCheckValue(keyHex)) throw new AppError('BACKUP_OTHER_KEY');
  }
  let db: Db;
  try {
    db = openDatabase({ path, keyHex, readonly: true });
  } catch (error) {
    if (error instanceof AppError && error.code === 'DB_KEY_INVALID') {
      throw new AppError(manifest === null ? 'BACKUP_UNREADABLE' : 'BACKUP_DAMAGED', { reason: 'first-page' }, { cause: error });
    }
    throw new AppError('BACKUP_DAMAGED', { reason: (error as { code?: string }).code ?? 'open' }, { cause: error });
  }
  try {
    const integrity = checkIntegrity(db, { thorough: true });
    if (!integrity.ok) throw new AppError('BACKUP_DAMAGED', { reason: 'integrity', problems: integrity.problems.length });
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    if (schemaVersion > supportedVersion) throw new AppError('BACKUP_NEWER_SCHEMA', { backupVersion: schemaVersion, supportedVersion });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return { path, schemaVersion, createdAt: manifest?.createdAt ?? null, tables };
  } finally {
    db.close();
  }
}

/** The copy's quick_check runs on a worker thread: a scheduled backup never freezes the desk. */
async function checkCopy(path: string, keyHex: string): Promise<number> {
  const integrity = await checkIntegrityInBackground(path, keyHex);
  if (!integrity.ok) throw new AppError('BACKUP_FAILED', { reason: 'integrity' });
  const copy = openDatabase({ path, keyHex, readonly: true });
  try {
    return copy.pragma('user_version', { simple: true }) as number;
  } finally {
    copy.close();
  }
}

function folderError(error: unknown, folder: string): AppError {
  const code = (error as { code?: string }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('DB_DISK_FULL', { where: 'backup-folder' }, { cause: error });
  return new AppError('BACKUP_FOLDER_UNAVAILABLE', { cause: code ?? 'unknown', folder: basename(folder) }, { cause: error });
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function sha256Of(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
