import { describe, expect, it } from 'vitest';
import { AppError, type Environment } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { INS_OID } from '../identity';
import { PatientsService, patientsMigrations, patientsMigrations2, type CreatePatientInput } from '.';

interface AuditCall {
  actor: string;
  patientRef: string | null;
  action: string;
  details: Record<string, unknown>;
}

function setup(initialEnvironment: Environment = 'demo') {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const logger = createMemoryLogger(clock);
  const audit: AuditCall[] = [];
  let environment = initialEnvironment;
  let counter = 0;
  const notifications: unknown[] = [];
  const service = new PatientsService({
    db,
    clock,
    logger,
    audit: (entry) => audit.push(entry),
    environment: () => environment,
    newId: () => `pat-${++counter}`,
    notify: (n) => notifications.push(n),
  });
  return {
    db,
    clock,
    logger,
    audit,
    service,
    notifications,
    setEnvironment: (e: Environment) => {
      environment = e;
    },
  };
}

const ECETINSI: CreatePatientInput = {
  strictTraits: { birthName: 'Ecetinsi', birthGivenNames: 'Pierre-Alain', birthDate: '14/07/2009', sex: 'M' },
};

const HELENE: CreatePatientInput = {
  strictTraits: { birthName: "D'Artagnan de l'Hérault", birthGivenNames: 'Hélène Marie', birthDate: '17/06/2001', sex: 'F', birthPlaceCode: '63220' },
  usedTraits: { usedName: 'Lefèvre', usedGivenName: 'Lena' },
  declaredNir: '2 01 06 63 220 123',
  externalId: 'D000042',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : `not-an-AppError: ${String(error)}`;
  }
  return undefined;
}

describe('patients: storage', () => {
  it('runs on a SQLite build with FTS5 and its trigram tokenizer (better-sqlite3-multiple-ciphers)', () => {
    const { db } = setup();
    expect(db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5')").pluck().get()).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name").pluck().all();
    expect(tables).toEqual(['patient_terms_fts', 'patient_terms_trigram', 'patients_fts']);
  });

  it('never deletes a patient nor rewrites the identity history', () => {
    const { db, service } = setup();
    service.create(ECETINSI, 'CPE 1');
    expect(() => db.prepare('DELETE FROM patients').run()).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE patient_identity_history SET actor = 'x'").run()).toThrow(/append-only/);
  });
});

describe('patients: create, get, update', () => {
  it('creates a provisional identity with strict traits in INSi form and used traits as typed', () => {
    const { service, audit } = setup();
    const { patient, duplicates } = service.create(HELENE, 'CPE 1');
    expect(duplicates).toEqual([]);
    expect(patient).toMatchObject({
      id: 'pat-1',
      version: 1,
      createdAt: '2026-11-22T09:00:00.000Z',
      strictTraits: {
        birthName: "D'ARTAGNAN DE L'HERAULT",
        birthGivenNames: 'HELENE MARIE',
        firstGivenName: 'HELENE',
        birthDate: { date: '2001-06-17', estimated: false },
        sex: 'F',
        birthPlaceCode: '63220',
      },
      usedTraits: { usedName: 'Lefèvre', usedGivenName: 'Lena' },
      identity: { status: 'PROV', ins: null },
      declaredNir: '2010663220123',
      externalId: 'D000042',
      insShareable: false,
    });
    expect(audit).toEqual([{ actor: 'CPE 1', patientRef: 'pat-1', action: 'patient.create', details: { source: 'manual', duplicatesAcknowledged: 0 } }]);
  });

  it('reads a patient with its identity history, and audits the read', () => {
    const { service, audit } = setup();
    service.create(ECETINSI, 'CPE 1');
    const { patient, history } = service.get('pat-1', 'CPS 2');
    expect(patient.strictTraits.birthName).toBe('ECETINSI');
    expect(history).toEqual([{ at: '2026-11-22T09:00:00.000Z', actor: 'CPE 1', event: 'identity.created', from: 'PROV', to: 'PROV', details: { source: 'manual' } }]);
    expect(audit.at(-1)).toEqual({ actor: 'CPS 2', patientRef: 'pat-1', action: 'patient.read', details: {} });
    expect(codeOf(() => service.get('nope', 'CPS 2'))).toBe('PATIENT_NOT_FOUND');
  });

  it('refuses invalid traits with field names and rule codes only (no values in the error)', () => {
    const { service } = setup();
    try {
      service.create({ strictTraits: { birthName: 'DUP0NT', birthGivenNames: 'JEAN', birthDate: '31/02/1980', sex: 'M' } }, 'CPE 1');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      const appError = error as AppError;
      expect(appError.code).toBe('IDENTITY_TRAITS_INVALID');
      expect(appError.details).toEqual({ fields: [{ field: 'birthName', code: 'FORBIDDEN_CHARACTERS' }, { field: 'birthDate', code: 'DAY' }] });
      expect(JSON.stringify(appError.toWire())).not.toMatch(/DUP0NT|1980/);
    }
  });

  it('warns of a duplicate with the same strict traits, and creates it only once acknowledged', () => {
    const { service, audit } = setup();
    service.create(ECETINSI, 'CPE 1');
    const twin = { strictTraits: { ...ECETINSI.strictTraits, birthName: 'ÉCETINSI', birthGivenNames: 'Pierre-Alain Muriel' } };
    try {
      service.create(twin, 'CPE 1');
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).code).toBe('PATIENT_DUPLICATE_SUSPECTED');
      expect((error as AppError).details).toEqual({ candidateIds: ['pat-1'] });
    }
    expect(audit.at(-1)).toMatchObject({ action: 'patient.create.refused', details: { reason: 'duplicate', candidates: 1 } });
    const created = service.create({ ...twin, acknowledgeDuplicates: true }, 'CPE 1');
    expect(created.duplicates.map((d) => d.id)).toEqual(['pat-1']);
    // « C'est une autre personne » is remembered: the pair is not proposed again.
    expect(service.duplicatesOf('pat-2', 'CPE 1').map((d) => d.id)).toEqual([]);
  });

  it('updates used traits without touching the status, and strict traits by moving the status down', () => {
    const { service, audit } = setup();
    service.create(ECETINSI, 'CPE 1');
    service.applyInsiResult({ id: 'pat-1', matricule: '109076322083489', oid: INS_OID.TEST, traits: ECETINSI.strictTraits }, 'CPE 1');
    const used = service.update({ id: 'pat-1', expectedVersion: 2, usedTraits: { usedGivenName: 'Pierrot' }, reason: 'prénom d’usage donné par le patient' }, 'CPE 1');
    expect(used.patient).toMatchObject({ version: 3, usedTraits: { usedGivenName: 'Pierrot' }, identity: { status: 'RECUP' } });
    const strict = service.update({ id: 'pat-1', strictTraits: { ...ECETINSI.strictTraits, birthPlaceCode: '63220' }, reason: 'lieu de naissance lu sur la pièce d’identité' }, 'CPE 1');
    expect(strict.patient).toMatchObject({ version: 4, identity: { status: 'PROV', insiConfirmedAt: null } });
    expect(audit.at(-1)).toEqual({
      actor: 'CPE 1',
      patientRef: 'pat-1',
      action: 'patient.update',
      details: { changedFields: ['birthPlaceCode'], statusFrom: 'RECUP', statusTo: 'PROV', reasonGiven: true },
    });
    expect(codeOf(() => service.update({ id: 'pat-1', expectedVersion: 2, usedTraits: { usedName: 'X' } }, 'CPE 1'))).toBe('PATIENT_VERSION_CONFLICT');
    const history = service.get('pat-1', 'CPE 1').history.map((h) => [h.event, h.from, h.to]);
    expect(history).toEqual([
      ['identity.created', 'PROV', 'PROV'],
      ['insi.succeeded', 'PROV', 'RECUP'],
      ['used-traits.changed', 'RECUP', 'RECUP'],
      ['traits.changed', 'RECUP', 'PROV'],
    ]);
  });
});

describe('patients: RNIV identity workflow', () => {
  it('reaches QUAL: INSi result then a passport checked by a named person; history and audit say who, what, when', () => {
    const { service, audit, clock } = setup();
    service.create(ECETINSI, 'CPE 1');
    const insi = service.applyInsiResult(
      {
        id: 'pat-1',
        matricule: '109076322083489',
        oid: INS_OID.TEST,
        traits: { ...ECETINSI.strictTraits, birthGivenNames: 'PIERRE-ALAIN MURIEL FLORIANT', birthPlaceCode: '63220' },
      },
      'CPS 899700123456',
    );
    expect(insi.patient.identity.status).toBe('RECUP');
    expect(insi.patient.strictTraits.birthGivenNames).toBe('PIERRE-ALAIN MURIEL FLORIANT');
    clock.advance(60_000);
    const check = service.recordIdentityCheck({ id: 'pat-1', device: 'passeport' }, 'CPE 1');
    expect(check.patient).toMatchObject({
      identity: { status: 'QUAL', documentCheck: { device: 'passeport', checkedBy: 'CPE 1', checkedAt: '2026-11-22T09:01:00.000Z' } },
      insShareable: true,
    });
    expect(check.entry).toMatchObject({ event: 'document.checked', from: 'RECUP', to: 'QUAL', actor: 'CPE 1' });
    expect(audit.at(-1)).toEqual({
      actor: 'CPE 1',
      patientRef: 'pat-1',
      action: 'identity.document-check',
      details: { statusFrom: 'RECUP', statusTo: 'QUAL', device: 'passeport', highTrust: true },
    });
    expect(codeOf(() => service.update({ id: 'pat-1', strictTraits: { ...ECETINSI.strictTraits, birthName: 'ECETINSY' } }, 'CPE 1'))).toBe('IDENTITY_QUALIFIED_LOCKED');
  });

  it('blocks INSi for a douteuse identity and invalidates its INS', () => {
    const { service } = setup();
    service.create(ECETINSI, 'CPE 1');
    service.applyInsiResult({ id: 'pat-1', matricule: '109076322083489', oid: INS_OID.TEST, traits: ECETINSI.strictTraits }, 'CPE 1');
    const doubt = service.setIdentityAttribute({ id: 'pat-1', attribute: 'douteuse', value: true, reason: 'photo différente' }, 'CPE 1');
    expect(doubt.patient.identity).toMatchObject({ status: 'PROV', ins: null, attributes: { douteuse: true } });
    expect(codeOf(() => service.insiQueryTraits('pat-1', 'CPE 1'))).toBe('IDENTITY_INSI_BLOCKED');
    expect(
      codeOf(() => service.applyInsiResult({ id: 'pat-1', matricule: '109076322083489', oid: INS_OID.TEST, traits: ECETINSI.strictTraits }, 'CPE 1')),
    ).toBe('IDENTITY_INSI_BLOCKED');
  });

  it('gives the INSi client the strict traits of an identity that may be queried', () => {
    const { service, audit } = setup();
    service.create(ECETINSI, 'CPE 1');
    expect(service.insiQueryTraits('pat-1', 'CPE 1')).toMatchObject({ birthName: 'ECETINSI', firstGivenName: 'PIERRE-ALAIN' });
    expect(audit.at(-1)).toMatchObject({ action: 'patient.read', details: { purpose: 'insi' } });
  });

  it('refuses an INS whose OID does not belong to the environment, and records a key mismatch without refusing it', () => {
    const { service, setEnvironment } = setup('production');
    service.create(ECETINSI, 'CPE 1');
    expect(
      codeOf(() => service.applyInsiResult({ id: 'pat-1', matricule: '109076322083489', oid: INS_OID.DEMO, traits: ECETINSI.strictTraits }, 'CPE 1')),
    ).toBe('INS_OID_ENVIRONMENT_MISMATCH');
    expect(codeOf(() => service.applyInsiResult({ id: 'pat-1', matricule: '109076322083489', oid: '1.2.3', traits: ECETINSI.strictTraits }, 'CPE 1'))).toBe(
      'INS_OID_UNKNOWN',
    );
    // CNDA TEST_2.08_cas2: the server sends a matricule whose key does not verify
    const result = service.applyInsiResult({ id: 'pat-1', matricule: '181036322045660', oid: INS_OID.NIR, traits: ECETINSI.strictTraits }, 'CPE 1');
    expect(result.entry.details).toMatchObject({ keyMismatch: true });
    expect(result.patient.identity.ins).toEqual({ matricule: '181036322045660', oid: INS_OID.NIR });
    setEnvironment('demo');
    expect(codeOf(() => service.get('pat-1', 'CPE 1'))).toBe('PATIENT_NOT_FOUND');
  });

  it('keeps each environment’s patients apart: demo patients never show in production', () => {
    const { service, setEnvironment } = setup('demo');
    service.create(ECETINSI, 'CPE 1');
    expect(service.search({ query: 'ecetinsi' }, 'CPE 1').results).toHaveLength(1);
    setEnvironment('production');
    expect(service.search({ query: 'ecetinsi' }, 'CPE 1').results).toHaveLength(0);
    // and the same person may be created in production without a duplicate warning
    expect(service.create(ECETINSI, 'CPE 1').duplicates).toEqual([]);
  });

  it('produces the INS datamatrix only for a QUAL identity', () => {
    const { service, audit } = setup();
    service.create(ECETINSI, 'CPE 1');
    expect(codeOf(() => service.datamatrix('pat-1', 'CPE 1'))).toBe('IDENTITY_DATAMATRIX_NOT_QUALIFIED');
    service.recordIdentityCheck({ id: 'pat-1', device: 'identite-numerique' }, 'CPE 1');
    service.applyInsiResult({ id: 'pat-1', matricule: '109076322083489', oid: INS_OID.TEST, traits: ECETINSI.strictTraits }, 'CPE 1');
    const { content, svg } = service.datamatrix('pat-1', 'CPE 1');
    expect(content).toBe('IS010000000000000000000000S1109076322083489S21.2.250.1.213.1.4.10S3PIERRE-ALAIN\u001dS4ECETINSI\u001dS5MS614-07-2009');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(audit.at(-1)).toMatchObject({ action: 'identity.datamatrix', patientRef: 'pat-1' });
  });

  it('notifies the host after each committed change', () => {
    const { service, notifications } = setup();
    service.create(ECETINSI, 'CPE 1');
    service.recordIdentityCheck({ id: 'pat-1', device: 'passeport' }, 'CPE 1');
    expect(notifications).toEqual([
      { event: 'patients.changed', payload: { id: 'pat-1', reason: 'created' } },
      { event: 'patients.changed', payload: { id: 'pat-1', reason: 'identity' } },
    ]);
  });

  it('writes no name, birth date or NIR in its logs', () => {
    const { service, logger } = setup('production');
    service.create(ECETINSI, 'CPE 1');
    service.applyInsiResult({ id: 'pat-1', matricule: '181036322045660', oid: INS_OID.NIR, traits: ECETINSI.strictTraits }, 'CPE 1');
    const text = logger.lines.join('\n');
    // One line was written (the check below is not vacuous), and it names nobody.
    expect(logger.lines).toHaveLength(1);
    expect(text).not.toMatch(/ECETINSI|PIERRE|2009|1810363220456/);
  });
});

describe('patients: search', () => {
  function seeded() {
    const context = setup();
    const people: CreatePatientInput[] = [
      HELENE,
      ECETINSI,
      { strictTraits: { birthName: 'Dupont', birthGivenNames: 'Jean Pierre', birthDate: '01/02/1950', sex: 'M' }, declaredNir: '1500263113017' },
      { strictTraits: { birthName: 'Dupont--Martin', birthGivenNames: 'Chloé', birthDate: '10/10/1990', sex: 'F' } },
      { strictTraits: { birthName: 'Dupuis', birthGivenNames: 'Zoé', birthDate: '01/02/1950', sex: 'F' } },
      { strictTraits: { birthName: 'Lebœuf', birthGivenNames: 'Noël', birthDate: '25/12/1961', sex: 'M' } },
      { strictTraits: { birthName: 'Martin', birthGivenNames: 'Jean', birthDate: '00/00/1940', sex: 'M' }, usedTraits: { usedName: 'Martin-Durand' } },
    ];
    for (const p of people) context.service.create(p, 'CPE 1');
    return context;
  }
  const names = (r: { results: Array<{ birthName: string; firstGivenName: string }> }) => r.results.map((p) => `${p.birthName} ${p.firstGivenName}`);

  it('is accent- and case-insensitive', () => {
    const { service } = seeded();
    expect(names(service.search({ query: 'HELENE' }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
    expect(names(service.search({ query: 'hélène' }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
    expect(names(service.search({ query: 'leboeuf' }, 'a'))).toEqual(['LEBOEUF NOEL']);
    expect(names(service.search({ query: 'lebœuf noël' }, 'a'))).toEqual(['LEBOEUF NOEL']);
  });

  it('matches prefixes of every word, in any name field; birth names starting with the first word come first, then by name', () => {
    const { service } = seeded();
    expect(names(service.search({ query: 'dup' }, 'a'))).toEqual(['DUPONT JEAN', 'DUPONT--MARTIN CHLOE', 'DUPUIS ZOE']);
    expect(names(service.search({ query: 'dup je' }, 'a'))).toEqual(['DUPONT JEAN']);
    expect(names(service.search({ query: 'martin' }, 'a'))).toEqual(['MARTIN JEAN', 'DUPONT--MARTIN CHLOE']);
    expect(names(service.search({ query: 'jean' }, 'a'))).toEqual(['DUPONT JEAN', 'MARTIN JEAN']);
    // used name and compound words, with or without the separator
    expect(names(service.search({ query: 'durand' }, 'a'))).toEqual(['MARTIN JEAN']);
    expect(names(service.search({ query: 'dartagnan' }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
    expect(names(service.search({ query: "d'artagnan" }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
    expect(names(service.search({ query: 'lefevre' }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
  });

  it('tolerates a typo, after the exact matches, and says so', () => {
    const { service } = seeded();
    const typo = service.search({ query: 'dupomt' }, 'a');
    expect(names(typo)).toEqual(['DUPONT JEAN', 'DUPONT--MARTIN CHLOE']);
    expect(typo.approximate).toBe(true);
    expect(typo.results.every((r) => r.match === 'approx')).toBe(true);
    expect(names(service.search({ query: 'ecetinsy' }, 'a'))).toEqual(['ECETINSI PIERRE-ALAIN']);
    expect(names(service.search({ query: 'ectinsi' }, 'a'))).toEqual(['ECETINSI PIERRE-ALAIN']);
    // an adjacent transposition shares no trigram with the right word: the delete neighbourhood finds it;
    // the birth names starting with the corrected word come first, as they do for exact matches
    expect(names(service.search({ query: 'matrin' }, 'a'))).toEqual(['MARTIN JEAN', 'DUPONT--MARTIN CHLOE']);
    // still typing, last letter wrong
    expect(names(service.search({ query: 'dupoj' }, 'a'))).toEqual(['DUPONT JEAN', 'DUPONT--MARTIN CHLOE']);
    // two typos in a long word
    expect(names(service.search({ query: 'dartagnab herault' }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
    expect(names(service.search({ query: 'dratagann' }, 'a'))).toEqual(["D'ARTAGNAN DE L'HERAULT HELENE"]);
    // short words are not made tolerant: « dup » does not find « dap… »
    expect(service.search({ query: 'xyz' }, 'a').results).toEqual([]);
  });

  it('finds by birth date, alone or with a name, including a partial date', () => {
    const { service } = seeded();
    expect(names(service.search({ birthDate: '01/02/1950' }, 'a'))).toEqual(['DUPONT JEAN', 'DUPUIS ZOE']);
    expect(names(service.search({ query: 'dupuis 01/02/1950' }, 'a'))).toEqual(['DUPUIS ZOE']);
    expect(names(service.search({ query: '1940' }, 'a'))).toEqual(['MARTIN JEAN']);
    expect(names(service.search({ query: '1/2/1950 jean' }, 'a'))).toEqual(['DUPONT JEAN']);
  });

  it('finds by NIR (declared or INS), typed with or without key and spaces', () => {
    const { service } = seeded();
    service.applyInsiResult({ id: 'pat-2', matricule: '109076322083489', oid: INS_OID.TEST, traits: ECETINSI.strictTraits }, 'CPE 1');
    expect(names(service.search({ nir: '1 50 02 63 113 017' }, 'a'))).toEqual(['DUPONT JEAN']);
    expect(names(service.search({ query: '109076322083489' }, 'a'))).toEqual(['ECETINSI PIERRE-ALAIN']);
    expect(names(service.search({ query: '1 09 07 63 220 834' }, 'a'))).toEqual(['ECETINSI PIERRE-ALAIN']);
  });

  it('audits every search without its criteria values, and refuses an empty search', () => {
    const { service, audit } = seeded();
    service.search({ query: 'dupont 01/02/1950' }, 'CPS 2');
    expect(audit.at(-1)).toEqual({ actor: 'CPS 2', patientRef: null, action: 'patient.search', details: { criteria: ['name', 'birthDate'], results: 1, approximate: false } });
    expect(codeOf(() => service.search({ query: 'd' }, 'a'))).toBe('PATIENT_SEARCH_EMPTY');
    expect(codeOf(() => service.search({ birthDate: '31/02/1950' }, 'a'))).toBe('IDENTITY_BIRTH_DATE_INVALID');
  });

  it('honours the limit', () => {
    const { service } = seeded();
    expect(service.search({ query: 'dup', limit: 2 }, 'a').results).toHaveLength(2);
  });
});

describe('INSi worklist candidates', () => {
  it('selects by status, import or ids, never a douteuse or fictive identity, and only in this environment', () => {
    const { service, setEnvironment } = setup();
    const a = service.create(ECETINSI, 'CPE 1').patient.id;
    const b = service.create(HELENE, 'CPE 1').patient.id;
    const c = service.create({ strictTraits: { birthName: 'Martin', birthGivenNames: 'Paul', birthDate: '01/02/1980', sex: 'M' } }, 'CPE 1').patient.id;
    service.setIdentityAttribute({ id: c, attribute: 'douteuse', value: true, reason: 'pièce illisible' }, 'CPE 1');

    expect(service.insiCandidates({ kind: 'status', statuses: ['PROV'] })).toEqual([a, b]);
    expect(service.insiCandidates({ kind: 'status', statuses: ['VALI'] })).toEqual([]);
    expect(service.insiCandidates({ kind: 'patients', ids: [c, b, 'absent'] })).toEqual([b]);

    setEnvironment('test');
    expect(service.insiCandidates({ kind: 'status', statuses: ['PROV'] })).toEqual([]);
  });
});
