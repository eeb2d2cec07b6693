/**
 * The retention purge in the host's background (issue 15): it runs after the first delay with the
 * period of the settings, then again at each interval; a shutdown stops it between two batches.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { generateKeyHex } from '../../platform/db/key';
import type { TaskOptions } from '../../platform/worker';
import { AuditTrail } from '../../services/audit';
import { migrations } from '../migrations';
import { createHostWorkers } from '../workers';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../../services/audit';
import { Outbox, outboxSchema } from '../../services/outbox';
import { SettingsService, settingsMigrations } from '../../services/settings';
import { wireOutboxRetention, type RetentionSchedule } from './outbox-retention';

const DAY = 86_400_000;
const schedules: RetentionSchedule[] = [];
afterEach(async () => {
  await Promise.all(schedules.splice(0).map((s) => s.stop()));
});

async function setup(doneJobs: number) {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...settingsMigrations, ...outboxSchema].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const audit: AuditInput[] = [];
  const settings = new SettingsService(db, clock, { name: 'Pupitre', version: '9.9.9' }, (e) => audit.push(e));
  const outbox = new Outbox({ db, clock, logger, audit: (e) => audit.push(e) });
  outbox.register({ name: 'q', label: 'Q', endpoint: 'sim', payload: z.object({ n: z.number() }), concurrency: 8, attemptTimeoutMs: 1_000, timeBudgetMs: DAY, maxAttempts: 3, run: async () => undefined });
  db.transaction(() => {
    for (let n = 0; n < doneJobs; n += 1) outbox.enqueue('q', { idempotencyKey: `k${n}`, payload: { n }, subject: { label: 'x' } });
  })();
  outbox.start();
  await outbox.whenIdle();
  await outbox.stop(0);
  const doneCount = () => outbox.counts()[0]?.done ?? 0;
  return { db, clock, logger, audit, settings, outbox, doneCount };
}

const waitFor = async (condition: () => boolean) => {
  for (let i = 0; i < 400 && !condition(); i += 1) await new Promise((r) => setTimeout(r, 5));
};

describe('outbox retention schedule', () => {
  it('purges with the period of the settings after the first delay, then at each interval', async () => {
    const { clock, logger, audit, settings, outbox, doneCount } = await setup(5);
    settings.set('outbox.retentionDays', 60, 'poste');
    clock.advance(45 * DAY);
    const schedule = wireOutboxRetention({ outbox, settings, logger, clock }, { firstRunMs: 10, intervalMs: 20 });
    schedules.push(schedule);
    schedule.start();
    await new Promise((r) => setTimeout(r, 60));
    // 45 days < 60: kept, and nothing to audit.
    expect(doneCount()).toBe(5);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(0);
    clock.advance(16 * DAY);
    // The audit entry commits with the run's last (empty) batch, a turn after the deletions.
    await waitFor(() => doneCount() === 0 && audit.some((e) => e.action === 'outbox.purge'));
    expect(doneCount()).toBe(0);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toMatchObject([{ details: { jobs: 5, attempts: 5, retentionDays: 60 } }]);
  });

  it('a shutdown stops the run between two batches; the next start finishes it', async () => {
    const { clock, logger, audit, settings, outbox, doneCount } = await setup(450);
    clock.advance(31 * DAY);
    const schedule = wireOutboxRetention({ outbox, settings, logger, clock }, { firstRunMs: 0, intervalMs: 60_000 });
    schedule.start();
    // Checked at each turn of the event loop, where the purge yields between batches.
    while (doneCount() === 450) await new Promise((r) => setImmediate(r));
    await schedule.stop();
    const left = doneCount();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(450);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(0);
    const again = wireOutboxRetention({ outbox, settings, logger, clock }, { firstRunMs: 0, intervalMs: 60_000 });
    schedules.push(again);
    again.start();
    await waitFor(() => doneCount() === 0 && audit.some((e) => e.action === 'outbox.purge'));
    expect(audit.filter((e) => e.action === 'outbox.purge')).toMatchObject([{ details: { jobs: 450, attempts: 450 } }]);
  });

  it('in the host, runs in the worker thread on its own connection, a few batches per task, and audits there once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-retention-'));
    const keyHex = generateKeyHex();
    const db = openDatabase({ path: join(dataDir, 'pupitre.db'), keyHex });
    migrate(db, migrations);
    const clock = createManualClock(Date.now());
    const logger = createMemoryLogger(clock);
    const auditTrail = new AuditTrail(db, clock);
    const settings = new SettingsService(db, clock, { name: 'Pupitre', version: '9.9.9' }, auditTrail.write);
    const outbox = new Outbox({ db, clock, logger, audit: auditTrail.write });
    outbox.register({ name: 'q', label: 'Q', endpoint: 'sim', payload: z.object({ n: z.number() }), concurrency: 8, attemptTimeoutMs: 1_000, timeBudgetMs: DAY, maxAttempts: 3, run: async () => undefined });
    db.transaction(() => {
      for (let n = 0; n < 2_500; n += 1) outbox.enqueue('q', { idempotencyKey: `k${n}`, payload: { n }, subject: { label: 'x', patientId: 'p-secret' } });
    })();
    outbox.start();
    await outbox.whenIdle();
    await outbox.stop(0);
    clock.advance(31 * DAY);
    const workers = createHostWorkers({ dataDir, keyHex, logger });
    const ran: string[] = [];
    const run = workers.run.bind(workers);
    workers.run = ((task: string, input: unknown, options?: TaskOptions) => {
      ran.push(task);
      return run(task, input, options);
    }) as typeof workers.run;
    try {
      const schedule = wireOutboxRetention({ outbox, settings, logger, clock, workers }, { firstRunMs: 0, intervalMs: 60_000 });
      schedules.push(schedule);
      schedule.start();
      await waitFor(() => schedule.running() !== null);
      await schedule.running();
      expect(outbox.counts()[0]?.done ?? 0).toBe(0);
      // 2 500 jobs, 200 a batch, 10 batches a task: two tasks, the other tasks of the thread take turns between them.
      expect(ran).toEqual(['outbox.purge', 'outbox.purge']);
      const entries = auditTrail.list({ limit: 50 }).filter((e) => e.action === 'outbox.purge');
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ patientRef: null, details: { jobs: 2_500, attempts: 2_500, retentionDays: 30 } });
      expect(JSON.stringify(entries[0])).not.toContain('p-secret');
      expect(auditTrail.verify().ok).toBe(true);
    } finally {
      await workers.close();
      db.close();
    }
  }, 60_000);
});
