/**
 * Model-based property test of the outbox: random enqueues and random attempt outcomes (success,
 * 500, connection lost before or after the remote side acted, business refusal), with time moving
 * on. Whatever happens, the remote side receives each job at most once, in order per
 * serialisation key, nothing is lost, and once the remote side behaves every job that was not
 * refused is delivered exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { TransportError } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema, type JobStatus } from '.';

type Outcome = 'ok' | 'error-500' | 'lost-before' | 'lost-after' | 'refused';

type Step = { kind: 'enqueue'; key: number; serial: number } | { kind: 'run'; outcomes: Outcome[] } | { kind: 'advance'; ms: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('enqueue' as const), key: fc.integer({ min: 0, max: 15 }), serial: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    kind: fc.constant('run' as const),
    outcomes: fc.array(fc.constantFrom<Outcome>('ok', 'error-500', 'lost-before', 'lost-after', 'refused'), { minLength: 1, maxLength: 6 }),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 120_000 }) }),
);

const STATUSES: JobStatus[] = ['pending', 'running', 'retry_wait', 'blocked', 'done', 'dead', 'cancelled'];

describe('outbox model', () => {
  it('delivers at most once, in order per key, loses nothing, and delivers everything not refused once the remote side behaves', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 40 }), async (steps) => {
        const db = openDatabase({ path: ':memory:' });
        migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
        const clock = createManualClock();
        const delivered = new Map<string, number>();
        const order: string[] = [];
        const refused = new Set<string>();
        let script: Outcome[] = [];
        const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock, 'error'), audit: () => undefined, random: () => 0.5, backoff: { baseMs: 1_000, maxMs: 30_000 } });
        const deliver = (key: string) => {
          delivered.set(key, (delivered.get(key) ?? 0) + 1);
          order.push(key);
        };
        outbox.register({
          name: 'model',
          label: 'Modèle',
          endpoint: 'remote',
          payload: z.object({ key: z.string() }),
          concurrency: 3,
          attemptTimeoutMs: 10_000,
          timeBudgetMs: 365 * 24 * 3600_000,
          maxAttempts: 1_000,
          async run(job) {
            const outcome = script.shift() ?? 'ok';
            switch (outcome) {
              case 'ok':
                deliver(job.payload.key);
                return;
              case 'error-500':
                throw new TransportError('TRANSPORT_HTTP_SERVER_ERROR', { phase: 'receive', status: 500, retryable: true, outcomeUnknown: false });
              case 'lost-before':
                throw new TransportError('TRANSPORT_CONNECTION_LOST', { phase: 'receive', retryable: true, outcomeUnknown: true });
              case 'lost-after':
                deliver(job.payload.key);
                throw new TransportError('TRANSPORT_CONNECTION_LOST', { phase: 'receive', retryable: true, outcomeUnknown: true });
              case 'refused':
                refused.add(job.payload.key);
                throw new TransportError('TRANSPORT_HTTP_CLIENT_ERROR', { phase: 'receive', status: 422, retryable: false, outcomeUnknown: false });
            }
          },
          async reconcile(job) {
            return delivered.has(job.payload.key) ? 'done' : 'absent';
          },
        });
        const enqueued: Array<{ key: string; serial: string }> = [];
        const check = () => {
          for (const [key, count] of delivered) expect(count, key).toBe(1);
          const jobs = outbox.list({ limit: 1000 });
          expect(jobs).toHaveLength(new Set(enqueued.map((e) => e.key)).size);
          for (const job of jobs) {
            expect(STATUSES).toContain(job.status);
            if (job.status === 'done') expect(delivered.get(job.idempotencyKey)).toBe(1);
            if (job.status === 'dead') expect(delivered.has(job.idempotencyKey)).toBe(false);
          }
        };
        try {
          for (const step of steps) {
            if (step.kind === 'enqueue') {
              const key = `k${step.key}`;
              if (!enqueued.some((e) => e.key === key)) enqueued.push({ key, serial: `s${step.serial}` });
              outbox.enqueue('model', { idempotencyKey: key, serialKey: `s${step.serial}`, payload: { key }, subject: { label: key } });
            } else if (step.kind === 'run') {
              script = [...step.outcomes];
              await outbox.whenIdle();
            } else {
              clock.advance(step.ms);
            }
            check();
          }
          // The remote side behaves again: everything not refused gets through, once.
          script = [];
          for (let round = 0; round < 20; round += 1) {
            clock.advance(60_000);
            await outbox.whenIdle();
          }
          check();
          for (const { key } of enqueued) {
            const job = outbox.list({ limit: 1000 }).find((j) => j.idempotencyKey === key);
            expect(job?.status, key).toBe(refused.has(key) ? 'dead' : 'done');
          }
          // Order per serialisation key: deliveries follow enqueue order (refused jobs are skipped).
          const bySerial = new Map<string, string[]>();
          for (const { key, serial } of enqueued) if (!refused.has(key)) bySerial.set(serial, [...(bySerial.get(serial) ?? []), key]);
          for (const keys of bySerial.values()) expect(order.filter((k) => keys.includes(k))).toEqual(keys);
        } finally {
          await outbox.stop(0);
          db.close();
        }
      }),
      { numRuns: 60 },
    );
  });
});
