/**
 * Fault test (issue 4): the outbox, with the real HTTP client, against a server that times out,
 * answers 500, closes connections mid-response, closes them before processing and returns
 * malformed bodies. No job is lost or duplicated; jobs the server refuses go dead with a
 * readable French error.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { deliveryQueue, probeHealth } from '../../../fixtures/testing/outbox/delivery-queue';
import { startRecordingServer, type Fault, type RecordingServer } from '../../../fixtures/testing/outbox/recording-server';
import { systemClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { HttpClient } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema } from '.';

const JOBS = 120;
const FAULTS: Fault[] = ['error-500', 'timeout', 'close-mid-response', 'close-before-processing', 'malformed'];
const isRefused = (n: number) => n % 20 === 7;

describe('outbox fault test', () => {
  let server: RecordingServer | undefined;
  afterAll(async () => server?.close());

  it('loses and duplicates nothing through timeouts, 500s, cut connections and malformed bodies', { timeout: 120_000 }, async () => {
    let counter = 0;
    const faultsPerKey = new Map<string, number>();
    server = await startRecordingServer({
      delayMs: () => 2,
      plan: (key) => {
        const n = Number(key.slice('job-'.length));
        if (isRefused(n)) return 'error-400';
        const seen = faultsPerKey.get(key) ?? 0;
        counter += 1;
        // Up to three faults per job, cycling through every kind of fault.
        if (seen < 3 && counter % 2 === 0) {
          faultsPerKey.set(key, seen + 1);
          return FAULTS[(counter / 2) % FAULTS.length] as Fault;
        }
        return 'ok';
      },
    });
    const db = openDatabase({ path: ':memory:' });
    migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
    const http = new HttpClient({ allowPlainHttp: true, timeouts: { connectMs: 500, responseMs: 300, totalMs: 800 } });
    const dead: string[] = [];
    const outbox = new Outbox({
      db,
      clock: systemClock,
      logger: createMemoryLogger(systemClock, 'warn'),
      audit: () => undefined,
      notify: (event, payload) => {
        if (event === 'outbox.dead') dead.push((payload as { id: string }).id);
      },
      backoff: { baseMs: 10, maxMs: 100 },
      probeIntervalMs: 30,
      pollMs: 20,
    });
    outbox.register(deliveryQueue(http, server.url, { attemptTimeoutMs: 1_500, concurrency: 6 }));
    outbox.setProbe('recording', () => probeHealth(http, server?.url ?? ''));
    for (let n = 0; n < JOBS; n += 1) {
      outbox.enqueue('test.delivery', { idempotencyKey: `job-${n}`, serialKey: `s${n % 10}`, payload: { n }, subject: { label: `Envoi ${n}` } });
    }
    outbox.start();
    const deadline = Date.now() + 100_000;
    const open = () => outbox.counts().reduce((sum, q) => sum + q.pending + q.running + q.retry_wait + q.blocked, 0);
    while (open() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await outbox.stop(1_000);

    // Every kind of fault happened.
    for (const fault of FAULTS) expect(server.faults.get(fault) ?? 0, fault).toBeGreaterThan(0);

    const jobs = outbox.list({ limit: 1000 });
    expect(jobs).toHaveLength(JOBS);
    const refused = jobs.filter((j) => isRefused((j.payload as { n: number }).n));
    const others = jobs.filter((j) => !isRefused((j.payload as { n: number }).n));
    expect(others.every((j) => j.status === 'done')).toBe(true);
    for (const job of refused) {
      expect(job.status).toBe('dead');
      expect(job.lastErrorCode).toBe('TRANSPORT_HTTP_CLIENT_ERROR');
      expect(job.lastErrorMessage).toMatch(/^Le service distant a refusé la demande/);
      expect(server.received.has(job.idempotencyKey)).toBe(false);
    }
    expect(dead.sort()).toEqual(refused.map((j) => j.id).sort());
    for (const job of others) expect(server.received.get(job.idempotencyKey), job.idempotencyKey).toBe(1);
    expect(server.received.size).toBe(others.length);
    db.close();
  });
});
