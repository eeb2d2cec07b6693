/**
 * "Exactly one document in the registry after kill -9 of the host during the send": a child host
 * is killed while the simulator holds its ITI-41 request; a new host on the same database takes
 * the job over once the lease expires, asks the DMP (search by uniqueId) and does not resend.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_PATIENT, DEMO_DMP_LPS, DEMO_LPS_OID, demoDmpPractitioner, startDmpHarness, type DmpHarness } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, sharedTestPkiDir, type DemoPki } from '../../../fixtures/sim/pki';
import { createManualClock } from '../../platform/clock';
import { generateKeyHex } from '../../platform/db/key';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxMigrations } from '../outbox';
import { dmpMigrations } from './schema';
import { DmpService } from './service';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

describe('sending survives kill -9 of the host', () => {
  let pki: DemoPki;
  let harness: DmpHarness;
  const start = Date.UTC(2026, 10, 30, 10, 0, 0);

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    harness = await startDmpHarness(pki, { now: () => Date.now() });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('leaves exactly one document in the registry and the job done', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-dmp-crash-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    harness.sim.setLatency(4_000);
    const seen = harness.sim.requests.length;
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/sim/dmp/crash-child.ts'), JSON.stringify({ dbPath, keyHex, simUrl: harness.sim.url, pkiDir: sharedTestPkiDir(), now: start })], {
      // One process (`--import tsx`, not the tsx CLI, which runs the script in a grandchild): SIGKILL hits the host itself.
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
    // The child's first request is its ITI-41: wait until the simulator holds it (latency), then kill.
    const deadline = Date.now() + 30_000;
    while (harness.sim.requests.length === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const queued = JSON.parse(out.split('\n')[0] ?? '{}') as { queued: string; jobId: string };
    expect(queued.queued).toMatch(/^2\.25\./);
    expect(out).not.toContain('finished');
    // Let the simulator finish the request it holds (it commits even though the client is gone).
    await new Promise((r) => setTimeout(r, 4_500));
    harness.sim.setLatency(0);
    const afterCrash = harness.sim.registry.countUniqueId(queued.queued);

    // A new host on the same database.
    const clock = createManualClock(start);
    const db = openDatabase({ path: dbPath, keyHex });
    migrate(db, [...outboxMigrations, ...dmpMigrations].map((m, i) => ({ version: i + 1, name: m.name, up: m.up })));
    const logger = createMemoryLogger(clock);
    const outbox = new Outbox({ db, clock, logger, audit: () => undefined, leaseMs: 2_000 });
    const service = new DmpService({
      db,
      clock,
      logger,
      audit: () => undefined,
      http: (c) => harness.transports[c],
      practitioner: () => demoDmpPractitioner(pki),
      patient: () => CRASH_PATIENT,
      settings: () => ({ endpoint: harness.sim.url, lps: DEMO_DMP_LPS, lpsOid: DEMO_LPS_OID, preferredTypeCodes: [], indirectSending: false }),
      outbox,
    });
    expect(outbox.get(queued.jobId)?.status).toBe('running');
    clock.advance(5_000); // the dead host's lease expires
    await outbox.syncNow();
    const job = outbox.get(queued.jobId)!;
    expect(job.status).toBe('done');
    expect(service.sendings(CRASH_PATIENT.id)[0]?.state).toBe('sent');
    expect(harness.sim.registry.countUniqueId(queued.queued)).toBe(1);
    // Whether the killed attempt had committed or not, nothing was registered twice.
    expect(afterCrash).toBeLessThanOrEqual(1);
    db.close();
  }, 90_000);
});
