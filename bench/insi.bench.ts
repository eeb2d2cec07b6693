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
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateSyntheticPatients } from '../fixtures/data/synthetic-patients';
import { DEMO_LPS, demoPractitionerSession, insiTransports } from '../fixtures/wiring/insi';
import { ensureSharedTestPki } from '../fixtures/sim/pki';
import { systemClock } from '../electron/platform/clock';
import { migrate, openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { migrations as hostMigrations } from '../electron/host/migrations';
import { serializeEnvelope, soapNs } from '../electron/platform/soap';
import { serializeElement, serializeXml, xmlNamespace } from '../electron/platform/xml';
import { ASSERTION_REUSE_MS, buildAssertionPs, InsiClient, InsiService, parseInsiResponse, recSansVitale, INSI_NS } from '../electron/services/insi';
import type { HttpTransport } from '../electron/platform/http';
import type { XmlSigner } from '../electron/platform/xml';
import { buildTlsiIns, measureTlsiIns, TLSI_INS_COMMIT, TLSI_INS_VERSION, type TlsiInsFigures } from './peers/tlsi-ins';
import { Outbox } from '../electron/services/outbox';
import { PatientsService } from '../electron/services/patients';
import { normalizeStrictTraits } from '../electron/services/identity';
import { deskAudit, openDeskLogger } from './desk';

const N = Number(process.env.BENCH_INSI_PATIENTS ?? 200);
const LATENCY_MS = Number(process.env.BENCH_INSI_LATENCY ?? 150);
const CONCURRENCY = Number(process.env.BENCH_INSI_CONCURRENCY ?? 8);
const CPU_CALLS = Number(process.env.BENCH_INSI_CPU_CALLS ?? 1000);
const NET_CALLS = Number(process.env.BENCH_INSI_NET_CALLS ?? 100);
const asJson = process.argv.includes('--json');

const pki = await ensureSharedTestPki();
// The simulator runs in its own process, like the remote service: its CPU is not the client's.
// The synthetic patients are people the national register knows, with all their first names and
// their birth place (as the real INSi answers, CNDA 2.04): the acceptance rule then attaches them.
const worklistPatients = generateSyntheticPatients(N, { seed: 11 });
const enrolFile = join(mkdtempSync(join(tmpdir(), 'bench-insi-')), 'enrol.json');
writeFileSync(
  enrolFile,
  JSON.stringify(
    worklistPatients.flatMap((p) => {
      const n = normalizeStrictTraits(p.strictTraits);
      if (!n.ok) return [];
      const t = n.traits;
      const two = (v: number | null) => String(v ?? 0).padStart(2, '0');
      return [{ birthName: t.birthName, givenNames: t.birthGivenNames.split(' '), sex: t.sex, birthDate: `${t.birthDate.year}-${two(t.birthDate.month)}-${two(t.birthDate.day)}`, birthPlaceCode: t.birthPlaceCode }];
    }),
  ),
);

function startSimProcess(latencyMs: number): Promise<{ url: string; process: ReturnType<typeof spawn> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'fixtures/sim/insi/standalone.ts'], {
    env: { ...process.env, INSI_SIM_LATENCY_MS: String(latencyMs), INSI_SIM_SYNTHESIZE: '1', INSI_SIM_ENROL: enrolFile },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += String(chunk);
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, process: child });
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}
const { url: simUrl, process: simProcess } = await startSimProcess(LATENCY_MS);
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
// The desk's logger and audit trail, in an encrypted base on disk as compose.ts wires the host.
const deskLog = openDeskLogger();
const logger = deskLog.logger;

// --- worklist -------------------------------------------------------------------------------
const db = openDatabase({ path: join(mkdtempSync(join(tmpdir(), 'bench-insi-')), 'pupitre.db'), keyHex: generateKeyHex() });
// The desk's whole schema, in the host's order: a bench never misses a step a service added.
migrate(db, hostMigrations);
const audit = deskAudit(db);
const patients = new PatientsService({ db, clock: systemClock, logger, audit, environment: () => 'demo' });
patients.createMany(worklistPatients, 'bench');
const outbox = new Outbox({ db, clock: systemClock, logger, audit, pollMs: 20, notifyThrottleMs: 1000 });
const insi = new InsiService({
  client: countingClient,
  patients,
  selectPatients: (selection) => patients.insiCandidates(selection),
  db,
  clock: systemClock,
  logger,
  audit,
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
const errorReasons = db
  .prepare("SELECT reason, count(*) AS n FROM insi_worklist_items WHERE worklist_id = ? AND status = 'error' GROUP BY reason ORDER BY n DESC")
  .all(started.worklistId) as Array<{ reason: string; n: number }>;
const busyMs = spans.filter(([a]) => a >= t0).reduce((sum, [a, b]) => sum + (b - a), 0);
const meanInFlight = busyMs / elapsedMs;
const meanCallMs = busyMs / Math.max(1, spans.filter(([a]) => a >= t0).length);
const load = loadavg()[0] ?? 0;
await outbox.stop(1000);
db.close();
deskLog.close();
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

/** Process CPU (user + system) per iteration of `run`, after a warm-up as long (the JIT's). */
async function cpuMs(run: () => Promise<unknown>, n = CPU_CALLS): Promise<number> {
  for (let i = 0; i < n; i++) await run();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

// A transport that answers at once with the RESULTAT above: the whole client runs (envelope,
// assertion, serialisation, SOAP framing, parsing), nothing of the network.
const canned: HttpTransport = {
  stream: async () => ({
    status: 200,
    headers: { 'content-type': 'application/soap+xml; charset=UTF-8' },
    body: (async function* () {
      yield Buffer.from(response, 'utf8');
    })(),
    cancel: () => undefined,
  }),
};
const offline = new InsiClient({ transport: () => canned, endpoint: () => 'https://insi.invalid/lps', lps: () => DEMO_LPS, clock: systemClock });
// The card's private-key operation, done in software here (PemSigner): timed apart, since a real
// CPS computes it on the card while the host waits.
let signCpuMs = 0;
let signCalls = 0;
const timedSigner: XmlSigner = {
  certificateChain: () => session.signer.certificateChain(),
  sign: async (data) => {
    const before = process.cpuUsage();
    const signature = await session.signer.sign(data);
    const used = process.cpuUsage(before);
    signCpuMs += (used.user + used.system) / 1000;
    signCalls += 1;
    return signature;
  },
};
const cardCredentials = { mode: 'cps' as const, holder: session.holder, signer: timedSigner };
const structureCredentials = { mode: 'structure' as const, emitter: '10B9990001' };
const ours = JSON.stringify(await offline.searchByTraits(query, structureCredentials));
if (!ours.includes('2360663220836')) throw new Error(`Pupitre did not read the answer: ${ours.slice(0, 300)}`);

// Without network.
const pupitreStructure = await cpuMs(() => offline.searchByTraits(query, structureCredentials));
const signaturesBefore = offline.assertionsSigned;
const pupitreCard = await cpuMs(() => offline.searchByTraits(query, cardCredentials));
const cardSignatures = offline.assertionsSigned - signaturesBefore;
// Stages of a card-mode call, and what signing a new assertion costs (once per card session and
// ASSERTION_REUSE_MS).
const stageBuild = await cpuMs(() => offline.buildEnvelope({ operation: 'traits', body: recSansVitale(query), credentials: cardCredentials }));
const built = await offline.buildEnvelope({ operation: 'traits', body: recSansVitale(query), credentials: cardCredentials });
const stageSerialise = await cpuMs(async () => serializeXml(built.envelope, { declaration: true }));
const stageParse = await cpuMs(async () => parseInsiResponse(response));
signCpuMs = 0;
signCalls = 0;
const newAssertion = await cpuMs(() => buildAssertionPs({ holder: session.holder, signer: timedSigner, issueInstant: new Date().toISOString() }), 50);
const newAssertionSign = signCpuMs / signCalls;

// Over HTTPS against the simulator (own process, no added latency): TLS included, as in use.
const cpuSim = await startSimProcess(0);
const cpuTransports = insiTransports(pki);
const online = new InsiClient({ transport: (mode) => cpuTransports[mode], endpoint: () => cpuSim.url, lps: () => DEMO_LPS, clock: systemClock });
const pupitreStructureOnline = await cpuMs(() => online.searchByTraits(query, structureCredentials), NET_CALLS);
const pupitreCardOnline = await cpuMs(() => online.searchByTraits(query, cardCredentials), NET_CALLS);

// --- the same calls through padoa/tlsi-ins, built from its sources at a pinned commit ----------
const peer = buildTlsiIns();
let padoa: TlsiInsFigures | { unavailable: string };
if (peer.ok) {
  padoa = await measureTlsiIns(peer.require, {
    pkcs12: readFileSync(pki.structure.insiManu.paths.pkcs12),
    passphrase: pki.pkcs12Passphrase,
    // tlsi-ins takes the assertion ready-made (signed elsewhere) and sends it with every call.
    assertionPs: serializeElement(await buildAssertionPs({ holder: session.holder, signer: session.signer, issueInstant: new Date().toISOString() })),
    response,
    lps: DEMO_LPS,
    person: { birthName: query.birthName, firstName: query.givenNames, gender: query.sex, dateOfBirth: query.birthDate },
    online: { url: cpuSim.url, ca: pki.caBundlePem },
    cpuMs: (run, n) => cpuMs(run, n),
    netCalls: NET_CALLS,
  });
} else {
  padoa = { unavailable: peer.reason };
}
cpuSim.process.stdin?.end();
cpuTransports.cps.close();
cpuTransports.structure.close();

simProcess.stdin?.end();
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
  errorReasons,
  processCpuMsPerCallDuringWorklist: (cpu.user + cpu.system) / 1000 / lookups,
  cpuPerCall: {
    pupitre: { structure: pupitreStructure, card: pupitreCard, cardSignatures, structureOnline: pupitreStructureOnline, cardOnline: pupitreCardOnline },
    stages: { envelopeWithReusedAssertion: stageBuild, serialise: stageSerialise, parse: stageParse, newAssertion, newAssertionSign },
    padoa: { commit: TLSI_INS_COMMIT, source: peer.source, ...padoa },
  },
};
const f = (ms: number) => `${ms.toFixed(2)} ms`;
function padoaTable(): string {
  const r = (a: number, b: number) => `${(a / b).toFixed(2)}`;
  const ourRows = (label: string, structure: number, card: number) => `| ${label} | structure certificate | ${f(structure)} |\n| ${label} | card | ${f(card)} |`;
  if ('unavailable' in padoa) {
    return `| conditions | mode | Pupitre |\n|---|---|---|\n${ourRows('no network', pupitreStructure, pupitreCard)}\n${ourRows('HTTPS', pupitreStructureOnline, pupitreCardOnline)}\n\npadoa/tlsi-ins not measured: ${padoa.unavailable}`;
  }
  const p = padoa;
  return `| conditions | mode | Pupitre | padoa/tlsi-ins | ratio Pupitre / tlsi-ins (target ≤ 0.33) |
|---|---|---|---|---|
| over HTTPS to the simulator (own process), ${NET_CALLS} calls in a row after as many | structure certificate, mutual TLS (tlsi-ins: \`initClientPfx\`) | ${f(pupitreStructureOnline)} | ${f(p.online.structure)} | **${r(pupitreStructureOnline, p.online.structure)}** |
| over HTTPS to the simulator (own process), ${NET_CALLS} calls in a row after as many | card, assertion PS (tlsi-ins: \`initClientCpx\`) | ${f(pupitreCardOnline)} | ${f(p.online.card)} | **${r(pupitreCardOnline, p.online.card)}** |
| no network (an in-memory transport answers at once), ${CPU_CALLS} calls after as many | structure certificate | ${f(pupitreStructure)} | ${f(p.offline.structure)} | ${r(pupitreStructure, p.offline.structure)} |
| no network, ${CPU_CALLS} calls | card | ${f(pupitreCard)} | ${f(p.offline.card)} | ${r(pupitreCard, p.offline.card)} |

Both clients found the same identity (${p.results}). Card mode: both send one signed assertion for many calls — Pupitre signs one per card session and ${ASSERTION_REUSE_MS / 60_000} minutes (${cardSignatures} signature${cardSignatures === 1 ? '' : 's'} in the ${2 * CPU_CALLS} calls above) and signs again if INSi refuses a reused one; tlsi-ins is given an assertion signed elsewhere and sends it as long as the client lives. Over HTTPS, tlsi-ins opens a new TLS connection for every call (its security classes give node-soap a new \`https.Agent\` per request: a full handshake, and in structure mode the PKCS#12 file decrypted again), where Pupitre keeps its connection. Without network, tlsi-ins builds the envelope from the WSDL with node-soap and reads the answer with sax into plain objects, where Pupitre parses the answer with its safe DOM parser (refusing DOCTYPE, depth and forbidden characters) and types every field. At client creation node-soap downloads the WS-Addressing schema the official WSDL imports from www.w3.org; this machine has no Internet access, so the bench answers that one download with a schema of the WS-Addressing elements the WSDL uses (read once, outside the figures), and tlsi-ins's TLS trust is set to the demo CA instead of IGC-Santé's.`;
}

if (asJson) {
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} else {
  process.stderr.write(`${JSON.stringify(summary)}\n`);
  console.log(`## INSi (bench/insi.bench.ts)

Worklist over ${N} synthetic provisional patients, one outbox job each on \`insi.lookup\` (concurrency ${CONCURRENCY}, no rate limit), against the INSi simulator (own process) over HTTPS with mutual TLS (INSI-MANU) answering after ${LATENCY_MS} ms. The CNDA strategy made ${lookups} calls (${summary.callsPerPatient.toFixed(2)} per patient: « not found » costs one call per first name plus the list). Bound = calls × latency / concurrency. The host's side runs as the desk wires it: an encrypted base on disk (SQLCipher, WAL, \`synchronous=FULL\`), the audit trail of every lookup, the logger at level \`info\`.

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

Client CPU per INSi call, side by side with [padoa/tlsi-ins](https://github.com/padoa/tlsi-ins) ${TLSI_INS_VERSION} (commit \`${TLSI_INS_COMMIT.slice(0, 12)}\`, built by this bench from its sources with its locked dependencies): process CPU (user + system) per \`rechercherInsAvecTraitsIdentite\` call, same person, same answer. Machine load average (1 min): ${loadavg()[0]?.toFixed(1)}.

${padoaTable()}

Where a Pupitre card-mode call spends its CPU (no network, same run):

| stage | CPU |
|---|---|
| envelope (Body, ContexteLPS, ContexteBAM, WS-Addressing, the card session's assertion) | ${f(stageBuild)} per call |
| serialisation of the envelope | ${f(stageSerialise)} per call |
| parsing of the RESULTAT (safe parser: DOM, then the typed result) | ${f(stageParse)} per call |
| the rest: SOAP framing, reading the answer, promises | ${f(Math.max(0, pupitreCard - stageBuild - stageSerialise - stageParse))} per call |
| a new assertion PS: build, exclusive C14N, SHA-256, SignedInfo | ${f(newAssertion - newAssertionSign)} once per card session and ${ASSERTION_REUSE_MS / 60_000} min |
| its RSA 2048 signature (the card's operation; in software here) | ${f(newAssertionSign)} once per card session and ${ASSERTION_REUSE_MS / 60_000} min |

The ratio is the product of the pipeline occupancy (how well the outbox keeps ${CONCURRENCY} calls in flight) and latency / mean call duration (the per-call overhead on this machine: both processes share ${'`'}${load.toFixed(1)}${'`'} of load on its cores). With a real CPS the RSA signature is computed by the card, not in software; the worklist runs in structure mode (mutual TLS, no assertion).
`);
}
