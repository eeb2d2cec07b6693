/**
 * Issue 14, point 7: a send killed mid-request must not hold a patient's queue for the length of
 * its lease. A real child process claims a job (60 s lease) and is killed with SIGKILL while the
 * server holds its request; the next process recognises the lease of a dead process at once,
 * reconciles (the server has the job: it is not sent twice) and sends the patient's next job.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryQueue } from '../../../fixtures/testing/outbox/delivery-queue';
import { startRecordingServer, type RecordingServer } from '../../../fixtures/testing/outbox/recording-server';
import { systemClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { generateKeyHex } from '../../platform/db/key';
import { HttpClient } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema } from '.';

const WORKER = fileURLToPath(new URL('../../../fixtures/testing/outbox/crash-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const migrations = outboxSchema.map((m, i) => ({ ...m, version: i + 1 }));

let server: RecordingServer | undefined;
afterEach(async () => server?.close());

describe('leases of a dead process', () => {
  it('are recognised at restart instead of holding the patient’s jobs for the lease time', { timeout: 60_000 }, async () => {
    // The first request is processed by the server and never answered: the sender is mid-request.
    server = await startRecordingServer({ plan: (key) => (key === 'patient-1/doc-1' ? 'timeout' : 'ok') });
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-dead-worker-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    {
      const db = openDatabase({ path: dbPath, keyHex });
      migrate(db, migrations);
      const outbox = new Outbox({ db, clock: systemClock, logger: createMemoryLogger(systemClock), audit: () => undefined });
      outbox.register(deliveryQueue(new HttpClient({ allowPlainHttp: true }), server.url));
      for (const n of [1, 2]) {
        outbox.enqueue('test.delivery', { idempotencyKey: `patient-1/doc-${n}`, serialKey: 'patient-1', payload: { n }, subject: { label: `Document ${n}` } });
      }
      db.close();
    }

    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify({ dbPath, keyHex, url: server.url, worker: 'killed', leaseMs: 60_000 })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    while (!server.received.has('patient-1/doc-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(server.received.get('patient-1/doc-1')).toBe(1);
    child.kill('SIGKILL');
    await exited;

    const db = openDatabase({ path: dbPath, keyHex });
    const outbox = new Outbox({ db, clock: systemClock, logger: createMemoryLogger(systemClock), audit: () => undefined, workerId: 'restarted' });
    outbox.register(deliveryQueue(new HttpClient({ allowPlainHttp: true }), server.url));
    try {
      const started = Date.now();
      await outbox.syncNow();
      // Well under the 60 s lease: the dead process's lease was released, not waited out.
      expect(Date.now() - started).toBeLessThan(10_000);
      const jobs = outbox.list({ queue: 'test.delivery' });
      expect(jobs.map((j) => [j.idempotencyKey, j.status])).toEqual([
        ['patient-1/doc-2', 'done'],
        ['patient-1/doc-1', 'done'],
      ]);
      // The killed attempt had reached the server: reconcile found it, nothing was sent twice.
      expect(server.received.get('patient-1/doc-1')).toBe(1);
      expect(server.received.get('patient-1/doc-2')).toBe(1);
      const first = jobs.find((j) => j.idempotencyKey === 'patient-1/doc-1');
      expect(outbox.attempts(first?.id ?? '').map((a) => [a.worker, a.outcome])).toEqual([
        ['killed', 'interrupted'],
        ['restarted', 'reconciled'],
      ]);
      expect(outbox.unsent()).toEqual({ total: 0, jobs: [] });
    } finally {
      await outbox.stop(1_000);
      db.close();
    }
  });

  it('keeps the lease of a live process, and says so', { timeout: 60_000 }, async () => {
    server = await startRecordingServer({ plan: (key) => (key === 'patient-1/doc-1' ? 'timeout' : 'ok') });
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-live-worker-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    {
      const db = openDatabase({ path: dbPath, keyHex });
      migrate(db, migrations);
      const outbox = new Outbox({ db, clock: systemClock, logger: createMemoryLogger(systemClock), audit: () => undefined });
      outbox.register(deliveryQueue(new HttpClient({ allowPlainHttp: true }), server.url, { attemptTimeoutMs: 60_000 }));
      outbox.enqueue('test.delivery', { idempotencyKey: 'patient-1/doc-1', serialKey: 'patient-1', payload: { n: 1 }, subject: { label: 'Document 1' } });
      db.close();
    }
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify({ dbPath, keyHex, url: server.url, worker: 'alive', leaseMs: 60_000 })], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const deadline = Date.now() + 30_000;
      while (!server.received.has('patient-1/doc-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const db = openDatabase({ path: dbPath, keyHex });
      const outbox = new Outbox({ db, clock: systemClock, logger: createMemoryLogger(systemClock), audit: () => undefined, workerId: 'second' });
      outbox.register(deliveryQueue(new HttpClient({ allowPlainHttp: true }), server.url));
      try {
        await outbox.syncNow();
        expect(server.received.get('patient-1/doc-1')).toBe(1);
        const unsent = outbox.unsent();
        expect(unsent.total).toBe(1);
        expect(unsent.jobs[0]).toMatchObject({ reason: 'running-elsewhere', job: { idempotencyKey: 'patient-1/doc-1', status: 'running' } });
      } finally {
        await outbox.stop(1_000);
        db.close();
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
