/**
 * Issue 14, point 8: a passphrase instead of a key store that protects nothing. The key is never
 * on disk in clear; a locked host answers the vault only; the passphrase opens the same base again.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../platform/clock';
import { createPassphraseKey, unlockPassphraseKey } from '../platform/db';
import { createMemoryLogger } from '../platform/log';
import { composeHost, type Host } from './compose';
import { main } from './cli/main';
import { createLockedHost } from './vault';

const PASSPHRASE = 'cheval agrafe pile correcte';
const FAST = { N: 2 ** 12, r: 8, p: 1 };

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

function lockedHost(dataDir: string, mode: 'create' | 'unlock', migrateKeyHex?: string) {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const hosts: Host[] = [];
  let migrated = false;
  const dispatcher = createLockedHost({
    dataDir,
    mode,
    reason: 'basic_text',
    ...(migrateKeyHex === undefined ? {} : { migrateKeyHex }),
    clock,
    logger,
    compose: async (keyHex, shared) => {
      hosts.push(await composeHost({ dataDir, keyHex, keyProtection: 'passphrase', clock, logger, transport: 'in-process', dispatcher: shared }));
    },
    onMigrated: () => {
      migrated = true;
    },
  });
  return { dispatcher, hosts, migrated: () => migrated, close: () => Promise.all(hosts.map((h) => h.close())) };
}

describe('passphrase-protected key', () => {
  it('wraps the key: the file holds no key in clear, a wrong passphrase is refused, the right one gives the key back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-pass-'));
    const keyHex = await createPassphraseKey(dataDir, PASSPHRASE, { kdf: FAST, now: '2026-01-15T09:00:00Z' });
    const file = readFileSync(join(dataDir, 'db.key.passphrase.json'), 'utf8');
    expect(file).not.toContain(keyHex);
    expect(file).not.toContain(Buffer.from(keyHex, 'hex').toString('base64'));
    await expect(unlockPassphraseKey(dataDir, 'cheval agrafe pile correctE')).rejects.toMatchObject({ code: 'VAULT_PASSPHRASE_WRONG' });
    expect(await unlockPassphraseKey(dataDir, PASSPHRASE)).toBe(keyHex);
    // Composed differently (NFD) on another system, the same passphrase opens it.
    const accented = 'éléphant rose à pois verts';
    const other = mkdtempSync(join(tmpdir(), 'pupitre-pass-'));
    const k2 = await createPassphraseKey(other, accented, { kdf: FAST, now: '2026-01-15T09:00:00Z' });
    expect(await unlockPassphraseKey(other, accented.normalize('NFD'))).toBe(k2);
  });

  it('refuses a passphrase too short to resist guessing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-pass-'));
    await expect(createPassphraseKey(dataDir, 'motdepasse', { kdf: FAST, now: 'x' })).rejects.toMatchObject({ code: 'VAULT_PASSPHRASE_TOO_SHORT' });
    await expect(createPassphraseKey(dataDir, 'aaaaaaaaaaaaaaaa', { kdf: FAST, now: 'x' })).rejects.toMatchObject({ code: 'VAULT_PASSPHRASE_TOO_SHORT' });
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('keeps a locked host closed until the passphrase is chosen, then serves everything on the same dispatcher', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-locked-'));
    const first = lockedHost(dataDir, 'create');
    const events: string[] = [];
    first.dispatcher.subscribe((event) => events.push(event));
    try {
      expect(await first.dispatcher.invoke('vault.status', {})).toEqual({ state: 'locked', mode: 'create', reason: 'basic_text', protection: 'passphrase', halted: null });
      await expect(first.dispatcher.invoke('settings.get', {})).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
      await expect(first.dispatcher.invoke('vault.unlock', { passphrase: PASSPHRASE })).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
      await expect(first.dispatcher.invoke('vault.create', { passphrase: 'court' })).rejects.toMatchObject({ code: 'VAULT_PASSPHRASE_TOO_SHORT' });
      expect(await first.dispatcher.invoke('vault.create', { passphrase: PASSPHRASE })).toMatchObject({ state: 'unlocked', protection: 'passphrase' });
      expect(events).toContain('vault.unlocked');
      expect((await first.dispatcher.invoke('settings.get', {})).environment).toBe('demo');
      expect(readdirSync(dataDir)).not.toContain('db.key');
      await expect(first.dispatcher.invoke('vault.create', { passphrase: PASSPHRASE })).rejects.toMatchObject({ code: 'VAULT_ALREADY_UNLOCKED' });
    } finally {
      await first.close();
    }

    const second = lockedHost(dataDir, 'unlock');
    try {
      await expect(second.dispatcher.invoke('vault.unlock', { passphrase: 'pas la bonne phrase du tout' })).rejects.toMatchObject({ code: 'VAULT_PASSPHRASE_WRONG' });
      await expect(second.dispatcher.invoke('patients.search', { query: 'ma' })).rejects.toMatchObject({ code: 'VAULT_LOCKED' });
      await second.dispatcher.invoke('vault.unlock', { passphrase: PASSPHRASE });
      expect((await second.dispatcher.invoke('patients.search', { query: 'ma' })).results.length).toBeGreaterThan(0);
    } finally {
      await second.close();
    }

    // The terminal gives the passphrase through the environment; without it, it is told so.
    const refused = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], refused.io)).toBe(1);
    expect(refused.out.join('')).toContain('VAULT_PASSPHRASE_REQUIRED');
    process.env.PUPITRE_DB_PASSPHRASE = PASSPHRASE;
    try {
      expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], capture().io)).toBe(0);
    } finally {
      delete process.env.PUPITRE_DB_PASSPHRASE;
    }
  });

  it('moves a key kept in a weak store under the passphrase, same base', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-migrate-'));
    const clock = createManualClock();
    const keyHex = 'ab'.repeat(32);
    const plain = await composeHost({ dataDir, keyHex, clock, logger: createMemoryLogger(clock), transport: 'in-process' });
    const installationId = plain.settings.get().lps.installationId;
    await plain.close();
    const locked = lockedHost(dataDir, 'create', keyHex);
    try {
      await locked.dispatcher.invoke('vault.create', { passphrase: PASSPHRASE });
      expect((await locked.dispatcher.invoke('settings.get', {})).lps.installationId).toBe(installationId);
      expect(locked.migrated()).toBe(true);
      expect(await unlockPassphraseKey(dataDir, PASSPHRASE)).toBe(keyHex);
    } finally {
      await locked.close();
    }
  });

  it('shows the recovery key to the desk and the terminal only, and records it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-recovery-'));
    const clock = createManualClock();
    const keyHex = 'cd'.repeat(32);
    const host = await composeHost({ dataDir, keyHex, clock, logger: createMemoryLogger(clock), transport: 'in-process' });
    try {
      const shown = await host.dispatcher.invoke('vault.recoveryKey', { confirm: true });
      expect(shown).toEqual({ keyHex, groups: Array.from({ length: 16 }, () => 'cdcd') });
      expect(host.audit.list({ limit: 3 }).find((e) => e.action === 'vault.recovery_key_shown')?.details).toEqual({ client: 'terminal' });
      await expect(host.dispatcher.call('vault.recoveryKey', { confirm: true }, { transport: 'websocket', caller: 'connector' })).rejects.toMatchObject({
        code: 'CONNECTOR_METHOD_NOT_ALLOWED',
      });
      await expect(host.dispatcher.invoke('vault.recoveryKey', { confirm: false as never })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    } finally {
      await host.close();
    }
  });
});
