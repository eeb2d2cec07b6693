/**
 * Nothing lost, nothing twice, across kill -9 of the host:
 * - invoice numbers stay strictly increasing per practitioner and are never given twice when the
 *   host is killed at random moments while billing;
 * - an offline session of 50 invoices over a weekend, synchronised on Monday, ends with exactly 50
 *   invoices acknowledged and none counted twice by the caisse, even when the host is killed while
 *   the simulator holds a lot.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBillingSimulator, type BillingSimulator } from '../../../fixtures/sim/billing';
import { ensureSharedTestPki, sharedTestPkiDir, type DemoPki } from '../../../fixtures/sim/pki';
import { startBillingHarness, syntheticVitaleCards } from '../../../fixtures/wiring/billing';
import { createManualClock } from '../../platform/clock';
import { generateKeyHex } from '../../platform/db/key';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const MINUTE = 60_000;
const DAY = 86_400_000;

interface Child {
  lines: Array<Record<string, unknown>>;
  kill(): Promise<NodeJS.Signals | null>;
  exited: Promise<NodeJS.Signals | null>;
}

function spawnChild(script: string, args: Record<string, unknown>): Child {
  // `--import tsx` (one process): SIGKILL hits the host itself, not a wrapper.
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, script), JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let index;
    while ((index = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  return {
    lines,
    exited,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
});

describe('invoice numbering across kill -9', () => {
  it('stays strictly increasing and never gives a number twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-billing-numbers-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();
    const start = Date.UTC(2025, 5, 13, 7, 0, 0);
    const printedPerRun: number[][] = [];
    for (let run = 0; run < 5; run += 1) {
      const child = spawnChild('fixtures/testing/billing/numbering-child.ts', { dbPath, keyHex, pkiDir: sharedTestPkiDir(), now: start + run * 10 * MINUTE });
      const target = 3 + Math.floor(Math.random() * 6);
      await until(() => child.lines.filter((l) => 'number' in l).length >= target);
      // Land anywhere: between reservation and signature, inside a commit, between invoices.
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 25)));
      expect(await child.kill()).toBe('SIGKILL');
      printedPerRun.push(child.lines.filter((l) => 'number' in l).map((l) => l.number as number));
    }
    // A last restart abandons what the last kill left reserved.
    const h = await startBillingHarness({ pki, clock: createManualClock(start + 60 * MINUTE), db: { path: dbPath, keyHex } });
    h.service.followUp('dr');
    const rows = h.db.prepare('SELECT number, state FROM billing_invoice ORDER BY rowid').all() as Array<{ number: number; state: string }>;
    const counter = (h.db.prepare(`SELECT last FROM billing_counter WHERE kind = 'invoice'`).get() as { last: number }).last;
    // The session opened by the first run survived every kill and was reused.
    const sessions = h.service.sessions();
    await h.close();

    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ status: 'open', invoiceCount: rows.filter((r) => r.state === 'validated').length });
    const numbers = rows.map((r) => r.number);
    for (let i = 1; i < numbers.length; i += 1) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]!);
    expect(counter).toBe(Math.max(...numbers));
    expect(rows.filter((r) => r.state === 'reserved')).toEqual([]);
    const validated = new Set(rows.filter((r) => r.state === 'validated').map((r) => r.number));
    const printed = printedPerRun.flat();
    expect(new Set(printed).size).toBe(printed.length);
    for (const n of printed) expect(validated.has(n)).toBe(true);
    for (let run = 1; run < printedPerRun.length; run += 1) {
      const previous = printedPerRun.slice(0, run).flat();
      for (const n of printedPerRun[run]!) expect(n).toBeGreaterThan(Math.max(...previous));
    }
    // At most one invoice per kill can be committed without having been printed.
    expect(validated.size - printed.length).toBeLessThanOrEqual(printedPerRun.length);
  }, 180_000);
});

describe('an offline weekend synchronised on Monday', () => {
  let sim: BillingSimulator;
  const clock = createManualClock(Date.UTC(2025, 5, 13, 15, 0, 0)); // Friday 13 June 2025, 17:00 in Paris

  beforeAll(async () => {
    sim = await startBillingSimulator({ pki, now: () => clock.now(), arlDelayMs: 30 * MINUTE });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('gives exactly 50 invoices acknowledged, none counted twice, with the host killed during the sync', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-billing-weekend-'));
    const dbPath = join(dir, 'pupitre.db');
    const keyHex = generateKeyHex();

    // Friday evening to Sunday: a GP on home visits, the network down all weekend.
    await sim.setDown(true);
    const weekend = await startBillingHarness({ pki, clock, db: { path: dbPath, keyHex }, sim, lotSize: 10 });
    const session = weekend.service.openSession({ mode: 'offline', place: 'domicile' });
    const cards = syntheticVitaleCards(50);
    for (const [i, card] of cards.entries()) {
      if (i === 20 || i === 40) clock.advance(DAY); // Saturday, then Sunday
      weekend.vitale.current = card;
      await weekend.service.createInvoice({
        sessionId: session.id,
        source: { kind: 'vitale', cardSerial: card.serial, beneficiaryIndex: 0 },
        patientId: null,
        lines: [{ code: 'VG', quantity: 1, coefficient: 1, overageCents: 0 }, { code: 'MD', quantity: 1, coefficient: 1, overageCents: 0 }],
        coverage: 'maladie',
        mode: i % 5 === 0 ? 'tiers-payant' : 'direct',
      });
    }
    const { lots } = weekend.service.closeSession(session.id);
    expect(lots.reduce((n, l) => n + l.invoiceCount, 0)).toBe(50);
    expect(new Set(lots.map((l) => l.organism.caisse))).toEqual(new Set(['751', '931', '691']));
    expect((await weekend.service.sync('dr', 2_000)).sent).toBe(0);
    await weekend.close();

    // Monday 09:00: the network is back; the host is killed while the simulator holds a lot.
    clock.set(Date.UTC(2025, 5, 16, 7, 0, 0));
    await sim.setDown(false);
    sim.setLatency(1_500);
    const child = spawnChild('fixtures/testing/billing/sync-child.ts', { dbPath, keyHex, pkiDir: sharedTestPkiDir(), now: clock.now(), simUrl: sim.url });
    await until(() => sim.inFlight('lots') > 0);
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 2_000)));
    expect(await child.kill()).toBe('SIGKILL');
    expect(child.lines.some((l) => l.finished === true)).toBe(false);
    // Let the simulator finish what it holds (it keeps a lot even if the client is gone).
    await until(() => sim.inFlight() === 0, 10_000);
    sim.setLatency(0);

    // A new host on the same database takes over once the dead host's leases expire.
    clock.advance(5 * MINUTE);
    const monday = await startBillingHarness({ pki, clock, db: { path: dbPath, keyHex }, sim, lotSize: 10 });
    // The killed host held at least one lot job under a lease: its outcome is unknown.
    expect(monday.outbox.list({ queue: 'billing.lot', status: 'running' }).length).toBeGreaterThan(0);
    await monday.service.sync('dr');
    clock.advance(31 * MINUTE); // ARLs come back after 30 minutes
    await monday.service.sync('dr');
    const acknowledged = monday.service.lots();
    expect(acknowledged.map((l) => l.state)).toEqual(acknowledged.map(() => 'acknowledged'));
    const invoices = monday.service.invoices({ sessionId: session.id, limit: 100 }, 'dr');
    expect(invoices).toHaveLength(50);
    expect(invoices.every((i) => i.status === 'accepted' || i.status === 'paid')).toBe(true);
    expect(invoices.filter((i) => i.status === 'paid')).toHaveLength(10);
    const accepted = sim.acceptedInvoices();
    expect(accepted.size).toBe(50);
    expect([...accepted.values()].every((n) => n === 1)).toBe(true);
    // 50 invoices over 3 organisms, at most 10 per lot: 6 lots, each emission received once, none re-sent.
    expect(acknowledged).toHaveLength(6);
    expect(sim.lotsReceived()).toBe(6);
    expect(sim.duplicatesIgnored()).toBe(0);
    // Weekend deadlines: Friday's direct-payment care is due Wednesday 18; all met on Monday.
    expect(invoices.every((i) => i.deadline.state === 'met')).toBe(true);
    expect(monday.outbox.list({ queue: 'billing.lot', status: 'dead' })).toEqual([]);
    await monday.close();
  }, 180_000);
});
