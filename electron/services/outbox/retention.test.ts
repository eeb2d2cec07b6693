/**
 * Retention of done jobs (issue 15): only done jobs older than the period go, with their attempts,
 * in batches; one audit entry per run with counts and nothing about patients; a purge stopped in
 * the middle leaves whole jobs and is finished, and audited once, by the next run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase, type Db } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import { Outbox, outboxSchema, type JobStatus } from '.';
import { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, purgeDoneJobs, RETENTION_ACTOR } from './retention';

const DAY = 86_400_000;
const outboxes: Outbox[] = [];
afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.stop(0)));
});

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  const audit: AuditInput[] = [];
  const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: (entry) => audit.push(entry), random: () => 0.5 });
  outboxes.push(outbox);
  // How each job's attempts end, by its number (a job waiting for a retry keeps failing).
  const fails = new Map<number, 'final' | 'retry' | 'block'>();
  outbox.register({
    name: 'test.send',
    label: 'Envoi de test',
    endpoint: 'sim',
    payload: z.object({ n: z.number() }),
    concurrency: 4,
    attemptTimeoutMs: 5_000,
    timeBudgetMs: 365 * DAY,
    maxAttempts: 10,
    credentials: async (job) => (fails.get(job.payload.n) === 'block' ? null : {}),
    run: async (job) => {
      const fail = fails.get(job.payload.n);
      if (fail === 'final') throw new AppError('INVALID_PARAMS');
      if (fail === 'retry') throw new Error('réseau');
    },
    classify: (error) => (error instanceof AppError ? 'final' : 'retryable'),
  });
  let n = 0;
  /** One job ending in `status`, by the engine (done/dead/retry_wait/blocked) or a person (cancelled). */
  const job = async (status: JobStatus, patientId = 'p-1'): Promise<string> => {
    n += 1;
    const fail = status === 'dead' ? 'final' : status === 'retry_wait' ? 'retry' : status === 'blocked' ? 'block' : null;
    if (fail !== null) fails.set(n, fail);
    // A pending job is scheduled far ahead so that the engine leaves it pending.
    const notBefore = status === 'pending' ? { notBefore: new Date(clock.now() + 1000 * DAY).toISOString() } : {};
    const view = outbox.enqueue('test.send', { idempotencyKey: `k${n}`, payload: { n }, subject: { label: `Envoi ${n}`, patientId }, ...notBefore });
    if (status === 'pending') return view.id;
    if (status === 'cancelled') {
      outbox.cancel(view.id, 'Dr Test');
      return view.id;
    }
    await outbox.whenIdle();
    expect(outbox.get(view.id)?.status).toBe(status);
    return view.id;
  };
  const attemptsOf = (id: string) => (db.prepare('SELECT count(*) AS n FROM outbox_attempt_log WHERE job_id = ?').get(Number(id)) as { n: number }).n;
  const total = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, clock, audit, outbox, job, attemptsOf, total };
}

/** The outbox started (attempts run) only for the jobs that need the engine. */
async function withEngine<T>(outbox: Outbox, fn: () => Promise<T>): Promise<T> {
  outbox.start();
  try {
    return await fn();
  } finally {
    await outbox.stop(0);
  }
}

function orphanAttempts(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM outbox_attempt a WHERE NOT EXISTS (SELECT 1 FROM outbox_job j WHERE j.id = a.job_id)').get() as { n: number }).n;
}

describe('outbox retention', () => {
  it('purges done jobs older than the period with their attempts, and nothing else', async () => {
    const { clock, audit, outbox, job, attemptsOf, total } = setup();
    const old = await withEngine(outbox, async () => ({
      done: [await job('done'), await job('done'), await job('done')],
      dead: await job('dead'),
      retry: await job('retry_wait'),
      blocked: await job('blocked'),
    }));
    const oldPending = await job('pending');
    const oldCancelled = await job('cancelled');
    clock.advance(31 * DAY);
    const young = await withEngine(outbox, () => job('done'));
    expect(attemptsOf(old.done[0] as string)).toBe(1);

    const report = await outbox.purgeDone({ retentionDays: 30, batchSize: 2 });

    expect(report).toMatchObject({ jobs: 3, attempts: 3, batches: 2, finished: true, startedAt: new Date(clock.now()).toISOString() });
    for (const id of old.done) expect(outbox.get(id)).toBeNull();
    for (const id of old.done) expect(attemptsOf(id)).toBe(0);
    expect(outbox.get(young)?.status).toBe('done');
    expect(attemptsOf(young)).toBe(1);
    // Never purged, however old: waiting for the engine or a person, or settled by a person.
    expect(outbox.get(old.dead)?.status).toBe('dead');
    expect(outbox.get(old.retry)?.status).toBe('retry_wait');
    expect(outbox.get(old.blocked)?.status).toBe('blocked');
    expect(outbox.get(oldPending)?.status).toBe('pending');
    expect(outbox.get(oldCancelled)?.status).toBe('cancelled');
    expect(attemptsOf(old.dead)).toBe(1);
    expect(total('outbox_purge_run')).toBe(0);

    const entries = audit.filter((e) => e.action === 'outbox.purge');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: RETENTION_ACTOR, patientRef: null, details: { jobs: 3, attempts: 3, retentionDays: 30 } });
    // Counts and dates only: no patient, no label, no payload.
    expect(JSON.stringify(entries[0])).not.toMatch(/p-1|Envoi/);
  });

  it('keeps a job done exactly at the limit; a second run finds nothing and writes no entry', async () => {
    const { clock, audit, outbox, job } = setup();
    const id = await withEngine(outbox, () => job('done'));
    clock.advance(DEFAULT_RETENTION_DAYS * DAY);
    expect((await outbox.purgeDone({ retentionDays: DEFAULT_RETENTION_DAYS })).jobs).toBe(0);
    expect(outbox.get(id)?.status).toBe('done');
    clock.advance(1);
    expect((await outbox.purgeDone({ retentionDays: DEFAULT_RETENTION_DAYS })).jobs).toBe(1);
    expect((await outbox.purgeDone({ retentionDays: DEFAULT_RETENTION_DAYS })).jobs).toBe(0);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(1);
  });

  it('refuses a period outside its bounds', async () => {
    const { outbox } = setup();
    await expect(outbox.purgeDone({ retentionDays: MIN_RETENTION_DAYS - 1 })).rejects.toThrow(RangeError);
    await expect(outbox.purgeDone({ retentionDays: MAX_RETENTION_DAYS + 1 })).rejects.toThrow(RangeError);
    await expect(outbox.purgeDone({ retentionDays: 30.5 })).rejects.toThrow(RangeError);
  });

  it('stopped mid-way (shutdown, crash), it leaves whole jobs and the next run finishes and audits the whole', async () => {
    const { db, clock, audit, outbox, job, attemptsOf } = setup();
    const ids = await withEngine(outbox, async () => {
      const list: string[] = [];
      for (let i = 0; i < 7; i += 1) list.push(await job('done'));
      return list;
    });
    clock.advance(40 * DAY);
    const controller = new AbortController();
    const first = await purgeDoneJobs(
      { db, clock, logger: createMemoryLogger(clock), audit: (entry) => audit.push(entry) },
      // Stopped after the first batch, as at a restart.
      { retentionDays: 30, batchSize: 3, signal: controller.signal, pause: async () => controller.abort() },
    );
    expect(first).toMatchObject({ jobs: 3, finished: false });
    const startedAt = first.startedAt;
    clock.advance(60_000);
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(0);
    // Whole jobs only: each one left still has its attempt, no attempt lost its job.
    const left = ids.filter((id) => outbox.get(id) !== null);
    expect(left).toHaveLength(4);
    for (const id of left) expect(attemptsOf(id)).toBe(1);
    expect(orphanAttempts(db)).toBe(0);
    expect(db.prepare('SELECT jobs, attempts FROM outbox_purge_run').get()).toEqual({ jobs: 3, attempts: 3 });

    // The process starts again (a new engine on the same base) and runs the purge.
    const again = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: (entry) => audit.push(entry) });
    outboxes.push(again);
    const second = await again.purgeDone({ retentionDays: 30, batchSize: 3 });
    expect(second).toMatchObject({ jobs: 7, attempts: 7, finished: true, startedAt });
    for (const id of ids) expect(again.get(id)).toBeNull();
    const entries = audit.filter((e) => e.action === 'outbox.purge');
    expect(entries).toHaveLength(1);
    expect(entries[0]?.details).toMatchObject({ jobs: 7, attempts: 7, startedAt });
    expect(db.prepare('SELECT count(*) AS n FROM outbox_purge_run').get()).toEqual({ n: 0 });
  });

  it('a call limited to a few batches leaves the run open for the next call, which audits the whole', async () => {
    const { db, clock, audit, outbox, job } = setup();
    await withEngine(outbox, async () => {
      for (let i = 0; i < 5; i += 1) await job('done');
    });
    clock.advance(40 * DAY);
    const deps = { db, clock, logger: createMemoryLogger(clock), audit: (entry: AuditInput) => audit.push(entry) };
    expect(await purgeDoneJobs(deps, { retentionDays: 30, batchSize: 2, maxBatches: 2 })).toMatchObject({ jobs: 4, batches: 2, finished: false });
    expect(audit.filter((e) => e.action === 'outbox.purge')).toHaveLength(0);
    expect(await purgeDoneJobs(deps, { retentionDays: 30, batchSize: 2, maxBatches: 2 })).toMatchObject({ jobs: 5, batches: 1, finished: true });
    expect(audit.filter((e) => e.action === 'outbox.purge')).toMatchObject([{ details: { jobs: 5, attempts: 5 } }]);
  });

  it('a batch that fails rolls back whole and the counts stay those committed', async () => {
    const { db, clock, outbox, job, attemptsOf } = setup();
    const ids = await withEngine(outbox, async () => [await job('done'), await job('done')]);
    clock.advance(40 * DAY);
    // The end of the run (its audit entry) fails: the deletions already committed stay, the run is resumable.
    const failing = () => {
      throw new Error('audit indisponible');
    };
    await expect(purgeDoneJobs({ db, clock, logger: createMemoryLogger(clock), audit: failing }, { retentionDays: 30, batchSize: 1 })).rejects.toThrow('audit indisponible');
    for (const id of ids) expect(outbox.get(id)).toBeNull();
    for (const id of ids) expect(attemptsOf(id)).toBe(0);
    expect(db.prepare('SELECT jobs, attempts FROM outbox_purge_run').get()).toEqual({ jobs: 2, attempts: 2 });
  });
});
