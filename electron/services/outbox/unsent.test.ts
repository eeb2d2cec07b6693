/** The « not sent, and why » report behind `pupitre queue sync` (issue 14, point 7). */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { TransportError } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema } from '.';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock();
  const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, random: () => 0.5 });
  return { outbox, clock };
}

const base = {
  payload: z.object({ n: z.number() }),
  concurrency: 1,
  attemptTimeoutMs: 1_000,
  timeBudgetMs: 3600_000,
  maxAttempts: 5,
};
const serverError = () => new TransportError('TRANSPORT_HTTP_SERVER_ERROR', { phase: 'receive', status: 500, retryable: true, outcomeUnknown: false });
const unreachable = () => new TransportError('TRANSPORT_CONNECTION_REFUSED', { phase: 'connect', retryable: true, outcomeUnknown: false });

describe('unsent report', () => {
  it('gives each job that is not sent its reason, and whether a person must act', async () => {
    const { outbox } = setup();
    outbox.register({ ...base, name: 'a.retry', label: 'A', endpoint: 'a', run: async () => Promise.reject(serverError()) });
    outbox.register({ ...base, name: 'b.offline', label: 'B', endpoint: 'b', run: async () => Promise.reject(unreachable()) });
    outbox.register({
      ...base,
      name: 'c.card',
      label: 'C',
      endpoint: 'c',
      credentials: async () => ({ blocked: 'Insérez la carte CPS.' }),
      run: async () => undefined,
    });
    outbox.setProbe('b', async () => false);
    outbox.enqueue('a.retry', { idempotencyKey: 'a1', serialKey: 'patient-1', payload: { n: 1 }, subject: { label: 'A1' } });
    outbox.enqueue('a.retry', { idempotencyKey: 'a2', serialKey: 'patient-1', payload: { n: 2 }, subject: { label: 'A2' } });
    outbox.enqueue('b.offline', { idempotencyKey: 'b1', payload: { n: 3 }, subject: { label: 'B1' } });
    outbox.enqueue('b.offline', { idempotencyKey: 'b2', payload: { n: 4 }, subject: { label: 'B2' } });
    outbox.enqueue('c.card', { idempotencyKey: 'c1', payload: { n: 5 }, subject: { label: 'C1' } });
    await outbox.syncNow();

    const report = outbox.unsent();
    expect(report.total).toBe(5);
    expect(report.jobs.map((u) => [u.job.idempotencyKey, u.reason, u.needsPerson])).toEqual([
      ['a1', 'will-retry', false],
      ['a2', 'waiting-for-earlier', false],
      ['b1', 'will-retry', false],
      ['b2', 'endpoint-offline', false],
      ['c1', 'blocked', true],
    ]);
    const byKey = new Map(report.jobs.map((u) => [u.job.idempotencyKey, u.detail]));
    expect(byKey.get('a1')).toMatch(/^Dernier essai en échec : .+ Nouvel essai automatique prévu\.$/);
    expect(byKey.get('a2')).toMatch(/^Attend que l'envoi n° \d+ du même patient soit parti\.$/);
    expect(byKey.get('b2')).toBe("Le service « b » est injoignable : l'envoi partira à son retour.");
    expect(byKey.get('c1')).toBe('Insérez la carte CPS.');
    // Never the payload: only the job's subject travels in a report.
    expect(JSON.stringify(report.jobs.map((u) => u.detail))).not.toContain('"n"');
  });

  it('counts everything but lists at most the limit', async () => {
    const { outbox } = setup();
    outbox.register({ ...base, name: 'a', label: 'A', endpoint: 'a', run: async () => Promise.reject(serverError()) });
    for (let n = 0; n < 5; n += 1) outbox.enqueue('a', { idempotencyKey: `k${n}`, payload: { n }, subject: { label: `J${n}` } });
    const report = outbox.unsent(2);
    expect(report.total).toBe(5);
    expect(report.jobs).toHaveLength(2);
  });
});
