/**
 * The database key of the desktop app (issue 14, points 3 and 8). Sealed by the OS key store
 * through Electron's safeStorage (Keychain, DPAPI, Secret Service/KWallet); written atomically;
 * never created next to a database that exists (that would hide the lost key behind « clé
 * invalide »). On Linux, safeStorage's `basic_text` backend encrypts with a hard-coded password —
 * no protection at all — so there (or when no store is available) the key is protected by a
 * passphrase instead: the host starts locked and the desk asks for it. A key already sealed with
 * `basic_text` is moved under the passphrase the user chooses.
 *
 * Pure over its dependencies so that it is tested without Electron (the binary cannot run in CI).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { STORE_FILES } from '../contract/storage-files';

export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only (Electron ≥ 28): 'basic_text', 'gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6' or 'unknown'. */
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
}

export type DesktopKey =
  /** `protection: 'passphrase'` once the passphrase was typed in this launch (a restarted host needs it no more). */
  | { kind: 'ready'; keyHex: string; backend: string; protection?: 'passphrase' }
  | { kind: 'passphrase'; mode: 'create' | 'unlock'; reason: 'basic_text' | 'unavailable' | 'requested'; migrateKeyHex?: string }
  | { kind: 'fatal'; code: 'DB_KEY_MISSING' | 'DB_KEY_FILE_DAMAGED' };

const HEX_KEY = /^[0-9a-f]{64}$/i;
/** Backends that do not protect anything: the key would be as good as in clear. */
const WEAK_BACKENDS = new Set(['basic_text', 'unknown']);

export function storageBackend(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string {
  if (platform !== 'linux') return platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : 'os';
  return safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
}

export function resolveDesktopKey(dataDir: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): DesktopKey {
  if (exists(join(dataDir, STORE_FILES.passphrase))) return { kind: 'passphrase', mode: 'unlock', reason: 'requested' };
  const backend = storageBackend(safeStorage, platform);
  const available = safeStorage.isEncryptionAvailable();
  const weak = !available || WEAK_BACKENDS.has(backend);
  const reason = available ? 'basic_text' : 'unavailable';
  const sealedPath = join(dataDir, STORE_FILES.sealedKey);
  const existed = databaseExisted(dataDir);

  if (exists(sealedPath)) {
    const keyHex = unseal(safeStorage, sealedPath);
    if (keyHex !== null) {
      return weak ? { kind: 'passphrase', mode: 'create', reason, migrateKeyHex: keyHex } : { kind: 'ready', keyHex, backend };
    }
    // Empty (a full disk under an older version) or no longer openable (the user's key ring was reset).
    if (existed) return { kind: 'fatal', code: 'DB_KEY_FILE_DAMAGED' };
    rmSync(sealedPath, { force: true });
  }
  if (existed) return { kind: 'fatal', code: 'DB_KEY_MISSING' };
  if (weak) return { kind: 'passphrase', mode: 'create', reason };
  const keyHex = randomBytes(32).toString('hex');
  writeExclusiveAtomic(sealedPath, safeStorage.encryptString(keyHex));
  return { kind: 'ready', keyHex, backend };
}

function unseal(safeStorage: SafeStorageLike, path: string): string | null {
  try {
    const bytes = readFileSync(path);
    if (bytes.length === 0) return null;
    const keyHex = safeStorage.decryptString(bytes).trim();
    return HEX_KEY.test(keyHex) ? keyHex.toLowerCase() : null;
  } catch {
    return null;
  }
}

/** Same rule as the host's marker (platform/db/marker.ts): a marker, or a non-empty database file. */
function databaseExisted(dataDir: string): boolean {
  if (exists(join(dataDir, STORE_FILES.marker))) return true;
  try {
    return statSync(join(dataDir, STORE_FILES.database)).size > 0;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Temporary file, fsync, link (never replaces an existing key), fsync of the folder — as
 * platform/db/files.ts, which the main process does not import (ARCHITECTURE.md §2).
 */
function writeExclusiveAtomic(path: string, data: Buffer): void {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  if (process.platform !== 'win32') {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}
