/**
 * The retention purge in the host's background (issue 15): it runs after the first delay with the
 * period of the settings, then again at each interval; a shutdown stops it between two batches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../../services/audit';
import { Outbox, outboxMigrations, outboxMigrations2 } from '../../services/outbox';
import { SettingsService, settingsMigrations } from '../../services/settings';
import { wireOutboxRetention, type RetentionSchedule } from './outbox-retention';

const DAY = 86_400_000;
const schedules: RetentionSchedule[] = [];
afterEach(async () => {
  await Promise.all(schedules.splice(0).map((s) => s.stop()));
});

async function setup(doneJobs: number) {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...settingsMigrations, ...outboxMigrations, ...outboxMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
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
    const schedule = wireOutboxRetention({ outbox, settings, logger }, { firstRunMs: 10, intervalMs: 20 });
    schedules.push(schedule);
    schedule.start();
    await new Promise((r) => setTimeout(r, 60));
    // 45 days < 60: kept, and nothing to audit.
    expect(doneCount()).toBe(5);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(0);
    clock.advance(16 * DAY);
    await waitFor(() => doneCount() === 0);
    expect(doneCount()).toBe(0);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toMatchObject([{ details: { jobs: 5, attempts: 5, retentionDays: 60 } }]);
  });

  it('a shutdown stops the run between two batches; the next start finishes it', async () => {
    const { clock, logger, audit, settings, outbox, doneCount } = await setup(450);
    clock.advance(31 * DAY);
    const schedule = wireOutboxRetention({ outbox, settings, logger }, { firstRunMs: 0, intervalMs: 60_000 });
    schedule.start();
    await waitFor(() => schedule.running() !== null);
    // Checked at each turn of the event loop, where the purge yields between batches.
    while (doneCount() === 450) await new Promise((r) => setImmediate(r));
    await schedule.stop();
    const left = doneCount();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(450);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(0);
    const again = wireOutboxRetention({ outbox, settings, logger }, { firstRunMs: 0, intervalMs: 60_000 });
    schedules.push(again);
    again.start();
    await waitFor(() => doneCount() === 0 && audit.some((e) => e.action === 'outbox.purge'));
    expect(audit.filter((e) => e.action === 'outbox.purge')).toMatchObject([{ details: { jobs: 450, attempts: 450, resumed: true } }]);
  });
});
