import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDmpPractitioner, demoDmpSettings, demoDmpStructure, type DmpHarness, migrateForDmp, startDmpHarness } from '../../../fixtures/wiring/dmp';
import { addBulkDocuments } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { AuditTrail, type AuditInput } from '../audit';
import { createManualClock, type ManualClock } from '../../platform/clock';
import { openDatabase, type Db } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { DmpService, type DmpPatient, type DmpPractitioner } from './service';

const PATIENTS: Record<string, DmpPatient> = {
  dupont: { id: 'p-dupont', status: 'QUAL', ins: { matricule: '258036311304224', oid: '1.2.250.1.213.1.4.11' }, birthName: 'DUPONT', firstNames: 'MARIE', sex: 'F', birthDate: '1958-03-12' },
  adrtrois: { id: 'p-adrtrois', status: 'QUAL', ins: { matricule: '297022A02077878', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'DOMINIQUE', sex: 'F', birthDate: '1997-02-01' },
  expired: { id: 'p-expired', status: 'QUAL', ins: { matricule: '275126322074974', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRUN', firstNames: 'ZOE', sex: 'F', birthDate: '1975-12-01' },
  forbidden: { id: 'p-forbidden', status: 'QUAL', ins: { matricule: '291096912311802', oid: '1.2.250.1.213.1.4.11' }, birthName: 'LEFEVRE', firstNames: 'JULIE', sex: 'F', birthDate: '1991-09-01' },
  closed: { id: 'p-closed', status: 'QUAL', ins: { matricule: '184119913400777', oid: '1.2.250.1.213.1.4.11' }, birthName: 'GARCIA', firstNames: 'PABLO', sex: 'M', birthDate: '1984-11-01' },
  none: { id: 'p-none', status: 'QUAL', ins: { matricule: '110086322083060', oid: '1.2.250.1.213.1.4.10' }, birthName: 'NESSI', firstNames: 'MICHELANGELO', sex: 'M', birthDate: '2010-08-01' },
  absentAuth: { id: 'p-absent-auth', status: 'QUAL', ins: { matricule: '160012B02077713', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'TOUSSAINT', sex: 'M', birthDate: '1960-01-01' },
  opposed: { id: 'p-opposed', status: 'QUAL', ins: { matricule: '109076322083489', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ECETINSI', firstNames: 'TOM', sex: 'M', birthDate: '2009-07-01' },
  provisional: { id: 'p-prov', status: 'PROV', ins: { matricule: '258036311304224', oid: '1.2.250.1.213.1.4.11' }, birthName: 'DUPONT', firstNames: 'MARIE', sex: 'F', birthDate: '1958-03-12' },
};
const byId = new Map(Object.values(PATIENTS).map((p) => [p.id, p]));
/** Orders OIDs arc by arc (…1.6 before …1.13). */
const byOid = (a: string, b: string): number => {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
};

describe('DmpService against the DMP simulator', () => {
  let pki: DemoPki;
  let harness: DmpHarness;
  let clock: ManualClock;
  let db: Db;
  let audit: AuditInput[];
  let practitioner: DmpPractitioner | null;
  let preferred: string[] = [];

  const makeService = (): DmpService =>
    new DmpService({
      db,
      clock,
      logger: createMemoryLogger(clock),
      audit: (entry) => audit.push(entry),
      http: (credential) => harness.transports[credential],
      practitioner: () => practitioner,
      structure: () => demoDmpStructure(pki),
      patient: (id) => {
        const p = byId.get(id);
        if (p === undefined) throw new Error('unknown patient');
        return p;
      },
      settings: () => ({ ...demoDmpSettings(harness.sim.url), preferredTypeCodes: preferred }),
    });

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
    harness = await startDmpHarness(pki, { now: () => clock.now() });
  });
  afterAll(async () => {
    await harness.close();
  });

  const fresh = (): DmpService => {
    db = openDatabase({ path: ':memory:' });
    migrateForDmp(db);
    audit = [];
    practitioner = demoDmpPractitioner(pki);
    preferred = [];
    return makeService();
  };

  it('opens a patient without a click: status, then the first search limited to two years', async () => {
    const service = fresh();
    const result = await service.open(PATIENTS.dupont!.id, {}, 'dr');
    expect(result.status).toMatchObject({ existence: 'active', authorisation: 'VALIDE', treatingDoctor: true, mesAttachment: true });
    expect(result.listed).toBe(true);
    expect(result.filter.since).not.toBeNull();
    const since = Date.parse(result.filter.since as string);
    expect(since).toBe(Date.UTC(2026, 10, 30, 9, 0, 0) - 2 * 365.25 * 86_400_000);
    // The simulator seeds 14 documents over three years for this patient: the last nine (…9000.1.6
    // to …9000.1.14) are less than two years old. The demo practitioner is her médecin traitant DMP,
    // who sees the masked documents of other authors (PDT-INF-526, TD3.2 "documents masqués aux PS",
    // MT normal: oui): …1.6 (another author's) and …1.13 (his own) are listed.
    expect(result.documents.map((d) => d.uniqueId).sort(byOid)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14].map((i) => `1.2.250.1.999.1.1.9000.1.${i}`));
    for (const d of result.documents) expect(Date.parse(d.serviceStartTime as string)).toBeGreaterThanOrEqual(since);
    expect(result.documents.filter((d) => d.restrictions.includes('MASQUE_PS')).map((d) => d.uniqueId).sort(byOid)).toEqual(['1.2.250.1.999.1.1.9000.1.6', '1.2.250.1.999.1.1.9000.1.13']);
    expect(result.documents.every((d) => d.isNew)).toBe(true);
    expect(result.newCount).toBe(9);
    expect(result.rights.consult.allowed).toBe(true);
    expect(audit.map((a) => a.action)).toEqual(['dmp.td02', 'dmp.td31']);
    expect(JSON.stringify(audit)).not.toContain('258036311304224');
  });

  it('writes the audit entries of an opening in the commit of what it learnt (one synchronous write on the critical path)', async () => {
    const service = fresh();
    const seen: Array<{ action: string; inTransaction: boolean; known: boolean }> = [];
    const push = audit.push.bind(audit);
    audit.push = (...entries: AuditInput[]): number => {
      for (const entry of entries) seen.push({ action: entry.action, inTransaction: db.inTransaction, known: (db.prepare('SELECT count(*) AS n FROM dmp_patient_state WHERE patient_id = ?').get(PATIENTS.dupont!.id) as { n: number }).n === 1 });
      return push(...entries);
    };
    await service.open(PATIENTS.dupont!.id, {}, 'dr');
    expect(seen).toEqual([
      { action: 'dmp.td02', inTransaction: true, known: true },
      { action: 'dmp.td31', inTransaction: true, known: true },
    ]);
    // The DMP unreachable: the attempt is recorded at once, nothing else to commit with.
    await harness.sim.setMode('down');
    seen.length = 0;
    try {
      await service.open(PATIENTS.dupont!.id, {}, 'dr');
    } finally {
      await harness.sim.setMode('up');
    }
    expect(seen.map((e) => [e.action, e.inTransaction])).toEqual([['dmp.td02', false]]);
  });

  it('keeps the exchanges of an opening in the trail when writing what it learnt fails', async () => {
    db = openDatabase({ path: ':memory:' });
    migrateForDmp(db, { audit: true });
    practitioner = demoDmpPractitioner(pki);
    const trail = new AuditTrail(db, clock);
    const service = new DmpService({
      db,
      clock,
      logger: createMemoryLogger(clock),
      audit: trail.write,
      http: (credential) => harness.transports[credential],
      practitioner: () => practitioner,
      structure: () => demoDmpStructure(pki),
      patient: (id) => byId.get(id) as DmpPatient,
      settings: () => demoDmpSettings(harness.sim.url),
    });
    // The base refuses the opening's write (an unexpected error, not one of Pupitre's).
    db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON dmp_patient_state BEGIN SELECT RAISE(ABORT, 'disque plein simulé'); END");
    await expect(service.open(PATIENTS.dupont!.id, {}, 'dr')).rejects.toThrow('disque plein simulé');
    // Nothing it learnt is kept; both exchanges are in the trail, once each.
    expect((db.prepare('SELECT count(*) AS n FROM dmp_patient_state').get() as { n: number }).n).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM dmp_documents').get() as { n: number }).n).toBe(0);
    expect(trail.list({ limit: 10 }).map((e) => e.action).reverse()).toEqual(['dmp.td02', 'dmp.td31']);
    // Refused at the last write, after the documents were counted: the entry counts none kept.
    db.exec('DROP TRIGGER refuse');
    db.exec("CREATE TEMP TRIGGER refuse BEFORE UPDATE OF last_call_at ON dmp_patient_state BEGIN SELECT RAISE(ABORT, 'disque plein simulé'); END");
    await expect(service.open(PATIENTS.dupont!.id, {}, 'dr')).rejects.toThrow('disque plein simulé');
    expect((db.prepare('SELECT count(*) AS n FROM dmp_documents').get() as { n: number }).n).toBe(0);
    const search = trail.list({ limit: 10 }).find((e) => e.action === 'dmp.td31');
    expect(search?.details).toMatchObject({ mode: 'first', newCount: 0 });
  });

  it('widens the search on demand and only fetches what changed on a later visit', async () => {
    const service = fresh();
    const first = await service.open(PATIENTS.dupont!.id, {}, 'dr');
    const widened = await service.open(PATIENTS.dupont!.id, { widen: true }, 'dr');
    expect(first.documents).toHaveLength(9);
    // Widened: all 14 of her documents, the five older than two years included.
    expect(widened.documents).toHaveLength(14);
    expect(widened.newCount).toBe(5);
    service.markSeen(PATIENTS.dupont!.id, widened.documents.map((d) => d.uniqueId));
    clock.advance(60_000);
    // Someone else adds a document in between.
    const entry = harness.sim.registry.byUniqueId(widened.documents[0]!.uniqueId)!;
    harness.sim.registry.register({
      patient: entry.patient,
      metadata: { ...entry.metadata, uniqueId: '1.2.250.1.999.1.1.9000.99.1', title: 'Nouveau compte rendu' },
      content: Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>'),
      submissionTime: new Date(clock.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14),
      submissionSetUniqueId: '1.2.250.1.999.1.1.9000.99',
      sourceId: '1.2.250.1.999',
      authorIdNat: '899900063480',
    });
    clock.advance(60_000);
    const before = harness.sim.requests.length;
    const later = await service.open(PATIENTS.dupont!.id, {}, 'dr');
    expect(later.newCount).toBe(1);
    const news = later.documents.filter((d) => d.isNew);
    expect(news.map((d) => d.uniqueId)).toEqual(['1.2.250.1.999.1.1.9000.99.1']);
    // TD0.2, FindSubmissionSets, GetAssociations, one GetDocumentsAndAssociations batch.
    const actions = harness.sim.requests.slice(before).map((r) => r.action);
    expect(actions).toEqual(['urn:hl7-org:v3:PRPA_IN201307UV02', ...Array(3).fill('urn:ihe:iti:2007:RegistryStoredQuery')]);
  });

  it('never shows under a record the DMP list fetched under another INS, and takes back a list kept before its INS was recorded', async () => {
    const service = fresh();
    const record = PATIENTS.dupont!;
    const hers = (await service.open(record.id, {}, 'dr')).documents.map((d) => d.uniqueId);
    expect(hers.length).toBeGreaterThan(0);
    const someoneElse = (await service.open(PATIENTS.adrtrois!.id, {}, 'dr')).documents.map((d) => d.uniqueId);
    expect(someoneElse.length).toBeGreaterThan(0);
    try {
      // The same record now qualified with another INS, the patients service's watcher left out
      // (it drops the list at the change, see host/handlers/dmp.test.ts): the opening still never
      // shows the former INS's documents, offline or online.
      byId.set(record.id, { ...record, ins: PATIENTS.adrtrois!.ins });
      await harness.sim.setMode('down');
      const offline = await service.open(record.id, {}, 'dr');
      expect(offline.documents).toEqual([]);
      expect(offline.status).toBeNull();
      await harness.sim.setMode('up');
      audit = [];
      const reopened = await service.open(record.id, {}, 'dr');
      expect(reopened.documents.map((d) => d.uniqueId).sort(byOid)).toEqual([...someoneElse].sort(byOid));
      expect(audit.find((a) => a.action === 'dmp.td31')?.details).toMatchObject({ mode: 'first' });
      expect(service.cached(record.id, 'dr').documents.filter((d) => hers.includes(d.uniqueId))).toEqual([]);
    } finally {
      await harness.sim.setMode('up');
      byId.set(record.id, record);
    }

    // A list kept before this version recorded the INS with it: not shown until an opening
    // searched again; the documents found again keep their « vu » marks.
    const again = await service.open(record.id, {}, 'dr');
    expect(again.documents.map((d) => d.uniqueId).sort(byOid)).toEqual([...hers].sort(byOid));
    service.markSeen(record.id, hers);
    db.prepare('UPDATE dmp_patient_state SET ins_key = NULL').run();
    audit = [];
    expect(service.cached(record.id, 'dr')).toMatchObject({ documents: [], status: null, lastCallAt: null });
    expect(audit).toEqual([expect.objectContaining({ actor: 'dr', patientRef: record.id, action: 'dmp.cached.read', details: { count: 0 } })]);
    const adopted = await service.open(record.id, {}, 'dr');
    expect(adopted.documents.map((d) => d.uniqueId).sort(byOid)).toEqual([...hers].sort(byOid));
    expect(adopted.newCount).toBe(0);
    expect(adopted.documents.some((d) => d.isNew)).toBe(false);
  });

  it.each([
    ['expired', 'EXPIRE', 'DMP_NOT_AUTHORIZED'],
    ['forbidden', 'INTERDIT', 'DMP_NOT_AUTHORIZED'],
    ['absentAuth', 'NON_EXISTE', 'DMP_NOT_AUTHORIZED'],
  ])('shows the %s authorisation without listing documents', async (key, authorisation, code) => {
    const service = fresh();
    const result = await service.open(PATIENTS[key]!.id, {}, 'dr');
    expect(result.status?.authorisation).toBe(authorisation);
    expect(result.listed).toBe(false);
    expect(result.listError?.code).toBe(code);
  });

  it('shows a closed DMP and a patient without DMP', async () => {
    const service = fresh();
    const closed = await service.open(PATIENTS.closed!.id, {}, 'dr');
    expect(closed.status?.existence).toBe('closed');
    expect(closed.listError?.code).toBe('DMP_CLOSED');
    const none = await service.open(PATIENTS.none!.id, {}, 'dr');
    expect(none.status?.existence).toBe('absent');
    expect(none.status?.authorisation).toBeNull();
    expect(none.listError?.code).toBe('DMP_NOT_FOUND');
  });

  it('requires a qualified INS, a card, and a reason for bris de glace', async () => {
    const service = fresh();
    await expect(service.open(PATIENTS.provisional!.id, {}, 'dr')).rejects.toMatchObject({ code: 'DMP_INS_NOT_QUALIFIED' });
    await expect(service.open(PATIENTS.expired!.id, { access: { purposeOfUse: 'bris_de_glace' } }, 'dr')).rejects.toMatchObject({ code: 'DMP_BREAK_GLASS_REASON_REQUIRED' });
    practitioner = null;
    await expect(service.open(PATIENTS.dupont!.id, {}, 'dr')).rejects.toMatchObject({ code: 'DMP_CARD_REQUIRED' });
  });

  it('lists in bris de glace mode with a reason, and the simulator refuses it when the patient opposed', async () => {
    const service = fresh();
    const result = await service.open(PATIENTS.expired!.id, { access: { purposeOfUse: 'bris_de_glace', reason: 'Patient inconscient aux urgences' } }, 'dr');
    expect(result.listed).toBe(true);
    expect(audit.find((a) => a.action === 'dmp.emergency-access')?.details).toMatchObject({ purposeOfUse: 'bris_de_glace' });
    expect(harness.sim.requests.at(-1)?.purposeOfUse).toBe('bris_de_glace');
    const opposed = await service.open(PATIENTS.opposed!.id, { access: { purposeOfUse: 'bris_de_glace', reason: 'Urgence vitale' } }, 'dr');
    expect(opposed.status?.oppositions).toContain('OPPOSITION_BRIS_DE_GLACE');
    expect(opposed.listError?.code).toBe('DMP_BREAK_GLASS_OPPOSED');
  });

  it('reads a PDF wrapped in CDA and a structured CDA', async () => {
    const service = fresh();
    const opened = await service.open(PATIENTS.dupont!.id, { widen: true }, 'dr');
    const pdfDoc = opened.documents.find((d) => d.formatCode?.code === 'urn:ihe:iti:xds-sd:pdf:2008' && d.uniqueId.startsWith('1.2.250.1.999.1.1.9000.1.'))!;
    const read = await service.document(PATIENTS.dupont!.id, pdfDoc.uniqueId, undefined, 'dr');
    expect(Buffer.from(read.pdfBase64!, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const structured = opened.documents.find((d) => d.formatCode?.code === 'urn:ihe:iti:xds-sd:text:2008')!;
    const read2 = await service.document(PATIENTS.dupont!.id, structured.uniqueId, undefined, 'dr');
    expect(read2.pdfBase64).toBeNull();
    expect(read2.html).not.toBeNull();
    expect(service.cached(PATIENTS.dupont!.id, 'dr').documents.find((d) => d.uniqueId === pdfDoc.uniqueId)?.isNew).toBe(false);
    expect(audit.filter((a) => a.action === 'dmp.td32')).toHaveLength(2);
  });

  it('refuses consultation with a CPE card (rights matrix) but still tells the status', async () => {
    const service = fresh();
    practitioner = demoDmpPractitioner(pki, pki.secretary);
    const before = harness.sim.requests.length;
    const result = await service.open(PATIENTS.dupont!.id, {}, 'secretaire');
    expect(result.status?.existence).toBe('active');
    expect(result.listError?.code).toBe('DMP_FORBIDDEN_BY_RIGHTS');
    // The desk refused by itself: only TD0.2 went to the DMP, no search (the DMP would refuse it too: refusals.test.ts).
    expect(harness.sim.requests.slice(before).map((r) => r.action)).toEqual(['urn:hl7-org:v3:PRPA_IN201307UV02']);
    expect(result.rights.consult.allowed).toBe(false);
    expect(result.rights.send.allowed).toBe(true);
    expect(result.rights.mask.allowed).toBe(false);
  });

  it('adds the authorisation (TD0.3) only with the consent recorded, then lists', async () => {
    const service = fresh();
    await expect(service.setAuthorisation(PATIENTS.absentAuth!.id, 'AJOUT', false, 'dr')).rejects.toMatchObject({ code: 'DMP_CONSENT_REQUIRED' });
    const { status } = await service.setAuthorisation(PATIENTS.absentAuth!.id, 'AJOUT', true, 'dr');
    expect(status.authorisation).toBe('VALIDE');
    const opened = await service.open(PATIENTS.absentAuth!.id, {}, 'dr');
    expect(opened.listed).toBe(true);
  });

  it('hides another author’s masked document from a doctor who is not the médecin traitant', async () => {
    const service = fresh();
    const opened = await service.open(PATIENTS.adrtrois!.id, { widen: true }, 'dr');
    expect(opened.status?.treatingDoctor).toBe(false);
    // Six documents are seeded for her; …9000.2.6 is masked by another author: a doctor who is not
    // the médecin traitant sees only his own masked documents (PDT-INF-526, TD3.2, footnote 6).
    expect(opened.documents.map((d) => d.uniqueId).sort(byOid)).toEqual([1, 2, 3, 4, 5].map((i) => `1.2.250.1.999.1.1.9000.2.${i}`));
  });

  it('masks a document, and deletes its own document while refusing to delete another author’s', async () => {
    const service = fresh();
    const opened = await service.open(PATIENTS.adrtrois!.id, { widen: true }, 'dr');
    const own = opened.documents.find((d) => d.own)!;
    const other = opened.documents.find((d) => !d.own && !d.patientDocument)!;
    const masked = await service.setVisibility(PATIENTS.adrtrois!.id, other.uniqueId, { maskedFromProfessionals: true }, 'dr');
    expect(masked.restrictions).toContain('MASQUE_PS');
    const sim = harness.sim.registry.byUniqueId(other.uniqueId)!;
    expect(sim.version).toBe(2);
    expect(sim.metadata.confidentialityCodes.map((c) => c.code)).toContain('MASQUE_PS');
    const before = harness.sim.requests.length;
    await expect(service.setStatus(PATIENTS.adrtrois!.id, other.uniqueId, 'Deleted', 'dr')).rejects.toMatchObject({ code: 'DMP_FORBIDDEN_BY_RIGHTS' });
    // Refused by the desk's rights check before any ITI-57 (PDT-INF-526: one's own documents only).
    expect(harness.sim.requests.length).toBe(before);
    await service.setStatus(PATIENTS.adrtrois!.id, own.uniqueId, 'Archived', 'dr');
    expect(harness.sim.registry.byUniqueId(own.uniqueId)?.status).toBe('Archived');
    expect(audit.map((a) => a.action)).toContain('dmp.td33d');
  });

  it('lists only the preferred types at the first opening, each searched in its own code system (LOINC or ASIP-Santé), and everything once widened', async () => {
    const service = fresh();
    const all = await service.open(PATIENTS.dupont!.id, {}, 'dr');
    // An attestation d'hébergement: a JDV_J07 type that is not LOINC (1.2.250.1.213.1.1.4.12).
    const entry = harness.sim.registry.byUniqueId(all.documents[0]!.uniqueId)!;
    harness.sim.registry.register({
      patient: entry.patient,
      metadata: { ...entry.metadata, uniqueId: '1.2.250.1.999.1.1.9000.98.1', title: 'Attestation d’hébergement', typeCode: { code: 'ATTEST-HEBGT', codeSystem: '1.2.250.1.213.1.1.4.12', displayName: "Attestation d'hébergement" } },
      content: Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>'),
      submissionTime: new Date(clock.now()).toISOString().replace(/[-:T]/g, '').slice(0, 14),
      submissionSetUniqueId: '1.2.250.1.999.1.1.9000.98',
      sourceId: '1.2.250.1.999',
      authorIdNat: '899900063480',
    });
    const consultations = all.documents.filter((d) => d.typeCode?.code === '11488-4').length;
    expect(consultations).toBeGreaterThan(0);
    expect(consultations).toBeLessThan(all.documents.length);

    const chosen = fresh();
    preferred = ['ATTEST-HEBGT', '11488-4'];
    expect(chosen.documentTypes().preferred).toEqual(['ATTEST-HEBGT', '11488-4']);
    const first = await chosen.open(PATIENTS.dupont!.id, {}, 'dr');
    expect(first.filter.typeCodes).toEqual(['ATTEST-HEBGT', '11488-4']);
    expect(first.documents.map((d) => d.typeCode?.code).sort()).toEqual(['ATTEST-HEBGT', ...Array(consultations).fill('11488-4')].sort());
    const widened = await chosen.open(PATIENTS.dupont!.id, { widen: true }, 'dr');
    expect(widened.filter.typeCodes).toEqual([]);
    expect(widened.documents.length).toBeGreaterThan(all.documents.length);
  });

  // Last: it grows the simulator's registry for the rest of the file.
  it('lists a DMP of 2 000 documents, reading the answer one entry at a time (issue 14: one tree would cost 24 times the answer)', async () => {
    const service = fresh();
    addBulkDocuments(harness.sim.registry, 2_000, clock.now());
    const widened = await service.open(PATIENTS.dupont!.id, { widen: true }, 'dr');
    expect(widened.listed).toBe(true);
    expect(widened.documents.length).toBeGreaterThanOrEqual(2_000);
  }, 120_000);
});
