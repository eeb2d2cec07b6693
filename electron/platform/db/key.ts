/**
 * Headless database key: a random 256-bit key in a file readable only by its owner (mode 0600),
 * created once in the data directory, atomically (a full disk leaves no empty key behind). In
 * Electron the key is instead sealed by the OS key store (safeStorage) in electron/main and handed
 * to the host.
 *
 * The key check value (KCV) is an HMAC of a fixed label under the key, kept in the database marker:
 * it tells a wrong key (KCV differs) from a damaged database (KCV matches, the file does not open).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STORE_FILES } from '../../contract/storage-files';
import { AppError } from '../../contract/errors';
import { restrictToOwner, writeFileAtomic } from './files';
import { databaseExisted } from './marker';
import { storageErrorOf } from './storage-errors';

export const KEY_FILE_NAME = STORE_FILES.keyFile;
export const HEX_KEY = /^[0-9a-f]{64}$/i;

export function generateKeyHex(): string {
  return randomBytes(32).toString('hex');
}

export function keyCheckValue(keyHex: string): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update('pupitre.db.key-check.v1').digest('hex');
}

export type KeyFileState =
  | { state: 'absent'; path: string }
  | { state: 'ok'; path: string; keyHex: string }
  /** Present but not a key: empty (a failed write of an older version) or altered. */
  | { state: 'damaged'; path: string; size: number };

/** Reads the key file without creating anything; a file readable by others is made private. */
export function readKeyFile(dataDir: string): KeyFileState {
  const path = join(dataDir, KEY_FILE_NAME);
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent', path };
    throw error;
  }
  restrictToOwner(path);
  const text = readFileSync(path, 'utf8').trim();
  return HEX_KEY.test(text) ? { state: 'ok', path, keyHex: text.toLowerCase() } : { state: 'damaged', path, size };
}

/**
 * Writes a new key file. `replaceDamaged` replaces an unreadable key file; otherwise an existing
 * file is never overwritten (EEXIST).
 */
export function writeNewKeyFile(dataDir: string, options: { replaceDamaged?: boolean } = {}): string {
  const keyHex = generateKeyHex();
  writeFileAtomic(join(dataDir, KEY_FILE_NAME), `${keyHex}\n`, { mode: 0o600, exclusive: options.replaceDamaged !== true });
  return keyHex;
}

/** Writes a given key (a restore with the key of the backup's installation). */
export function writeKeyFile(dataDir: string, keyHex: string): void {
  writeFileAtomic(join(dataDir, KEY_FILE_NAME), `${keyHex.toLowerCase()}\n`, { mode: 0o600 });
}

/**
 * The headless key (`db.key`): read it, or create it when no database exists yet. Never creates
 * a key next to an existing database, and replaces an unreadable key file only when nothing was
 * ever encrypted with it (an older version could leave an empty one after a full disk).
 */
export function prepareKeyFile(dataDir: string): { keyHex: string; created: boolean; replacedDamaged: boolean } {
  try {
    ensureDataDir(dataDir);
    const existed = databaseExisted(dataDir);
    const key = readKeyFile(dataDir);
    if (key.state === 'ok') return { keyHex: key.keyHex, created: false, replacedDamaged: false };
    if (existed) throw new AppError(key.state === 'absent' ? 'DB_KEY_MISSING' : 'DB_KEY_FILE_DAMAGED', { keyFile: STORE_FILES.keyFile });
    if (key.state === 'damaged') return { keyHex: writeNewKeyFile(dataDir, { replaceDamaged: true }), created: true, replacedDamaged: true };
    try {
      return { keyHex: writeNewKeyFile(dataDir), created: true, replacedDamaged: false };
    } catch (error) {
      // Another process created it between our read and our write: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const again = readKeyFile(dataDir);
      if (again.state !== 'ok') throw new AppError('DB_KEY_FILE_DAMAGED', { keyFile: STORE_FILES.keyFile });
      return { keyHex: again.keyHex, created: false, replacedDamaged: false };
    }
  } catch (error) {
    throw storageErrorOf(error, dataDir) ?? error;
  }
}

/** Compatibility name used by tests and tools: the key of `dataDir`, created if no database exists. */
export function loadOrCreateKeyFile(dataDir: string): { keyHex: string; created: boolean; path: string } {
  const { keyHex, created } = prepareKeyFile(dataDir);
  return { keyHex, created, path: join(dataDir, KEY_FILE_NAME) };
}

export function ensureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
}
