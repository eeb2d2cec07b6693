import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePdf } from '../../../fixtures/sim/dmp';
import { demoDmpPractitioner, demoDmpSettings, demoDmpStructure, type DmpHarness, migrateForDmp, startDmpHarness } from '../../../fixtures/wiring/dmp';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { createManualClock, type ManualClock } from '../../platform/clock';
import { backupDatabase, openDatabase, type Db } from '../../platform/db';
import { generateKeyHex } from '../../platform/db/key';
import { createMemoryLogger } from '../../platform/log';
import type { AuditInput } from '../audit';
import { Outbox } from '../outbox';
import { inlineOutgoingFiles } from './use-cases/outgoing-content';
import { DmpService, type DmpPatient, type DmpPractitioner } from './service';

/** A CDA wrapped as laboratories send it « auto-présentable »: an XSLT stylesheet carrying it as data. */
function autoPresentable(cda: string): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml-stylesheet type="text/xsl" href="#"?>',
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:labo="urn:example:laboratoire">',
    '  <xsl:template match="/"><html><body>Résultats</body></html></xsl:template>',
    `  <labo:document>${cda.replace(/^<\?xml[^>]*\?>\s*/, '')}</labo:document>`,
    '</xsl:stylesheet>',
  ].join('\n');
}

const DUPONT: DmpPatient = { id: 'p-dupont', status: 'QUAL', ins: { matricule: '258036311304224', oid: '1.2.250.1.213.1.4.11' }, birthName: 'DUPONT', firstNames: 'MARIE', sex: 'F', birthDate: '1958-03-12', birthPlaceCode: '63113' };

describe('sending documents to the DMP through the outbox', () => {
  let pki: DemoPki;
  let harness: DmpHarness;
  let clock: ManualClock;
  let db: Db;
  let outbox: Outbox;
  let service: DmpService;
  let practitioner: DmpPractitioner | null;
  let indirect: boolean;
  let audit: AuditInput[];
  let folder: string;
  let endpoint: string;
  /** The patient's identity as the patient base gives it now (a test changes it mid-way). */
  let identity: DmpPatient;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
    harness = await startDmpHarness(pki, { now: () => clock.now() });
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(async () => {
    // Document OIDs are time-based: each test sends at a later instant to the shared simulator.
    clock.advance(1_000);
    await harness.sim.setMode('up');
    db = openDatabase({ path: ':memory:' });
    migrateForDmp(db, { outbox: true });
    audit = [];
    practitioner = demoDmpPractitioner(pki);
    indirect = false;
    const logger = createMemoryLogger(clock);
    outbox = new Outbox({ db, clock, logger, audit: (e) => audit.push(e), random: () => 0.5 });
    folder = mkdtempSync(join(tmpdir(), 'pupitre-dmp-envois-'));
    endpoint = harness.sim.url;
    identity = DUPONT;
    service = new DmpService({
      db,
      clock,
      logger,
      audit: (e) => audit.push(e),
      http: (credential) => harness.transports[credential],
      practitioner: () => practitioner,
      structure: () => demoDmpStructure(pki),
      patient: () => identity,
      settings: () => demoDmpSettings(endpoint, { indirectSending: indirect }),
      outbox,
      contentFolder: folder,
    });
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const pdf = (title: string): Uint8Array => makePdf(title, ['Test Pupitre']);

  /** A second DMP service on the same simulator (another host, another base, or one without sealed files). */
  const otherService = (base: Db, options: { outbox?: Outbox; contentFolder?: string }): DmpService =>
    new DmpService({
      db: base,
      clock,
      logger: createMemoryLogger(clock),
      audit: () => undefined,
      http: (credential) => harness.transports[credential],
      practitioner: () => practitioner,
      patient: () => DUPONT,
      settings: () => demoDmpSettings(harness.sim.url),
      ...options,
    });

  it('queues a PDF while the DMP is down and sends it exactly once when it is back', async () => {
    await harness.sim.setMode('down');
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: pdf('CR hors ligne'), typeCode: '11488-4' }, 'dr');
    expect(queued.state).toBe('queued');
    await outbox.whenIdle();
    const waiting = service.sendings(DUPONT.id)[0]!;
    expect(waiting.state).toBe('queued');
    expect(waiting.message).not.toBeNull();
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(0);

    await harness.sim.setMode('up');
    clock.advance(60_000);
    await outbox.syncNow();
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('sent');
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
    const stored = harness.sim.registry.byUniqueId(queued.uniqueId)!;
    expect(stored.metadata.typeCode.code).toBe('11488-4');
    expect(stored.metadata.formatCode.code).toBe('urn:ihe:iti:xds-sd:pdf:2008');
    expect(harness.sim.registry.contents.get(queued.uniqueId)!.toString('utf8')).toContain('ClinicalDocument');
    // Each attempt in the trail with its outcome: the one that met the DMP down, then the sending
    // (written in the commit that marks it « envoyé »).
    expect(audit.filter((a) => a.action === 'dmp.td21').map((a) => a.details)).toEqual([
      expect.objectContaining({ outcome: 'failed', error: expect.stringMatching(/^[A-Z_]+$/), uniqueId: queued.uniqueId }),
      expect.objectContaining({ outcome: 'sent', uniqueId: queued.uniqueId }),
    ]);
    // The submission set went with its XAdES signature, verified by the simulator against the demo CAs.
    expect(harness.sim.requests.filter((r) => r.action === 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b').at(-1)?.signedSubmissionSet).toBe(true);
  });

  it.each([
    ['marked douteuse: back to provisoire, its INS invalidated', { ...DUPONT, status: 'PROV' as const, ins: null }],
    ['its strict traits corrected: the INS no longer confirmed', { ...DUPONT, status: 'VALI' as const }],
    ['another INS qualified for the record', { ...DUPONT, ins: { matricule: '158036311304262', oid: DUPONT.ins!.oid } }],
  ])('never sends a waiting document once the identity it was written for is no longer the patient’s (%s)', async (_, changed) => {
    await harness.sim.setMode('down');
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: pdf('CR identité'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    identity = changed;
    await harness.sim.setMode('up');
    clock.advance(60_000);
    await outbox.syncNow();
    // Not sent, and not retried by itself: the sending says why and what to do.
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(0);
    expect(outbox.get(queued.jobId!)).toMatchObject({ status: 'dead', lastErrorCode: 'DMP_PATIENT_IDENTITY_CHANGED' });
    const sending = service.sendings(DUPONT.id)[0]!;
    expect(sending.state).toBe('failed');
    expect(sending.message).toContain("L'identité de ce patient a changé");
    // Nothing exchanged: no TD2.1 entry but the refusal's, with the identity found (never the INS itself).
    expect(audit.filter((a) => a.action === 'dmp.td21').map((a) => (a.details as { error?: string }).error)).not.toContain('DMP_PATIENT_IDENTITY_CHANGED');
    const refused = audit.filter((a) => a.action === 'dmp.send.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ patientRef: DUPONT.id, details: { uniqueId: queued.uniqueId, error: 'DMP_PATIENT_IDENTITY_CHANGED', status: changed.status } });
    for (const matricule of [DUPONT.ins!.matricule, changed.ins?.matricule ?? DUPONT.ins!.matricule]) expect(JSON.stringify(refused[0]!.details)).not.toContain(matricule.slice(0, 13));
    // The same INS qualified again (the doubt lifted): « Relancer » sends it, once.
    identity = DUPONT;
    outbox.retry(queued.jobId!, 'dr');
    await outbox.whenIdle();
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('sent');
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
  });

  it('records the sending in the transaction that marks the document « envoyé » (one commit a document)', async () => {
    const seen: Array<{ inTransaction: boolean; state: string | undefined }> = [];
    const push = audit.push.bind(audit);
    audit.push = (...entries: AuditInput[]): number => {
      for (const entry of entries) {
        if (entry.action === 'dmp.td21') seen.push({ inTransaction: db.inTransaction, state: service.sendings(DUPONT.id)[0]?.state });
      }
      return push(...entries);
    };
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: pdf('CR une transaction'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('sent');
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
    // Written inside the transaction, after the row was marked: both commit, or neither.
    expect(seen).toEqual([{ inTransaction: true, state: 'sent' }]);
  });

  it('reconciles an unknown outcome by searching the uniqueId instead of sending twice', async () => {
    harness.sim.injectFaults('drop-after-commit');
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: pdf('CR coupure'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    const job = outbox.get(queued.jobId!)!;
    expect(job.outcomeUnknown).toBe(true);
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
    clock.advance(60_000);
    await outbox.syncNow();
    expect(outbox.get(queued.jobId!)!.status).toBe('done');
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('sent');
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
    expect(audit.some((a) => a.action === 'dmp.td31' && (a.details as { mode?: string }).mode === 'reconcile')).toBe(true);
    // The attempt whose answer was lost is recorded as failed, the document found by the
    // reconciliation as sent: the trail holds the sending though its completion never committed.
    expect(audit.filter((a) => a.action === 'dmp.td21').map((a) => (a.details as { outcome?: string }).outcome)).toEqual(['failed', 'found-after-interruption']);
  });

  it('waits for the card in direct mode, and sends with the structure certificate when indirect sending is configured', async () => {
    practitioner = null;
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: pdf('CR carte'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('waiting-card');
    indirect = true;
    outbox.wake('test');
    await outbox.whenIdle();
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('sent');
    const request = harness.sim.requests.filter((r) => r.action === 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b').at(-1)!;
    expect(request.mode).toBe('INDIRECTE');
    expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
  });

  it('replaces an existing document (RPLC) and marks the visibility chosen', async () => {
    const opened = await service.open(DUPONT.id, { widen: true }, 'dr');
    const target = opened.documents.find((d) => d.own)!;
    const queued = await service.send(
      { patientId: DUPONT.id, fileName: 'cr2.pdf', content: pdf('CR corrige'), typeCode: '11488-4', replaces: target.uniqueId, visibility: { hiddenFromPatient: true } },
      'dr',
    );
    await outbox.whenIdle();
    expect(service.sendings(DUPONT.id)[0]!.state).toBe('sent');
    expect(harness.sim.registry.byUniqueId(target.uniqueId)!.status).toBe('Deprecated');
    const sent = harness.sim.registry.byUniqueId(queued.uniqueId)!;
    expect(sent.metadata.confidentialityCodes.map((c) => c.code)).toContain('INVISIBLE_PATIENT');
  });

  it('keeps the setId of a document sent from here when replacing it, and writes the birth place INS trait', async () => {
    const first = await service.send({ patientId: DUPONT.id, fileName: 'v1.pdf', content: pdf('CR v1'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    const second = await service.send({ patientId: DUPONT.id, fileName: 'v2.pdf', content: pdf('CR v2'), typeCode: '11488-4', replaces: first.uniqueId }, 'dr');
    await outbox.whenIdle();
    const header = (uniqueId: string) => harness.sim.registry.contents.get(uniqueId)!.toString('utf8');
    const setIdOf = (xml: string) => /<setId\b[^>]*root="([^"]+)"/.exec(xml)?.[1];
    const v1 = header(first.uniqueId);
    const v2 = header(second.uniqueId);
    expect(setIdOf(v1)).toBeDefined();
    expect(setIdOf(v2)).toBe(setIdOf(v1));
    expect(v2).toMatch(/<versionNumber value="2"\s*(?:\/>|><\/versionNumber>)/);
    // CI-SIS structuration minimale: the INS traits include the birth place (code COG).
    expect(v1).toContain('<county>63113</county>');
  });

  it('refuses at once a replacement naming a document that is not this patient’s (nothing queued, no job borrowed)', async () => {
    const first = await service.send({ patientId: DUPONT.id, fileName: 'a.pdf', content: pdf('CR de Marie'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    const other: DmpPatient = { ...DUPONT, id: 'p-other', ins: { matricule: '297022A02077878', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'DOMINIQUE', birthDate: '1997-02-01' };
    identity = other;
    try {
      const jobsBefore = outbox.list({ limit: 1000 }).length;
      await expect(service.send({ patientId: other.id, fileName: 'b.pdf', content: pdf('CR de Dominique'), typeCode: '11488-4', replaces: first.uniqueId }, 'dr')).rejects.toMatchObject({ code: 'DMP_DOCUMENT_NOT_FOUND' });
      expect(service.sendings(other.id)).toEqual([]);
      expect(outbox.list({ limit: 1000 })).toHaveLength(jobsBefore);
    } finally {
      identity = DUPONT;
    }
    expect(harness.sim.registry.byUniqueId(first.uniqueId)!.status).toBe('Approved');
  });

  it('applies the visibility chosen to an imported CDA, and refuses one whose header lacks required metadata', async () => {
    const wrapped = await service.send({ patientId: DUPONT.id, fileName: 'base.pdf', content: pdf('CR base'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    const base = harness.sim.registry.contents.get(wrapped.uniqueId)!.toString('utf8');
    const imported = base.split(wrapped.uniqueId).join('1.2.250.1.213.999.42');
    const queued = await service.send(
      { patientId: DUPONT.id, fileName: 'import.xml', content: Buffer.from(imported), visibility: { hiddenFromPatient: true } },
      'dr',
    );
    await outbox.whenIdle();
    expect(harness.sim.registry.byUniqueId(queued.uniqueId)!.metadata.confidentialityCodes.map((c) => c.code)).toContain('INVISIBLE_PATIENT');

    const withoutLanguage = base.split(wrapped.uniqueId).join('1.2.250.1.213.999.43').replace(/<languageCode\b[^>]*(?:\/>|><\/languageCode>)/, '');
    expect(withoutLanguage).not.toContain('<languageCode');
    await expect(service.send({ patientId: DUPONT.id, fileName: 'incomplet.xml', content: Buffer.from(withoutLanguage) }, 'dr')).rejects.toMatchObject({
      code: 'DMP_CDA_METADATA_INCOMPLETE',
      details: { missing: expect.arrayContaining(['languageCode']) },
    });
    expect(harness.sim.registry.byUniqueId('1.2.250.1.213.999.43')).toBeNull();
  });

  it('sends the CDA inside an auto-présentable file (the laboratories\' XSL wrapper), never the stylesheet', async () => {
    const built = await service.send({ patientId: DUPONT.id, fileName: 'bio.pdf', title: 'CR biologie', content: pdf('CR biologie'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    const cda = harness.sim.registry.contents.get(built.uniqueId)!.toString('utf8').split(built.uniqueId).join('1.2.250.1.213.999.44');
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'resultats.xml', content: Buffer.from(autoPresentable(cda)) }, 'dr');
    await outbox.whenIdle();
    expect(queued.uniqueId).toBe('1.2.250.1.213.999.44');
    const received = harness.sim.registry.contents.get(queued.uniqueId)!.toString('utf8');
    expect(received).not.toContain('XSL/Transform');
    expect(received).not.toContain('xml-stylesheet');
    expect(received).toContain('<title>CR biologie</title>');
    const entry = harness.sim.registry.byUniqueId(queued.uniqueId)!;
    expect(entry.metadata.size).toBe(Buffer.byteLength(received));
    expect(entry.metadata.typeCode.code).toBe('11488-4');
  });

  it('refuses files that are neither PDF nor CDA, and a PDF without a type', async () => {
    await expect(service.send({ patientId: DUPONT.id, fileName: 'x.txt', content: Buffer.from('bonjour'), typeCode: '11488-4' }, 'dr')).rejects.toMatchObject({
      code: 'DMP_FILE_INVALID',
    });
    await expect(service.send({ patientId: DUPONT.id, fileName: 'x.pdf', content: pdf('x') }, 'dr')).rejects.toMatchObject({ code: 'DMP_TYPE_REQUIRED' });
  });

  it('keeps a queued document in a sealed file: encrypted, bound to its row, unreadable once altered', async () => {
    await harness.sim.setMode('down');
    const content = pdf('CR scellé');
    const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content, typeCode: '11488-4' }, 'dr');
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    const sealed = readFileSync(join(folder, files[0]!));
    // Neither the PDF nor its base64 nor the patient's name is readable in the file.
    expect(sealed.includes(Buffer.from(content).subarray(0, 200))).toBe(false);
    expect(sealed.includes(Buffer.from(Buffer.from(content).subarray(0, 300).toString('base64').slice(0, 100)))).toBe(false);
    expect(sealed.includes(Buffer.from('DUPONT'))).toBe(false);
    expect(db.prepare('SELECT count(*) AS n FROM dmp_outgoing_content').get()).toEqual({ n: 0 });

    // One byte changed: the document is not sent, and the job says why (no retry, a person decides).
    sealed[sealed.length - 40] = sealed[sealed.length - 40]! ^ 0x01;
    writeFileSync(join(folder, files[0]!), sealed);
    await harness.sim.setMode('up');
    await outbox.syncNow();
    const failed = service.sendings(DUPONT.id).find((s) => s.uniqueId === queued.uniqueId)!;
    expect(failed.state).toBe('failed');
    expect(outbox.get(queued.jobId!)?.lastErrorCode).toBe('DMP_CONTENT_UNREADABLE');
    expect(harness.sim.registry.byUniqueId(queued.uniqueId)).toBeNull();
  });

  it('removes at start the sealed files no row names (a crash before the commit), never a recent one', async () => {
    const old = join(folder, '00000000-0000-4000-8000-000000000001.sealed');
    const recent = join(folder, '00000000-0000-4000-8000-000000000002.sealed');
    writeFileSync(old, 'reste');
    writeFileSync(recent, 'en cours');
    const twoHoursAgo = new Date(clock.now() - 2 * 3_600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);
    await harness.sim.setMode('down');
    await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: pdf('CR gardé'), typeCode: '11488-4' }, 'dr');
    const kept = readdirSync(folder).filter((f) => !f.startsWith('00000000'));
    otherService(db, { contentFolder: folder });
    expect(readdirSync(folder).sort()).toEqual([...kept, '00000000-0000-4000-8000-000000000002.sealed'].sort());
  });

  it('carries the documents waiting in sealed files in a backup: restored without their folder, they are sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-dmp-backup-'));
    const keyHex = generateKeyHex();
    const live = openDatabase({ path: join(dir, 'pupitre.db'), keyHex });
    migrateForDmp(live, { outbox: true });
    const envois = join(dir, 'dmp-envois');
    try {
      const liveOutbox = new Outbox({ db: live, clock, logger: createMemoryLogger(clock), audit: () => undefined, random: () => 0.5 });
      await harness.sim.setMode('down');
      const content = pdf('CR sauvegardé');
      const queued = await otherService(live, { outbox: liveOutbox, contentFolder: envois }).send({ patientId: DUPONT.id, fileName: 'cr.pdf', content, typeCode: '11488-4' }, 'dr');
      await liveOutbox.stop(1_000);
      expect(readdirSync(envois)).toHaveLength(1);

      const made = await backupDatabase(live, { folder: join(dir, 'sauvegardes'), keyHex, now: new Date(clock.now()), complete: (copy) => inlineOutgoingFiles(copy, envois) });
      // The installation itself is untouched: its document stays in its sealed file.
      expect(live.prepare('SELECT count(*) AS n FROM dmp_outgoing_file').get()).toEqual({ n: 1 });
      expect(live.prepare('SELECT count(*) AS n FROM dmp_outgoing_content').get()).toEqual({ n: 0 });
      live.close();
      expect(readdirSync(join(dir, 'sauvegardes')).filter((f) => f.endsWith('-wal') || f.endsWith('-shm') || f.endsWith('.partial'))).toEqual([]);

      // Another machine: the backup alone, no folder of sealed files.
      rmSync(envois, { recursive: true, force: true });
      const restored = openDatabase({ path: made.path, keyHex });
      try {
        expect(restored.prepare('SELECT count(*) AS n FROM dmp_outgoing_file').get()).toEqual({ n: 0 });
        const restoredOutbox = new Outbox({ db: restored, clock, logger: createMemoryLogger(clock), audit: () => undefined, random: () => 0.5 });
        const again = otherService(restored, { outbox: restoredOutbox, contentFolder: join(dir, 'autre-dmp-envois') });
        await harness.sim.setMode('up');
        clock.advance(3_600_000);
        await restoredOutbox.syncNow();
        expect(again.sendings(DUPONT.id).find((s) => s.uniqueId === queued.uniqueId)?.state).toBe('sent');
        expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(1);
        expect(harness.sim.registry.contents.get(queued.uniqueId)!.toString('utf8')).toContain(Buffer.from(content).subarray(0, 300).toString('base64').slice(0, 100));
        await restoredOutbox.stop(1_000);
      } finally {
        restored.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('still sends a document queued in the database before sealed files existed', async () => {
    // Another host on the same database, of before sealed files: its documents are blobs.
    const plainOutbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, random: () => 0.5 });
    const plain = otherService(db, { outbox: plainOutbox });
    await harness.sim.setMode('down');
    const queued = await plain.send({ patientId: DUPONT.id, fileName: 'ancien.pdf', content: pdf('CR ancien'), typeCode: '11488-4' }, 'dr');
    await plainOutbox.stop(1_000);
    expect(db.prepare('SELECT count(*) AS n FROM dmp_outgoing_content').get()).toEqual({ n: 1 });
    expect(readdirSync(folder)).toEqual([]);
    await harness.sim.setMode('up');
    clock.advance(3_600_000);
    await outbox.syncNow();
    expect(service.sendings(DUPONT.id).find((s) => s.uniqueId === queued.uniqueId)?.state).toBe('sent');
    expect(harness.sim.registry.byUniqueId(queued.uniqueId)).not.toBeNull();
  });

  it('sends a patient\'s unrelated documents in parallel, a replacement only after its original', async () => {
    // Queued while the address is not configured: the three wait, then go together.
    endpoint = '';
    const first = await service.send({ patientId: DUPONT.id, fileName: 'a.pdf', content: pdf('CR A'), typeCode: '11488-4' }, 'dr');
    const replacement = await service.send({ patientId: DUPONT.id, fileName: 'a2.pdf', content: pdf('CR A v2'), typeCode: '11488-4', replaces: first.uniqueId }, 'dr');
    clock.advance(10);
    const other = await service.send({ patientId: DUPONT.id, fileName: 'b.pdf', content: pdf('CR B'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    const state = (uniqueId: string): string | undefined => service.sendings(DUPONT.id).find((d) => d.uniqueId === uniqueId)?.state;
    expect([state(first.uniqueId), state(replacement.uniqueId), state(other.uniqueId)]).toEqual(['waiting-card', 'queued', 'waiting-card']);
    endpoint = harness.sim.url;
    // One of the two chains is held in the DMP before its commit: the other one is registered meanwhile.
    const pause = harness.sim.pauseNextSubmission('before-commit');
    outbox.wake('test');
    const sync = outbox.whenIdle();
    await pause.reached;
    const registered = (uniqueId: string): boolean => harness.sim.registry.byUniqueId(uniqueId) !== null;
    await expect.poll(() => registered(first.uniqueId) || registered(other.uniqueId), { timeout: 20_000 }).toBe(true);
    // The replacement never goes before its original is registered.
    if (!registered(first.uniqueId)) expect(registered(replacement.uniqueId)).toBe(false);
    pause.release();
    await sync;
    await outbox.whenIdle();
    expect(service.sendings(DUPONT.id).map((s) => s.state)).toEqual(['sent', 'sent', 'sent']);
    expect(harness.sim.registry.byUniqueId(replacement.uniqueId)).not.toBeNull();
    expect(harness.sim.registry.byUniqueId(first.uniqueId)?.status).toBe('Deprecated');
  });
});
