/**
 * The DMP exchanges as they cross the wire, against the official material (shared/reference/dmp):
 * the desk (DmpService → DmpClient) runs its usual work against the simulator through a recording
 * transport, and every captured message is checked — not a body typed for the test:
 * - each request body the client sends (TD0.2, TD0.3, ITI-18, ITI-41 with its XOP parts decoded,
 *   ITI-43, ITI-57) and each body the simulator answers validates against the WSDL/XSD of the
 *   "package DMP" (the simulator's own writers are checked too);
 * - each VIHF the client signs, direct and indirect, validates against the SAML 2.0 assertion schema
 *   (with the HL7 v3 datatypes its Role/PurposeOfUse CE values are typed with), as the official VIHF
 *   examples do;
 * - the ITI-41 the client sends has the slots, classifications and external identifiers of the
 *   official TD2.1 request, name by name; each difference is listed here with its reason.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makePdf } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { describeWithPrerequisites, hasReference, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { recordingTransport, type RecordedExchange } from '../../../fixtures/testing/wire';
import { hasXmllint, validateAgainstXsd } from '../../../fixtures/testing/xsd';
import { demoDmpPractitioner, demoDmpSettings, demoDmpStructure, type DmpHarness, migrateForDmp, startDmpHarness } from '../../../fixtures/wiring/dmp';
import { createManualClock } from '../../platform/clock';
import { openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { parseEnvelope, parseMediaType, parseMultipartRelated, toMtomMessage, WSSE_NS } from '../../platform/soap';
import { childElements, parseXml, serializeElement } from '../../platform/xml';
import { Outbox } from '../outbox';
import { NS } from './codes';
import { DmpService, type DmpPatient } from './service';

const both: PrerequisiteCheck = () => hasReference() ?? hasXmllint();

const PATIENTS: Record<string, DmpPatient> = {
  'p-dupont': { id: 'p-dupont', status: 'QUAL', ins: { matricule: '258036311304224', oid: '1.2.250.1.213.1.4.11' }, birthName: 'DUPONT', firstNames: 'MARIE', sex: 'F', birthDate: '1958-03-12', birthPlaceCode: '63113' },
  'p-adrtrois': { id: 'p-adrtrois', status: 'QUAL', ins: { matricule: '297022A02077878', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'DOMINIQUE', sex: 'F', birthDate: '1997-02-01' },
  'p-absent-auth': { id: 'p-absent-auth', status: 'QUAL', ins: { matricule: '160012B02077713', oid: '1.2.250.1.213.1.4.10' }, birthName: 'ADRTROIS', firstNames: 'TOUSSAINT', sex: 'M', birthDate: '1960-01-01' },
};

interface Captured {
  /** The SOAP body's first element, serialised, XOP includes replaced by base64 (XOP 1.0 §3: the schema applies to that infoset). */
  bodyXml: string;
  local: string;
  envelope: ReturnType<typeof parseEnvelope>;
}

async function decode(contentType: string, body: Buffer): Promise<Captured> {
  const xml = parseMediaType(contentType).type === 'multipart/related' ? toMtomMessage(await parseMultipartRelated(contentType, body)).root.data : body;
  const envelope = parseEnvelope(xml);
  const content = envelope.content as Element;
  const bodyXml = serializeElement(content).replace(/<(?:[\w-]+:)?Include\b[^>]*\/>/g, Buffer.from('<ClinicalDocument/>').toString('base64'));
  return { bodyXml, local: content.localName ?? '', envelope };
}

describeWithPrerequisites('conformance', both, 'DMP exchanges on the wire against the official schemas', () => {
  const ref = (...parts: string[]): string => join(referenceDir() as string, 'dmp', ...parts);
  const schema = (relative: string): string => ref('wsdl-schema', relative);
  let pki: DemoPki;
  let harness: DmpHarness;
  const exchanges: Array<RecordedExchange & { credential: 'CPS' | 'STRUCTURE' }> = [];
  let sentIti41: Captured | null = null;

  /** The schema each message root validates against. */
  let schemaOf: Record<string, string>;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    const wsdl = readFileSync(schema('wsdl/Habilitations.wsdl'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-dmp-wire-'));
    writeFileSync(join(dir, 'habilitations.xsd'), `<?xml version="1.0" encoding="UTF-8"?>\n${/<xs:schema[\s\S]*<\/xs:schema>/.exec(wsdl)![0]}`);
    schemaOf = {
      PRPA_IN201307UV02: schema('schema/HL7V3/NE2009/multicacheschemas/PRPA_IN201307UV02.xsd'),
      PRPA_IN201308UV02: schema('schema/HL7V3/NE2009/multicacheschemas/PRPA_IN201308UV02.xsd'),
      setAuthorization: join(dir, 'habilitations.xsd'),
      setAuthorizationResponse: join(dir, 'habilitations.xsd'),
      AdhocQueryRequest: schema('schema/ebRS/query.xsd'),
      AdhocQueryResponse: schema('schema/ebRS/query.xsd'),
      ProvideAndRegisterDocumentSetRequest: schema('schema/IHE/XDS.b_DocumentRepository.xsd'),
      RetrieveDocumentSetRequest: schema('schema/IHE/XDS.b_DocumentRepository.xsd'),
      RetrieveDocumentSetResponse: schema('schema/IHE/XDS.b_DocumentRepository.xsd'),
      SubmitObjectsRequest: schema('schema/ebRS/lcm.xsd'),
      RegistryResponse: schema('schema/ebRS/rs.xsd'),
    };

    const clock = createManualClock(Date.UTC(2026, 10, 30, 9, 0, 0));
    harness = await startDmpHarness(pki, { now: () => clock.now() });
    const recording = { CPS: recordingTransport(harness.transports.CPS), STRUCTURE: recordingTransport(harness.transports.STRUCTURE) };
    const db = openDatabase({ path: ':memory:' });
    migrateForDmp(db, { outbox: true });
    const outbox = new Outbox({ db, clock, logger: createMemoryLogger(clock), audit: () => undefined, random: () => 0.5 });
    let cardInserted = true;
    let indirect = false;
    const service = new DmpService({
      db,
      clock,
      logger: createMemoryLogger(clock),
      audit: () => undefined,
      http: (credential) => recording[credential],
      practitioner: () => (cardInserted ? demoDmpPractitioner(pki) : null),
      structure: () => demoDmpStructure(pki),
      patient: (id) => PATIENTS[id] as DmpPatient,
      settings: () => demoDmpSettings(harness.sim.url, { indirectSending: indirect }),
      outbox,
    });

    // The desk's usual work: open (TD0.2, FindDocuments), reopen later (FindSubmissionSets,
    // GetAssociations, GetDocumentsAndAssociations), read a document (ITI-43), send a PDF with its
    // XAdES (ITI-41) with the card and then with the structure certificate (indirect VIHF), mask and
    // archive (ITI-57), add an authorisation (TD0.3).
    const opened = await service.open('p-adrtrois', { widen: true }, 'dr');
    clock.advance(60_000);
    await service.open('p-adrtrois', {}, 'dr');
    await service.document('p-adrtrois', opened.documents[0]!.uniqueId, undefined, 'dr');
    await service.send({ patientId: 'p-dupont', fileName: 'cr.pdf', content: makePdf('Conformité'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    cardInserted = false;
    indirect = true;
    await service.send({ patientId: 'p-dupont', fileName: 'cr2.pdf', content: makePdf('Conformité, mode indirect'), typeCode: '11488-4' }, 'dr');
    await outbox.whenIdle();
    cardInserted = true;
    indirect = false;
    const other = opened.documents.find((d) => !d.own && !d.patientDocument)!;
    await service.setVisibility('p-adrtrois', other.uniqueId, { maskedFromProfessionals: true }, 'dr');
    await service.setStatus('p-adrtrois', opened.documents.find((d) => d.own)!.uniqueId, 'Archived', 'dr');
    await service.setAuthorisation('p-absent-auth', 'AJOUT', true, 'dr');
    exchanges.push(...recording.CPS.exchanges.map((e) => ({ ...e, credential: 'CPS' as const })), ...recording.STRUCTURE.exchanges.map((e) => ({ ...e, credential: 'STRUCTURE' as const })));
    for (const exchange of recording.CPS.exchanges) {
      const request = await decode(exchange.request.contentType, exchange.request.body);
      if (request.local === 'ProvideAndRegisterDocumentSetRequest') sentIti41 ??= request;
    }
  }, 120_000);
  afterAll(async () => {
    await harness?.close();
  });

  it('every request body the client sent validates (TD0.2, TD0.3, ITI-18, ITI-41, ITI-43, ITI-57)', async () => {
    const seen: string[] = [];
    for (const exchange of exchanges) {
      const request = await decode(exchange.request.contentType, exchange.request.body);
      seen.push(request.local);
      const result = validateAgainstXsd(request.bodyXml, schemaOf[request.local] as string);
      expect(result.errors, request.local).toEqual([]);
      expect(result.valid, request.local).toBe(true);
    }
    expect([...new Set(seen)].sort()).toEqual(
      ['AdhocQueryRequest', 'PRPA_IN201307UV02', 'ProvideAndRegisterDocumentSetRequest', 'RetrieveDocumentSetRequest', 'SubmitObjectsRequest', 'setAuthorization'].sort(),
    );
  });

  it('every body the simulator answered validates too (its own writers, checked against the same schemas)', async () => {
    const seen: string[] = [];
    for (const exchange of exchanges) {
      expect(exchange.response.status, exchange.url).toBe(200);
      const response = await decode(exchange.response.contentType, exchange.response.body);
      seen.push(response.local);
      const result = validateAgainstXsd(response.bodyXml, schemaOf[response.local] as string);
      expect(result.errors, response.local).toEqual([]);
      expect(result.valid, response.local).toBe(true);
    }
    expect([...new Set(seen)].sort()).toEqual(['AdhocQueryResponse', 'PRPA_IN201308UV02', 'RegistryResponse', 'RetrieveDocumentSetResponse', 'setAuthorizationResponse'].sort());
  });

  it('every VIHF the client signed, direct and indirect, validates against the SAML 2.0 assertion schema, as the official examples do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-vihf-'));
    const wrapper = join(dir, 'vihf.xsd');
    // The VIHF types its Role and PurposeOfUse values xsi:type="CE" (HL7 v3 datatypes, urn:hl7-org:v3).
    writeFileSync(
      wrapper,
      `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:pupitre:test:vihf">
  <xs:import namespace="urn:oasis:names:tc:SAML:2.0:assertion" schemaLocation="${join(referenceDir() as string, 'insi', 'xsd', 'SAML', 'saml-schema-assertion-2.0.xsd')}"/>
  <xs:import namespace="urn:hl7-org:v3" schemaLocation="${schema('schema/HL7V3/NE2009/coreschemas/datatypes.xsd')}"/>
</xs:schema>`,
    );
    for (const official of ['VIHF_INDIRECTE_signe.xml', 'VIHF_INDIRECTE_RENFORCEE_signe.xml']) {
      expect(validateAgainstXsd(readFileSync(ref('examples', 'Exemples_Jeton_VIHF', official), 'utf8'), wrapper), official).toEqual({ valid: true, errors: [] });
    }
    const modes = new Set<string>();
    for (const exchange of exchanges) {
      const { envelope } = await decode(exchange.request.contentType, exchange.request.body);
      const security = envelope.headers.find((h) => h.namespaceURI === WSSE_NS && h.localName === 'Security') as Element;
      const [assertion, ...more] = childElements(security, NS.saml2, 'Assertion');
      expect(more).toEqual([]);
      const xml = serializeElement(assertion as Element);
      modes.add(/Authentification_mode"><saml2:AttributeValue[^>]*>([A-Z]+)</.exec(xml)?.[1] ?? '?');
      expect(validateAgainstXsd(xml, wrapper)).toEqual({ valid: true, errors: [] });
    }
    expect([...modes].sort()).toEqual(['DIRECTE', 'INDIRECTE']);
    // The check is real: the same schema refuses a VIHF whose Subject comes before its Issuer.
    const { envelope } = await decode(exchanges[0]!.request.contentType, exchanges[0]!.request.body);
    const assertion = childElements(envelope.headers.find((h) => h.localName === 'Security') as Element, NS.saml2, 'Assertion')[0] as Element;
    const swapped = parseXml(serializeElement(assertion)).documentElement as Element;
    swapped.insertBefore(childElements(swapped, NS.saml2, 'Subject')[0] as Element, childElements(swapped, NS.saml2, 'Issuer')[0] as Element);
    expect(validateAgainstXsd(serializeElement(swapped), wrapper).valid).toBe(false);
  });

  it('the ITI-41 the client sent has the slots, classifications and identifiers of the official TD2.1 request, name by name', () => {
    expect(sentIti41).not.toBeNull();
    const raw = readFileSync(ref('examples', 'TD2.1_-_Alimentation_requete.xml'), 'latin1');
    const official = parseEnvelope(Buffer.from(raw.slice(raw.indexOf('<soap:Envelope'), raw.indexOf('</soap:Envelope>') + '</soap:Envelope>'.length), 'latin1'), { allowSoap11: true });
    const names = (content: Element): Record<string, string[]> => {
      const list = content.getElementsByTagNameNS(NS.rim, 'RegistryObjectList').item(0) as Element;
      const out: Record<string, string[]> = {};
      for (const object of childElements(list, NS.rim)) {
        const isSignature = childElements(object, NS.rim, 'Classification').some((c) => c.getAttribute('nodeRepresentation') === 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1');
        const kind = object.localName === 'ExtrinsicObject' ? (isSignature ? 'signature' : 'document') : object.localName === 'RegistryPackage' ? 'submissionSet' : `association ${object.getAttribute('associationType')}`;
        const entries = [
          ...childElements(object, NS.rim, 'Slot').map((slot) => `slot ${slot.getAttribute('name')}`),
          ...childElements(object, NS.rim, 'Classification').flatMap((c) => [
            `classification ${c.getAttribute('classificationScheme') ?? `node ${c.getAttribute('classificationNode')}`}`,
            ...childElements(c, NS.rim, 'Slot').map((slot) => `  slot ${slot.getAttribute('name')}`),
          ]),
          ...childElements(object, NS.rim, 'ExternalIdentifier').map((e) => `identifier ${e.getAttribute('identificationScheme')}`),
          ...childElements(object, NS.rim)
            .filter((c) => c.localName === 'Name' || c.localName === 'Description')
            .map((c) => c.localName as string),
        ];
        out[kind] = [...new Set([...(out[kind] ?? []), ...entries])].sort();
      }
      return out;
    };
    const ours = names(sentIti41!.envelope.content as Element);
    const theirs = names(official.content as Element);
    const author = 'classification urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d';
    // Differences, each on purpose:
    // - hash and size: optional for a document source in ITI-41 (IHE ITI TF-3 Table 4.3.1-3); sent so
    //   that the repository checks the bytes it stores;
    // - sourcePatientInfo (optional): not sent, it would repeat the patient's name and birth date in
    //   the metadata; Description (optional): Pupitre has no comment field; serviceStopTime (R2):
    //   the CDA Pupitre builds around a PDF dates the act, with no end (serviceEvent effectiveTime low);
    // - authorRole: the profession (TRE_G15) in its own slot; the example folds it into
    //   authorSpecialty (JDV_J01 "G15_10/SM26").
    const added = { document: ['slot hash', 'slot size', '  slot authorRole'], signature: ['slot hash', 'slot size', '  slot authorRole'], submissionSet: ['  slot authorRole'] };
    const omitted = { document: ['slot sourcePatientInfo', 'slot serviceStopTime', 'Description'], signature: ['slot serviceStopTime'], submissionSet: ['Description'] };
    const expected = (kind: keyof typeof added): string[] =>
      [...new Set([...(theirs[kind] ?? []).filter((n) => !(omitted[kind as keyof typeof omitted] ?? []).includes(n)), ...added[kind]])].sort();
    expect(ours.submissionSet).toEqual(expected('submissionSet'));
    expect(ours.document).toEqual(expected('document'));
    expect(ours.signature).toEqual(expected('signature'));
    for (const association of ['urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember', 'urn:ihe:iti:2007:AssociationType:signs']) {
      expect(ours[`association ${association}`]).toEqual(theirs[`association ${association}`]);
    }
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(ours.document).toContain(author);
    // The author values have the official XCN / XON layouts (IdNat authority, IDNPS / IDNST).
    const values = (content: Element, slot: string): string[] =>
      Array.from(content.getElementsByTagNameNS(NS.rim, 'Slot') as unknown as Element[])
        .filter((s) => s.getAttribute('name') === slot)
        .map((s) => (s.textContent ?? '').trim());
    const shape = (value: string): string => value.replace(/[^^&]+/g, 'x');
    expect(new Set(values(sentIti41!.envelope.content as Element, 'authorPerson').map(shape))).toEqual(new Set(values(official.content as Element, 'authorPerson').map(shape)));
    expect(new Set(values(sentIti41!.envelope.content as Element, 'authorInstitution').map(shape))).toEqual(new Set(values(official.content as Element, 'authorInstitution').map(shape)));
  });
});

