/**
 * outboxMigrations3 on a base written by 0.1.0 (AUTOINCREMENT ids, an attempt row per claim):
 * ids, rows and history are kept, a purged id is still never given again, and an attempt left
 * open by a crash before the upgrade is shown as interrupted once the job is taken over.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { purgeDoneJobs } from './retention';
import { Outbox, outboxMigrations, outboxMigrations2, outboxSchema } from '.';

const DAY = 86_400_000;

function oldBase() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...outboxMigrations, ...outboxMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const insert = db.prepare(
    `INSERT INTO outbox_job (queue, idempotency_key, payload, subject, status, attempts, lease_token, lease_owner, lease_expires_at, created_at, updated_at)
     VALUES ('test.send', ?, '{"n":1}', '{"label":"Envoi"}', ?, ?, ?, ?, ?, 1000, 1000)`,
  );
  const attempt = db.prepare(`INSERT INTO outbox_attempt (job_id, lease_token, attempt, worker, started_at, ended_at, outcome) VALUES (?, ?, ?, 'old-worker', 1000, ?, ?)`);
  // 1: done at the second attempt; 2: running when the old version crashed (open attempt row, lease expired); 3: purged.
  insert.run('done', 'done', 2, 2, null, null);
  attempt.run(1, 1, 1, 1100, 'retryable');
  attempt.run(1, 2, 2, 1200, 'done');
  insert.run('crashed', 'running', 1, 1, '{"w":"old-worker"}', 2000);
  attempt.run(2, 1, 1, null, null);
  insert.run('purged', 'done', 1, 1, null, null);
  db.prepare('DELETE FROM outbox_job WHERE id = 3').run();
  return db;
}

describe('outbox schema: latest attempt in the job row, ids without sqlite_sequence', () => {
  it('keeps ids, rows and history of a 0.1.0 base, and never gives a purged id again', async () => {
    const db = oldBase();
    migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    expect(db.prepare('PRAGMA integrity_check').pluck().get()).toBe('ok');
    expect(db.prepare(`SELECT count(*) FROM sqlite_sequence WHERE name = 'outbox_job'`).pluck().get()).toBe(0);
    expect(db.prepare('SELECT last_id FROM outbox_id_floor').pluck().get()).toBe(3);

    const clock = createManualClock(10_000);
    const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, workerId: 'new-worker', liveness: () => 'unknown' });
    outbox.register({
      name: 'test.send',
      label: 'Envoi de test',
      endpoint: 'sim',
      payload: z.object({ n: z.number() }),
      concurrency: 2,
      attemptTimeoutMs: 5_000,
      timeBudgetMs: DAY,
      maxAttempts: 5,
      reconcile: async () => 'absent',
      run: async () => undefined,
    });
    expect(outbox.attempts('1').map((a) => [a.attempt, a.outcome])).toEqual([[1, 'retryable'], [2, 'done']]);
    // The job the old version was running: taken over (lease expired), its open attempt closed as interrupted.
    outbox.start();
    await outbox.whenIdle();
    expect(outbox.get('2')).toMatchObject({ status: 'done', attempts: 2 });
    expect(outbox.attempts('2').map((a) => [a.attempt, a.worker, a.outcome])).toEqual([[1, 'old-worker', 'interrupted'], [2, 'new-worker', 'done']]);
    // Id 3 was purged before the upgrade: the next job gets 4, not 3.
    expect(outbox.enqueue('test.send', { idempotencyKey: 'after-upgrade', payload: { n: 2 }, subject: { label: 'Envoi' } }).id).toBe('4');
    await outbox.whenIdle();
    await outbox.stop(0);
  });

  it('gives a new job an id above every purged one, even when the purge took the largest', async () => {
    const db = openDatabase({ path: ':memory:' });
    migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
    const clock = createManualClock(DAY);
    const logger = createMemoryLogger(clock);
    const outbox = new Outbox({ db, clock, logger, audit: () => undefined });
    outbox.register({ name: 'q', label: 'Q', endpoint: 'sim', payload: z.object({}), concurrency: 1, attemptTimeoutMs: 1_000, timeBudgetMs: DAY, maxAttempts: 1, run: async () => undefined });
    outbox.start();
    const ids: string[] = [];
    for (const key of ['a', 'b', 'c']) ids.push(outbox.enqueue('q', { idempotencyKey: key, payload: {}, subject: { label: key } }).id);
    await outbox.whenIdle();
    clock.advance(40 * DAY);
    const report = await purgeDoneJobs({ db, clock, logger, audit: () => undefined }, { retentionDays: 30 });
    // Each job's only attempt was in its row: counted as deleted with it.
    expect(report).toMatchObject({ jobs: 3, attempts: 3 });
    expect(db.prepare('SELECT count(*) FROM outbox_job').pluck().get()).toBe(0);
    const next = outbox.enqueue('q', { idempotencyKey: 'd', payload: {}, subject: { label: 'd' } }).id;
    expect(Number(next)).toBeGreaterThan(Math.max(...ids.map(Number)));
    await outbox.whenIdle();
    await outbox.stop(0);
  });
});
