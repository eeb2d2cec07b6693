/** Scheduled backups: due times, rotation, failures recorded and retried within the hour, audit. */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { generateKeyHex } from '../../platform/db/key';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import { BackupService, backupMigrations, nextBackupDue } from '.';

const HOUR = 3600_000;

function setup(settings: { folder: string; intervalHours: number; keep: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-backup-svc-'));
  const keyHex = generateKeyHex();
  const db = openDatabase({ path: join(dir, 'pupitre.db'), keyHex });
  migrate(db, [...backupMigrations, { name: 'notes', up: (d: typeof db) => d.exec('CREATE TABLE notes (x TEXT)') }].map((m, i) => ({ ...m, version: i + 1 })));
  db.prepare('INSERT INTO notes VALUES (?)').run('x'.repeat(5000));
  const clock = createManualClock(Date.UTC(2026, 0, 15, 9, 0, 0));
  const audit: AuditInput[] = [];
  const runs: unknown[] = [];
  const service = new BackupService({
    db,
    keyHex,
    clock,
    logger: createMemoryLogger(clock),
    audit: (entry) => audit.push(entry),
    settings: () => settings,
    actor: () => 'poste',
    notify: (run) => runs.push(run),
  });
  return { service, clock, audit, runs, db };
}

describe('scheduled backups', () => {
  it('run at once the first time, then once per interval, keeping the newest ones', async () => {
    const folder = join(mkdtempSync(join(tmpdir(), 'pupitre-backups-')), 'sauvegardes');
    const { service, clock, audit, runs } = setup({ folder, intervalHours: 24, keep: 2 });
    expect((await service.runIfDue())?.ok).toBe(true);
    clock.advance(HOUR);
    expect(await service.runIfDue()).toBeNull();
    clock.advance(23 * HOUR);
    expect((await service.runIfDue())?.ok).toBe(true);
    clock.advance(24 * HOUR);
    expect((await service.runIfDue())?.ok).toBe(true);
    const files = readdirSync(folder).filter((f) => f.endsWith('.db')).sort();
    expect(files).toEqual(['pupitre-2026-01-16T09-00-00Z.db', 'pupitre-2026-01-17T09-00-00Z.db']);
    expect(readdirSync(folder).filter((f) => f.endsWith('.json'))).toHaveLength(2);
    expect(service.status()).toMatchObject({ lastRun: { ok: true, trigger: 'scheduled' }, backups: [{ file: files[1] }, { file: files[0] }] });
    expect(audit.filter((a) => a.action === 'db.backup')).toHaveLength(3);
    expect(runs).toHaveLength(3);
  });

  it('records a failure with its code, and tries again within the hour', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'pupitre-backups-'));
    const folder = join(parent, 'not-a-folder');
    writeFileSync(folder, 'a file where the folder should be');
    const { service, clock, audit } = setup({ folder, intervalHours: 24, keep: 3 });
    const run = await service.runIfDue();
    expect(run).toMatchObject({ ok: false, errorCode: 'BACKUP_FOLDER_UNAVAILABLE', file: null });
    expect(audit.at(-1)).toMatchObject({ action: 'db.backup', details: { ok: false, errorCode: 'BACKUP_FOLDER_UNAVAILABLE' } });
    expect(service.nextDue()).toBe(clock.now() + HOUR);
    // Nothing half-written was left in the parent folder.
    expect(readdirSync(parent)).toEqual(['not-a-folder']);
  });

  it('computes the next due time from the last success and the last failure', () => {
    expect(nextBackupDue({ lastRunAt: null, lastRunOk: null, lastSuccessAt: null }, 24 * HOUR)).toBe(0);
    expect(nextBackupDue({ lastRunAt: 10, lastRunOk: true, lastSuccessAt: 10 }, 24 * HOUR)).toBe(10 + 24 * HOUR);
    expect(nextBackupDue({ lastRunAt: 50, lastRunOk: false, lastSuccessAt: 10 }, 24 * HOUR)).toBe(50 + HOUR);
    expect(nextBackupDue({ lastRunAt: 50, lastRunOk: false, lastSuccessAt: 10 }, 2 * HOUR / 4)).toBe(10 + HOUR / 2);
  });
});
