/** The desktop key store without Electron: a fake safeStorage with each backend. */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDesktopKey, type SafeStorageLike } from './key-store';

/** Seals by XOR with a per-store byte: enough to tell stores apart and to fail on another one. */
function fakeStore(backend: string, options: { available?: boolean; salt?: number } = {}): SafeStorageLike {
  const salt = options.salt ?? 0x5a;
  const xor = (bytes: Buffer) => Buffer.from(bytes.map((b) => b ^ salt));
  return {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.concat([Buffer.from('v11'), xor(Buffer.from(plain))]),
    decryptString: (sealed) => {
      if (sealed.subarray(0, 3).toString() !== 'v11') throw new Error('not sealed');
      const plain = xor(sealed.subarray(3)).toString();
      if (!/^[0-9a-f]{64}$/.test(plain)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return plain;
    },
  };
}

const dir = () => mkdtempSync(join(tmpdir(), 'pupitre-keystore-'));

describe('desktop key store', () => {
  it('seals a new key with a real key store, atomically and 0600, then reads it back', () => {
    const dataDir = dir();
    const first = resolveDesktopKey(dataDir, fakeStore('gnome_libsecret'), 'linux');
    expect(first).toMatchObject({ kind: 'ready', backend: 'gnome_libsecret' });
    expect(readdirSync(dataDir)).toEqual(['db.key.sealed']);
    expect(statSync(join(dataDir, 'db.key.sealed')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'db.key.sealed')).includes(Buffer.from((first as { keyHex: string }).keyHex))).toBe(false);
    expect(resolveDesktopKey(dataDir, fakeStore('gnome_libsecret'), 'linux')).toEqual(first);
  });

  it('does not trust basic_text: a new installation chooses a passphrase instead', () => {
    const dataDir = dir();
    expect(resolveDesktopKey(dataDir, fakeStore('basic_text'), 'linux')).toEqual({ kind: 'passphrase', mode: 'create', reason: 'basic_text' });
    expect(readdirSync(dataDir)).toEqual([]);
    expect(resolveDesktopKey(dataDir, fakeStore('gnome_libsecret', { available: false }), 'linux')).toEqual({ kind: 'passphrase', mode: 'create', reason: 'unavailable' });
  });

  it('moves a key sealed with basic_text under the passphrase the user chooses', () => {
    const dataDir = dir();
    const store = fakeStore('basic_text');
    const keyHex = 'ab'.repeat(32);
    writeFileSync(join(dataDir, 'db.key.sealed'), store.encryptString(keyHex));
    writeFileSync(join(dataDir, 'pupitre.db'), 'x');
    expect(resolveDesktopKey(dataDir, store, 'linux')).toEqual({ kind: 'passphrase', mode: 'create', reason: 'basic_text', migrateKeyHex: keyHex });
  });

  it('asks the passphrase once one protects the key', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'db.key.passphrase.json'), '{}');
    expect(resolveDesktopKey(dataDir, fakeStore('kwallet5'), 'linux')).toEqual({ kind: 'passphrase', mode: 'unlock', reason: 'requested' });
  });

  it('never creates a key next to a database that exists', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'pupitre.db.marker'), '{"format":1}');
    expect(resolveDesktopKey(dataDir, fakeStore('kwallet5'), 'linux')).toEqual({ kind: 'fatal', code: 'DB_KEY_MISSING' });
    expect(readdirSync(dataDir)).toEqual(['pupitre.db.marker']);
  });

  it('reports a sealed key that no longer opens (empty, or another key ring) as damaged when the base exists', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'pupitre.db'), 'x');
    writeFileSync(join(dataDir, 'db.key.sealed'), '');
    expect(resolveDesktopKey(dataDir, fakeStore('kwallet5'), 'linux')).toEqual({ kind: 'fatal', code: 'DB_KEY_FILE_DAMAGED' });
    writeFileSync(join(dataDir, 'db.key.sealed'), fakeStore('kwallet5', { salt: 1 }).encryptString('cd'.repeat(32)));
    expect(resolveDesktopKey(dataDir, fakeStore('kwallet5'), 'linux')).toEqual({ kind: 'fatal', code: 'DB_KEY_FILE_DAMAGED' });
  });

  it('replaces an empty sealed key left by a failed first start', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, 'db.key.sealed'), '');
    expect(resolveDesktopKey(dataDir, fakeStore('kwallet5'), 'linux')).toMatchObject({ kind: 'ready' });
  });

  it('trusts the Keychain and DPAPI', () => {
    expect(resolveDesktopKey(dir(), fakeStore('ignored'), 'darwin')).toMatchObject({ kind: 'ready', backend: 'keychain' });
    expect(resolveDesktopKey(dir(), fakeStore('ignored'), 'win32')).toMatchObject({ kind: 'ready', backend: 'dpapi' });
  });
});
