/**
 * InsiService with the real patient base, outbox and simulator: the desk flow (look-up, compare,
 * accept → RECUP, document → QUAL), douteuse blocking the call, and the worklist over the outbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PATIENTS } from '../../../fixtures/data/demo-patients';
import { generateSyntheticPatients } from '../../../fixtures/data/synthetic-patients';
import { demoPractitionerSession, startInsiHarness, type InsiHarness } from '../../../fixtures/wiring/insi';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { systemClock } from '../../platform/clock';
import { migrate, openDatabase, type Db } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { normalizeStrictTraits } from '../identity';
import { Outbox, outboxSchema } from '../outbox';
import { PatientsService, patientsMigrations, patientsMigrations2 } from '../patients';
import { InsiService } from './service';
import { insiMigrations, insiMigrations2 } from './worklist-store';

let pki: DemoPki;
let harness: InsiHarness;

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  harness = await startInsiHarness(pki, systemClock, { synthesize: true });
});

afterAll(async () => {
  await harness.close();
  harness.transports.cps.close();
  harness.transports.structure.close();
});

function setup(options: { card?: boolean; structure?: boolean } = {}) {
  const db: Db = openDatabase({ path: ':memory:' });
  migrate(db, [...patientsMigrations, ...patientsMigrations2, ...outboxSchema, ...insiMigrations, ...insiMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const logger = createMemoryLogger(systemClock);
  const audit: Array<{ action: string; patientRef: string | null; details: Record<string, unknown> }> = [];
  const write = (entry: { actor: string; patientRef: string | null; action: string; details: Record<string, unknown> }) => {
    audit.push(entry);
  };
  const patients = new PatientsService({ db, clock: systemClock, logger, audit: write, environment: () => 'demo' });
  const outbox = new Outbox({ db, clock: systemClock, logger, audit: write, pollMs: 50, notifyThrottleMs: 0 });
  const session = demoPractitionerSession(pki.secretary);
  const insi = new InsiService({
    client: harness.client,
    patients,
    selectPatients: (selection) => patients.insiCandidates(selection),
    db,
    clock: systemClock,
    logger,
    audit: write,
    practitioner: () => (options.card === false ? null : session),
    structure: () => (options.structure === false ? null : { emitter: '10B9990001' }),
    outbox,
    worklist: { concurrency: 4, requestsPerSecond: 0 },
  });
  return { db, patients, outbox, insi, audit, logger };
}

const demo = (id: string) => {
  const found = DEMO_PATIENTS.find((d) => d.demoId === id);
  if (found === undefined) throw new Error(id);
  return found.strictTraits;
};

/** The simulated national register knows the synthetic people with all their first names. */
function enrol(people: ReadonlyArray<{ strictTraits: Parameters<typeof normalizeStrictTraits>[0] }>): void {
  harness.sim.enrol(
    people.flatMap((p) => {
      const n = normalizeStrictTraits(p.strictTraits);
      if (!n.ok) return [];
      const t = n.traits;
      const two = (v: number | null) => String(v ?? 0).padStart(2, '0');
      return [{ birthName: t.birthName, givenNames: t.birthGivenNames.split(' '), sex: t.sex, birthDate: `${t.birthDate.year}-${two(t.birthDate.month)}-${two(t.birthDate.day)}`, birthPlaceCode: t.birthPlaceCode }];
    }),
  );
}

describe('desk flow', () => {
  it('looks up the open patient, compares, accepts (RECUP) and reaches QUAL after the document check', async () => {
    const { patients, insi, audit } = setup({ structure: false });
    const { patient } = patients.create({ strictTraits: demo('cnda-2.07-cas1') }, 'CPE test');
    const lookup = await insi.lookupPatient(patient.id, 'CPE test');
    expect(lookup.outcome).toBe('found');
    expect(lookup.authentication).toBe('cps');
    expect(lookup.attempts.map((a) => a.code)).toEqual(['01', '00']);
    expect(lookup.comparison?.find((r) => r.field === 'birthGivenNames')).toMatchObject({ local: 'OLA CATARINA BELLA', insi: 'CATARINA BELLA', same: false });
    // CNDA 2.07: a local first name INSi does not list is one acceptable difference — reason and second confirmation.
    expect(lookup.acceptance).toMatchObject({ decision: 'confirm' });
    expect(() => insi.accept(patient.id, lookup.lookupId, 'CPE test')).toThrow(expect.objectContaining({ code: 'IDENTITY_INSI_CONFIRMATION_REQUIRED' }));
    const accepted = insi.accept(patient.id, lookup.lookupId, 'CPE test', { reason: 'OLA absent de la pièce d’identité' });
    expect(accepted).toEqual({ status: 'RECUP', matricule: '236066322083656', oid: '1.2.250.1.213.1.4.10' });
    expect(() => insi.accept(patient.id, lookup.lookupId, 'CPE test')).toThrow(expect.objectContaining({ code: 'INSI_LOOKUP_EXPIRED' }));
    const checked = patients.recordIdentityCheck({ id: patient.id, device: 'passeport' }, 'CPE test');
    expect(checked.patient.identity.status).toBe('QUAL');
    expect(audit.filter((a) => a.patientRef === patient.id).map((a) => a.action)).toEqual(
      expect.arrayContaining(['patient.read', 'insi.lookup', 'identity.insi-result', 'identity.document-check']),
    );
    // No health data in what the audit says about the look-up.
    expect(JSON.stringify(audit.find((a) => a.action === 'insi.lookup'))).not.toMatch(/TCHITCHI|CATARINA|2360663220836/);
  });

  it('a douteuse identity blocks the call: nothing is sent', async () => {
    const { patients, insi } = setup();
    const { patient } = patients.create({ strictTraits: demo('test-nessi-michelangelo') }, 'desk');
    patients.setIdentityAttribute({ id: patient.id, attribute: 'douteuse', value: true }, 'desk');
    const before = harness.sim.requests.length;
    await expect(insi.lookupPatient(patient.id, 'desk')).rejects.toMatchObject({ code: 'IDENTITY_INSI_BLOCKED' });
    expect(harness.sim.requests.length).toBe(before);
  });

  it('says what to do when no card and no structure certificate are available', async () => {
    const { patients, insi } = setup({ card: false, structure: false });
    const { patient } = patients.create({ strictTraits: demo('test-nessi-michelangelo') }, 'desk');
    await expect(insi.lookupPatient(patient.id, 'desk')).rejects.toMatchObject({ code: 'INSI_NO_CREDENTIALS' });
  });

  it('searches from typed traits and from the carte Vitale', async () => {
    const { insi } = setup();
    const typed = await insi.searchTraits({ birthName: 'de vinci', birthGivenNames: 'Leonardo', birthDate: '01/02/2014', sex: 'M' }, 'desk');
    expect(typed.outcome).toBe('several');
    const adrun = await insi.searchTraits({ birthName: 'Adrun', birthGivenNames: 'Zoé', birthDate: '31/12/1975', sex: 'F' }, 'desk');
    // A desk search is not tied to a patient: it goes to an existing one only through the acceptance rule.
    expect(() => insi.accept('any-patient', adrun.lookupId, 'desk')).toThrow(expect.objectContaining({ code: 'PATIENT_NOT_FOUND' }));
    expect(typed.guidance).toMatch(/lieu de naissance/);
    const vitale = await insi.lookupVitale(null, { beneficiaryNir: null, insuredNir: '2 75 12 63 220 749 74', birthName: 'Adrun', birthDate: '19751231', birthRank: 1 }, 'desk');
    expect(vitale.result.identity?.active.matricule).toBe('275126322074974');
  });
});

describe('the free INSi form attaches its result to a patient (issue 13)', () => {
  it('attaches to an existing patient through the acceptance rule, refuses another person, or creates the patient', async () => {
    const { patients, insi } = setup();
    const adrun = await insi.searchTraits({ birthName: 'Adrun', birthGivenNames: 'Zoé', birthDate: '31/12/1975', sex: 'F' }, 'desk');
    expect(adrun.acceptance).toBeNull();
    const other = patients.create({ strictTraits: demo('test-nessi-michelangelo') }, 'desk').patient;
    expect(insi.preview(other.id, adrun.lookupId, 'desk').acceptance.decision).toBe('block');
    expect(() => insi.accept(other.id, adrun.lookupId, 'desk')).toThrow(expect.objectContaining({ code: 'IDENTITY_INSI_TRAITS_INCOHERENT' }));
    expect(patients.get(other.id, 'desk').history.at(-1)).toMatchObject({ event: 'insi.refused', details: { by: 'rule', operation: 'free' } });
    const same = patients.create({ strictTraits: { birthName: 'ADRUN', birthGivenNames: 'ZOE', birthDate: '31/12/1975', sex: 'F' } }, 'desk').patient;
    expect(insi.preview(same.id, adrun.lookupId, 'desk').acceptance.decision).toBe('accept');
    expect(insi.accept(same.id, adrun.lookupId, 'desk')).toMatchObject({ status: 'RECUP', matricule: '275126322074974' });
    // A new patient from a free result: created with the INSi traits, INS attached.
    const corse = await insi.searchTraits({ birthName: 'Corse', birthGivenNames: 'Anthony', birthDate: '02/03/1980', sex: 'M' }, 'desk');
    const created = insi.createPatient(corse.lookupId, false, 'desk');
    expect(created.status).toBe('RECUP');
    expect(patients.get(created.patientId, 'desk').patient).toMatchObject({ strictTraits: { birthName: 'CORSE', birthPlaceCode: '2B020' }, identity: { ins: { matricule: '180032B02040123' } } });
  });

  it('records the desk’s own refusal of a found identity in the identity history', async () => {
    const { patients, insi } = setup();
    const { patient } = patients.create({ strictTraits: demo('cnda-2.07-cas1') }, 'desk');
    const lookup = await insi.lookupPatient(patient.id, 'desk');
    insi.reject(patient.id, lookup.lookupId, 'pas la même personne', 'desk');
    expect(patients.get(patient.id, 'desk').history.at(-1)).toMatchObject({ event: 'insi.refused', details: { by: 'person', reason: 'pas la même personne' } });
    expect(() => insi.accept(patient.id, lookup.lookupId, 'desk')).toThrow(expect.objectContaining({ code: 'INSI_LOOKUP_EXPIRED' }));
  });

  it('records the refusal as soon as a patient look-up finds someone else', async () => {
    const { patients, insi } = setup();
    // Typed with another birth place than the register's: INSi (without the place in the strategy) finds ADRUN ZOE born in 63220.
    const { patient } = patients.create({ strictTraits: { birthName: 'Adrun', birthGivenNames: 'Zoé', birthDate: '31/12/1975', sex: 'F', birthPlaceCode: '13055' } }, 'desk');
    const lookup = await insi.lookupPatient(patient.id, 'desk');
    expect(lookup.outcome).toBe('found');
    expect(lookup.acceptance?.decision).toBe('block');
    expect(lookup.guidance).toMatch(/autre personne/);
    expect(patients.get(patient.id, 'desk').history.at(-1)).toMatchObject({ event: 'insi.refused', details: { by: 'rule', operation: 'traits' } });
  });
});

describe('worklist over the outbox', () => {
  it('looks up every provisional patient, records each result, and writes a CSV report', async () => {
    const { patients, insi, outbox } = setup({ card: false });
    for (const id of ['cnda-2.03-cas2', 'cnda-2.07-cas2', 'cnda-2.06', 'demo-douteuse']) patients.create({ strictTraits: demo(id) }, 'desk');
    const douteuse = patients.search({ query: 'martin' }, 'desk').results[0];
    if (douteuse === undefined) throw new Error('missing');
    patients.setIdentityAttribute({ id: douteuse.id, attribute: 'douteuse', value: true }, 'desk');
    const synthetic = generateSyntheticPatients(40, { seed: 7 });
    patients.createMany(synthetic, 'import');
    enrol(synthetic);
    outbox.start();
    try {
      const started = insi.startWorklist({ kind: 'status', statuses: ['PROV'] }, 'desk');
      expect(started.total).toBe(43);
      expect(started.pending).toBe(43);
      await outbox.whenIdle('insi.lookup');
      const progress = insi.progress(started.worklistId);
      expect(progress.finished).toBe(true);
      expect(progress.found + progress.notFound + progress.several + progress.error + progress.skipped).toBe(43);
      expect(progress.error).toBe(0);
      // ADRTROIS found, HOUILLES not found, DE VINCI several; the 40 synthetic identities (seed 7) get
      // the simulator's deterministic answers: 33 found, 7 not found.
      expect({ found: progress.found, notFound: progress.notFound, several: progress.several, skipped: progress.skipped }).toEqual({ found: 34, notFound: 8, several: 1, skipped: 0 });
      const items = insi.items(started.worklistId, undefined, 100);
      const byTraits = (name: string) => items.find((i) => i.patientId === patients.search({ query: name }, 'desk').results[0]?.id);
      expect(byTraits('adrtrois')).toMatchObject({ status: 'found', statusAfter: 'RECUP' });
      expect(byTraits('houilles')).toMatchObject({ status: 'not-found' });
      expect(byTraits('de vinci')).toMatchObject({ status: 'several' });
      const adrtrois = byTraits('adrtrois')?.patientId as string;
      const toVerify = () => insi.toVerify({ limit: 100 }, 'desk').patients.map((p) => p.id);
      expect(toVerify()).toContain(adrtrois);
      patients.recordIdentityCheck({ id: adrtrois, device: 'carte-identite' }, 'desk');
      expect(toVerify()).not.toContain(adrtrois);
      const report = insi.report(started.worklistId, 'desk');
      expect(report.csv.split('\r\n').filter((l) => l !== '')).toHaveLength(44);
      expect(report.csv.split('\r\n').filter((l) => l.includes(';INS récupéré;'))).toHaveLength(34);
      // Nothing is queued twice: starting again makes a new worklist, jobs of the first are done.
      expect(outbox.list({ queue: 'insi.lookup', status: 'done' })).toHaveLength(43);
    } finally {
      await outbox.stop(1000);
    }
  });

  it('records an answer whole or not at all: a failure after the identity was changed undoes it, the lookup stays in the trail', async () => {
    const { db, patients, insi, outbox, audit } = setup({ card: false });
    const people = generateSyntheticPatients(3, { seed: 7 });
    patients.createMany(people, 'import');
    enrol(people);
    const lookups: Array<{ patientRef: string | null; afterFailure: boolean }> = [];
    let failed = false;
    const push = audit.push.bind(audit);
    audit.push = (...entries) => {
      for (const e of entries) if (e.action === 'insi.lookup') lookups.push({ patientRef: e.patientRef, afterFailure: failed });
      return push(...entries);
    };
    const apply = patients.applyInsiResult.bind(patients);
    let failures = 1;
    // The identity is written (its own savepoint), then something unexpected fails before the line is.
    patients.applyInsiResult = (input, actor) => {
      const applied = apply(input, actor);
      if (failures > 0) {
        failures -= 1;
        failed = true;
        throw new Error('panne simulée après la mise à jour de l’identité');
      }
      return applied;
    };
    const started = insi.startWorklist({ kind: 'status', statuses: ['PROV'] }, 'desk');
    await outbox.whenIdle('insi.lookup');
    const items = insi.items(started.worklistId, undefined, 10);
    const hit = items.find((i) => i.status === 'pending');
    expect(hit).toBeDefined();
    // Rolled back together: the identity as it was, the line still to do (the job will try again).
    expect(patients.get(hit!.patientId, 'desk').patient.identity.status).toBe('PROV');
    expect((db.prepare("SELECT count(*) AS n FROM patient_identity_history WHERE patient_id = ? AND event LIKE 'insi%'").get(hit!.patientId) as { n: number }).n).toBe(0);
    // The lookup INSi answered is in the trail anyway: its entry went with the rolled-back
    // transaction (this test's trail is a plain list, a real one loses it), then alone after it.
    expect(lookups.filter((l) => l.patientRef === hit!.patientId).map((l) => l.afterFailure)).toEqual([false, true]);
    const job = outbox.list({ queue: 'insi.lookup' }).find((j) => j.status !== 'done');
    expect(job?.status).toBe('retry_wait');
  });

  it('resumes after a restart: jobs left by a stopped outbox are run by the next one', async () => {
    const first = setup({ card: false });
    const restartPeople = generateSyntheticPatients(24, { seed: 99 });
    first.patients.createMany(restartPeople, 'import');
    enrol(restartPeople);
    harness.sim.setLatency(100);
    first.outbox.start();
    const started = first.insi.startWorklist({ kind: 'status', statuses: ['PROV'] }, 'desk');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await first.outbox.stop(0);
    harness.sim.setLatency(0);
    const midway = first.insi.progress(started.worklistId);
    expect(midway.pending).toBeGreaterThan(0);
    // Same database, new process: a new outbox and service pick the queue up again.
    const logger = createMemoryLogger(systemClock);
    const outbox = new Outbox({ db: first.db, clock: systemClock, logger, audit: () => undefined, pollMs: 50, notifyThrottleMs: 0 });
    const insi = new InsiService({
      client: harness.client,
      patients: first.patients,
      selectPatients: (selection) => first.patients.insiCandidates(selection),
      db: first.db,
      clock: systemClock,
      logger,
      audit: () => undefined,
      practitioner: () => null,
      structure: () => ({ emitter: '10B9990001' }),
      outbox,
      worklist: { concurrency: 4, requestsPerSecond: 0 },
    });
    outbox.start();
    try {
      await outbox.whenIdle('insi.lookup');
      const done = insi.progress(started.worklistId);
      expect(done).toMatchObject({ total: 24, pending: 0, finished: true, error: 0 });
    } finally {
      await outbox.stop(1000);
    }
  });

  it('refuses an empty selection', () => {
    const { insi } = setup();
    expect(() => insi.startWorklist({ kind: 'status', statuses: ['PROV'] }, 'desk')).toThrow(expect.objectContaining({ code: 'INSI_WORKLIST_EMPTY' }));
  });
});
