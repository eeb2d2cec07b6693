/**
 * The ordonnance numérique end to end at the service level, against the base e-prescription
 * simulator over TLS (assertion PS checked): a GP prescribes, the registration leaves through the
 * outbox (also after an outage, exactly once), a pharmacist fetches it, substitutes, records
 * dispensations until the prescription is fully delivered, and every refusal is a typed error.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoBaseCaller, startErxHarness, type ErxHarness } from '../../../fixtures/wiring/eprescription';
import { ensureSharedTestPki, type DemoCardCredentials, type DemoPki } from '../../../fixtures/sim/pki';
import { PemSigner } from '../../platform/crypto';
import { createManualClock, type ManualClock } from '../../platform/clock';
import { migrate, openDatabase, type Db } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { Outbox, outboxSchema } from '../outbox';
import { readEprescriptionDocument } from './cda/read';
import type { CardSession, DmpPort } from './context';
import { eprescriptionMigrations } from './schema';
import { createEprescriptionService, type EprescriptionService } from './service';
import { DOLIPRANE_INPUT_LINE, samplePrescription } from '../../../fixtures/data/prescriptions';

const PATIENT = { ...samplePrescription().patient, id: 'patient-1', weightKg: undefined };

function sessionOf(card: DemoCardCredentials, situation: { structureId: string; structureName: string; activitySector: string }): CardSession {
  const h = card.holder;
  return {
    holder: { cardType: h.cardType, idNat: h.idNat, rpps: h.rpps, surname: h.surname, givenName: h.givenName, profession: h.profession, specialty: h.specialty, situations: [situation] },
    signer: PemSigner.fromPem({ privateKey: card.signature.privateKeyPem, certificate: card.signature.chainPem.join('') }),
  };
}

interface Desk {
  db: Db;
  clock: ManualClock;
  outbox: Outbox;
  service: EprescriptionService;
  queued: Array<{ patientId: string; xml: Buffer }>;
  use(session: CardSession | null): void;
  audit: Array<{ action: string }>;
  /** The ids of the records the service read (each read is an audited access on the desk). */
  patientReads: string[];
}

/** Other records of the desk's patient base (qualified or not), beside PATIENT. */
type OtherPatient = typeof PATIENT & { qualified: boolean; mergedInto?: string | null };

function desk(harness: ErxHarness, options: { amNumber?: string; amNumberHolder?: string | null; others?: OtherPatient[] } = {}): Desk {
  const clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...outboxSchema, ...eprescriptionMigrations].map((m, i) => ({ version: i + 1, name: m.name, up: m.up })));
  const logger = createMemoryLogger(clock);
  const audit: Array<{ action: string }> = [];
  const outbox = new Outbox({ db, clock, logger, audit: () => undefined });
  let session: CardSession | null = null;
  const queued: Array<{ patientId: string; xml: Buffer }> = [];
  const patientReads: string[] = [];
  const dmp: DmpPort = {
    queueCda: (patientId, xml) => {
      queued.push({ patientId, xml });
      return { uniqueId: `2.25.${queued.length}`, jobId: null };
    },
    sendingState: () => ({ state: 'queued', message: null, jobId: null }),
    fetch: async () => queued[0]?.xml ?? Buffer.alloc(0),
  };
  const service = createEprescriptionService({
    db,
    clock,
    logger,
    audit: (entry) => void audit.push(entry),
    environment: () => 'demo',
    outbox,
    base: () => harness.base,
    session: () => session,
    settings: () => ({ amNumber: options.amNumber ?? '751234567', address: '12 rue des Lilas\n75020 Paris', phone: '01 23 45 67 89', lpsOid: '1.2.250.1.999.42' }),
    patients: {
      get: (id) => {
        patientReads.push(id);
        return options.others?.find((p) => p.id === id) ?? { ...PATIENT, qualified: true };
      },
      findQualifiedByIns: (matricule) => (matricule === PATIENT.ins?.matricule ? PATIENT.id : null),
    },
    dmp,
    amNumberHolder: () => options.amNumberHolder ?? null,
  });
  return { db, clock, outbox, service, queued, audit, patientReads, use: (s) => (session = s) };
}

const TWO_LINES = [
  DOLIPRANE_INPUT_LINE,
  {
    kind: 'medication' as const,
    name: 'CLAMOXYL 1 g, comprimé dispersible',
    codes: [{ code: '64539416', codeSystem: '1.2.250.1.213.2.3.1', system: 'CIS' }],
    posology: { kind: 'text' as const, text: '1 comprimé matin et soir pendant 6 jours' },
    boxes: 1,
    renewals: 1,
    substitution: { allowed: true as const },
    ald: false,
  },
];

describe('ordonnance numérique through the base e-prescription simulator', () => {
  let pki: DemoPki;
  let harness: ErxHarness;
  let gp: CardSession;
  let pharmacist: CardSession;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    harness = await startErxHarness(pki, createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0)));
    gp = sessionOf(pki.practitioner, { structureId: '10B9990001', structureName: 'CABINET MEDICAL PUPITRE DEMO', activitySector: 'SA07' });
    pharmacist = sessionOf(pki.pharmacist, { structureId: '10B9990010', structureName: 'PHARMACIE PUPITRE DEMO', activitySector: 'SA33' });
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(async () => {
    await harness.sim.setMode('up');
  });

  it('registers a prescription once, offline first, and queues its eP-MED-DM copy for the DMP', async () => {
    const d = desk(harness);
    d.use(gp);
    await harness.sim.setMode('down');
    const view = await d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr');
    expect(view.number).toMatch(/^[0-9A-Z]{18}$/);
    expect(view.posologies[0]).toBe('1 comprimé 3 fois par jour, pendant 5 jours, voie orale');
    expect(d.queued).toHaveLength(1);
    expect(readEprescriptionDocument(d.queued[0]!.xml).number).toBe(view.number);
    await d.outbox.syncNow();
    expect(harness.sim.prescriptions.has(view.number)).toBe(false);
    expect(d.service.get(view.number, 'dr').registration.state).toBe('queued');

    await harness.sim.setMode('up');
    d.clock.advance(60 * 60_000);
    await d.outbox.syncNow();
    expect(d.service.get(view.number, 'dr').registration.state).toBe('done');
    expect(d.service.get(view.number, 'dr').baseStatus).toBe('non dispensée');
    expect(harness.sim.prescriptions.get(view.number)?.prescriber).toBe(pki.practitioner.holder.idNat);
    // Sent again (a retry after an unknown outcome): the base keeps one prescription.
    await d.outbox.syncNow();
    expect(harness.sim.requests.filter((r) => r.operation === 'register' && r.number === view.number && r.fault === null)).toHaveLength(1);
    // Each attempt in the trail with its outcome; the registration's entry committed with its completion.
    expect(d.audit.filter((a) => a.action === 'eprescription.register').map((a) => (a as { details?: { outcome?: string } }).details?.outcome)).toEqual(['failed', 'registered']);
  });

  it("never prints on a doctor's ordonnance the numéro AM another card billed under", async () => {
    // A health centre: the numéro AM of Paramètres is the colleague's, who billed with his card.
    const other = desk(harness, { amNumberHolder: '899700999999' });
    other.use(gp);
    await expect(other.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr')).rejects.toMatchObject({
      code: 'ERX_AM_NUMBER_OTHER_PRACTITIONER',
      message: expect.stringContaining('Saisissez votre propre numéro AM'),
    });
    expect(other.queued).toEqual([]);
    expect(other.db.prepare('SELECT count(*) AS n FROM erx_prescription').get()).toEqual({ n: 0 });
    // The number this card billed under, or one no card billed under yet: printed.
    const own = desk(harness, { amNumberHolder: gp.holder.idNat });
    own.use(gp);
    await expect(own.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr')).resolves.toMatchObject({ number: expect.any(String) });
  });

  it('refuses to prescribe without a card, without an AM number, or with a pharmacist card', async () => {
    const d = desk(harness);
    await expect(d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr')).rejects.toMatchObject({ code: 'ERX_CARD_REQUIRED' });
    d.use(pharmacist);
    await expect(d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr')).rejects.toMatchObject({ code: 'ERX_NOT_A_PRESCRIBER' });
    const noAm = desk(harness, { amNumber: '' });
    noAm.use(gp);
    await expect(noAm.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr')).rejects.toMatchObject({ code: 'ERX_AM_NUMBER_MISSING' });
  });

  it('refuses a dispensation recorded under another record than the prescription’s patient (a homonym opened by mistake)', async () => {
    const homonym: OtherPatient = { ...PATIENT, id: 'patient-2', ins: { matricule: '279035121518962', oid: PATIENT.ins!.oid }, qualified: true };
    const sameInsUnqualified: OtherPatient = { ...PATIENT, id: 'patient-3', qualified: false };
    const withoutIns: OtherPatient = { ...PATIENT, id: 'patient-4', ins: null, qualified: false };
    const otherBirthDate: OtherPatient = { ...withoutIns, id: 'patient-5', birthDate: '1979-03-12' };
    const d = desk(harness, { others: [homonym, sameInsUnqualified, withoutIns, otherBirthDate] });
    const dispense = async (patientId: string, prescribedFor = PATIENT.id) => {
      d.use(gp);
      const { number } = await d.service.prescribe({ patientId: prescribedFor, lines: TWO_LINES, consent: 'OUI' }, 'dr');
      await d.outbox.syncNow();
      d.use(pharmacist);
      const opened = await d.service.openDispensation({ number }, 'ph');
      const lines = opened.lines.map((l) => ({ lineId: l.id, outcome: { kind: 'delivered' as const } }));
      return { number, record: () => d.service.recordDispensation({ number, lines, sendToDmp: true, patientId }, 'ph') };
    };
    // The prescription carries an INS: only the record qualified with it.
    for (const wrong of [homonym, sameInsUnqualified]) {
      const { number, record } = await dispense(wrong.id);
      const queuedBefore = d.queued.length;
      await expect(record()).rejects.toMatchObject({ code: 'ERX_PATIENT_MISMATCH', details: { reason: 'ins' } });
      // Nothing recorded, no eDISP-MED copy queued for anyone.
      expect((await d.service.openDispensation({ number }, 'ph')).status).toBe('non dispensée');
      expect(d.queued).toHaveLength(queuedBefore);
    }
    // Without an INS in the prescription, the birth date must agree.
    await expect((await dispense(otherBirthDate.id, withoutIns.id)).record()).rejects.toMatchObject({ code: 'ERX_PATIENT_MISMATCH', details: { reason: 'birth-date' } });
    // The prescription's own patient: recorded, its copy queued for its DMP.
    const right = await dispense(PATIENT.id);
    d.patientReads.length = 0;
    await right.record();
    expect(d.queued.at(-1)?.patientId).toBe(PATIENT.id);
    // The chosen record is read once: checked, then used for the copy.
    expect(d.patientReads).toEqual([PATIENT.id]);
  });

  it('keeps nothing under a record merged into another (read-only, out of the search): neither a prescription nor a dispensation', async () => {
    const merged: OtherPatient = { ...PATIENT, id: 'patient-merged', ins: null, qualified: false, mergedInto: PATIENT.id };
    const d = desk(harness, { others: [merged] });
    d.use(gp);
    await expect(d.service.prescribe({ patientId: merged.id, lines: TWO_LINES, consent: 'OUI' }, 'dr')).rejects.toMatchObject({ code: 'PATIENT_MERGED', details: { mergedInto: PATIENT.id } });
    expect(d.queued).toHaveLength(0);
    const { number } = await d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr');
    await d.outbox.syncNow();
    d.use(pharmacist);
    const opened = await d.service.openDispensation({ number }, 'ph');
    const lines = opened.lines.map((l) => ({ lineId: l.id, outcome: { kind: 'delivered' as const } }));
    await expect(d.service.recordDispensation({ number, lines, sendToDmp: true, patientId: merged.id }, 'ph')).rejects.toMatchObject({ code: 'PATIENT_MERGED' });
    expect((await d.service.openDispensation({ number }, 'ph')).status).toBe('non dispensée');
  });

  it('a pharmacist substitutes, records, renews, and cannot dispense a fully delivered prescription again', async () => {
    const d = desk(harness);
    d.use(gp);
    const { number } = await d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'NON' }, 'dr');
    await d.outbox.syncNow();
    d.use(pharmacist);

    const opened = await d.service.openDispensation({ number: number.toLowerCase().replace(/(.{6})/g, '$1 ') }, 'ph');
    expect(opened.status).toBe('non dispensée');
    expect(opened.source).toBe('base');
    expect(opened.lines.map((l) => [l.name, l.posology, l.remaining])).toEqual([
      ['DOLIPRANE 1000 mg, comprimé', '1 comprimé 3 fois par jour, pendant 5 jours, voie orale', 1],
      ['CLAMOXYL 1 g, comprimé dispersible', '1 comprimé matin et soir pendant 6 jours', 2],
    ]);
    const [doliprane, clamoxyl] = opened.lines;

    const first = await d.service.recordDispensation(
      {
        number,
        lines: [
          { lineId: doliprane!.id, outcome: { kind: 'delivered' } },
          { lineId: clamoxyl!.id, outcome: { kind: 'substituted', cip13: '3400930082157', name: 'AMOXICILLINE ALMUS 1 g, comprimé dispersible' } },
        ],
        sendToDmp: true,
      },
      'ph',
    );
    expect(first.dispensations.at(-1)?.completeness).toBe('FFC');
    expect(first.status).toBe('partiellement dispensée');
    // The eDISP-MED copy went to the DMP port, for the patient found by INS.
    const edisp = readEprescriptionDocument(d.queued.at(-1)!.xml);
    expect(edisp.kind).toBe('eDISP-MED');
    expect(edisp.medications.map((m) => [m.name, m.prescriptionLineId, m.substitution?.code ?? null])).toEqual([
      ['DOLIPRANE 1000 mg, comprimé', doliprane!.id, null],
      ['AMOXICILLINE ALMUS 1 g, comprimé dispersible', clamoxyl!.id, 'G'],
    ]);
    await d.outbox.syncNow();
    expect(harness.sim.prescriptions.get(number)?.executions).toHaveLength(1);

    // The non-renewable line cannot be delivered again; the renewal of the other one can.
    await expect(d.service.recordDispensation({ number, lines: [{ lineId: doliprane!.id, outcome: { kind: 'delivered' } }], sendToDmp: false }, 'ph')).rejects.toMatchObject({
      code: 'ERX_LINE_EXHAUSTED',
    });
    const second = await d.service.recordDispensation({ number, lines: [{ lineId: clamoxyl!.id, outcome: { kind: 'adapted', quantity: 2, reason: 'conditionnement de 6 comprimés' } }], sendToDmp: false }, 'ph');
    expect(second.dispensations.at(-1)?.completeness).toBe('RFC');
    expect(second.status).toBe('dispensée');
    expect(second.canDispense).toBe(false);
    await d.outbox.syncNow();

    const again = await d.service.openDispensation({ number }, 'ph');
    expect(again.status).toBe('dispensée');
    expect(again.canDispense).toBe(false);
    expect(again.dispensations.every((x) => x.execution.state === 'done')).toBe(true);
    await expect(d.service.recordDispensation({ number, lines: [{ lineId: clamoxyl!.id, outcome: { kind: 'delivered' } }], sendToDmp: false }, 'ph')).rejects.toMatchObject({
      code: 'ERX_ALREADY_DISPENSED',
    });
  });

  it('records a dispensation while the base is down and executes it once when it is back', async () => {
    const d = desk(harness);
    d.use(gp);
    const { number } = await d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr');
    await d.outbox.syncNow();
    d.use(pharmacist);
    const opened = await d.service.openDispensation({ number }, 'ph');
    await harness.sim.setMode('down');
    // The base is unreachable: the local copy stands in.
    expect((await d.service.openDispensation({ number }, 'ph')).source).toBe('copie locale');
    const recorded = await d.service.recordDispensation({ number, lines: opened.lines.map((l) => ({ lineId: l.id, outcome: { kind: 'delivered' as const } })), sendToDmp: false }, 'ph');
    expect(recorded.dispensations.at(-1)?.execution.state).toBe('queued');
    await d.outbox.syncNow();
    expect(harness.sim.prescriptions.get(number)?.executions).toHaveLength(0);
    await harness.sim.setMode('up');
    d.clock.advance(60 * 60_000);
    await d.outbox.syncNow();
    await d.outbox.syncNow();
    expect(harness.sim.prescriptions.get(number)?.executions).toHaveLength(1);
    expect((await d.service.openDispensation({ number }, 'ph')).dispensations.at(-1)?.execution.state).toBe('done');
    expect(d.audit.filter((a) => a.action === 'eprescription.execute').map((a) => (a as { details?: { outcome?: string } }).details?.outcome)).toEqual(['failed', 'executed']);
  });

  it('says plainly when the number is unknown, malformed, or the prescription cancelled', async () => {
    const d = desk(harness);
    d.use(pharmacist);
    await expect(d.service.openDispensation({ number: 'ZZZZZZZZZZZZZZZZZZ' }, 'ph')).rejects.toMatchObject({ code: 'ERX_UNKNOWN_NUMBER' });
    await expect(d.service.openDispensation({ number: '12' }, 'ph')).rejects.toMatchObject({ code: 'ERX_NUMBER_INVALID' });
    d.use(gp);
    await expect(d.service.openDispensation({ number: 'ZZZZZZZZZZZZZZZZZZ' }, 'dr')).rejects.toMatchObject({ code: 'ERX_NOT_A_PHARMACIST' });
    const { number } = await d.service.prescribe({ patientId: PATIENT.id, lines: TWO_LINES, consent: 'OUI' }, 'dr');
    await d.outbox.syncNow();
    harness.sim.cancel(number);
    d.use(pharmacist);
    const view = await d.service.openDispensation({ number }, 'ph');
    expect(view.status).toBe('annulée');
    expect(view.canDispense).toBe(false);
    await expect(d.service.recordDispensation({ number, lines: [{ lineId: view.lines[0]!.id, outcome: { kind: 'delivered' } }], sendToDmp: false }, 'ph')).rejects.toMatchObject({ code: 'ERX_CANCELLED' });
  });

  it('refuses a substitution on a line marked non substituable, and a card the base does not know', async () => {
    const d = desk(harness);
    d.use(gp);
    const lines = [{ ...TWO_LINES[1]!, substitution: { allowed: false as const, reason: 'MTE' as const } }];
    const { number } = await d.service.prescribe({ patientId: PATIENT.id, lines, consent: 'OUI' }, 'dr');
    await d.outbox.syncNow();
    d.use(pharmacist);
    const view = await d.service.openDispensation({ number }, 'ph');
    expect(view.lines[0]?.substitutable).toBe(false);
    expect(view.lines[0]?.nonSubstitution).toContain('MTE');
    await expect(
      d.service.recordDispensation({ number, lines: [{ lineId: view.lines[0]!.id, outcome: { kind: 'substituted', cip13: '3400930082157', name: 'AMOXICILLINE ALMUS' } }], sendToDmp: false }, 'ph'),
    ).rejects.toMatchObject({ code: 'ERX_DISPENSATION_INVALID' });
    // A CPE (staff card) has no access to the base: the assertion is refused.
    await expect(harness.base.read(demoBaseCaller(pki.secretary), number)).rejects.toMatchObject({ code: 'ERX_RIGHTS_REFUSED' });
  });
});
