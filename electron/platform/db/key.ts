/**
 * Headless database key: a random 256-bit key in a file readable only by its owner (mode 0600),
 * created once in the data directory. In Electron the key is instead sealed by the OS key store
 * (safeStorage) in electron/main and handed to the host.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const KEY_FILE_NAME = 'db.key';

export function generateKeyHex(): string {
  return randomBytes(32).toString('hex');
}

export function loadOrCreateKeyFile(dataDir: string): { keyHex: string; created: boolean; path: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, KEY_FILE_NAME);
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { keyHex: readFileSync(path, 'utf8').trim(), created: false, path };
  }
  const keyHex = generateKeyHex();
  writeFileSync(path, `${keyHex}\n`, { mode: 0o600, flag: 'wx' });
  return { keyHex, created: true, path };
}
