/**
 * The database key protected by a passphrase (issue 14, point 8): where no real OS key store
 * exists (Linux whose Secret Service is missing, which Electron's safeStorage reports as
 * `basic_text`: a hard-coded password, no protection), or on a headless server that must not keep
 * its key in clear. The random database key is wrapped (AES-256-GCM) under a key derived from the
 * passphrase with scrypt (RFC 7914; N = 2^17, r = 8, p = 1: 128 MiB and about half a second per
 * try, OWASP's recommended minimum being N = 2^17). Only the wrapped key and the KDF parameters
 * are stored (`db.key.passphrase.json`); a forgotten passphrase cannot be recovered — the
 * database key itself (recovery key) can be kept aside instead.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../contract';
import { STORE_FILES } from '../../contract/storage-files';
import { writeFileAtomic } from './files';
import { generateKeyHex, HEX_KEY, keyCheckValue } from './key';

export const MIN_PASSPHRASE_LENGTH = 12;

export interface PassphraseKdf {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_KDF: PassphraseKdf = { N: 2 ** 17, r: 8, p: 1 };

interface PassphraseFile {
  format: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  iv: string;
  tag: string;
  wrappedKey: string;
  keyCheck: string;
  createdAt: string;
}

export function passphraseFilePath(dataDir: string): string {
  return join(dataDir, STORE_FILES.passphrase);
}

export function hasPassphraseFile(dataDir: string): boolean {
  try {
    readFileSync(passphraseFilePath(dataDir));
    return true;
  } catch {
    return false;
  }
}

/** Refuses a passphrase too short to resist guessing, or made of one repeated character. */
export function checkPassphraseStrength(passphrase: string): void {
  const characters = [...passphrase.normalize('NFC')];
  if (characters.length < MIN_PASSPHRASE_LENGTH || new Set(characters).size < 4) {
    throw new AppError('VAULT_PASSPHRASE_TOO_SHORT', { minLength: MIN_PASSPHRASE_LENGTH });
  }
}

/**
 * Wraps `keyHex` (an existing key being moved from a weak store) or a new random key under the
 * passphrase, writes the file, and returns the key. An existing passphrase file is not replaced.
 */
export async function createPassphraseKey(
  dataDir: string,
  passphrase: string,
  options: { keyHex?: string; kdf?: PassphraseKdf; now: string },
): Promise<string> {
  checkPassphraseStrength(passphrase);
  const keyHex = options.keyHex ?? generateKeyHex();
  if (!HEX_KEY.test(keyHex)) throw new TypeError('createPassphraseKey: not a 64-hex key');
  const kdf = options.kdf ?? DEFAULT_KDF;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const kek = await derive(passphrase, salt, kdf);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  const wrapped = Buffer.concat([cipher.update(Buffer.from(keyHex, 'hex')), cipher.final()]);
  const file: PassphraseFile = {
    format: 1,
    kdf: 'scrypt',
    ...kdf,
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    wrappedKey: wrapped.toString('base64'),
    keyCheck: keyCheckValue(keyHex),
    createdAt: options.now,
  };
  writeFileAtomic(passphraseFilePath(dataDir), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, exclusive: true });
  return keyHex.toLowerCase();
}

/** The database key, or VAULT_PASSPHRASE_WRONG (the GCM tag does not verify). */
export async function unlockPassphraseKey(dataDir: string, passphrase: string): Promise<string> {
  let file: PassphraseFile;
  try {
    file = JSON.parse(readFileSync(passphraseFilePath(dataDir), 'utf8')) as PassphraseFile;
  } catch (error) {
    throw new AppError('DB_KEY_FILE_DAMAGED', { keyFile: STORE_FILES.passphrase }, { cause: error });
  }
  if (file.format !== 1 || file.kdf !== 'scrypt') throw new AppError('DB_KEY_FILE_DAMAGED', { keyFile: STORE_FILES.passphrase });
  const kek = await derive(passphrase, Buffer.from(file.salt, 'base64'), { N: file.N, r: file.r, p: file.p });
  const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(file.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
  let key: Buffer;
  try {
    key = Buffer.concat([decipher.update(Buffer.from(file.wrappedKey, 'base64')), decipher.final()]);
  } catch {
    throw new AppError('VAULT_PASSPHRASE_WRONG');
  }
  const keyHex = key.toString('hex');
  if (keyCheckValue(keyHex) !== file.keyCheck) throw new AppError('DB_KEY_FILE_DAMAGED', { keyFile: STORE_FILES.passphrase });
  return keyHex;
}

function derive(passphrase: string, salt: Buffer, kdf: PassphraseKdf): Promise<Buffer> {
  // NFC so that the same passphrase typed on another keyboard layout or system derives the same key.
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase.normalize('NFC'), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
