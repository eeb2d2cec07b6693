/**
 * Issue 14, point 4: encrypted backups a practice can recover from. `pupitre backup` while the
 * desk runs, `pupitre restore` with Pupitre stopped; a damaged backup, one made with another key,
 * a newer one and a file that is not Pupitre's are refused; the database in place is set aside,
 * never deleted.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestHost } from '../../../fixtures/testing/host';
import { PUPITRE_BIN } from '../../../fixtures/testing/disk';
import { projectRoot } from '../../../fixtures/testing/tier';
import { isUnreadableWithoutKey, migrate, openDatabase } from '../../platform/db';
import { backupWithCli, birthNamesIn, createPatientBorn1975, usedInstallation } from '../../../fixtures/testing/restore/installation';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err, json: () => JSON.parse(out.join('')) as Record<string, unknown> };
}

/** `pupitre restore --yes --json` that must fail: its JSON answer. */
async function refusedRestore(path: string, dataDir: string): Promise<Record<string, unknown>> {
  const c = capture();
  expect(await main(['restore', path, '--yes', '--json', '--data-dir', dataDir], c.io)).toBe(1);
  return c.json();
}

const tempDir = (name: string) => mkdtempSync(join(tmpdir(), `pupitre-${name}-`));

/** An installation with its key file, a patient created, and the host closed. */
const installation = (name: string) => usedInstallation(name, ['SAUVEGARDE']);

describe('pupitre backup', () => {
  it('writes an encrypted, verified copy with its description while the desk has the base open', async () => {
    const { dataDir, keyHex } = await installation('backup-online');
    const desk = await createTestHost({ dataDir, keyHex });
    try {
      const path = await backupWithCli(dataDir);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(isUnreadableWithoutKey(path)).toBe(true);
      expect(readFileSync(path).includes(Buffer.from('SAUVEGARDE'))).toBe(false);
      const manifest = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({ format: 1, sizeBytes: statSync(path).size, schemaVersion: expect.any(Number) });
      expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(manifest)).not.toContain(keyHex);
      // The desk is still usable, and the backup is in its audit trail.
      expect(desk.audit.list({ limit: 10 }).find((e) => e.action === 'db.backup')?.details).toMatchObject({ trigger: 'cli', ok: true });
      const list = capture();
      expect(await main(['backup', 'list', '--json', '--data-dir', dataDir], list.io)).toBe(0);
      expect((list.json() as { backups: unknown[] }).backups).toHaveLength(1);
    } finally {
      await desk.close();
    }
  });
});

describe('pupitre restore', () => {
  it('restores the state of the backup, sets the current base aside and records it in the audit trail', async () => {
    const { dataDir, keyHex } = await installation('restore');
    const path = await backupWithCli(dataDir);
    const host = await createTestHost({ dataDir, keyHex });
    await createPatientBorn1975(host, 'APRES');
    await host.close();
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['APRES', 'SAUVEGARDE']);

    const check = capture();
    expect(await main(['restore', path, '--data-dir', dataDir], check.io)).toBe(0);
    expect(check.out.join('')).toMatch(/Sauvegarde vérifiée[\s\S]*--yes/);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['APRES', 'SAUVEGARDE']);

    const c = capture();
    expect(await main(['restore', path, '--yes', '--json', '--data-dir', dataDir], c.io), c.err.join('\n')).toBe(0);
    const { setAside } = c.json() as { setAside: string };
    expect(existsSync(setAside)).toBe(true);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['SAUVEGARDE']);
    const after = await createTestHost({ dataDir, keyHex });
    try {
      expect(after.audit.list({ limit: 5 }).some((e) => e.action === 'db.restored')).toBe(true);
      expect(after.audit.verify().ok).toBe(true);
    } finally {
      await after.close();
    }
  });

  it('replaces a restore asked for in Paramètres, which the next start then does not do', async () => {
    const { dataDir, keyHex } = await installation('restore-supersedes');
    const older = await backupWithCli(dataDir);
    const host = await createTestHost({ dataDir, keyHex });
    await createPatientBorn1975(host, 'APRES');
    const { backup: newer } = await host.dispatcher.invoke('backup.run', {});
    await host.dispatcher.invoke('backup.requestRestore', { file: basename(older), confirm: true });
    await host.close();

    const c = capture();
    expect(await main(['restore', join(dirname(older), newer?.file ?? ''), '--yes', '--json', '--data-dir', dataDir], c.io), c.err.join('\n')).toBe(0);
    expect(c.json()).toMatchObject({ supersededDeskRequest: true });
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['APRES', 'SAUVEGARDE']);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['APRES', 'SAUVEGARDE']);
  });

  it('brings back an installation whose base was emptied', async () => {
    const { dataDir, keyHex } = await installation('restore-emptied');
    const path = await backupWithCli(dataDir);
    writeFileSync(join(dataDir, 'pupitre.db'), '');
    for (const suffix of ['-wal', '-shm']) rmSync(join(dataDir, `pupitre.db${suffix}`), { force: true });
    await expect(createTestHost({ dataDir, keyHex })).rejects.toMatchObject({ code: 'DB_MISSING' });
    expect(await main(['restore', path, '--yes', '--data-dir', dataDir], capture().io)).toBe(0);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['SAUVEGARDE']);
  });

  it('is refused while Pupitre runs on the base, and works once it is stopped', { timeout: 120_000 }, async () => {
    const { dataDir, keyHex } = await installation('restore-running');
    const path = await backupWithCli(dataDir);
    const serve = spawn(process.execPath, [PUPITRE_BIN, 'serve', '--json', '--data-dir', dataDir], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => serve.on('exit', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        serve.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('"url"') && resolve());
        serve.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const refused = capture();
      expect(await main(['restore', path, '--yes', '--json', '--data-dir', dataDir], refused.io)).toBe(1);
      expect(refused.json()).toMatchObject({ error: { code: 'DB_IN_USE' } });
    } finally {
      serve.kill('SIGTERM');
      await exited;
    }
    expect(await main(['restore', path, '--yes', '--data-dir', dataDir], capture().io)).toBe(0);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['SAUVEGARDE']);
  });

  it('refuses a damaged backup, with or without its description, and changes nothing', async () => {
    const { dataDir, keyHex } = await installation('restore-damaged');
    const path = await backupWithCli(dataDir);
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(256, 0x42), 0, 256, Math.floor(size / 2));
    closeSync(fd);
    const before = readdirSync(dataDir).sort();

    expect(await refusedRestore(path, dataDir)).toMatchObject({ error: { code: 'BACKUP_DAMAGED', details: { reason: 'digest' } } });

    rmSync(`${path}.json`);
    expect(await refusedRestore(path, dataDir)).toMatchObject({ error: { code: 'BACKUP_DAMAGED' } });
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['SAUVEGARDE']);
  });

  it('refuses a truncated backup (a copy cut short by a full or unplugged drive), with or without its description', async () => {
    const { dataDir, keyHex } = await installation('restore-truncated');
    const path = await backupWithCli(dataDir);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const before = readdirSync(dataDir).sort();

    expect(await refusedRestore(path, dataDir)).toMatchObject({ error: { code: 'BACKUP_DAMAGED', details: { reason: 'digest' } } });

    rmSync(`${path}.json`);
    expect(await refusedRestore(path, dataDir)).toMatchObject({ error: { code: 'BACKUP_DAMAGED', message: expect.stringMatching(/endommagée/) } });
    expect(readdirSync(dataDir).sort()).toEqual(before);
    expect(await birthNamesIn(dataDir, keyHex)).toEqual(['SAUVEGARDE']);
  });

  it('says a backup without its description that the key does not open is unreadable (key or damage), and changes nothing', async () => {
    const a = await installation('restore-nokey-a');
    const b = await installation('restore-nokey-b');
    const path = await backupWithCli(b.dataDir);
    rmSync(`${path}.json`);
    const before = readdirSync(a.dataDir).sort();
    const c = capture();
    expect(await main(['restore', path, '--yes', '--json', '--data-dir', a.dataDir], c.io)).toBe(1);
    expect(c.json()).toMatchObject({ error: { code: 'BACKUP_UNREADABLE' } });
    expect(readdirSync(a.dataDir).sort()).toEqual(before);
    expect(await birthNamesIn(a.dataDir, a.keyHex)).toEqual(['SAUVEGARDE']);
  });

  it('refuses a backup made with another key, and restores it with that key given', async () => {
    const a = await installation('restore-a');
    const b = await installation('restore-b');
    const host = await createTestHost(b);
    await createPatientBorn1975(host, 'AUTRECABINET');
    await host.close();
    const path = await backupWithCli(b.dataDir);

    const refused = capture();
    expect(await main(['restore', path, '--yes', '--json', '--data-dir', a.dataDir], refused.io)).toBe(1);
    expect(refused.json()).toMatchObject({ error: { code: 'BACKUP_OTHER_KEY' } });
    expect((refused.json() as { error: { message: string } }).error.message).toMatch(/--key-file/);

    // The recovery key as the desk shows it (groups of four) works as the key file.
    const recovery = join(tempDir('recovery'), 'cle-de-secours.txt');
    writeFileSync(recovery, `${(b.keyHex.match(/.{4}/g) ?? []).join(' ')}\n`);
    const c = capture();
    expect(await main(['restore', path, '--yes', '--key-file', recovery, '--json', '--data-dir', a.dataDir], c.io), c.err.join('\n')).toBe(0);
    expect(readFileSync(join(a.dataDir, 'db.key'), 'utf8').trim()).toBe(b.keyHex);
    expect(await birthNamesIn(a.dataDir, b.keyHex)).toEqual(['AUTRECABINET', 'SAUVEGARDE']);
  });

  it('refuses a base of a newer Pupitre and a file that is not a Pupitre base', async () => {
    const { dataDir, keyHex } = await installation('restore-foreign');
    const newer = join(tempDir('newer'), 'pupitre-futur.db');
    const db = openDatabase({ path: newer, keyHex });
    migrate(db, Array.from({ length: 999 }, (_, i) => ({ version: i + 1, name: `step ${i}`, up: (d: typeof db) => void (i === 0 && d.exec('CREATE TABLE settings (k); CREATE TABLE audit_log (x)')) })));
    db.close();
    expect(await refusedRestore(newer, dataDir)).toMatchObject({ error: { code: 'BACKUP_NEWER_SCHEMA' } });

    const foreign = join(tempDir('foreign'), 'autre.db');
    const other = openDatabase({ path: foreign, keyHex });
    other.exec('CREATE TABLE notes (x)');
    other.close();
    expect(await refusedRestore(foreign, dataDir)).toMatchObject({ error: { code: 'BACKUP_NOT_PUPITRE' } });

    const missing = capture();
    expect(await main(['restore', join(dataDir, 'absent.db'), '--yes', '--json', '--data-dir', dataDir], missing.io)).toBe(1);
    expect(missing.json()).toMatchObject({ error: { code: 'BACKUP_NOT_FOUND' } });
  });
});
