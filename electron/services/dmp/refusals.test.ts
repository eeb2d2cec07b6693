/**
 * What the DMP refuses, exercised for real: forged or wrong credentials reach the simulator (which
 * stands on its own: fixtures/sim/dmp/vihf.ts, rights.ts, server.ts) and each test checks both
 * ends — the simulator's refusal (SOAP fault subcode and reason, nothing registered) and what the
 * desk shows (the error code and its French message, or the sending's state and message).
 * - VIHF: altered after signing, signed by a certificate of an unknown authority, by an expired
 *   certificate, by the card's authentication key, issued too long ago or in the future;
 * - XAdES of the submission set: absent, or its signature forged;
 * - rights: the product's own check bypassed (the client called directly) with a CPE card and a
 *   structure certificate, and the simulator applies PDT-INF-526 anyway.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makePdf } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { createTestCa } from '../../../fixtures/testing/pki';
import { forgingFirstSignature, replaceOnce, tamperingTransport } from '../../../fixtures/testing/wire';
import { DEMO_DMP_LPS, DEMO_LPS_OID, demoDmpPractitioner, demoDmpSettings, demoDmpStructure, type DmpHarness, migrateForDmp, startDmpHarness } from '../../../fixtures/wiring/dmp';
import { errorCatalog } from '../../contract/errors';
import { createManualClock, type Clock, type ManualClock } from '../../platform/clock';
import { PemSigner } from '../../platform/crypto';
import type { HttpTransport } from '../../platform/http';
import { openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import type { XmlSigner } from '../../platform/xml';
import { Outbox } from '../outbox';
import { DmpClient, type DmpCallerCredentials } from './client';
import { DMP_ACTIONS, patientCx } from './codes';
import { findDocuments, getDocumentsByUniqueId } from './iti18';
import { DmpService, type DmpPatient, type DmpPractitioner } from './service';
import type { VihfSubject } from './vihf';
import type { XdsDocumentMetadata } from './xds';

const DUPONT: DmpPatient = { id: 'p-dupont', status: 'QUAL', ins: { matricule: '258036311304224', oid: '1.2.250.1.213.1.4.11' }, birthName: 'DUPONT', firstNames: 'MARIE', sex: 'F', birthDate: '1958-03-12', birthPlaceCode: '63113' };
const VIHF_REFUSED = /^Le DMP a refusé le jeton d'authentification \(VIHF\)/;
const SIGNATURE_REFUSED = /^Le DMP a refusé la signature du lot de documents/;
const FORBIDDEN = /^Cette action n'est pas permise avec votre carte/;

describe('the DMP simulator refuses forged credentials, and the desk says why in French', () => {
  let pki: DemoPki;
  let harness: DmpHarness;
  let clock: ManualClock;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
    harness = await startDmpHarness(pki, { now: () => clock.now() });
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => {
    clock.advance(1_000);
  });

  /** The desk's DMP service, with what a test forges. */
  function desk(options: { practitioner?: DmpPractitioner; transport?: HttpTransport; clock?: Clock } = {}): { service: DmpService; outbox: Outbox } {
    const serviceClock = options.clock ?? clock;
    const db = openDatabase({ path: ':memory:' });
    migrateForDmp(db, { outbox: true });
    const logger = createMemoryLogger(serviceClock);
    const outbox = new Outbox({ db, clock: serviceClock, logger, audit: () => undefined, random: () => 0.5 });
    const service = new DmpService({
      db,
      clock: serviceClock,
      logger,
      audit: () => undefined,
      http: (credential) => (credential === 'CPS' && options.transport !== undefined ? options.transport : harness.transports[credential]),
      practitioner: () => options.practitioner ?? demoDmpPractitioner(pki),
      structure: () => demoDmpStructure(pki),
      patient: () => DUPONT,
      settings: () => demoDmpSettings(harness.sim.url),
      outbox,
    });
    return { service, outbox };
  }

  const last = () => harness.sim.requests.at(-1);
  const withSigner = (signer: XmlSigner): DmpPractitioner => ({ ...demoDmpPractitioner(pki), signer });

  describe('VIHF', () => {
    it('altered after signing (patient switched): Signature du VIHF invalide', async () => {
      // The resource-id of the signed VIHF now names another patient (same length): the digest breaks.
      const transport = tamperingTransport(harness.transports.CPS, (body) => replaceOnce(body, '>258036311304224^^^', '>291096912311802^^^'));
      const { service } = desk({ transport });
      const error = await service.open(DUPONT.id, {}, 'dr').catch((e: unknown) => e);
      expect(transport.edited).toBe(1);
      expect(last()).toMatchObject({ action: DMP_ACTIONS.td02, fault: 'DMPVIHFInvalid', reason: 'Signature du VIHF invalide', idNat: null });
      expect(error).toMatchObject({ code: 'DMP_VIHF_REFUSED', message: expect.stringMatching(VIHF_REFUSED) });
    });

    it('signed by a certificate of an unknown authority (same holder name): certificat inconnu', async () => {
      const validity = { notBefore: new Date(Date.UTC(2026, 0, 1)), notAfter: new Date(Date.UTC(2030, 0, 1)) };
      const stranger = createTestCa('AC inconnue du DMP', validity).issue(pki.practitioner.holder.idNat, validity);
      const signer = PemSigner.fromPem({ privateKey: stranger.keyPem, certificate: stranger.certPem });
      const error = await desk({ practitioner: withSigner(signer) }).service.open(DUPONT.id, {}, 'dr').catch((e: unknown) => e);
      expect(last()).toMatchObject({ fault: 'DMPInvalidCertificate', reason: 'Certificat de signature du VIHF inconnu' });
      expect(error).toMatchObject({ code: 'DMP_VIHF_REFUSED', message: expect.stringMatching(VIHF_REFUSED) });
    });

    it('signed by an expired card certificate: certificat expiré', async () => {
      // The demo card certificates end on 2035-12-31; desk and DMP both live in 2036 here.
      const saved = clock.now();
      clock.set(Date.UTC(2036, 0, 15, 9));
      try {
        const error = await desk().service.open(DUPONT.id, {}, 'dr').catch((e: unknown) => e);
        expect(last()).toMatchObject({ fault: 'DMPInvalidCertificate', reason: 'Certificat de signature du VIHF expiré' });
        expect(error).toMatchObject({ code: 'DMP_VIHF_REFUSED', message: expect.stringMatching(VIHF_REFUSED) });
      } finally {
        clock.set(saved);
      }
    });

    it('issued more than five minutes before it arrives: VIHF expiré; issued in the future: refused too', async () => {
      const late = createManualClock(clock.now() - 6 * 60_000);
      const stale = await desk({ clock: late }).service.open(DUPONT.id, {}, 'dr').catch((e: unknown) => e);
      expect(last()).toMatchObject({ fault: 'DMPVIHFInvalid', reason: 'VIHF expiré' });
      expect(stale).toMatchObject({ code: 'DMP_VIHF_REFUSED', message: expect.stringMatching(VIHF_REFUSED) });

      const early = createManualClock(clock.now() + 2 * 60_000);
      const future = await desk({ clock: early }).service.open(DUPONT.id, {}, 'dr').catch((e: unknown) => e);
      expect(last()).toMatchObject({ fault: 'DMPVIHFInvalid', reason: 'VIHF émis dans le futur' });
      expect(future).toMatchObject({ code: 'DMP_VIHF_REFUSED' });

      // Within the window, the same desk is let in.
      const inTime = createManualClock(clock.now() - 4 * 60_000);
      await expect(desk({ clock: inTime }).service.open(DUPONT.id, {}, 'dr')).resolves.toMatchObject({ listed: true });
    });

    it('signed with the card’s authentication key instead of its signature key: Not a valid signature certificate', async () => {
      const authentication = PemSigner.fromPem({ privateKey: pki.practitioner.authentication.privateKeyPem, certificate: pki.practitioner.authentication.chainPem.join('') });
      const error = await desk({ practitioner: withSigner(authentication) }).service.open(DUPONT.id, {}, 'dr').catch((e: unknown) => e);
      expect(last()).toMatchObject({ fault: 'DMPInvalidCertificate', reason: 'Not a valid signature certificate' });
      expect(error).toMatchObject({ code: 'DMP_VIHF_REFUSED', message: expect.stringMatching(VIHF_REFUSED) });
    });
  });

  describe('XAdES signature of the submission set (TD2.1)', () => {
    const metadataFor = (uniqueId: string, content: Buffer): XdsDocumentMetadata => ({
      uniqueId,
      title: 'Compte rendu',
      mimeType: 'application/pdf',
      typeCode: { code: '11488-4', codeSystem: '2.16.840.1.113883.6.1', displayName: 'Compte rendu de consultation' },
      classCode: { code: '10', codeSystem: '1.2.250.1.213.1.1.4.1', displayName: 'Compte rendu' },
      formatCode: { code: 'urn:ihe:iti:xds-sd:pdf:2008', codeSystem: '1.3.6.1.4.1.19376.1.2.3', displayName: 'PDF' },
      healthcareFacilityTypeCode: { code: 'SA07', codeSystem: '1.2.250.1.71.4.2.4', displayName: 'Cabinet individuel' },
      practiceSettingCode: { code: 'AMBULATOIRE', codeSystem: '1.2.250.1.213.1.1.4.9', displayName: 'Ambulatoire' },
      confidentialityCodes: [{ code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' }],
      eventCodes: [],
      languageCode: 'fr-FR',
      creationTime: '20261130090000',
      sourcePatientId: patientCx(DUPONT.ins!.matricule, DUPONT.ins!.oid),
      authors: [{ idNat: pki.practitioner.holder.idNat, family: 'PUPITRE', given: 'CAMILLE' }],
      size: content.length,
    });

    it('absent: the simulator refuses the lot and registers nothing; the client says the signature was refused', async () => {
      const client = new DmpClient({ baseUrl: () => harness.sim.url, clock, lps: () => DEMO_DMP_LPS, lpsOid: () => DEMO_LPS_OID });
      const practitioner = demoDmpPractitioner(pki);
      const credentials: DmpCallerCredentials = { mode: 'DIRECTE', subject: subjectOf(practitioner), signer: practitioner.signer, http: harness.transports.CPS };
      const content = makePdf('Sans signature');
      const uniqueId = `${DEMO_LPS_OID}.16.1`;
      const error = await client
        .provideAndRegister(
          { credentials, patient: DUPONT.ins!, purposeOfUse: 'normal' },
          {
            submissionSet: { uniqueId: `${DEMO_LPS_OID}.16.2`, sourceId: DEMO_LPS_OID, submissionTime: '20261130090000', patientId: patientCx(DUPONT.ins!.matricule, DUPONT.ins!.oid), author: { idNat: practitioner.idNat }, contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' } },
            metadata: metadataFor(uniqueId, content),
            patientId: patientCx(DUPONT.ins!.matricule, DUPONT.ins!.oid),
          },
          content,
          // no signatureUniqueId: no XAdES document in the lot
        )
        .catch((e: unknown) => e);
      expect(last()).toMatchObject({ action: DMP_ACTIONS.iti41, fault: 'DMPInvalidSignature', reason: 'Lot de soumission non signé : signature XAdES absente' });
      expect(harness.sim.registry.countUniqueId(uniqueId)).toBe(0);
      expect(error).toMatchObject({ code: 'DMP_SIGNATURE_REFUSED', message: expect.stringMatching(SIGNATURE_REFUSED) });
    });

    it('forged: the sending fails in the outbox with the French message and nothing is registered', async () => {
      const forging = forgingFirstSignature(demoDmpPractitioner(pki).signer);
      const { service, outbox } = desk({ practitioner: withSigner(forging) });
      const queued = await service.send({ patientId: DUPONT.id, fileName: 'cr.pdf', content: makePdf('XAdES forgée'), typeCode: '11488-4' }, 'dr');
      await outbox.whenIdle();
      // The XAdES was signed first (forged), the VIHF after (valid): the simulator got past the VIHF.
      expect(forging.signatures).toBe(2);
      expect(last()).toMatchObject({ action: DMP_ACTIONS.iti41, fault: 'DMPInvalidSignature', reason: 'Signature XAdES du lot invalide', idNat: pki.practitioner.holder.idNat });
      expect(harness.sim.registry.countUniqueId(queued.uniqueId)).toBe(0);
      const sending = service.sendings(DUPONT.id)[0]!;
      expect(sending.state).toBe('failed');
      expect(sending.message).toBe(errorCatalog.DMP_SIGNATURE_REFUSED);
      expect(sending.message).toMatch(SIGNATURE_REFUSED);
    });
  });

  describe('rights enforced by the DMP when the desk does not check them (client called directly)', () => {
    const client = (): DmpClient => new DmpClient({ baseUrl: () => harness.sim.url, clock, lps: () => DEMO_DMP_LPS, lpsOid: () => DEMO_LPS_OID });
    const cx = () => patientCx(DUPONT.ins!.matricule, DUPONT.ins!.oid);

    it('a CPE card may not search a DMP’s metadata (TD3.1): DMPAccessDeniedByRights', async () => {
      const secretary = demoDmpPractitioner(pki, pki.secretary);
      const credentials: DmpCallerCredentials = { mode: 'DIRECTE', subject: subjectOf(secretary), signer: secretary.signer, http: harness.transports.CPS };
      const error = await client()
        .query({ credentials, patient: DUPONT.ins!, purposeOfUse: 'normal' }, findDocuments(cx()))
        .catch((e: unknown) => e);
      expect(last()).toMatchObject({ action: DMP_ACTIONS.iti18, fault: 'DMPAccessDeniedByRights', reason: 'Rechercher les métadonnées : non autorisé (TD3.1-metadata, cpe-normal)' });
      expect(error).toMatchObject({ code: 'DMP_FORBIDDEN_BY_RIGHTS', message: expect.stringMatching(FORBIDDEN) });
    });

    it('a CPE card may not use bris de glace at all; a structure certificate may not consult a document (TD3.2)', async () => {
      const secretary = demoDmpPractitioner(pki, pki.secretary);
      const cpe: DmpCallerCredentials = { mode: 'DIRECTE', subject: subjectOf(secretary), signer: secretary.signer, http: harness.transports.CPS };
      await expect(client().td02({ credentials: cpe, patient: DUPONT.ins!, purposeOfUse: 'bris_de_glace' })).rejects.toMatchObject({ code: 'DMP_FORBIDDEN_BY_RIGHTS' });
      expect(last()).toMatchObject({ fault: 'DMPAccessDeniedByRights', reason: "Mode d'accès non prévu pour ce type d'authentification (TD0.2)" });

      const structure = demoDmpStructure(pki);
      const indirect: DmpCallerCredentials = {
        mode: 'INDIRECTE',
        subject: { idNat: pki.practitioner.holder.idNat, name: 'CAMILLE PUPITRE', profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7' }, structureId: structure.id, activitySector: structure.activitySector },
        signer: structure.signer,
        http: harness.transports.STRUCTURE,
      };
      const entry = [...harness.sim.registry.entries.values()].find((e) => e.patient.startsWith(DUPONT.ins!.matricule))!;
      await expect(client().retrieve({ credentials: indirect, patient: DUPONT.ins!, purposeOfUse: 'normal' }, entry.metadata.uniqueId)).rejects.toMatchObject({
        code: 'DMP_FORBIDDEN_BY_RIGHTS',
        message: expect.stringMatching(FORBIDDEN),
      });
      expect(last()).toMatchObject({ action: DMP_ACTIONS.iti43, fault: 'DMPAccessDeniedByRights', reason: 'Documents non masqués aux PS : non autorisé (TD3.2-unmasked, structure-normal)' });
      // The same structure may find a document's reference (PDT-INF-526 footnote 5), e.g. its own before deleting it.
      const found = await client().query({ credentials: indirect, patient: DUPONT.ins!, purposeOfUse: 'normal' }, getDocumentsByUniqueId([entry.metadata.uniqueId]));
      expect(found.documents.map((d) => d.uniqueId)).toEqual([entry.metadata.uniqueId]);
    });
  });
});

/** The VIHF subject of a card holder, as the desk builds it (services/dmp/use-cases/caller.ts subjectOf). */
function subjectOf(p: DmpPractitioner): VihfSubject {
  const subject: VihfSubject = {
    idNat: p.idNat,
    name: `${p.givenName} ${p.surname}`,
    profession: p.profession === null ? { code: 'SECRETARIAT_MEDICAL', codeSystem: '1.2.250.1.213.1.1.4.6' } : { code: p.profession.code, codeSystem: '1.2.250.1.71.1.2.7' },
    structureId: p.structure.id,
    activitySector: p.structure.activitySector,
  };
  if (p.specialty !== null) subject.specialty = { code: p.specialty.code, codeSystem: '1.2.250.1.71.4.2.5' };
  return subject;
}
