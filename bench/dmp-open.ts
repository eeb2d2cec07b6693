/**
 * The DMP opening bench (bench/dmp.bench.ts), run in a child process bundled as the product ships
 * its host (esbuild, as the sending's host and simulator are): tsx's development transform wraps
 * every inner function in a naming helper the shipped code does not pay, on the client's path and
 * the simulator's alike. The simulator runs in this process, as the opening bench always did: its
 * own processing is measured per request and given beside the ratio (« without the server »).
 * Prints one JSON line: the median breakdown of the first, later and cold openings.
 */
import { rmSync } from 'node:fs';
import { createServer as createNetServer, connect as connectNet, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../electron/platform/clock';
import { DmpService, type DmpPatient } from '../electron/services/dmp';
import { startDmpSimulator } from '../fixtures/sim/dmp';
import { CRASH_PATIENT, demoDmpPractitioner, demoDmpSettings, dmpTransports } from '../fixtures/wiring/dmp';
import { ensureSharedTestPki } from '../fixtures/sim/pki';
import { deskAudit, openDeskLogger } from './desk';
import { freshDb } from './dmp-db';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LATENCY = Number(process.env.BENCH_DMP_LATENCY ?? 100);
const patient: DmpPatient = CRASH_PATIENT;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The desk's logger, shared by every service of this process (closed at the end). */
const deskLog = openDeskLogger();

/** Where the time of one opening goes (ms, summed over its exchanges), and what it cost. */
export interface OpeningBreakdown {
  total: number;
  trips: number;
  server: number;
  /** The simulator's latency as actually waited (its timer fires late on a loaded machine). */
  waited: number;
  vihf: number;
  request: number;
  exchange: number;
  parse: number;
  db: number;
  signatures: number;
  connections: number;
}

const STAGES = ['vihf', 'request', 'exchange', 'parse', 'db'] as const;

/**
 * A TCP relay that delays every chunk by `oneWayMs` in each direction, in order: with it every
 * round trip costs the latency, the TLS handshake's included (the simulator's own latency applies
 * to HTTP requests only).
 */
async function delayingRelay(targetPort: number, oneWayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const forward = (from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => void setTimeout(() => to.write(chunk), oneWayMs));
    from.on('end', () => void setTimeout(() => to.end(), oneWayMs));
    from.on('error', () => to.destroy());
  };
  const server = createNetServer((client) => {
    const upstream = connectNet(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function medianBreakdown(rows: OpeningBreakdown[]): OpeningBreakdown {
  const keys = Object.keys(rows[0] as OpeningBreakdown) as Array<keyof OpeningBreakdown>;
  return Object.fromEntries(keys.map((k) => [k, median(rows.map((r) => r[k]))])) as unknown as OpeningBreakdown;
}

export async function opening(): Promise<{ first: OpeningBreakdown; later: OpeningBreakdown; cold: OpeningBreakdown; documents: number }> {
  const pki = await ensureSharedTestPki();
  const sim = await startDmpSimulator({ pki, latencyMs: LATENCY });
  const relay = await delayingRelay(sim.port, LATENCY / 2);
  const transports = dmpTransports(pki);
  const card = demoDmpPractitioner(pki);
  // The card's signature key, counted: each VIHF signed is one signature (a card operation with a CPS).
  let signatures = 0;
  const practitioner = { ...card, signer: { sign: (data: Uint8Array) => ((signatures += 1), card.signer.sign(data)), certificateChain: () => card.signer.certificateChain() } };
  const stages: Record<(typeof STAGES)[number], number> = { vihf: 0, request: 0, exchange: 0, parse: 0, db: 0 };
  const firsts: OpeningBreakdown[] = [];
  const laters: OpeningBreakdown[] = [];
  const colds: OpeningBreakdown[] = [];
  // The transport of the opening measured (the cold one opens its own connection).
  let pool = transports.CPS;
  let documents = 0;
  const measure = async (run: () => Promise<unknown>): Promise<OpeningBreakdown> => {
    for (const k of STAGES) stages[k] = 0;
    const before = sim.requests.length;
    const signed = signatures;
    const connections = pool.stats().connections;
    const t = performance.now();
    await run();
    const total = performance.now() - t;
    const requests = sim.requests.slice(before);
    return {
      total,
      trips: requests.length,
      server: requests.reduce((sum, r) => sum + (r.serverMs ?? 0), 0),
      waited: requests.reduce((sum, r) => sum + (r.waitedMs ?? 0), 0),
      ...stages,
      signatures: signatures - signed,
      connections: pool.stats().connections - connections,
    };
  };
  try {
    for (let run = 0; run < RUNS + 1; run++) {
      const { db, dir } = freshDb();
      const clock = systemClock;
      const service = new DmpService({
        db,
        clock,
        logger: deskLog.logger,
        audit: deskAudit(db),
        http: (c) => transports[c],
        practitioner: () => practitioner,
        patient: () => patient,
        settings: () => demoDmpSettings(sim.url),
        trace: (stage, ms) => (stages[stage] += ms),
      });
      // The card's PIN was typed earlier: its connection waits in the pool (pre-warm, not timed).
      await service.prewarm(null);
      const first = await measure(async () => {
        const opened = await service.open(patient.id, {}, 'bench');
        documents = opened.documents.length;
      });
      const later = await measure(() => service.open(patient.id, {}, 'bench'));
      // For comparison: the same first opening without pre-warm nor kept-alive connection (a new
      // client: full mutual-TLS handshake), every round trip delayed by the relay instead of the
      // simulator, the handshake's included.
      const coldDb = freshDb();
      const coldTransports = dmpTransports(pki);
      pool = coldTransports.CPS;
      const coldUrl = sim.url.replace(`:${sim.port}`, `:${relay.port}`);
      const coldService = new DmpService({
        db: coldDb.db,
        clock,
        logger: deskLog.logger,
        audit: deskAudit(coldDb.db),
        http: (c) => coldTransports[c],
        practitioner: () => practitioner,
        patient: () => patient,
        settings: () => demoDmpSettings(coldUrl),
        trace: (stage, ms) => (stages[stage] += ms),
      });
      sim.setLatency(0);
      const cold = await measure(() => coldService.open(patient.id, {}, 'bench'));
      sim.setLatency(LATENCY);
      pool = transports.CPS;
      coldTransports.CPS.close();
      coldTransports.STRUCTURE.close();
      coldDb.db.close();
      rmSync(coldDb.dir, { recursive: true, force: true });
      // The first run warms up JIT.
      if (run > 0) {
        firsts.push(first);
        laters.push(later);
        colds.push(cold);
      }
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    transports.CPS.close();
    transports.STRUCTURE.close();
    await relay.close();
    await sim.close();
  }
  return { first: medianBreakdown(firsts), later: medianBreakdown(laters), cold: medianBreakdown(colds), documents };
}

const result = await opening();
deskLog.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
