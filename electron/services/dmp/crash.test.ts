/**
 * "Exactly one document in the registry after kill -9 of the host during the send". A child host
 * (fixtures/testing/dmp/crash-child.ts) queues a PDF and sends it; it is killed with SIGKILL while
 * its ITI-41 is at a known point of the simulator; a new host on the same database takes the job
 * over once the lease expires and first asks the DMP (TD3.1 GetDocuments by uniqueId):
 * - killed before the registry commit: the search finds nothing, the document is sent once;
 * - killed after the registry commit: the search finds it, nothing is sent again;
 * - then kills at seeded random moments: whichever branch each falls in, one document in the end.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, sharedTestPkiDir, type DemoPki } from '../../../fixtures/sim/pki';
import { CRASH_PATIENT, demoDmpPractitioner, demoDmpSettings, type DmpHarness, migrateForDmp, startDmpHarness } from '../../../fixtures/wiring/dmp';
import { createManualClock } from '../../platform/clock';
import { generateKeyHex } from '../../platform/db/key';
import { openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { Outbox } from '../outbox';
import { DMP_ACTIONS } from './codes';
import { DmpService } from './service';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

interface Killed {
  uniqueId: string;
  jobId: string;
  dbPath: string;
  keyHex: string;
  start: number;
}

describe('sending survives kill -9 of the host', () => {
  let pki: DemoPki;
  let harness: DmpHarness;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    harness = await startDmpHarness(pki);
  });
  afterAll(async () => {
    await harness.close();
  });

  /** Starts the child host; `killWhen` resolves when it must die. */
  async function sendAndKill(killWhen: () => Promise<void>): Promise<Killed> {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-dmp-crash-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    const start = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/testing/dmp/crash-child.ts'), JSON.stringify({ dbPath, keyHex, simUrl: harness.sim.url, pkiDir: sharedTestPkiDir(), now: start })], {
      // One process (`--import tsx`, not the tsx CLI, which runs the script in a grandchild): SIGKILL hits the host itself.
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    await Promise.race([killWhen(), exited.then(() => Promise.reject(new Error(`the child host ended before its kill point: ${out}`)))]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toContain('finished');
    const queued = JSON.parse(out.split('\n')[0] ?? '{}') as { queued: string; jobId: string };
    expect(queued.queued).toMatch(/^2\.25\./);
    return { uniqueId: queued.queued, jobId: queued.jobId, dbPath, keyHex, start };
  }

  /** A new host on the dead one's database takes the job over; returns the ITI-41/ITI-18 it sent. */
  async function takeOver(killed: Killed): Promise<{ actions: string[] }> {
    const clock = createManualClock(killed.start);
    const db = openDatabase({ path: killed.dbPath, keyHex: killed.keyHex });
    migrateForDmp(db, { outbox: true });
    const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, leaseMs: 2_000 });
    const service = new DmpService({
      db,
      clock,
      logger: createMemoryLogger(clock),
      audit: () => undefined,
      http: (c) => harness.transports[c],
      practitioner: () => demoDmpPractitioner(pki),
      patient: () => CRASH_PATIENT,
      settings: () => demoDmpSettings(harness.sim.url),
      outbox,
      contentFolder: join(dirname(killed.dbPath), 'dmp-envois'),
    });
    try {
      expect(outbox.get(killed.jobId)?.status).toBe('running');
      const seen = harness.sim.requests.length;
      clock.advance(5_000); // the dead host's lease expires
      await outbox.syncNow();
      expect(outbox.get(killed.jobId)?.status).toBe('done');
      expect(service.sendings(CRASH_PATIENT.id)[0]?.state).toBe('sent');
      return { actions: harness.sim.requests.slice(seen).map((r) => r.action) };
    } finally {
      db.close();
    }
  }

  const reconcileThenSend = [DMP_ACTIONS.iti18, DMP_ACTIONS.iti41];

  it('killed before the registry commit: the next host finds nothing by uniqueId and sends the document once', async () => {
    const pause = harness.sim.pauseNextSubmission('before-commit');
    const killed = await sendAndKill(() => pause.reached);
    await pause.clientGone;
    pause.release();
    await expect.poll(() => harness.sim.requests.at(-1)?.fault).toBe('client-gone-before-commit');
    expect(harness.sim.registry.countUniqueId(killed.uniqueId)).toBe(0);

    const { actions } = await takeOver(killed);
    expect(actions).toEqual(reconcileThenSend);
    expect(harness.sim.registry.countUniqueId(killed.uniqueId)).toBe(1);
  }, 90_000);

  it('killed after the registry commit: the next host finds the document by uniqueId and does not send it again', async () => {
    const pause = harness.sim.pauseNextSubmission('after-commit');
    const killed = await sendAndKill(() => pause.reached);
    await pause.clientGone;
    pause.release();
    expect(harness.sim.registry.countUniqueId(killed.uniqueId)).toBe(1);

    const { actions } = await takeOver(killed);
    expect(actions).toEqual([DMP_ACTIONS.iti18]);
    expect(harness.sim.registry.countUniqueId(killed.uniqueId)).toBe(1);
  }, 90_000);

  it('killed at seeded random moments of the send: one document in the registry each time', async () => {
    // The simulator answers 1.2 s after a request arrives: a kill up to 1.1 s later lands while the
    // request body is still being read, or after it was read (the simulator then commits anyway).
    const delays = fc.sample(fc.integer({ min: 0, max: 1_100 }), { seed: 16, numRuns: 3 });
    harness.sim.setLatency(1_200);
    try {
      for (const delay of delays) {
        const seen = harness.sim.requests.length;
        const killed = await sendAndKill(async () => {
          const deadline = Date.now() + 30_000;
          while (!harness.sim.requests.slice(seen).some((r) => r.action === '' || r.action === DMP_ACTIONS.iti41) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          await new Promise((r) => setTimeout(r, delay));
        });
        await new Promise((r) => setTimeout(r, 1_500)); // what the simulator holds ends either way
        const afterCrash = harness.sim.registry.countUniqueId(killed.uniqueId);
        const { actions } = await takeOver(killed);
        expect(actions, `kill after ${delay} ms`).toEqual(afterCrash === 1 ? [DMP_ACTIONS.iti18] : reconcileThenSend);
        expect(harness.sim.registry.countUniqueId(killed.uniqueId), `kill after ${delay} ms`).toBe(1);
      }
    } finally {
      harness.sim.setLatency(0);
    }
  }, 180_000);
});
