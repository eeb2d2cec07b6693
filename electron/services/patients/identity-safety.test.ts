/**
 * Identity safety in the patient base (issue 13): the INSi acceptance rule enforced when an INS is
 * attached, one INS per patient (store and migration), probable duplicates by likeness, the
 * doublon workflow (merge with a trace, distinct remembered), and editing traits with a reason.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { INS_OID } from '../identity';
import { PatientsService, patientsMigrations, patientsMigrations2 } from '.';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const audit: Array<{ actor: string; patientRef: string | null; action: string; details: Record<string, unknown> }> = [];
  let counter = 0;
  const service = new PatientsService({
    db,
    clock,
    logger: createMemoryLogger(clock),
    audit: (entry) => audit.push(entry),
    environment: () => 'test',
    newId: () => `pat-${++counter}`,
  });
  return { db, service, audit };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
  return undefined;
}

const LEONARDO = { birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', birthDate: '01/02/2014', sex: 'M' as const, birthPlaceCode: '63220' };
const EMMA_TIQ = { birthName: 'LEROUX', birthGivenNames: 'EMMA', firstGivenName: 'EMMA', birthDate: '2016-09-12', sex: 'M' as const, birthPlaceCode: '75056' };
const INS_A = '114026322012345'.slice(0, 13);

function matricule(number13: string): string {
  const n = BigInt(number13);
  return number13 + String(97n - (n % 97n)).padStart(2, '0');
}

describe('INSi acceptance enforced by the patient base', () => {
  it('refuses an identity whose traits differ (another child): nothing attached, refusal in the history and the audit', () => {
    const { service, audit } = setup();
    const { patient } = service.create({ strictTraits: LEONARDO }, 'CPE 1');
    const code = codeOf(() => service.applyInsiResult({ id: patient.id, matricule: matricule('2160975056123'), oid: INS_OID.TEST, traits: EMMA_TIQ, operation: 'vitale' }, 'CPE 1'));
    expect(code).toBe('IDENTITY_INSI_TRAITS_INCOHERENT');
    const { patient: after, history } = service.get(patient.id, 'CPE 1');
    expect(after.strictTraits.birthName).toBe('DE VINCI');
    expect(after.identity.ins).toBeNull();
    expect(after.identity.status).toBe('PROV');
    const refusal = history.at(-1);
    expect(refusal).toMatchObject({ event: 'insi.refused', from: 'PROV', to: 'PROV', details: { by: 'rule', operation: 'vitale' } });
    expect((refusal?.details.findings as Array<{ field: string }>).map((f) => f.field)).toEqual(['birthName', 'givenNames', 'birthDate', 'birthPlace']);
    // The other person's traits are not copied into this record's history.
    expect(JSON.stringify(history)).not.toMatch(/LEROUX|EMMA/);
    expect(audit.some((a) => a.action === 'identity.insi-refused' && a.patientRef === patient.id)).toBe(true);
  });

  it('asks for a reason for a single acceptable difference, then keeps it in the history with the old and new values', () => {
    const { service } = setup();
    const { patient } = service.create({ strictTraits: { ...LEONARDO, birthName: 'DEVINCI' } }, 'CPE 1');
    const input = { id: patient.id, matricule: matricule('1140263220123'), oid: INS_OID.TEST, traits: { ...EMMA_TIQ, birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', firstGivenName: 'LEONARDO', birthDate: '2014-02-01', birthPlaceCode: '63220' } };
    expect(codeOf(() => service.applyInsiResult(input, 'CPE 1'))).toBe('IDENTITY_INSI_CONFIRMATION_REQUIRED');
    expect(codeOf(() => service.applyInsiResult({ ...input, confirmation: { reason: ' ' } }, 'CPE 1'))).toBe('IDENTITY_INSI_CONFIRMATION_REQUIRED');
    const applied = service.applyInsiResult({ ...input, confirmation: { reason: 'Nom vérifié sur la carte d’identité' } }, 'CPE 1');
    expect(applied.acceptance.decision).toBe('confirm');
    expect(applied.patient.identity.status).toBe('RECUP');
    expect(applied.entry.details).toMatchObject({
      acceptedDifference: { field: 'birthName', kind: 'punctuation' },
      reason: 'Nom vérifié sur la carte d’identité',
      changes: [{ field: 'birthName', from: 'DEVINCI', to: 'DE VINCI' }],
    });
  });
});

describe('one INS, one patient', () => {
  it('refuses an INS already held by another record and turns the attempt into a « doublon potentiel »', () => {
    const { service } = setup();
    const a = service.create({ strictTraits: LEONARDO }, 'CPE 1').patient;
    const b = service.create({ strictTraits: { ...LEONARDO, birthName: 'DE VINCCI' }, acknowledgeDuplicates: true }, 'CPE 1').patient;
    const tiq = { birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', firstGivenName: 'LEONARDO', birthDate: '2014-02-01', sex: 'M' as const, birthPlaceCode: '63220' };
    service.applyInsiResult({ id: a.id, matricule: matricule(INS_A), oid: INS_OID.TEST, traits: tiq }, 'CPE 1');
    const attempt = () => service.applyInsiResult({ id: b.id, matricule: matricule(INS_A), oid: INS_OID.TEST, traits: tiq, confirmation: { reason: 'orthographe' } }, 'CPE 1');
    expect(codeOf(attempt)).toBe('PATIENT_INS_ALREADY_ATTACHED');
    expect(service.get(b.id, 'CPE 1').patient.identity.ins).toBeNull();
    expect(service.get(b.id, 'CPE 1').history.at(-1)).toMatchObject({ event: 'insi.refused', details: { by: 'ins-already-attached', otherPatientId: a.id } });
    const pairs = service.duplicatePairs(10, 'CPE 1');
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toMatchObject({ reason: 'same-ins', source: 'insi' });
    expect([pairs[0]?.a.id, pairs[0]?.b.id].sort()).toEqual([a.id, b.id].sort());
  });

  it('refuses it at the store too: a unique index per environment', () => {
    const { db, service } = setup();
    const a = service.create({ strictTraits: LEONARDO }, 'CPE 1').patient;
    const b = service.create({ strictTraits: { ...LEONARDO, birthGivenNames: 'PIERO' } }, 'CPE 1').patient;
    const set = db.prepare("UPDATE patients SET ins_matricule = ?, ins_oid = '1.2.250.1.213.1.4.10' WHERE id = ?");
    set.run(matricule(INS_A), a.id);
    expect(() => set.run(matricule(INS_A), b.id)).toThrow(/UNIQUE/);
    // Another environment has its own INS space.
    db.prepare("UPDATE patients SET environment = 'demo' WHERE id = ?").run(b.id);
    expect(() => set.run(matricule(INS_A), b.id)).not.toThrow();
  });

  it('migrates a base where two records share an INS: kept on the qualified one, detached from the other with a trace, listed as a doublon', () => {
    const db = openDatabase({ path: ':memory:' });
    migrate(db, patientsMigrations.map((m, i) => ({ ...m, version: i + 1 })));
    const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
    // Two records as release 0.1.0 wrote them (its columns only).
    const insert = db.prepare(`INSERT INTO patients (id, environment, created_at, updated_at, birth_name, birth_given_names, first_given_name,
      birth_year, birth_month, birth_day, birth_date, birth_date_estimated, sex, identity_status, strict_key, sort_name)
      VALUES (?, 'test', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 'DE VINCI', ?, ?, 2014, 2, 1, '2014-02-01', 0, 'M', 'PROV', ?, 'DEVINCI')`);
    insert.run('pat-1', 'LEONARDO', 'LEONARDO', 'DEVINCI|LEONARDO|2014-02-01|M');
    insert.run('pat-2', 'PIERO', 'PIERO', 'DEVINCI|PIERO|2014-02-01|M');
    const a = { id: 'pat-1' };
    const b = { id: 'pat-2' };
    // 0.1.0 allowed it (issue 13): both records got the same INS.
    const setIns = db.prepare("UPDATE patients SET ins_matricule = ?, ins_oid = '1.2.250.1.213.1.4.10', insi_confirmed_at = ?, identity_status = ? WHERE id = ?");
    setIns.run(matricule(INS_A), '2026-01-02T00:00:00.000Z', 'RECUP', b.id);
    setIns.run(matricule(INS_A), '2026-03-01T00:00:00.000Z', 'QUAL', a.id);
    db.prepare(`UPDATE patients SET document_check = '{"device":"passeport","parentDevice":null,"highTrust":true,"checkedBy":"x","checkedAt":"2026-03-01"}' WHERE id = ?`).run(a.id);
    migrate(db, [...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
    const service = new PatientsService({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, environment: () => 'test' });
    expect(service.get(a.id, 'x').patient.identity.ins?.matricule).toBe(matricule(INS_A));
    const detached = service.get(b.id, 'x');
    expect(detached.patient.identity).toMatchObject({ ins: null, insiConfirmedAt: null, status: 'PROV' });
    expect(detached.history.at(-1)).toMatchObject({ event: 'ins.detached', from: 'RECUP', to: 'PROV', details: { reason: 'same-ins', keptOn: a.id } });
    expect(service.duplicatePairs(10, 'x')[0]).toMatchObject({ reason: 'same-ins', source: 'migration' });
  });
});

describe('probable duplicates by likeness', () => {
  it('finds DUPOND when Dupont exists with the same first names, birth date and sex, at creation', () => {
    const { service } = setup();
    const dupont = service.create({ strictTraits: { birthName: 'Dupont', birthGivenNames: 'Jean Pierre', birthDate: '12/03/1984', sex: 'M' } }, 'CPE 1').patient;
    try {
      service.create({ strictTraits: { birthName: 'DUPOND', birthGivenNames: 'JEAN PIERRE', birthDate: '12/03/1984', sex: 'M' }, source: 'vitale' }, 'CPE 1');
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe('PATIENT_DUPLICATE_SUSPECTED');
      expect((error as AppError).details).toEqual({ candidateIds: [dupont.id] });
    }
    expect(service.findDuplicates({ birthName: 'Dupond', birthGivenNames: 'Jean', birthDate: '12/03/1984', sex: 'M' }, 'CPE 1', 'vitale').map((p) => [p.id, p.match])).toEqual([[dupont.id, 'approx']]);
    expect(service.findDuplicates({ birthName: 'Dupond', birthGivenNames: 'Jean', birthDate: '12/03/1984', sex: 'F' }, 'CPE 1', 'vitale')).toEqual([]);
  });

  it('flags look-alikes at CSV import and lists them for review', async () => {
    const { service } = setup();
    service.create({ strictTraits: { birthName: 'Dupont', birthGivenNames: 'Jean', birthDate: '12/03/1984', sex: 'M' } }, 'CPE 1');
    const csv = 'Nom;Prénoms;Naissance;Sexe\nDUPOND;Jean;12/03/1984;M\nMARTIN;Louise;01/01/1990;F\n';
    const mapping = { Nom: 'birthName', Prénoms: 'birthGivenNames', Naissance: 'birthDate', Sexe: 'sex' } as const;
    const bytes = new TextEncoder().encode(csv);
    expect(service.importPreview({ bytes, mapping }, 'CPE 1').probableDuplicates).toBe(1);
    const result = await service.importCommit({ bytes, mapping }, 'CPE 1');
    expect(result).toMatchObject({ created: 2, probableDuplicates: 1 });
    expect(service.duplicatePairs(10, 'CPE 1')).toMatchObject([{ reason: 'likeness', source: 'import' }]);
  });
});

describe('doublon workflow', () => {
  async function twoLookAlikes() {
    const ctx = setup();
    const kept = ctx.service.create({ strictTraits: { birthName: 'Dupont', birthGivenNames: 'Jean', birthDate: '12/03/1984', sex: 'M' } }, 'CPE 1').patient;
    const csv = new TextEncoder().encode('Nom;Prénoms;Naissance;Sexe\nDUPOND;Jean;12/03/1984;M\n');
    await ctx.service.importCommit({ bytes: csv, mapping: { Nom: 'birthName', Prénoms: 'birthGivenNames', Naissance: 'birthDate', Sexe: 'sex' } }, 'CPE 1');
    const other = ctx.service.duplicatePairs(10, 'CPE 1').flatMap((p) => [p.a.id, p.b.id]).find((id) => id !== kept.id) as string;
    return { ...ctx, kept, other };
  }

  it('merges with a trace: the merged record stays, read-only and out of search; both histories and the audit say so; pending work follows', async () => {
    const { service, audit, kept, other } = await twoLookAlikes();
    const moved: Array<[string, string]> = [];
    service.addMergeParticipant({ label: 'documents DMP à envoyer', reassign: (from, to) => (moved.push([from, to]), 2) });
    const result = service.merge({ keptId: kept.id, mergedId: other, reason: 'même personne, faute de frappe à l’import' }, 'CPE 1');
    expect(result.moved).toEqual([{ label: 'documents DMP à envoyer', count: 2 }]);
    expect(moved).toEqual([[other, kept.id]]);
    const merged = service.get(other, 'CPE 1');
    expect(merged.patient.mergedInto).toBe(kept.id);
    expect(merged.history.at(-1)).toMatchObject({ event: 'patient.merged-into', details: { keptId: kept.id } });
    expect(service.get(kept.id, 'CPE 1').history.at(-1)).toMatchObject({ event: 'patient.merged', details: { mergedId: other } });
    expect(service.search({ query: 'DUPOND' }, 'CPE 1').results.map((p) => p.id)).not.toContain(other);
    expect(service.search({ query: '12/03/1984' }, 'CPE 1').results.map((p) => p.id)).toEqual([kept.id]);
    expect(codeOf(() => service.update({ id: other, usedTraits: { usedName: 'X' }, reason: 'essai' }, 'CPE 1'))).toBe('PATIENT_MERGED');
    expect(service.duplicatePairs(10, 'CPE 1')).toEqual([]);
    expect(audit.filter((a) => a.action === 'patient.merge' || a.action === 'patient.merged-into').map((a) => a.patientRef).sort()).toEqual([kept.id, other].sort());
  });

  it('never merges a record with an INS into one without, nor two records with different INS', async () => {
    const { service, kept, other } = await twoLookAlikes();
    const tiq = { birthName: 'DUPOND', birthGivenNames: 'JEAN', firstGivenName: 'JEAN', birthDate: '1984-03-12', sex: 'M' as const, birthPlaceCode: null };
    service.applyInsiResult({ id: other, matricule: matricule('1840375056001'), oid: INS_OID.TEST, traits: tiq }, 'CPE 1');
    expect(codeOf(() => service.merge({ keptId: kept.id, mergedId: other, reason: 'même personne' }, 'CPE 1'))).toBe('PATIENT_MERGE_REFUSED');
    service.applyInsiResult({ id: kept.id, matricule: matricule('1840375056002'), oid: INS_OID.TEST, traits: { ...tiq, birthName: 'DUPONT' } }, 'CPE 1');
    expect(codeOf(() => service.merge({ keptId: kept.id, mergedId: other, reason: 'même personne' }, 'CPE 1'))).toBe('PATIENT_MERGE_REFUSED');
  });

  it('remembers two distinct people: the pair is not proposed again', async () => {
    const { service, kept, other } = await twoLookAlikes();
    expect(service.duplicatesOf(other, 'CPE 1').map((p) => p.id)).toEqual([kept.id]);
    service.markDistinct({ a: kept.id, b: other, reason: 'jumeaux, vérifié sur les pièces' }, 'CPE 1');
    expect(service.duplicatePairs(10, 'CPE 1')).toEqual([]);
    expect(service.duplicatesOf(other, 'CPE 1')).toEqual([]);
    expect(service.get(kept.id, 'CPE 1').history.at(-1)).toMatchObject({ event: 'duplicate.distinct', details: { otherPatientId: other } });
  });
});

describe('editing local traits', () => {
  it('needs a reason and keeps each change with its old and new value; a qualified identity’s INS traits stay locked', () => {
    const { service } = setup();
    const { patient } = service.create({ strictTraits: LEONARDO }, 'CPE 1');
    expect(codeOf(() => service.update({ id: patient.id, strictTraits: { ...LEONARDO, birthPlaceCode: '75056' } }, 'CPE 1'))).toBe('PATIENT_CHANGE_REASON_REQUIRED');
    service.update({ id: patient.id, strictTraits: { ...LEONARDO, birthPlaceCode: '75056' }, usedTraits: { usedName: 'Da Vinci' }, reason: 'Pièce d’identité présentée' }, 'CPE 1');
    const history = service.get(patient.id, 'CPE 1').history;
    expect(history.find((h) => h.event === 'traits.changed')?.details).toMatchObject({ changes: [{ field: 'birthPlaceCode', from: '63220', to: '75056' }], reason: 'Pièce d’identité présentée' });
    expect(history.find((h) => h.event === 'used-traits.changed')?.details).toMatchObject({ changes: [{ field: 'usedName', from: null, to: 'Da Vinci' }] });
    expect(service.get(patient.id, 'CPE 1').patient.birthPlaceLabel).toBe('Paris');
    const tiq = { birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', firstGivenName: 'LEONARDO', birthDate: '2014-02-01', sex: 'M' as const, birthPlaceCode: '75056' };
    service.applyInsiResult({ id: patient.id, matricule: matricule(INS_A), oid: INS_OID.TEST, traits: tiq }, 'CPE 1');
    service.recordIdentityCheck({ id: patient.id, device: 'passeport' }, 'CPE 1');
    expect(codeOf(() => service.update({ id: patient.id, strictTraits: { ...LEONARDO, birthPlaceCode: '63220' }, reason: 'erreur' }, 'CPE 1'))).toBe('IDENTITY_QUALIFIED_LOCKED');
    // Used traits stay editable on a qualified identity.
    expect(service.update({ id: patient.id, usedTraits: { usedGivenName: 'Leo' }, reason: 'prénom d’usage' }, 'CPE 1').patient.identity.status).toBe('QUAL');
  });
});
