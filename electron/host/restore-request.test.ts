/**
 * Issue 14, point 4: restoring a backup from the desk. Paramètres → Sauvegardes asks for the
 * restore of one backup of the folder, verified at once; the next start of Pupitre restores it
 * before opening the base (set aside, never deleted), records it in the audit trail and says how
 * it went. A damaged backup, a name outside the folder, a cancelled request and a start that finds
 * the base open elsewhere leave the base in place as it was.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';
import { loadOrCreateKeyFile } from '../platform/db/key';

async function open(dataDir: string, keyHex: string): Promise<TestHost> {
  return createTestHost({ dataDir, keyHex });
}

async function createPatient(host: TestHost, birthName: string): Promise<void> {
  await host.dispatcher.invoke('patients.create', {
    strictTraits: { birthName, birthGivenNames: 'Jeanne', sex: 'F', birthDate: '1975-03-12', birthPlaceCode: '75056' },
    acknowledgeDuplicates: true,
  });
}

async function names(host: TestHost): Promise<string[]> {
  const { results } = await host.dispatcher.invoke('patients.search', { birthDate: '12/03/1975' });
  return results.map((r) => r.birthName).sort();
}

/** An installation with AVANT in its backup and APRES added since; the host is left closed. */
async function installation(name: string): Promise<{ dataDir: string; keyHex: string; file: string; path: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), `pupitre-desk-restore-${name}-`));
  const keyHex = loadOrCreateKeyFile(dataDir).keyHex;
  const host = await open(dataDir, keyHex);
  try {
    await createPatient(host, 'AVANT');
    const { backup } = await host.dispatcher.invoke('backup.run', {});
    await createPatient(host, 'APRES');
    const file = backup?.file ?? '';
    return { dataDir, keyHex, file, path: join(host.settings.get().backup.folder, file) };
  } finally {
    await host.close();
  }
}

const requestFile = (dataDir: string) => join(dataDir, 'pupitre.db.restauration-demandee.json');

describe('restoring a backup from the desk', () => {
  it('is verified when asked for, done at the next start, audited, and the base from before is set aside', { timeout: 60_000 }, async () => {
    const { dataDir, keyHex, file } = await installation('ok');
    const desk = await open(dataDir, keyHex);
    try {
      const { pendingRestore } = await desk.dispatcher.invoke('backup.requestRestore', { file, confirm: true });
      expect(pendingRestore).toMatchObject({ file, backupAt: expect.any(String) });
      expect((await desk.dispatcher.invoke('backup.status', {})).pendingRestore).toMatchObject({ file });
      const { checks } = await desk.dispatcher.invoke('diagnostic.run', {});
      expect(checks.find((c) => c.id === 'restore')).toMatchObject({ status: 'warn', next: expect.stringMatching(/rouvrez-le/) });
      // Nothing changes until Pupitre starts again.
      expect(await names(desk)).toEqual(['APRES', 'AVANT']);
      expect(desk.audit.list({ limit: 5 }).some((e) => e.action === 'db.restore_requested')).toBe(true);
    } finally {
      await desk.close();
    }

    const next = await open(dataDir, keyHex);
    try {
      expect(await names(next)).toEqual(['AVANT']);
      const status = await next.dispatcher.invoke('backup.status', {});
      expect(status.pendingRestore).toBeNull();
      expect(status.lastRestore).toMatchObject({ ok: true, file, message: null });
      expect(next.audit.list({ limit: 5 }).find((e) => e.action === 'db.restored')?.details).toMatchObject({ from: 'desk' });
      expect(next.audit.verify().ok).toBe(true);
      const { checks } = await next.dispatcher.invoke('diagnostic.run', {});
      expect(checks.find((c) => c.id === 'restore')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^1 ancienne\(s\) base\(s\) gardée\(s\)/) });
    } finally {
      await next.close();
    }
    expect(existsSync(requestFile(dataDir))).toBe(false);
    expect(readdirSync(dataDir).filter((n) => /^pupitre\.db\.avant-restauration-[^.]+$/.test(n))).toHaveLength(1);
  });

  it('refuses a damaged backup or a name outside the backup folder when asked, and asks for nothing', { timeout: 60_000 }, async () => {
    const { dataDir, keyHex, file, path } = await installation('refused');
    damage(path);
    const desk = await open(dataDir, keyHex);
    try {
      await expect(desk.dispatcher.invoke('backup.requestRestore', { file, confirm: true })).rejects.toMatchObject({ code: 'BACKUP_DAMAGED' });
      await expect(desk.dispatcher.invoke('backup.requestRestore', { file: '../pupitre.db', confirm: true })).rejects.toMatchObject({ code: 'BACKUP_NOT_FOUND' });
      await expect(desk.dispatcher.invoke('backup.requestRestore', { file, confirm: false } as never)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
      expect(existsSync(requestFile(dataDir))).toBe(false);
    } finally {
      await desk.close();
    }
  });

  it('keeps the base in place when the backup is damaged between the request and the start, and says why', { timeout: 60_000 }, async () => {
    const { dataDir, keyHex, file, path } = await installation('damaged-later');
    const desk = await open(dataDir, keyHex);
    await desk.dispatcher.invoke('backup.requestRestore', { file, confirm: true });
    await desk.close();
    damage(path);

    const next = await open(dataDir, keyHex);
    try {
      expect(await names(next)).toEqual(['APRES', 'AVANT']);
      const status = await next.dispatcher.invoke('backup.status', {});
      expect(status.lastRestore).toMatchObject({ ok: false, errorCode: 'BACKUP_DAMAGED', message: expect.stringMatching(/endommagée/) });
      expect(status.pendingRestore).toBeNull();
      expect((await next.dispatcher.invoke('diagnostic.run', {})).checks.find((c) => c.id === 'restore')).toMatchObject({ status: 'error' });
      expect(next.audit.list({ limit: 5 }).find((e) => e.action === 'db.restore_failed')?.details).toMatchObject({ errorCode: 'BACKUP_DAMAGED' });
    } finally {
      await next.close();
    }
    expect(existsSync(requestFile(dataDir))).toBe(false);
  });

  it('is forgotten once cancelled', { timeout: 60_000 }, async () => {
    const { dataDir, keyHex, file } = await installation('cancelled');
    const desk = await open(dataDir, keyHex);
    await desk.dispatcher.invoke('backup.requestRestore', { file, confirm: true });
    expect(await desk.dispatcher.invoke('backup.cancelRestore', {})).toEqual({ cancelled: true });
    expect((await desk.dispatcher.invoke('backup.status', {})).pendingRestore).toBeNull();
    await desk.close();
    const next = await open(dataDir, keyHex);
    try {
      expect(await names(next)).toEqual(['APRES', 'AVANT']);
      expect((await next.dispatcher.invoke('backup.status', {})).lastRestore).toBeNull();
    } finally {
      await next.close();
    }
  });

  it('waits while another process has the base open (a CLI command during the desk), then is done at the next start', { timeout: 60_000 }, async () => {
    const { dataDir, keyHex, file } = await installation('in-use');
    const desk = await open(dataDir, keyHex);
    await desk.dispatcher.invoke('backup.requestRestore', { file, confirm: true });
    const cli = await open(dataDir, keyHex);
    try {
      expect(await names(cli)).toEqual(['APRES', 'AVANT']);
      expect((await cli.dispatcher.invoke('backup.status', {})).lastRestore).toBeNull();
      expect(existsSync(requestFile(dataDir))).toBe(true);
    } finally {
      await cli.close();
      await desk.close();
    }
    const next = await open(dataDir, keyHex);
    try {
      expect(await names(next)).toEqual(['AVANT']);
    } finally {
      await next.close();
    }
  });
});

function damage(path: string): void {
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(256, 0x42), 0, 256, Math.floor(statSync(path).size / 2));
  closeSync(fd);
}
