import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../contract';
import { createManualClock, systemClock } from '../../platform/clock';
import { migrate, openDatabase, type Db } from '../../platform/db';
import { TransportError } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import { backoffDelay, classifyError, commitWithRunCompletion, Outbox, outboxSchema, type OutboxOptions, type QueueDefinition } from '.';

const payloadSchema = z.object({ n: z.number().int() });
type Payload = z.infer<typeof payloadSchema>;

interface Harness {
  db: Db;
  clock: ReturnType<typeof createManualClock>;
  audit: AuditInput[];
  events: Array<{ event: string; payload: unknown }>;
  outbox: Outbox;
  make(options?: Partial<OutboxOptions>): Outbox;
}

const outboxes: Outbox[] = [];

function setup(options: Partial<OutboxOptions> = {}): Harness {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  db.exec('CREATE TABLE domain_row (id INTEGER PRIMARY KEY, label TEXT)');
  const clock = createManualClock();
  const logger = createMemoryLogger(options.clock ?? clock);
  const audit: AuditInput[] = [];
  const events: Array<{ event: string; payload: unknown }> = [];
  const make = (extra: Partial<OutboxOptions> = {}): Outbox => {
    const outbox = new Outbox({
      db,
      clock,
      logger,
      audit: (entry) => audit.push(entry),
      notify: (event, payload) => events.push({ event, payload }),
      random: () => 0.5,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
      notifyThrottleMs: 1,
      ...options,
      ...extra,
    });
    outboxes.push(outbox);
    return outbox;
  };
  return { db, clock, audit, events, outbox: make(), make };
}

afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.stop(0)));
});

function queue(overrides: Partial<QueueDefinition<Payload, unknown>> = {}): QueueDefinition<Payload, unknown> {
  return {
    name: 'test.send',
    label: 'Envoi de test',
    endpoint: 'sim',
    payload: payloadSchema,
    concurrency: 4,
    attemptTimeoutMs: 5_000,
    timeBudgetMs: 24 * 3600_000,
    maxAttempts: 10,
    run: async () => undefined,
    ...overrides,
  };
}

/**
 * Counts every IMMEDIATE transaction opened on `db` from now on (in place before the outbox is
 * built, whether it makes its transactions then or at each commit) until `restore`.
 */
function countImmediateTransactions(db: Harness['db']): { readonly count: number; restore(): void } {
  const transaction = db.transaction.bind(db);
  let count = 0;
  db.transaction = ((fn: Parameters<typeof transaction>[0]) => {
    const tx = transaction(fn);
    const counted = (...args: Parameters<typeof tx>) => tx(...args);
    return Object.assign(counted, {
      default: tx.default,
      deferred: tx.deferred,
      exclusive: tx.exclusive,
      immediate: (...args: Parameters<typeof tx.immediate>) => {
        count += 1;
        return tx.immediate(...args);
      },
    });
  }) as typeof db.transaction;
  return {
    get count() {
      return count;
    },
    restore: () => {
      db.transaction = transaction;
    },
  };
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const subject = { label: 'Document de test', patientId: 'pat-1' };
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

const serverError = () => new TransportError('TRANSPORT_HTTP_SERVER_ERROR', { phase: 'receive', status: 500, retryable: true, outcomeUnknown: false });
const connectionLost = () => new TransportError('TRANSPORT_CONNECTION_LOST', { phase: 'receive', retryable: true, outcomeUnknown: true });

describe('enqueue', () => {
  it('commits the job with the domain row, or neither', () => {
    const { db, outbox } = setup();
    outbox.register(queue());
    db.transaction(() => {
      db.prepare("INSERT INTO domain_row (label) VALUES ('a')").run();
      outbox.enqueue('test.send', { idempotencyKey: 'k1', payload: { n: 1 }, subject });
    })();
    expect(() =>
      db.transaction(() => {
        db.prepare("INSERT INTO domain_row (label) VALUES ('b')").run();
        outbox.enqueue('test.send', { idempotencyKey: 'k2', payload: { n: 2 }, subject });
        throw new Error('domain write failed');
      })(),
    ).toThrow('domain write failed');
    expect(db.prepare('SELECT count(*) FROM domain_row').pluck().get()).toBe(1);
    expect(outbox.list().map((j) => j.idempotencyKey)).toEqual(['k1']);
  });

  it('returns the existing job when the same idempotency key is enqueued again', () => {
    const { outbox } = setup();
    outbox.register(queue());
    const first = outbox.enqueue('test.send', { idempotencyKey: 'doc-1', payload: { n: 1 }, subject });
    const second = outbox.enqueue('test.send', { idempotencyKey: 'doc-1', payload: { n: 99 }, subject });
    expect(second.id).toBe(first.id);
    expect(second.payload).toEqual({ n: 1 });
    expect(outbox.list()).toHaveLength(1);
    expect(first.status).toBe('pending');
  });

  it('does not start a job before its notBefore time', async () => {
    const { outbox, clock } = setup();
    let ran = 0;
    outbox.register(queue({ run: async () => { ran += 1; } }));
    const job = outbox.enqueue('test.send', {
      idempotencyKey: 'later',
      payload: { n: 1 },
      subject,
      notBefore: new Date(clock.now() + 5_000).toISOString(),
    });
    await outbox.whenIdle();
    expect(ran).toBe(0);
    expect(outbox.get(job.id)?.nextAttemptAt).toBe(new Date(clock.now() + 5_000).toISOString());
    clock.advance(5_000);
    await outbox.whenIdle();
    expect(ran).toBe(1);
  });

  it('refuses an invalid payload and an unknown queue with stable codes', () => {
    const { outbox } = setup();
    outbox.register(queue());
    expect(() => outbox.enqueue('test.send', { idempotencyKey: 'x', payload: { n: 'one' } as unknown as Payload, subject })).toThrow(
      expect.objectContaining({ code: 'OUTBOX_PAYLOAD_INVALID' }),
    );
    expect(() => outbox.enqueue('nope', { idempotencyKey: 'x', payload: { n: 1 }, subject })).toThrow(
      expect.objectContaining({ code: 'OUTBOX_QUEUE_UNKNOWN' }),
    );
    expect(outbox.list()).toHaveLength(0);
  });
});

describe('state transitions', () => {
  it('pending → running → done, with the attempt in the history', async () => {
    const { outbox } = setup();
    const gate = deferred();
    const seen: string[] = [];
    outbox.register(
      queue({
        run: async (job) => {
          seen.push(outbox.get(job.id)?.status ?? '');
          await gate.promise;
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    const idle = outbox.whenIdle();
    await tick();
    expect(seen).toEqual(['running']);
    expect(outbox.counts()[0]).toMatchObject({ running: 1, pending: 0 });
    gate.resolve();
    await idle;
    const done = outbox.get(job.id);
    expect(done).toMatchObject({ status: 'done', attempts: 1, lastErrorCode: null, outcomeUnknown: false });
    expect(outbox.attempts(job.id)).toEqual([expect.objectContaining({ attempt: 1, outcome: 'done', errorCode: null })]);
  });

  it("commits a run's own bookkeeping (commitWithRunCompletion) in the same transaction as the job's completion", async () => {
    const { db, make } = setup();
    const counter = countImmediateTransactions(db);
    const outbox = make();
    const gate = deferred();
    outbox.register(
      queue({
        run: async () => {
          await gate.promise;
          void commitWithRunCompletion(outbox, db, () => db.prepare("INSERT INTO domain_row (label) VALUES ('sent')").run());
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    const idle = outbox.whenIdle();
    await tick();
    const before = counter.count;
    gate.resolve();
    await idle;
    counter.restore();
    expect(outbox.get(job.id)?.status).toBe('done');
    expect(db.prepare('SELECT label FROM domain_row').pluck().all()).toEqual(['sent']);
    expect(counter.count - before).toBe(1);
  });

  it('without an outbox, commits the bookkeeping at once in a transaction of its own, and a refused write throws to the caller', async () => {
    const { db } = setup();
    const inside: boolean[] = [];
    const result = commitWithRunCompletion(undefined, db, () => {
      inside.push(db.inTransaction);
      return db.prepare("INSERT INTO domain_row (label) VALUES ('sent')").run().changes;
    });
    expect(db.prepare('SELECT label FROM domain_row').pluck().all()).toEqual(['sent']);
    expect(inside).toEqual([true]);
    await expect(result).resolves.toBe(1);
    expect(() =>
      commitWithRunCompletion(undefined, db, () => {
        db.prepare("INSERT INTO domain_row (label) VALUES ('second')").run();
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(db.prepare('SELECT label FROM domain_row').pluck().all()).toEqual(['sent']);
  });

  it('claims the next job in the commit of a completion, never in a commit of its own (bulk sending: one commit a job)', async () => {
    const { db, make } = setup();
    const counter = countImmediateTransactions(db);
    const outbox = make();
    // Two in flight whose ends fall in different turns, as network answers do.
    let n = 0;
    outbox.register(queue({ concurrency: 2, run: () => new Promise((resolve) => setTimeout(resolve, 1 + (n++ % 3))) }));
    const jobs = Array.from({ length: 12 }, (_, i) => outbox.enqueue('test.send', { idempotencyKey: `k${i}`, payload: { n: i }, subject }));
    const enqueueing = counter.count;
    await outbox.whenIdle();
    counter.restore();
    expect(jobs.map((job) => outbox.get(job.id)?.status)).toEqual(jobs.map(() => 'done'));
    // One to claim the first two, then one per completion at most (it claims the next job).
    expect(counter.count - enqueueing).toBeLessThanOrEqual(1 + jobs.length);
  });

  it('retryable error → retry_wait after a backoff within bounds, then done', async () => {
    const { outbox, clock } = setup();
    let calls = 0;
    outbox.register(
      queue({
        run: async () => {
          calls += 1;
          if (calls === 1) throw serverError();
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    const waiting = outbox.get(job.id);
    expect(waiting).toMatchObject({ status: 'retry_wait', lastErrorCode: 'TRANSPORT_HTTP_SERVER_ERROR', outcomeUnknown: false });
    expect(waiting?.lastErrorMessage).toMatch(/renvoyée automatiquement/);
    const delay = Date.parse(waiting?.nextAttemptAt ?? '') - clock.now();
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1_000);
    // Not due yet: nothing runs.
    await outbox.whenIdle();
    expect(calls).toBe(1);
    clock.advance(1_000);
    // The 500 put the endpoint offline; without a probe one job at a time tests it.
    await outbox.whenIdle();
    expect(calls).toBe(2);
    expect(outbox.get(job.id)?.status).toBe('done');
    // The whole history: the failed attempt (moved into outbox_attempt by the second claim) and the last one (in the job row).
    expect(outbox.attempts(job.id)).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'retryable', errorCode: 'TRANSPORT_HTTP_SERVER_ERROR' }),
      expect.objectContaining({ attempt: 2, outcome: 'done', errorCode: null }),
    ]);
    expect(outbox.endpoints()).toEqual([expect.objectContaining({ endpoint: 'sim', online: true, lastErrorCode: 'TRANSPORT_HTTP_SERVER_ERROR' })]);
  });

  it('final error → dead with a readable French message and an event', async () => {
    const { outbox, events } = setup();
    outbox.register(
      queue({
        run: async () => {
          throw new TransportError('TRANSPORT_HTTP_CLIENT_ERROR', { phase: 'receive', status: 403, retryable: false, outcomeUnknown: false });
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(outbox.get(job.id)).toMatchObject({ status: 'dead', lastErrorCode: 'TRANSPORT_HTTP_CLIENT_ERROR', attempts: 1 });
    expect(outbox.get(job.id)?.lastErrorMessage).toMatch(/refusé la demande/);
    expect(events.filter((e) => e.event === 'outbox.dead')).toEqual([
      {
        event: 'outbox.dead',
        payload: expect.objectContaining({ id: job.id, queue: 'test.send', label: 'Document de test', patientId: 'pat-1', code: 'TRANSPORT_HTTP_CLIENT_ERROR' }),
      },
    ]);
    expect(outbox.status().deadTotal).toBe(1);
  });

  it('goes dead after maxAttempts, keeping the last error in the message', async () => {
    const { outbox, clock } = setup();
    outbox.register(queue({ maxAttempts: 3, run: async () => Promise.reject(serverError()) }));
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    for (let i = 0; i < 3; i += 1) {
      await outbox.whenIdle();
      clock.advance(60_000);
    }
    const dead = outbox.get(job.id);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3, lastErrorCode: 'OUTBOX_GAVE_UP' });
    expect(dead?.lastErrorMessage).toMatch(/Dernière erreur : Le service distant est momentanément en erreur/);
  });

  it('goes dead when the next retry would exceed the time budget', async () => {
    const { outbox, clock } = setup();
    outbox.register(queue({ timeBudgetMs: 2_500, run: async () => Promise.reject(serverError()) }));
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle(); // attempt 1 at t0, retry at t0+750
    clock.advance(1_000);
    await outbox.whenIdle(); // attempt 2 at t0+1000, retry at +1500 → t0+2500, within budget
    expect(outbox.get(job.id)?.status).toBe('retry_wait');
    clock.advance(1_500);
    await outbox.whenIdle(); // attempt 3 at t0+2500: next retry would end past the budget
    expect(outbox.get(job.id)).toMatchObject({ status: 'dead', lastErrorCode: 'OUTBOX_GAVE_UP', attempts: 3 });
  });

  it('an invalid stored payload goes dead when claimed', async () => {
    const { outbox, db } = setup();
    outbox.register(queue());
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    db.prepare(`UPDATE outbox_job SET payload = '{"n":"x"}' WHERE id = ?`).run(Number(job.id));
    await outbox.whenIdle();
    expect(outbox.get(job.id)).toMatchObject({ status: 'dead', lastErrorCode: 'OUTBOX_PAYLOAD_INVALID' });
  });

  it('an attempt that outlives its bound ends with an unknown outcome', async () => {
    const { outbox } = setup();
    outbox.register(queue({ attemptTimeoutMs: 20, run: () => new Promise(() => undefined) }));
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(outbox.get(job.id)).toMatchObject({ status: 'retry_wait', lastErrorCode: 'OUTBOX_ATTEMPT_TIMEOUT', outcomeUnknown: true });
  });
});

describe('unknown outcome', () => {
  it('reconciles before resending: the remote side already has it → done without sending again', async () => {
    const { outbox, clock } = setup();
    const calls: string[] = [];
    outbox.register(
      queue({
        run: async () => {
          calls.push('run');
          if (calls.length === 1) throw connectionLost();
        },
        reconcile: async () => {
          calls.push('reconcile');
          return 'done';
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(outbox.get(job.id)).toMatchObject({ status: 'retry_wait', outcomeUnknown: true, lastErrorCode: 'TRANSPORT_CONNECTION_LOST' });
    clock.advance(60_000);
    await outbox.whenIdle();
    expect(calls).toEqual(['run', 'reconcile']);
    expect(outbox.get(job.id)).toMatchObject({ status: 'done', outcomeUnknown: false });
    expect(outbox.attempts(job.id).map((a) => a.outcome)).toEqual(['unknown-outcome', 'reconciled']);
  });

  it('reconciles before resending: absent → sends again', async () => {
    const { outbox, clock } = setup();
    const calls: string[] = [];
    outbox.register(
      queue({
        run: async () => {
          calls.push('run');
          if (calls.length === 1) throw connectionLost();
        },
        reconcile: async () => {
          calls.push('reconcile');
          return 'absent';
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    clock.advance(60_000);
    await outbox.whenIdle();
    expect(calls).toEqual(['run', 'reconcile', 'run']);
    expect(outbox.get(job.id)?.status).toBe('done');
  });

  it('keeps the flag when reconcile itself fails, and never reconciles after a certain failure', async () => {
    const { outbox, clock } = setup();
    const calls: string[] = [];
    outbox.register(
      queue({
        run: async () => {
          calls.push('run');
          throw calls.length === 1 ? serverError() : connectionLost();
        },
        reconcile: async () => {
          calls.push('reconcile');
          throw serverError();
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(outbox.get(job.id)?.outcomeUnknown).toBe(false);
    clock.advance(60_000);
    await outbox.whenIdle();
    expect(outbox.get(job.id)?.outcomeUnknown).toBe(true);
    clock.advance(60_000);
    await outbox.whenIdle();
    expect(calls).toEqual(['run', 'run', 'reconcile']);
    expect(outbox.get(job.id)).toMatchObject({ status: 'retry_wait', outcomeUnknown: true });
  });
});

describe('leases', () => {
  it('a worker whose lease expired cannot complete the job; the new owner reconciles first', async () => {
    const { clock, make } = setup();
    const a = make({ workerId: 'A', leaseMs: 60_000 });
    const b = make({ workerId: 'B', leaseMs: 60_000 });
    const gate = deferred();
    const calls: string[] = [];
    a.register(
      queue({
        run: async () => {
          calls.push('A.run');
          await gate.promise;
        },
      }),
    );
    b.register(
      queue({
        run: async () => {
          calls.push('B.run');
        },
        reconcile: async () => {
          calls.push('B.reconcile');
          return 'absent';
        },
      }),
    );
    const job = a.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    const aIdle = a.whenIdle();
    await tick();
    // Lease still valid: B cannot take it.
    await b.whenIdle();
    expect(calls).toEqual(['A.run']);
    clock.advance(60_001);
    await b.whenIdle();
    expect(calls).toEqual(['A.run', 'B.reconcile', 'B.run']);
    expect(b.get(job.id)).toMatchObject({ status: 'done', attempts: 2 });
    gate.resolve();
    await aIdle;
    // A's late success is refused by the compare-and-swap: B's result stands, history intact.
    expect(a.get(job.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(a.attempts(job.id)).toEqual([
      expect.objectContaining({ worker: 'A', outcome: 'interrupted', errorCode: 'OUTBOX_INTERRUPTED' }),
      expect.objectContaining({ worker: 'B', outcome: 'done' }),
    ]);
  });

  it('replays unfinished work at start-up: an expired lease is reclaimed with its outcome unknown', async () => {
    const { db, clock, make } = setup();
    const crashed = make({ workerId: 'crashed', leaseMs: 1_000 });
    crashed.register(queue({ run: () => new Promise(() => undefined) }));
    const job = crashed.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    void crashed.whenIdle();
    await tick();
    expect(crashed.get(job.id)?.status).toBe('running');
    // The process dies: nothing more is written by it.
    clock.advance(1_001);
    const reconciled: string[] = [];
    const restarted = make({ workerId: 'restarted' });
    restarted.register(
      queue({
        reconcile: async (j) => {
          reconciled.push(j.id);
          return 'done';
        },
      }),
    );
    restarted.start();
    await restarted.whenIdle();
    expect(reconciled).toEqual([job.id]);
    expect(restarted.get(job.id)).toMatchObject({ status: 'done' });
    expect(db.prepare('SELECT count(*) FROM outbox_attempt_log WHERE ended_at IS NULL').pluck().get()).toBe(0);
  });
});

describe('lease renewal', () => {
  it('renews the lease while a long attempt runs, so no other worker takes the job', async () => {
    const { make } = setup({ clock: systemClock });
    const a = make({ workerId: 'A', leaseMs: 60 });
    const b = make({ workerId: 'B', leaseMs: 60 });
    const ran: string[] = [];
    a.register(queue({ run: async () => { ran.push('A'); await new Promise((resolve) => setTimeout(resolve, 300)); } }));
    b.register(queue({ run: async () => { ran.push('B'); } }));
    const job = a.enqueue('test.send', { idempotencyKey: 'long', payload: { n: 1 }, subject });
    const aIdle = a.whenIdle();
    for (let i = 0; i < 12; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await b.whenIdle();
    }
    await aIdle;
    expect(ran).toEqual(['A']);
    expect(a.get(job.id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('aborts an attempt whose lease was taken, and refuses its completion', async () => {
    const { db, make } = setup({ clock: systemClock });
    const a = make({ workerId: 'A', leaseMs: 60 });
    let aborted: unknown = null;
    a.register(
      queue({
        run: (_job, { signal }) =>
          new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => {
              aborted = signal.reason;
              resolve();
            });
          }),
      }),
    );
    const job = a.enqueue('test.send', { idempotencyKey: 'stolen', payload: { n: 1 }, subject });
    const idle = a.whenIdle();
    await tick();
    // Another worker took it over (as after an expiry): the token moves on.
    db.prepare("UPDATE outbox_job SET lease_token = lease_token + 1, lease_owner = 'B' WHERE id = ?").run(Number(job.id));
    await idle;
    expect(aborted).toMatchObject({ code: 'OUTBOX_LEASE_LOST' });
    expect(a.get(job.id)?.status).toBe('running');
  });
});

describe('ordering and concurrency', () => {
  it('runs the jobs of one serialisation key one at a time, in enqueue order', async () => {
    const { outbox } = setup();
    const order: number[] = [];
    let active = 0;
    let maxActive = 0;
    outbox.register(
      queue({
        concurrency: 8,
        run: async (job) => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await tick();
          order.push(job.payload.n);
          active -= 1;
        },
      }),
    );
    for (let n = 1; n <= 5; n += 1) outbox.enqueue('test.send', { idempotencyKey: `k${n}`, serialKey: 'patient-1', payload: { n }, subject });
    await outbox.whenIdle();
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(maxActive).toBe(1);
  });

  it('a retrying job holds back the later jobs of its key, not the other keys', async () => {
    const { outbox, clock } = setup();
    const ran: number[] = [];
    outbox.register(
      queue({
        // A retryable failure that says nothing about the endpoint (which stays online).
        classify: () => 'retryable',
        run: async (job) => {
          ran.push(job.payload.n);
          if (job.payload.n === 1 && job.attempts === 1) throw new Error('busy');
        },
      }),
    );
    outbox.enqueue('test.send', { idempotencyKey: 'k1', serialKey: 'A', payload: { n: 1 }, subject });
    outbox.enqueue('test.send', { idempotencyKey: 'k2', serialKey: 'A', payload: { n: 2 }, subject });
    outbox.enqueue('test.send', { idempotencyKey: 'k3', serialKey: 'B', payload: { n: 3 }, subject });
    await outbox.whenIdle();
    expect(ran).toContain(1);
    expect(ran).not.toContain(2);
    clock.advance(60_000);
    await outbox.whenIdle();
    await outbox.whenIdle();
    expect(ran.filter((n) => n !== 3)).toEqual([1, 1, 2]);
    expect(ran).toContain(3);
  });

  it('never runs more jobs of a queue at once than its concurrency', async () => {
    const { outbox } = setup();
    let active = 0;
    let maxActive = 0;
    outbox.register(
      queue({
        concurrency: 3,
        run: async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await tick();
          active -= 1;
        },
      }),
    );
    for (let n = 0; n < 12; n += 1) outbox.enqueue('test.send', { idempotencyKey: `k${n}`, payload: { n }, subject });
    await outbox.whenIdle();
    expect(maxActive).toBe(3);
    expect(outbox.counts()[0]).toMatchObject({ done: 12, pending: 0 });
  });
});

describe('claim committed with the enqueue (started outbox)', () => {
  it('claims in the enqueueing transaction and starts the attempt only once it has committed', async () => {
    const { db, outbox } = setup();
    const ran: number[] = [];
    outbox.register(queue({ run: async (job) => { ran.push(job.payload.n); } }));
    outbox.start();
    const job = db.transaction(() => {
      db.prepare("INSERT INTO domain_row (label) VALUES ('a')").run();
      const enqueued = outbox.enqueue('test.send', { idempotencyKey: 'k1', payload: { n: 1 }, subject });
      // Claimed already, but nothing runs while the caller's transaction is open.
      expect(ran).toEqual([]);
      return enqueued;
    })();
    expect(job).toMatchObject({ status: 'running', attempts: 1 });
    await outbox.whenIdle();
    expect(ran).toEqual([1]);
    expect(outbox.get(job.id)).toMatchObject({ status: 'done', attempts: 1, outcomeUnknown: false });
    expect(outbox.attempts(job.id)).toMatchObject([{ attempt: 1, outcome: 'done' }]);
  });

  it('starts nothing when the enqueueing transaction rolls back, and leaves the queue free', async () => {
    const { db, outbox } = setup();
    const ran: number[] = [];
    outbox.register(queue({ concurrency: 1, run: async (job) => { ran.push(job.payload.n); } }));
    outbox.start();
    expect(() =>
      db.transaction(() => {
        outbox.enqueue('test.send', { idempotencyKey: 'lost', payload: { n: 1 }, subject });
        throw new Error('domain write failed');
      })(),
    ).toThrow('domain write failed');
    await outbox.whenIdle();
    outbox.enqueue('test.send', { idempotencyKey: 'kept', payload: { n: 2 }, subject });
    await outbox.whenIdle();
    expect(ran).toEqual([2]);
    expect(outbox.list().map((j) => [j.idempotencyKey, j.status])).toEqual([['kept', 'done']]);
    expect(db.prepare('SELECT count(*) FROM outbox_attempt_log').pluck().get()).toBe(1);
  });

  it('keeps concurrency, serialisation keys and enqueue order when jobs are claimed as they are enqueued', async () => {
    const { db, outbox } = setup();
    let active = 0;
    let maxActive = 0;
    const order: number[] = [];
    outbox.register(
      queue({
        concurrency: 2,
        run: async (job) => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          order.push(job.payload.n);
          await tick();
          active -= 1;
        },
      }),
    );
    outbox.start();
    db.transaction(() => {
      for (let n = 0; n < 6; n += 1) outbox.enqueue('test.send', { idempotencyKey: `k${n}`, payload: { n }, subject, serialKey: 'patient:1' });
    })();
    for (let n = 6; n < 10; n += 1) outbox.enqueue('test.send', { idempotencyKey: `k${n}`, payload: { n }, subject });
    await outbox.whenIdle();
    expect(maxActive).toBe(2);
    expect(order.filter((n) => n < 6)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(outbox.counts()[0]).toMatchObject({ done: 10, pending: 0, running: 0 });
  });

  it('a new job does not pass a due job of its queue that is still waiting for a slot', async () => {
    const { outbox } = setup();
    const order: number[] = [];
    outbox.register(queue({ concurrency: 1, run: async (job) => { order.push(job.payload.n); } }));
    // Enqueued while stopped: due, not claimed yet when the outbox starts.
    outbox.enqueue('test.send', { idempotencyKey: 'early', payload: { n: 1 }, subject });
    outbox.start();
    const late = outbox.enqueue('test.send', { idempotencyKey: 'late', payload: { n: 2 }, subject });
    // The enqueue claimed the earlier job (the queue's only slot), not itself.
    expect(late.status).toBe('pending');
    await outbox.whenIdle();
    expect(order).toEqual([1, 2]);
  });

  it('a job enqueued behind an open job of its serialisation key waits, even with slots free', async () => {
    const { outbox } = setup();
    const gate = deferred();
    const order: number[] = [];
    outbox.register(queue({ concurrency: 4, run: async (job) => { order.push(job.payload.n); if (job.payload.n === 1) await gate.promise; } }));
    outbox.start();
    expect(outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject, serialKey: 'patient:1' }).status).toBe('running');
    expect(outbox.enqueue('test.send', { idempotencyKey: 'b', payload: { n: 2 }, subject, serialKey: 'patient:1' }).status).toBe('pending');
    expect(outbox.enqueue('test.send', { idempotencyKey: 'c', payload: { n: 3 }, subject, serialKey: 'patient:2' }).status).toBe('running');
    gate.resolve();
    await outbox.whenIdle();
    expect(order.indexOf(1)).toBeLessThan(order.indexOf(2));
    expect(outbox.counts()[0]).toMatchObject({ done: 3 });
  });

  it('stop releases an attempt claimed with its enqueue like any other: sent later, after reconcile', async () => {
    const { db, outbox, make } = setup();
    let ran = 0;
    outbox.register(queue({ run: (_job, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error))) }));
    outbox.start();
    const job = outbox.enqueue('test.send', { idempotencyKey: 'k1', payload: { n: 1 }, subject });
    await outbox.stop(0);
    expect(outbox.get(job.id)).toMatchObject({ status: 'pending', outcomeUnknown: true });
    const next = make();
    let reconciled = 0;
    next.register(queue({ reconcile: async () => { reconciled += 1; return 'absent'; }, run: async () => { ran += 1; } }));
    await next.whenIdle();
    expect([reconciled, ran]).toEqual([1, 1]);
    expect(next.get(job.id)).toMatchObject({ status: 'done' });
    expect(db.prepare('SELECT count(*) FROM outbox_attempt_log').pluck().get()).toBe(2);
  });
});

describe('credentials', () => {
  it('waits in a visible blocked state until woken, without counting an attempt; credentials never stored', async () => {
    const { outbox, db } = setup();
    let card: string | null = null;
    const received: unknown[] = [];
    outbox.register(
      queue({
        credentials: async () => (card === null ? { blocked: 'Insérez la carte CPS du praticien.' } : { token: card }),
        run: async (_job, context) => {
          received.push(context.credentials);
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(outbox.get(job.id)).toMatchObject({ status: 'blocked', blockedReason: 'Insérez la carte CPS du praticien.', attempts: 0 });
    expect(outbox.counts()[0]?.blocked).toBe(1);
    await outbox.whenIdle();
    expect(received).toEqual([]);
    card = 'secret-assertion';
    outbox.wake('card inserted');
    await outbox.whenIdle();
    expect(received).toEqual([{ token: 'secret-assertion' }]);
    expect(outbox.get(job.id)).toMatchObject({ status: 'done', attempts: 1, blockedReason: null });
    const stored = db.prepare('SELECT * FROM outbox_job').all();
    expect(JSON.stringify(stored)).not.toContain('secret-assertion');
  });
});

describe('actions by a person', () => {
  it('retry makes a dead job due now with a fresh budget, and is audited', async () => {
    const { outbox, audit } = setup();
    let fail = true;
    outbox.register(
      queue({
        run: async () => {
          if (fail) throw new AppError('OUTBOX_PAYLOAD_INVALID');
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(outbox.get(job.id)?.status).toBe('dead');
    fail = false;
    expect(outbox.retry(job.id, 'dr-martin')).toMatchObject({ status: 'pending', attempts: 0 });
    await outbox.whenIdle();
    expect(outbox.get(job.id)?.status).toBe('done');
    expect(audit).toEqual([
      { actor: 'dr-martin', patientRef: 'pat-1', action: 'outbox.retry', details: { jobId: job.id, queue: 'test.send', from: 'dead' } },
    ]);
    expect(() => outbox.retry(job.id, 'dr-martin')).toThrow(expect.objectContaining({ code: 'OUTBOX_JOB_NOT_RETRYABLE' }));
  });

  it('cancel is audited and refused for a running or finished job', async () => {
    const { outbox, audit } = setup();
    const gate = deferred();
    outbox.register(queue({ concurrency: 1, run: () => gate.promise }));
    const running = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    const waiting = outbox.enqueue('test.send', { idempotencyKey: 'b', payload: { n: 2 }, subject: { label: 'Lot 7' } });
    const idle = outbox.whenIdle();
    await tick();
    expect(() => outbox.cancel(running.id, 'secrétariat')).toThrow(expect.objectContaining({ code: 'OUTBOX_JOB_NOT_CANCELLABLE' }));
    expect(outbox.cancel(waiting.id, 'secrétariat').status).toBe('cancelled');
    gate.resolve();
    await idle;
    expect(outbox.get(waiting.id)?.status).toBe('cancelled');
    expect(audit).toEqual([
      expect.objectContaining({ actor: 'secrétariat', patientRef: null, action: 'outbox.cancel', details: expect.objectContaining({ jobId: waiting.id }) }),
    ]);
    expect(() => outbox.cancel('999', 'x')).toThrow(expect.objectContaining({ code: 'OUTBOX_JOB_NOT_FOUND' }));
    expect(() => outbox.cancel('not-an-id', 'x')).toThrow(expect.objectContaining({ code: 'OUTBOX_JOB_NOT_FOUND' }));
  });
});

describe('shutdown', () => {
  it('lets running jobs finish within the bound and puts the rest back to pending, outcome unknown', async () => {
    const { outbox } = setup();
    const quick = deferred();
    outbox.register(
      queue({
        run: async (job) => {
          if (job.payload.n === 1) await quick.promise;
          else await new Promise(() => undefined);
        },
      }),
    );
    const finishing = outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    const stuck = outbox.enqueue('test.send', { idempotencyKey: 'b', payload: { n: 2 }, subject });
    void outbox.whenIdle();
    await tick();
    setTimeout(() => quick.resolve(), 10);
    await outbox.stop(60);
    expect(outbox.get(finishing.id)?.status).toBe('done');
    expect(outbox.get(stuck.id)).toMatchObject({ status: 'pending', outcomeUnknown: true, lastErrorCode: 'OUTBOX_INTERRUPTED' });
  });
});

describe('endpoints', () => {
  it('pauses the queues of an endpoint that is down until its probe succeeds; Synchroniser maintenant resumes', async () => {
    const { outbox } = setup({ probeIntervalMs: 3_600_000 });
    let reachable = false;
    let sent = 0;
    outbox.register(
      queue({
        run: async () => {
          if (!reachable) throw new TransportError('TRANSPORT_CONNECTION_REFUSED', { phase: 'connect', retryable: true, outcomeUnknown: false });
          sent += 1;
        },
      }),
    );
    outbox.setProbe('sim', async () => reachable);
    outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    outbox.enqueue('test.send', { idempotencyKey: 'b', payload: { n: 2 }, subject });
    await outbox.whenIdle();
    expect(outbox.endpoints()[0]).toMatchObject({ endpoint: 'sim', online: false, lastErrorCode: 'TRANSPORT_CONNECTION_REFUSED' });
    const afterFirst = outbox.counts()[0];
    expect((afterFirst?.retry_wait ?? 0) + (afterFirst?.pending ?? 0)).toBe(2);
    await outbox.syncNow();
    expect(sent).toBe(0);
    reachable = true;
    await outbox.syncNow();
    expect(sent).toBe(2);
    expect(outbox.endpoints()[0]).toMatchObject({ online: true });
    expect(outbox.endpoints()[0]?.lastSuccessAt).not.toBeNull();
  });

  it('without a probe, lets one job at a time test an endpoint that is down', async () => {
    const { outbox, clock } = setup();
    let active = 0;
    let maxActive = 0;
    let down = true;
    outbox.register(
      queue({
        concurrency: 4,
        run: async () => {
          active += 1;
          maxActive = Math.max(maxActive, active);
          await tick();
          active -= 1;
          if (down) throw serverError();
        },
      }),
    );
    for (let n = 0; n < 4; n += 1) outbox.enqueue('test.send', { idempotencyKey: `k${n}`, payload: { n }, subject });
    await outbox.whenIdle();
    expect(outbox.endpoints()[0]?.online).toBe(false);
    maxActive = 0;
    clock.advance(60_000);
    await outbox.whenIdle();
    expect(maxActive).toBe(1);
    down = false;
    clock.advance(60_000);
    await outbox.whenIdle();
    expect(outbox.counts()[0]).toMatchObject({ done: 4, retry_wait: 0 });
  });

  it('reports progress of a long job, at most every 100 ms and always the end', async () => {
    const { outbox, events, clock } = setup();
    outbox.register(
      queue({
        run: async (_job, { progress }) => {
          progress(0.1, 'Envoi');
          progress(0.2, 'Envoi'); // same instant: dropped
          clock.advance(100);
          progress(0.5, 'Envoi');
          progress(1, 'Envoi');
        },
      }),
    );
    const job = outbox.enqueue('test.send', { idempotencyKey: 'big', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    expect(events.filter((e) => e.event === 'outbox.progress').map((e) => e.payload)).toEqual([
      { id: job.id, queue: 'test.send', fraction: 0.1, label: 'Envoi' },
      { id: job.id, queue: 'test.send', fraction: 0.5, label: 'Envoi' },
      { id: job.id, queue: 'test.send', fraction: 1, label: 'Envoi' },
    ]);
  });

  it('emits grouped counts to the renderer', async () => {
    const { outbox, events } = setup();
    outbox.register(queue());
    outbox.enqueue('test.send', { idempotencyKey: 'a', payload: { n: 1 }, subject });
    await outbox.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const changed = events.filter((e) => e.event === 'outbox.changed');
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.at(-1)?.payload).toMatchObject({ deadTotal: 0, queues: [expect.objectContaining({ queue: 'test.send', done: 1 })] });
  });
});

describe('backoff', () => {
  it('stays within [cap/2, cap] with cap = min(max, base·2^(n-1))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, r) => {
        const policy = { baseMs: 1_000, maxMs: 600_000 };
        const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
        const delay = backoffDelay(attempt, policy, () => r);
        return delay >= Math.floor(cap / 2) && delay <= cap;
      }),
    );
  });

  it('grows with the attempt number until the maximum', () => {
    const policy = { baseMs: 2_000, maxMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, policy, () => 1))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });
});

describe('classification', () => {
  it('maps transport and application errors to retry, reconcile or dead letter', () => {
    expect(classifyError(new TransportError('TRANSPORT_CONNECTION_REFUSED', { phase: 'connect', retryable: true, outcomeUnknown: false }))).toBe('retryable');
    expect(classifyError(serverError())).toBe('retryable');
    expect(classifyError(connectionLost())).toBe('unknown-outcome');
    expect(classifyError(new TransportError('TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN', { phase: 'await-response', retryable: true, outcomeUnknown: true }))).toBe(
      'unknown-outcome',
    );
    expect(classifyError(new TransportError('TRANSPORT_TLS_FAILED', { phase: 'connect', retryable: false, outcomeUnknown: false }))).toBe('final');
    expect(classifyError(new AppError('OUTBOX_PAYLOAD_INVALID'))).toBe('final');
    expect(classifyError(new TypeError('bug'))).toBe('unknown-outcome');
  });
});
