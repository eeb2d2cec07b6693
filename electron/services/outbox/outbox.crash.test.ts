/**
 * Crash test (issue 4): a child process drains a queue of 400 jobs against a loopback server that
 * records what it receives; the test kills it with SIGKILL at random moments (≥ 20 times) and
 * restarts it until the queue drains. Every job must reach the server exactly once, in order per
 * serialisation key, and the database must pass `PRAGMA integrity_check`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryQueue } from '../../../fixtures/testing/outbox/delivery-queue';
import { startRecordingServer, type RecordingServer } from '../../../fixtures/testing/outbox/recording-server';
import { systemClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { generateKeyHex } from '../../platform/db/key';
import { HttpClient } from '../../platform/http';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema } from '.';

const JOBS = 400;
const SERIAL_KEYS = 25;
const KILLS = 24;
const WORKER = fileURLToPath(new URL('../../../fixtures/testing/outbox/crash-worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// Bundled once so that each restart costs a Node start-up, not a TypeScript compilation; kept under
// node_modules so that the native addon resolves from there.
const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'pupitre-outbox-crash');
const BUNDLE = join(BUNDLE_DIR, 'crash-worker.mjs');

/** mulberry32: a seeded generator so that a failing run can be replayed with its seed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const migrations = outboxSchema.map((m, i) => ({ ...m, version: i + 1 }));

describe('outbox crash test', () => {
  let server: RecordingServer | undefined;
  afterAll(async () => server?.close());
  beforeAll(async () => {
    mkdirSync(BUNDLE_DIR, { recursive: true });
    await build({
      entryPoints: [WORKER],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: BUNDLE,
      external: ['better-sqlite3-multiple-ciphers'],
      logLevel: 'error',
    });
  });

  it('delivers every job exactly once across random SIGKILLs, and the database stays intact', { timeout: 300_000 }, async () => {
    const seed = Number(process.env.OUTBOX_CRASH_SEED ?? Date.now() % 2 ** 31);
    const random = seeded(seed);
    server = await startRecordingServer({ delayMs: () => 5 + Math.floor(random() * 40) });
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-outbox-crash-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();

    // The jobs exist before the first worker starts (enqueued by the app, say).
    {
      const db = openDatabase({ path: dbPath, keyHex });
      migrate(db, migrations);
      const outbox = new Outbox({ db, clock: systemClock, logger: createMemoryLogger(systemClock), audit: () => undefined });
      outbox.register(deliveryQueue(new HttpClient({ allowPlainHttp: true }), server.url));
      db.transaction(() => {
        for (let n = 0; n < JOBS; n += 1) {
          outbox.enqueue('test.delivery', { idempotencyKey: `job-${n}`, serialKey: `s${n % SERIAL_KEYS}`, payload: { n }, subject: { label: `Envoi ${n}` } });
        }
      })();
      db.close();
    }

    let kills = 0;
    let runs = 0;
    let drained = false;
    while (!drained && runs < KILLS + 20) {
      runs += 1;
      const child = spawn(
        process.execPath,
        [BUNDLE, JSON.stringify({ dbPath, keyHex, url: server.url, worker: `w${runs}`, leaseMs: 400 })],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
      });
      await Promise.race([ready, exited]);
      if (kills < KILLS) {
        // Kill after a random number of deliveries (0–12) plus a random delay (0–20 ms): moments
        // before the first claim, mid-request, between the server's processing and the commit of
        // the completion. Bounding the work per run keeps ≥ 20 kills before the queue drains.
        const target = server.received.size + Math.floor(random() * 13);
        const deadline = Date.now() + 600;
        while (server.received.size < target && Date.now() < deadline && child.exitCode === null) {
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 20)));
        if (child.exitCode === null) {
          child.kill('SIGKILL');
          kills += 1;
        }
      }
      const code = await exited;
      if (code === 0) drained = true;
      else if (code !== null) throw new Error(`worker failed (seed ${seed}, exit ${code}): ${stderr.slice(0, 2000)}`);
    }

    expect(drained, `seed ${seed}`).toBe(true);
    expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(20);

    // Exactly once: every key once, no duplicate, nothing unknown.
    const duplicates = [...server.received].filter(([, count]) => count !== 1);
    expect(duplicates, `seed ${seed}`).toEqual([]);
    expect(server.received.size).toBe(JOBS);
    for (let n = 0; n < JOBS; n += 1) expect(server.received.get(`job-${n}`)).toBe(1);

    // Order per serialisation key.
    const position = new Map(server.order.map((key, index) => [key, index]));
    for (let n = SERIAL_KEYS; n < JOBS; n += 1) {
      expect(position.get(`job-${n}`) as number, `seed ${seed}, job ${n}`).toBeGreaterThan(position.get(`job-${n - SERIAL_KEYS}`) as number);
    }

    const db = openDatabase({ path: dbPath, keyHex });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare(`SELECT status, count(*) AS n FROM outbox_job GROUP BY status`).all()).toEqual([{ status: 'done', n: JOBS }]);
      expect(db.prepare('SELECT count(*) FROM outbox_attempt_log WHERE ended_at IS NULL').pluck().get()).toBe(0);
      // Some jobs really were interrupted and reconciled: the test exercised the protocol.
      const reconciled = db.prepare(`SELECT count(*) FROM outbox_attempt_log WHERE outcome IN ('reconciled','interrupted')`).pluck().get() as number;
      expect(reconciled).toBeGreaterThan(0);
      const lastRun = db.prepare('SELECT count(*) FROM outbox_attempt_log WHERE worker = ?').pluck().get(`w${runs}`) as number;
      const savedResends = db.prepare(`SELECT count(*) FROM outbox_attempt_log WHERE outcome = 'reconciled'`).pluck().get() as number;
      console.info(
        `outbox crash test: seed ${seed}, ${kills} kills over ${runs} runs, ${reconciled} interrupted or reconciled attempts, ` +
          `${savedResends} resends avoided by reconcile, ${lastRun} attempts in the last (unkilled) run`,
      );
    } finally {
      db.close();
    }
  });
});
