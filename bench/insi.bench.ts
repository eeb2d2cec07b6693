/**
 * INSi worklist throughput and client CPU per call.
 * - Worklist: N synthetic provisional patients looked up through the outbox queue `insi.lookup`
 *   against the simulator (HTTPS, mutual TLS, demo PKI) answering after a fixed latency (150 ms).
 *   The theoretical bound is calls × latency / concurrency (every call waits the latency, C at a
 *   time); the ratio bound / measured wall time says how close the pipeline gets (target ≥ 0.9).
 * - CPU per call (no network): build the envelope + sign the assertion PS (card mode, RSA 2048 in
 *   software standing in for the card) + serialise, and parse a RESULTAT; and the same without
 *   assertion (structure certificate mode). Measured with process.cpuUsage.
 * Prints a markdown section on stdout and the figures as JSON on stderr (`--json`: JSON on stdout).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { generateSyntheticPatients } from '../fixtures/data/synthetic-patients';
import { DEMO_LPS, demoPractitionerSession, insiTransports } from '../fixtures/wiring/insi';
import { ensureSharedTestPki } from '../fixtures/sim/pki';
import { systemClock } from '../electron/platform/clock';
import { migrate, openDatabase } from '../electron/platform/db';
import { createMemoryLogger } from '../electron/platform/log';
import { serializeEnvelope, soapNs } from '../electron/platform/soap';
import { serializeXml, xmlNamespace } from '../electron/platform/xml';
import { InsiClient, InsiService, parseInsiResponse, recSansVitale, insiMigrations, INSI_NS } from '../electron/services/insi';
import { Outbox, outboxMigrations } from '../electron/services/outbox';
import { PatientsService, patientsMigrations, patientsMigrations2 } from '../electron/services/patients';

const N = Number(process.env.BENCH_INSI_PATIENTS ?? 200);
const LATENCY_MS = Number(process.env.BENCH_INSI_LATENCY ?? 150);
const CONCURRENCY = Number(process.env.BENCH_INSI_CONCURRENCY ?? 8);
const CPU_CALLS = Number(process.env.BENCH_INSI_CPU_CALLS ?? 200);
const asJson = process.argv.includes('--json');

const pki = await ensureSharedTestPki();
// The simulator runs in its own process, like the remote service: its CPU is not the client's.
const simProcess = spawn(process.execPath, ['--import', 'tsx', 'fixtures/sim/insi/standalone.ts'], {
  env: { ...process.env, INSI_SIM_LATENCY_MS: String(LATENCY_MS), INSI_SIM_SYNTHESIZE: '1' },
  stdio: ['pipe', 'pipe', 'inherit'],
});
const simUrl = await new Promise<string>((resolve, reject) => {
  let buffer = '';
  simProcess.stdout.on('data', (chunk) => {
    buffer += String(chunk);
    const line = buffer.split('\n').find((l) => l.startsWith('{'));
    if (line) resolve((JSON.parse(line) as { url: string }).url);
  });
  simProcess.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
});
const transports = insiTransports(pki);
const client = new InsiClient({ transport: (mode) => transports[mode], endpoint: () => simUrl, lps: () => DEMO_LPS, clock: systemClock });
let calls = 0;
const spans: Array<[number, number]> = [];
const countingClient = Object.assign(Object.create(client) as InsiClient, {
  searchByTraits: (...args: Parameters<InsiClient['searchByTraits']>) => {
    calls += 1;
    const start = performance.now();
    return client.searchByTraits(...args).finally(() => spans.push([start, performance.now()]));
  },
});
const logger = createMemoryLogger(systemClock, 'warn');

// --- worklist -------------------------------------------------------------------------------
const db = openDatabase({ path: ':memory:' });
migrate(db, [...patientsMigrations, ...patientsMigrations2, ...outboxMigrations, ...insiMigrations].map((m, i) => ({ ...m, version: i + 1 })));
const patients = new PatientsService({ db, clock: systemClock, logger, audit: () => undefined, environment: () => 'demo' });
patients.createMany(generateSyntheticPatients(N, { seed: 11 }), 'bench');
const outbox = new Outbox({ db, clock: systemClock, logger, audit: () => undefined, pollMs: 20, notifyThrottleMs: 1000 });
const insi = new InsiService({
  client: countingClient,
  patients,
  selectPatients: (selection) => patients.insiCandidates(selection),
  db,
  clock: systemClock,
  logger,
  audit: () => undefined,
  practitioner: () => null,
  structure: () => ({ emitter: '10B9990001' }),
  outbox,
  worklist: { concurrency: CONCURRENCY, requestsPerSecond: 0 },
});
outbox.start();
// Warm the TLS sessions (connection set-up is not what the worklist measures).
await Promise.all(Array.from({ length: CONCURRENCY }, () => client.searchByTraits({ birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCode: null }, { mode: 'structure', emitter: '10B9990001' })));
const callsBefore = calls;
const cpuBefore = process.cpuUsage();
const t0 = performance.now();
const started = insi.startWorklist({ kind: 'status', statuses: ['PROV'] }, 'bench');
await outbox.whenIdle('insi.lookup');
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpuBefore);
const lookups = calls - callsBefore;
const progress = insi.progress(started.worklistId);
const busyMs = spans.filter(([a]) => a >= t0).reduce((sum, [a, b]) => sum + (b - a), 0);
const meanInFlight = busyMs / elapsedMs;
const meanCallMs = busyMs / Math.max(1, spans.filter(([a]) => a >= t0).length);
const load = loadavg()[0] ?? 0;
await outbox.stop(1000);
const boundMs = (lookups * LATENCY_MS) / CONCURRENCY;
const patientBoundMs = (N * LATENCY_MS) / CONCURRENCY;

// --- CPU per call ----------------------------------------------------------------------------
const session = demoPractitionerSession(pki.practitioner);
const query = { birthName: 'TCHITCHI', givenNames: 'CATARINA', sex: 'F' as const, birthDate: '1936-06-21', birthPlaceCode: null };
const res = xmlNamespace(INSI_NS.resultat, 'ns2');
const response = serializeEnvelope({
  declare: [soapNs],
  body: res.el(
    'RESULTAT',
    res.el('CR', res.el('CodeCR', '00'), res.el('LibelleCR', 'OK')),
    res.el(
      'INDIVIDU',
      res.el('INSACTIF', res.el('IdIndividu', res.el('NumIdentifiant', '2360663220836'), res.el('Cle', '56')), res.el('OID', '1.2.250.1.213.1.4.10')),
      res.el('TIQ', res.el('NomNaissance', 'TCHITCHI'), res.el('Prenom', 'CATARINA'), res.el('ListePrenom', 'CATARINA BELLA'), res.el('Sexe', 'F'), res.el('DateNaissance', '1936-06-21'), res.el('LieuNaissance', '63220')),
    ),
  ),
});

async function cpuPerCall(mode: 'cps' | 'structure'): Promise<{ buildMs: number; parseMs: number }> {
  const credentials = mode === 'cps' ? { mode: 'cps' as const, ...session } : { mode: 'structure' as const, emitter: '10B9990001' };
  for (let i = 0; i < 20; i++) serializeXml((await client.buildEnvelope({ operation: 'traits', body: recSansVitale(query), credentials })).envelope);
  let start = process.cpuUsage();
  for (let i = 0; i < CPU_CALLS; i++) serializeXml((await client.buildEnvelope({ operation: 'traits', body: recSansVitale(query), credentials })).envelope);
  let used = process.cpuUsage(start);
  const buildMs = (used.user + used.system) / 1000 / CPU_CALLS;
  start = process.cpuUsage();
  for (let i = 0; i < CPU_CALLS; i++) parseInsiResponse(response);
  used = process.cpuUsage(start);
  return { buildMs, parseMs: (used.user + used.system) / 1000 / CPU_CALLS };
}
const cpsCpu = await cpuPerCall('cps');
const structureCpu = await cpuPerCall('structure');

simProcess.stdin.end();
transports.cps.close();
transports.structure.close();

const summary = {
  patients: N,
  latencyMs: LATENCY_MS,
  concurrency: CONCURRENCY,
  calls: lookups,
  callsPerPatient: lookups / N,
  elapsedMs,
  boundMs,
  ratio: boundMs / elapsedMs,
  patientBoundMs,
  meanInFlight,
  meanCallMs,
  loadAverage1m: load,
  results: { found: progress.found, notFound: progress.notFound, several: progress.several, error: progress.error },
  processCpuMsPerCallDuringWorklist: (cpu.user + cpu.system) / 1000 / lookups,
  cpuPerCall: { cps: cpsCpu, structure: structureCpu },
};
const f = (ms: number) => `${ms.toFixed(2)} ms`;
if (asJson) {
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} else {
  process.stderr.write(`${JSON.stringify(summary)}\n`);
  console.log(`## INSi (bench/insi.bench.ts)

Worklist over ${N} synthetic provisional patients, one outbox job each on \`insi.lookup\` (concurrency ${CONCURRENCY}, no rate limit), against the INSi simulator (own process) over HTTPS with mutual TLS (INSI-MANU) answering after ${LATENCY_MS} ms. The CNDA strategy made ${lookups} calls (${summary.callsPerPatient.toFixed(2)} per patient: « not found » costs one call per first name plus the list). Bound = calls × latency / concurrency.

| measure | value |
|---|---|
| wall time | ${(elapsedMs / 1000).toFixed(2)} s |
| theoretical bound (calls × latency / concurrency) | ${(boundMs / 1000).toFixed(2)} s |
| **ratio bound / measured (target ≥ 0.9)** | **${summary.ratio.toFixed(3)}** |
| N × latency / concurrency (one call per patient) | ${(patientBoundMs / 1000).toFixed(2)} s |
| pipeline occupancy: mean calls in flight / concurrency | ${meanInFlight.toFixed(2)} / ${CONCURRENCY} = ${(meanInFlight / CONCURRENCY).toFixed(3)} |
| mean call duration seen by the client (latency ${LATENCY_MS} ms + TLS, XML, scheduling) | ${f(meanCallMs)} |
| machine load average (1 min) during the run | ${load.toFixed(1)} |
| results | ${progress.found} found, ${progress.notFound} not found, ${progress.several} several, ${progress.error} errors |
| client process CPU per call during the worklist (INSi client, outbox, patient base, TLS) | ${f(summary.processCpuMsPerCallDuringWorklist)} |

Client CPU per INSi call, no network (${CPU_CALLS} calls):

| mode | build + sign + serialise | parse RESULTAT | total |
|---|---|---|---|
| card (assertion PS signed, RSA 2048 in software) | ${f(cpsCpu.buildMs)} | ${f(cpsCpu.parseMs)} | ${f(cpsCpu.buildMs + cpsCpu.parseMs)} |
| structure certificate (mutual TLS, no assertion) | ${f(structureCpu.buildMs)} | ${f(structureCpu.parseMs)} | ${f(structureCpu.buildMs + structureCpu.parseMs)} |

The ratio is the product of the pipeline occupancy (how well the outbox keeps ${CONCURRENCY} calls in flight) and latency / mean call duration (the per-call overhead on this machine: both processes share ${'`'}${load.toFixed(1)}${'`'} of load on its cores). With a real CPS the RSA signature is computed by the card, not in software: the assertion is signed once per call here.
`);
}
