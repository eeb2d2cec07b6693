/**
 * Billing: invoice entry to stored, and lot formation and sending of 10 000 invoices.
 *
 * - entry: `BillingService.createInvoice` from a carte Vitale read to the invoice committed (number
 *   reserved and committed, FSE encoded, CPS signature, invoice committed with its audit entry) on an
 *   encrypted database with `synchronous = FULL`; baseline in the same run: the irreducible part —
 *   one RSA-2048 signature of the same bytes and two fsynced commits of a row of the same size;
 * - 10 000 invoices billed over 3 organisms, the session closed into lots of 50 (lot formation),
 *   then sent through the outbox to the billing simulator in its own process over mutual TLS, and
 *   their ARLs collected; baseline in the same run: the outbox alone with no-op jobs (as
 *   bench/outbox.bench.ts), jobs per second; memory sampled every 50 ms while sending.
 *
 * The CPS key is the demo practitioner's PEM key (software RSA): with a real card the signature is
 * computed by the card (PKCS#11), which adds the card's own time. Prints a markdown section.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { ensureSharedTestPki, sharedTestPkiDir } from '../fixtures/sim/pki';
import { startBillingHarness, syntheticVitaleCards } from '../fixtures/wiring/billing';
import { createManualClock, systemClock } from '../electron/platform/clock';
import { migrate, openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { createLogger } from '../electron/platform/log';
import { Outbox, outboxSchema } from '../electron/services/outbox';

const ROOT = resolve(import.meta.dirname, '..');
const ENTRY = Number(process.env.BENCH_BILLING_ENTRY ?? 200);
const INVOICES = Number(process.env.BENCH_BILLING_INVOICES ?? 10_000);
const BASELINE_JOBS = Number(process.env.BENCH_BILLING_BASELINE_JOBS ?? 1_000);
const BASE = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'pupitre-bench-billing-'));
const G = [{ code: 'G', quantity: 1, coefficient: 1, overageCents: 0 }];

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const ms = (v: number): string => `${v.toFixed(1)} ms`;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

// A full collection on demand, to measure what stays in memory rather than garbage not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function retainedHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function sampler() {
  let peakRss = 0;
  let peakHeap = 0;
  const take = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  take();
  const timer = setInterval(take, 50);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return { peakRss, peakHeap };
    },
  };
}

async function entryLatency(pki: Awaited<ReturnType<typeof ensureSharedTestPki>>) {
  const h = await startBillingHarness({ pki, clock: createManualClock(Date.UTC(2025, 5, 13, 7)), db: { path: join(BASE, 'entry.db'), keyHex: generateKeyHex() } });
  const session = h.service.openSession({ mode: 'offline', place: 'cabinet' });
  const cards = syntheticVitaleCards(50);
  const one = async (i: number) => {
    const card = cards[i % cards.length]!;
    h.vitale.current = card;
    await h.service.createInvoice({ sessionId: session.id, source: { kind: 'vitale', cardSerial: card.serial, beneficiaryIndex: 0 }, patientId: null, lines: G, coverage: 'maladie', mode: 'direct' });
  };
  for (let i = 0; i < 20; i += 1) await one(i);
  const durations: number[] = [];
  for (let i = 0; i < ENTRY; i += 1) {
    const start = performance.now();
    await one(i);
    durations.push(performance.now() - start);
  }
  // Baseline: one signature of an FSE's bytes and two fsynced commits of a row of the same size.
  const sample = h.db.prepare('SELECT encoded, content FROM billing_invoice WHERE state = ? LIMIT 1').get('validated') as { encoded: Buffer; content: string };
  h.db.exec('CREATE TABLE bench_row (id INTEGER PRIMARY KEY, content TEXT, encoded BLOB, signature BLOB)');
  const insert = h.db.prepare('INSERT INTO bench_row (content, encoded, signature) VALUES (?, ?, ?)');
  const signer = h.card.current!.signer;
  const baseline: number[] = [];
  for (let i = 0; i < ENTRY; i += 1) {
    const start = performance.now();
    h.db.transaction(() => insert.run(null, null, null)).immediate();
    const signature = await signer.sign(sample.encoded);
    h.db.transaction(() => insert.run(sample.content, sample.encoded, Buffer.from(signature))).immediate();
    baseline.push(performance.now() - start);
  }
  await h.close();
  return { durations, baseline };
}

async function outboxBaseline(): Promise<number> {
  const db = openDatabase({ path: join(BASE, 'outbox.db'), keyHex: generateKeyHex() });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  const outbox = new Outbox({ db, clock: systemClock, logger: createLogger({ clock: systemClock, level: 'error', sink: () => undefined }), audit: () => undefined });
  outbox.register({ name: 'bench', label: 'Bench', endpoint: 'bench', payload: z.object({ n: z.number() }), concurrency: 4, attemptTimeoutMs: 10_000, timeBudgetMs: 60_000, maxAttempts: 3, run: async () => undefined });
  outbox.start();
  const start = performance.now();
  for (let n = 0; n < BASELINE_JOBS; n += 1) outbox.enqueue('bench', { idempotencyKey: `job-${n}`, payload: { n }, subject: { label: 'bench' } });
  await outbox.whenIdle();
  while (outbox.counts().find((c) => c.queue === 'bench')!.done < BASELINE_JOBS) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - start) / 1000;
  await outbox.stop(100);
  db.close();
  return BASELINE_JOBS / seconds;
}

async function startSimProcess(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/sim/billing/sim-process.ts'), JSON.stringify({ pkiDir: sharedTestPkiDir() })], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolveUrl((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`billing simulator exited (${code})`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

async function tenThousand(pki: Awaited<ReturnType<typeof ensureSharedTestPki>>) {
  const sim = await startSimProcess();
  const clock = createManualClock(Date.now());
  const h = await startBillingHarness({ pki, clock, db: { path: join(BASE, 'lots.db'), keyHex: generateKeyHex() }, simUrl: sim.url });
  const session = h.service.openSession({ mode: 'offline', place: 'cabinet' });
  const cards = syntheticVitaleCards(300);
  const billing = sampler();
  let start = performance.now();
  for (let i = 0; i < INVOICES; i += 1) {
    const card = cards[i % cards.length]!;
    h.vitale.current = card;
    await h.service.createInvoice({ sessionId: session.id, source: { kind: 'vitale', beneficiaryIndex: 0 }, patientId: null, lines: G, coverage: 'maladie', mode: i % 4 === 0 ? 'tiers-payant' : 'direct' });
  }
  const billingSeconds = (performance.now() - start) / 1000;
  const billingMemory = billing.stop();

  start = performance.now();
  const { lots } = h.service.closeSession(session.id);
  const formationMs = performance.now() - start;

  // One « Synchroniser »: every lot sent through the outbox, then the mailbox read and matched.
  const heapBefore = retainedHeap();
  const sending = sampler();
  start = performance.now();
  const result = await h.service.sync('bench', 3_600_000);
  const sendSeconds = (performance.now() - start) / 1000;
  const sendMemory = sending.stop();
  const heapAfter = retainedHeap();
  const acknowledgedBySync = h.service.lots({ state: 'acknowledged', limit: 5000 }).length;
  // The ARL of a lot sent last may come after the sync read the mailbox: collect the rest.
  start = performance.now();
  let acknowledged = acknowledgedBySync;
  while (acknowledged < lots.length) {
    await h.service.fetchReturns('bench');
    acknowledged = h.service.lots({ state: 'acknowledged', limit: 5000 }).length;
  }
  const returnsSeconds = (performance.now() - start) / 1000;
  await h.close();
  sim.stop();
  return { lots: lots.length, sent: result.sent, billingSeconds, formationMs, sendSeconds, acknowledgedBySync, returnsSeconds, billingMemory, sendMemory, heapBefore, heapAfter };
}

async function main(): Promise<void> {
  const pki = await ensureSharedTestPki();
  const loadStart = loadavg()[0] ?? 0;
  const rssStart = process.memoryUsage().rss;
  const entry = await entryLatency(pki);
  const baselineJobs = await outboxBaseline();
  const big = await tenThousand(pki);
  const loadEnd = loadavg()[0] ?? 0;
  const p50 = percentile(entry.durations, 50);
  const p95 = percentile(entry.durations, 95);
  const b50 = percentile(entry.baseline, 50);
  const b95 = percentile(entry.baseline, 95);
  const lotsPerSecond = big.sent / big.sendSeconds;
  const out = [
    '## Billing (bench/billing.bench.ts)',
    '',
    `Encrypted database (SQLCipher, WAL, \`synchronous=FULL\`), modelled FSE encoding, CPS signature with the demo practitioner's key (RSA 2048 in software). Machine load average (1 min): ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end.`,
    '',
    `Invoice entry to stored (${ENTRY} invoices after 20 warm-up; one carte Vitale read from the cache, one act):`,
    '',
    '| measure | Pupitre `createInvoice` | baseline: 1 signature + 2 fsynced commits | ratio |',
    '|---|---|---|---|',
    `| p50 (target < 50 ms) | ${ms(p50)} | ${ms(b50)} | ${(p50 / b50).toFixed(2)}× |`,
    `| p95 | ${ms(p95)} | ${ms(b95)} | ${(p95 / b95).toFixed(2)}× |`,
    `| max | ${ms(Math.max(...entry.durations))} | ${ms(Math.max(...entry.baseline))} | — |`,
    '',
    `${INVOICES} invoices over 3 organisms, lots of at most 50, sent through the outbox to the billing simulator (own process, mutual TLS, every CPS signature verified there):`,
    '',
    '| measure | value |',
    '|---|---|',
    `| billing ${INVOICES} invoices (same path as the desk, one after the other) | ${big.billingSeconds.toFixed(1)} s — ${(INVOICES / big.billingSeconds).toFixed(0)} invoices/s |`,
    `| lot formation at session close (${big.lots} lots and their outbox jobs, one transaction) | ${ms(big.formationMs)} |`,
    `| one « Synchroniser »: ${big.sent} lots sent (concurrency 2), then the mailbox read and matched | ${big.sendSeconds.toFixed(1)} s — ${lotsPerSecond.toFixed(1)} lots/s, ${(INVOICES / big.sendSeconds).toFixed(0)} invoices/s; ${big.acknowledgedBySync}/${big.lots} ARLs matched by the same sync${big.returnsSeconds > 0.05 ? `, the rest ${big.returnsSeconds.toFixed(1)} s later` : ''} |`,
    `| outbox alone, no-op jobs, same run (baseline) | ${baselineJobs.toFixed(0)} jobs/s |`,
    `| **lot jobs/s ÷ no-op jobs/s** | **${(lotsPerSecond / baselineJobs).toFixed(2)}**; invoices/s ÷ no-op jobs/s: **${(INVOICES / big.sendSeconds / baselineJobs).toFixed(1)}** (a lot job carries 50 signed invoices) |`,
    `| process RSS: start / peak while billing / peak while sending | ${mb(rssStart)} / ${mb(big.billingMemory.peakRss)} / ${mb(big.sendMemory.peakRss)} |`,
    `| JS heap peak while sending (garbage included) | ${mb(big.sendMemory.peakHeap)} |`,
    `| JS heap retained after a full collection: before sending / after sending and matching | ${mb(big.heapBefore)} / ${mb(big.heapAfter)} |`,
    '',
    'Memory stays bounded while sending: a lot is built from the database when its job runs (50 invoices at a time, at most 2 lots in flight), never the whole session in memory.',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

void main();
