/**
 * Ordonnance numérique:
 * 1. Drug search over a BDPM-sized list (~15 000 specialties, ~21 000 presentations, ~28 000
 *    composition lines; the real files of $PUPITRE_BDPM_DIR when given, otherwise generated in the
 *    published format by fixtures/data/synthetic-bdpm.ts), imported through the BDPM importer into
 *    an encrypted SQLCipher file, searched as the prescriber types (prefix, name, name + strength,
 *    substance, CIS, CIP13). Target p95 < 20 ms, « as fast as the patient search »: the patient search
 *    (PatientsService.search over synthetic patients) is measured in the same run as the baseline,
 *    and a LIKE scan of the drug names as a second reference.
 * 2. Prescription → PDF + CDA ready: the prescribe use case (number, PDF A4 with its QR code,
 *    eP-MED-DM with the PDF embedded, one transaction with its outbox jobs) for a 3-line and a 10-line
 *    prescription. Target < 300 ms. Baseline in the same run: the CDA N1 wrapper of the same PDF
 *    (services/cda buildPdfDocument), the existing way to make a DMP document.
 * Prints a markdown section on stdout and the figures as JSON on stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeSyntheticBdpm } from '../fixtures/data/synthetic-bdpm';
import { samplePrescription, sampleMedications } from '../fixtures/data/prescriptions';
import { generateSyntheticPatients, seededRandom } from '../fixtures/data/synthetic-patients';
import { ensureSharedTestPki } from '../fixtures/sim/pki';
import { createManualClock } from '../electron/platform/clock';
import { PemSigner } from '../electron/platform/crypto';
import { migrate, openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { buildPdfDocument } from '../electron/services/cda';
import { buildEpMedDm, createEprescriptionService, importDrugs, qrPng, renderOrdonnancePdf, searchDrugs, unavailableBase } from '../electron/services/eprescription';
import { Outbox } from '../electron/services/outbox';
import { PatientsService } from '../electron/services/patients';
import { migrations as hostMigrations } from '../electron/host/migrations';
import { deskAudit, openDeskLogger } from './desk';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 50_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 60);
const PRESCRIPTIONS = Number(process.env.BENCH_PRESCRIPTIONS ?? 40);
const load = loadavg().map((l) => l.toFixed(2)).join(' / ');

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}
const time = (run: () => unknown): number => {
  const start = performance.now();
  run();
  return performance.now() - start;
};
const timeAsync = async (run: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await run();
  return performance.now() - start;
};

const dir = mkdtempSync(join(tmpdir(), 'bench-erx-'));
const db = openDatabase({ path: join(dir, 'pupitre.db'), keyHex: generateKeyHex() });
// The desk's whole schema, in the host's order: a bench never misses a step a service added.
migrate(db, hostMigrations);
const clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
// The desk's logger and audit trail, as compose.ts wires the host.
const deskLog = openDeskLogger(clock);
const logger = deskLog.logger;
const audit = deskAudit(db, clock);

// --- 1. Drug list ---------------------------------------------------------------------------
const real = process.env.PUPITRE_BDPM_DIR;
const synthetic = real === undefined ? writeSyntheticBdpm(join(dir, 'bdpm')) : null;
const importStart = performance.now();
const report = importDrugs(db, { dir: real ?? (synthetic?.dir as string), actor: 'bench', now: new Date(clock.now()).toISOString() });
const importSeconds = (performance.now() - importStart) / 1000;
db.pragma('optimize');

const random = seededRandom(5);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
const names = (db.prepare('SELECT name FROM drug_specialty').all() as Array<{ name: string }>).map((r) => r.name);
const substances = (db.prepare("SELECT DISTINCT name FROM drug_substance WHERE nature = 'SA'").all() as Array<{ name: string }>).map((r) => r.name);
const cis = (db.prepare('SELECT cis FROM drug_specialty').all() as Array<{ cis: string }>).map((r) => r.cis);
const cip13 = (db.prepare('SELECT cip13 FROM drug_presentation').all() as Array<{ cip13: string }>).map((r) => r.cip13);
const firstWord = (name: string): string => name.split(/[\s,/]+/)[0] ?? name;
const kinds: Record<string, string[]> = { 'prefix (3 letters)': [], 'name word': [], 'name + strength': [], substance: [], CIS: [], CIP13: [] };
for (let i = 0; i < QUERIES; i++) {
  const name = pick(names);
  kinds['prefix (3 letters)']?.push(firstWord(name).slice(0, 3).toLowerCase());
  kinds['name word']?.push(firstWord(name).toLowerCase());
  kinds['name + strength']?.push(`${firstWord(name)} ${/\d+/.exec(name)?.[0] ?? ''}`.trim());
  kinds.substance?.push(pick(substances).split(/\s+/)[0]?.toLowerCase() ?? 'para');
  kinds.CIS?.push(pick(cis));
  kinds.CIP13?.push(pick(cip13));
}
for (const queries of Object.values(kinds)) for (const q of queries) searchDrugs(db, q, 20); // warm-up
const drugTimes: Record<string, number[]> = {};
const drugAll: number[] = [];
for (const [kind, queries] of Object.entries(kinds)) {
  drugTimes[kind] = queries.map((q) => time(() => searchDrugs(db, q, 20)));
  drugAll.push(...(drugTimes[kind] as number[]));
}
// Reference: LIKE '%word%' over the names, same order and limit (name-word queries).
const like = db.prepare("SELECT cis, name FROM drug_specialty WHERE sort_name LIKE ? ORDER BY commercialised DESC, sort_name LIMIT 20");
const likeTimes = (kinds['name word'] ?? []).map((q) => time(() => like.all(`%${q.toUpperCase()}%`)));

// Baseline: the patient search, in the same run and the same encrypted database.
const patients = new PatientsService({ db, clock, logger, audit, environment: () => 'demo' });
const inputs = generateSyntheticPatients(PATIENTS, { seed: 42 });
patients.createMany(inputs, 'bench');
db.pragma('optimize');
const patientQueries = Array.from({ length: QUERIES * 3 }, (_, i) => {
  const p = pick(inputs).strictTraits;
  const first = p.birthName.split(/[\s'-]+/)[0] ?? '';
  const surname = first.length >= 3 ? first : p.birthName;
  return i % 3 === 0 ? surname.slice(0, 3) : i % 3 === 1 ? surname : `${surname} ${p.birthGivenNames.split(' ')[0]?.slice(0, 4) ?? ''}`;
});
for (const q of patientQueries) patients.search({ query: q, limit: 50 }, 'bench');
const patientTimes = patientQueries.map((q) => time(() => patients.search({ query: q, limit: 50 }, 'bench')));

// --- 2. Prescription → PDF + CDA ready ------------------------------------------------------
const pki = await ensureSharedTestPki();
const card = pki.practitioner;
const outbox = new Outbox({ db, clock, logger, audit });
const service = createEprescriptionService({
  db,
  clock,
  logger,
  audit,
  environment: () => 'demo',
  outbox,
  base: () => unavailableBase,
  session: () => ({
    holder: { ...card.holder, situations: [{ structureId: '10B9990001', structureName: 'CABINET MEDICAL PUPITRE DEMO', activitySector: 'SA07' }] },
    signer: PemSigner.fromPem({ privateKey: card.signature.privateKeyPem, certificate: card.signature.chainPem.join('') }),
  }),
  settings: () => ({ amNumber: '991130972', address: '12 rue des Lilas\n75020 Paris', phone: '01 23 45 67 89', lpsOid: '1.2.250.1.999.42' }),
  patients: { get: () => ({ ...samplePrescription().patient, qualified: true }), findQualifiedByIns: () => null },
});
const asInput = (line: ReturnType<typeof sampleMedications>[number]) => ({ ...line, codes: line.codes.map((c) => ({ ...c })) });
const threeLines = [...sampleMedications().map(asInput), { kind: 'device' as const, name: 'Lit médical', codes: [], quantity: 1, renewals: 0, ald: false }];
const tenLines = Array.from({ length: 10 }, (_, i) => ({ ...asInput(sampleMedications()[i % 2]!), name: `MÉDICAMENT ${i + 1}` }));
const prescribeTimes: Record<string, number[]> = { '3 lines': [], '10 lines': [] };
for (let i = 0; i < 3; i++) await service.prescribe({ patientId: 'p', lines: threeLines, consent: 'OUI' }, 'bench'); // warm-up
for (let i = 0; i < PRESCRIPTIONS; i++) {
  prescribeTimes['3 lines']?.push(await timeAsync(() => service.prescribe({ patientId: 'p', lines: threeLines, consent: 'OUI' }, 'bench')));
  prescribeTimes['10 lines']?.push(await timeAsync(() => service.prescribe({ patientId: 'p', lines: tenLines, consent: 'OUI' }, 'bench')));
}
const pdf = await renderOrdonnancePdf(samplePrescription(), 'A4');
let oid = 0;
const n1Times = Array.from({ length: PRESCRIPTIONS }, () =>
  time(() =>
    buildPdfDocument(
      {
        pdf,
        title: 'Ordonnance',
        typeCode: '57833-6',
        patient: { ins: '279035121518989', oid: '1.2.250.1.213.1.4.10', birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE', sex: 'F', birthDate: '19790328', birthPlaceCode: '51215' },
        author: { idNat: '899700123450', family: 'PUPITRE', given: 'CAMILLE' },
        custodian: { id: '10B9990001', name: 'Cabinet' },
        serviceTime: { start: '2026-11-30T09:00:00Z' },
        effectiveTime: '2026-11-30T09:30:00Z',
      },
      { newOid: () => `1.2.250.1.999.5.${++oid}` },
    ),
  ),
);
const pdfTimes: number[] = [];
const readyTimes: number[] = [];
for (let i = 0; i < PRESCRIPTIONS; i++) {
  pdfTimes.push(await timeAsync(() => renderOrdonnancePdf(samplePrescription(), 'A4')));
  // PDF + CDA ready, without the database: the documents only.
  readyTimes.push(
    await timeAsync(async () => {
      const prescription = samplePrescription();
      const printed = await renderOrdonnancePdf(prescription, 'A4');
      buildEpMedDm({ prescription, pdf: printed, qrPng: await qrPng(prescription.number), documentId: '1.2.250.1.999.1.1', setId: '1.2.250.1.999.1', localPatientRoot: '1.2.250.1.999.2' });
    }),
  );
}

db.close();
deskLog.close();
rmSync(dir, { recursive: true, force: true });

const summary = {
  loadAverage: load,
  drugs: { source: real === undefined ? 'generated (BDPM format)' : real, specialties: report.specialties, presentations: report.presentations, compositions: report.compositions, importSeconds },
  drugSearch: { p50: percentile(drugAll, 0.5), p95: percentile(drugAll, 0.95), perKind: Object.fromEntries(Object.entries(drugTimes).map(([k, t]) => [k, { p50: percentile(t, 0.5), p95: percentile(t, 0.95) }])) },
  likeReference: { p95: percentile(likeTimes, 0.95) },
  patientSearch: { patients: PATIENTS, p50: percentile(patientTimes, 0.5), p95: percentile(patientTimes, 0.95) },
  prescribe: Object.fromEntries(Object.entries(prescribeTimes).map(([k, t]) => [k, { p50: percentile(t, 0.5), p95: percentile(t, 0.95) }])),
  pdfOnly: { p50: percentile(pdfTimes, 0.5), p95: percentile(pdfTimes, 0.95) },
  documentsReady: { p50: percentile(readyTimes, 0.5), p95: percentile(readyTimes, 0.95) },
  n1Baseline: { p50: percentile(n1Times, 0.5), p95: percentile(n1Times, 0.95) },
};
process.stderr.write(`${JSON.stringify(summary)}\n`);
const ms = (v: number) => `${v.toFixed(2)} ms`;
const perKind = Object.entries(summary.drugSearch.perKind)
  .map(([k, v]) => `| ${k} | ${ms(v.p50)} | ${ms(v.p95)} |`)
  .join('\n');
console.log(`## Ordonnance numérique (bench/eprescription.bench.ts)

Load average at start: ${load}. Drug list: ${summary.drugs.source}, ${report.specialties.toLocaleString('en')} specialties, ${report.presentations.toLocaleString('en')} presentations, ${report.compositions.toLocaleString('en')} composition lines, imported in ${importSeconds.toFixed(1)} s (\`importDrugs\`, encrypted SQLCipher file). ${Object.values(kinds).reduce((n, q) => n + q.length, 0)} drug queries through \`searchDrugs\` (limit 20); baseline: the patient search (\`PatientsService.search\`, ${PATIENTS.toLocaleString('en')} synthetic patients, limit 50) in the same run and database. The services run as the desk wires them: the audit trail in the same base, the logger at level \`info\`.

| measure | Pupitre | baseline | ratio (drug / baseline) |
|---|---|---|---|
| drug search p95, all queries (target < 20 ms) | ${ms(summary.drugSearch.p95)} | patient search p95 ${ms(summary.patientSearch.p95)} | ${(summary.drugSearch.p95 / summary.patientSearch.p95).toFixed(2)}× |
| drug search p50 | ${ms(summary.drugSearch.p50)} | patient search p50 ${ms(summary.patientSearch.p50)} | ${(summary.drugSearch.p50 / summary.patientSearch.p50).toFixed(2)}× |
| name-word query p95 vs \`LIKE '%word%'\` on names | ${ms(summary.drugSearch.perKind['name word']?.p95 ?? NaN)} | ${ms(summary.likeReference.p95)} | ${((summary.drugSearch.perKind['name word']?.p95 ?? NaN) / summary.likeReference.p95).toFixed(2)}× |

| drug query kind | p50 | p95 |
|---|---|---|
${perKind}

Prescription → PDF + CDA ready: the \`prescribe\` use case (number, ordonnance PDF A4 with its QR code, eP-MED-DM embedding the PDF, one transaction with the registration job), ${PRESCRIPTIONS} runs each. Baseline: \`buildPdfDocument\` (CDA N1 wrapping the same PDF) in the same run.

| measure | p50 | p95 | baseline p95 (CDA N1 of the PDF) |
|---|---|---|---|
| PDF + eP-MED-DM ready, 3 lines, documents only (target < 300 ms) | ${ms(summary.documentsReady.p50)} | ${ms(summary.documentsReady.p95)} | ${ms(summary.n1Baseline.p95)} |
| prescribe, 3 lines, committed with its jobs (synchronous=FULL) | ${ms(summary.prescribe['3 lines']?.p50 ?? NaN)} | ${ms(summary.prescribe['3 lines']?.p95 ?? NaN)} | ${ms(summary.n1Baseline.p95)} |
| prescribe, 10 lines | ${ms(summary.prescribe['10 lines']?.p50 ?? NaN)} | ${ms(summary.prescribe['10 lines']?.p95 ?? NaN)} | ${ms(summary.n1Baseline.p95)} |
| of which: the PDF alone | ${ms(summary.pdfOnly.p50)} | ${ms(summary.pdfOnly.p95)} | — |
`);
