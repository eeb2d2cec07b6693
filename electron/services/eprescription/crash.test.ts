/**
 * Exactly once, through outages and crashes (ARCHITECTURE.md §5): a prescription written and a
 * dispensation recorded while the base e-prescription is down, the host killed with SIGKILL in
 * between, are registered exactly once when the base is back; and a host killed while the base
 * holds its request does not send it twice (the next host asks the base first). The child host is
 * fixtures/testing/eprescription/crash-child.ts; the simulator runs in this process.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_LINES, CRASH_PATIENT, crashSession, type CrashChildArgs } from '../../../fixtures/testing/eprescription/crash-data';
import { startErxHarness, type ErxHarness } from '../../../fixtures/wiring/eprescription';
import { ensureSharedTestPki, sharedTestPkiDir, type DemoPki } from '../../../fixtures/sim/pki';
import { createManualClock, type ManualClock } from '../../platform/clock';
import { generateKeyHex } from '../../platform/db/key';
import { migrate, openDatabase, type Db } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import { Outbox, outboxSchema } from '../outbox';
import { eprescriptionMigrations } from './schema';
import { createEprescriptionService, type EprescriptionService } from './service';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const START = Date.UTC(2026, 10, 30, 10, 0, 0);

interface Host {
  db: Db;
  clock: ManualClock;
  outbox: Outbox;
  service: EprescriptionService;
  audit: AuditInput[];
}

function host(harness: ErxHarness, pki: DemoPki, dbPath: string, keyHex: string, who: 'gp' | 'pharmacist'): Host {
  const clock = createManualClock(START);
  const db = openDatabase({ path: dbPath, keyHex });
  migrate(db, [...outboxSchema, ...eprescriptionMigrations].map((m, i) => ({ version: i + 1, name: m.name, up: m.up })));
  const logger = createMemoryLogger(clock);
  const audit: AuditInput[] = [];
  const outbox = new Outbox({ db, clock, logger, audit: () => undefined, leaseMs: 2_000 });
  const service = createEprescriptionService({
    db,
    clock,
    logger,
    audit: (entry) => void audit.push(entry),
    environment: () => 'demo',
    outbox,
    base: () => harness.base,
    session: () => (who === 'gp' ? crashSession(pki.practitioner, false) : crashSession(pki.pharmacist, true)),
    settings: () => ({ amNumber: '751234567', address: '12 rue des Lilas\n75020 Paris', phone: '', lpsOid: '1.2.250.1.999.42' }),
    patients: { get: () => ({ ...CRASH_PATIENT, qualified: true }), findQualifiedByIns: () => null },
  });
  return { db, clock, outbox, service, audit };
}

/** Runs the child host until it has tried to send, then kills it with SIGKILL. */
async function runAndKill(args: CrashChildArgs, until: 'attempted' | 'in-flight', harness: ErxHarness): Promise<{ queued: string; jobId: string }> {
  const sent = (): number => harness.sim.requests.filter((r) => r.operation !== 'probe').length;
  const seen = sent();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/testing/eprescription/crash-child.ts'), JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  const deadline = Date.now() + 60_000;
  if (until === 'attempted') while (!out.includes('"attempted"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  else {
    // The simulator holds the child's request (latency): kill it mid-flight.
    while (sent() === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
  }
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  return JSON.parse(out.split('\n')[0] ?? '{}') as { queued: string; jobId: string };
}

describe('the ordonnance numérique survives outages and kill -9 of the host', () => {
  let pki: DemoPki;
  let harness: ErxHarness;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    harness = await startErxHarness(pki, createManualClock(START));
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a prescription written while the base is down is registered exactly once after the host was killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-erx-crash-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    await harness.sim.setMode('down');
    const { queued: number, jobId } = await runAndKill({ dbPath, keyHex, simUrl: harness.sim.url, pkiDir: sharedTestPkiDir(), now: START, action: 'prescribe' }, 'attempted', harness);
    expect(number).toMatch(/^[0-9A-Z]{18}$/);
    expect(harness.sim.prescriptions.has(number)).toBe(false);

    await harness.sim.setMode('up');
    const next = host(harness, pki, dbPath, keyHex, 'gp');
    next.clock.advance(60 * 60_000);
    await next.outbox.syncNow();
    expect(next.outbox.get(jobId)?.status).toBe('done');
    expect(next.service.get(number, 'dr').registration.state).toBe('done');
    expect(harness.sim.prescriptions.get(number)?.prescriber).toBe(pki.practitioner.holder.idNat);
    expect(harness.sim.requests.filter((r) => r.operation === 'register' && r.number === number && r.fault === null)).toHaveLength(1);
    next.db.close();
  }, 120_000);

  it('a host killed while the base holds its registration does not register it twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-erx-crash-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    harness.sim.setLatency(3_000);
    const { queued: number, jobId } = await runAndKill({ dbPath, keyHex, simUrl: harness.sim.url, pkiDir: sharedTestPkiDir(), now: START, action: 'prescribe' }, 'in-flight', harness);
    // The simulator finishes the request it holds (it commits although the client is gone).
    await new Promise((r) => setTimeout(r, 3_500));
    harness.sim.setLatency(0);
    expect(harness.sim.prescriptions.has(number)).toBe(true);

    const next = host(harness, pki, dbPath, keyHex, 'gp');
    expect(next.outbox.get(jobId)?.status).toBe('running');
    next.clock.advance(5_000); // the killed host's lease expires: an unknown outcome, reconciled first
    await next.outbox.syncNow();
    expect(next.outbox.get(jobId)?.status).toBe('done');
    expect(harness.sim.requests.filter((r) => r.operation === 'register' && r.number === number)).toHaveLength(1);
    expect(harness.sim.requests.some((r) => r.operation === 'status' && r.number === number)).toBe(true);
    // The killed host never committed the registration's entry: the reconciliation writes it.
    expect(next.audit.filter((a) => a.action === 'eprescription.register').map((a) => a.details.outcome)).toEqual(['found-after-interruption']);
    next.db.close();
  }, 120_000);

  it('a dispensation recorded while the base is down is executed exactly once after the host was killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-erx-crash-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    // The prescription exists in the base; the pharmacist fetched it on this desk earlier.
    const gp = host(harness, pki, join(dir, 'cabinet.db'), generateKeyHex(), 'gp');
    const { number } = await gp.service.prescribe({ patientId: CRASH_PATIENT.id, lines: CRASH_LINES, consent: 'OUI' }, 'dr');
    await gp.outbox.syncNow();
    gp.db.close();
    const pharmacy = host(harness, pki, dbPath, keyHex, 'pharmacist');
    const opened = await pharmacy.service.openDispensation({ number }, 'ph');
    pharmacy.db.close();

    await harness.sim.setMode('down');
    const { queued: dispensationId, jobId } = await runAndKill(
      { dbPath, keyHex, simUrl: harness.sim.url, pkiDir: sharedTestPkiDir(), now: START, action: 'dispense', number, lineIds: opened.lines.map((l) => l.id) },
      'attempted',
      harness,
    );
    expect(harness.sim.prescriptions.get(number)?.executions).toHaveLength(0);

    await harness.sim.setMode('up');
    const next = host(harness, pki, dbPath, keyHex, 'pharmacist');
    next.clock.advance(60 * 60_000);
    await next.outbox.syncNow();
    expect(next.outbox.get(jobId)?.status).toBe('done');
    expect(harness.sim.prescriptions.get(number)?.executions.map((e) => e.id)).toEqual([dispensationId]);
    const view = await next.service.openDispensation({ number }, 'ph');
    expect(view.status).toBe('dispensée');
    expect(view.dispensations).toHaveLength(1);
    // Sending again changes nothing: the base knows the execution by its id.
    await next.outbox.syncNow();
    expect(harness.sim.requests.filter((r) => r.operation === 'execute' && r.number === number && r.fault === null)).toHaveLength(1);
    next.db.close();
  }, 120_000);
});
