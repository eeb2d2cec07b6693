/**
 * Conformance with the official DMPi material (shared/reference/dmp): outgoing bodies validate
 * against the WSDL/XSD of the "package DMP", every official example response parses, and the
 * VIHF reads back like the official examples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { describeWithPrerequisites, hasReference, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { hasXmllint, validateAgainstXsd } from '../../../fixtures/testing/xsd';
import { PemSigner } from '../../platform/crypto';
import { parseEnvelope } from '../../platform/soap';
import { parseXml, serializeElement, serializeXml, type XmlElementNode } from '../../platform/xml';
import { readSetAuthorizationResponse } from './client';
import { STORED_QUERY } from './codes';
import { buildAdhocQueryRequest, findDocuments, findSubmissionSets, getAssociations, getDocumentsAndAssociations, getDocumentsByUniqueId, parseAdhocQueryResponse } from './iti18';
import { buildTd02Request, parseTd02Response } from './td02';
import { buildMetadataUpdate, buildProvideAndRegister, buildRetrieveRequest, buildStatusUpdate, readRegistryResponse, readRetrieveResponse } from './transactions';
import { readVihfClaims, signedVihf } from './vihf';
import type { XdsDocumentMetadata } from './xds';

const both: PrerequisiteCheck = () => hasReference() ?? hasXmllint();

const META: XdsDocumentMetadata = {
  uniqueId: '1.2.250.1.999.1.1.7898.3.1622814651504',
  title: 'Compte rendu de consultation',
  mimeType: 'text/xml',
  typeCode: { code: '11488-4', codeSystem: '2.16.840.1.113883.6.1', displayName: 'Compte rendu de consultation' },
  classCode: { code: '10', codeSystem: '1.2.250.1.213.1.1.4.1', displayName: 'Compte rendu' },
  formatCode: { code: 'urn:ihe:iti:xds-sd:pdf:2008', codeSystem: '1.3.6.1.4.1.19376.1.2.3', displayName: 'PDF' },
  healthcareFacilityTypeCode: { code: 'SA07', codeSystem: '1.2.250.1.71.4.2.4', displayName: 'Cabinet' },
  practiceSettingCode: { code: 'AMBULATOIRE', codeSystem: '1.2.250.1.213.1.1.4.9', displayName: 'Ambulatoire' },
  confidentialityCodes: [
    { code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' },
    { code: 'INVISIBLE_PATIENT', codeSystem: '1.2.250.1.213.1.1.4.13', displayName: 'Non visible par le patient' },
  ],
  eventCodes: [],
  languageCode: 'fr-FR',
  creationTime: '20261130090000',
  serviceStartTime: '20261130090000',
  sourcePatientId: '207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH',
  authors: [
    {
      idNat: '899700123450',
      given: 'CAMILLE',
      family: 'PUPITRE',
      role: { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' },
      specialty: { code: 'SM26', codeSystem: '1.2.250.1.71.4.2.5', displayName: 'Médecine générale' },
      institution: { id: '10B9990001', name: 'CABINET MEDICAL PUPITRE DEMO' },
    },
  ],
  legalAuthenticator: { idNat: '899700123450', given: 'CAMILLE', family: 'PUPITRE' },
  size: 1234,
  hash: 'af326fb44feb720121d2c277ce10f87407818089',
};
const PATIENT_CX = '207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH';
const SUBMISSION = {
  uniqueId: '2.25.1.1',
  sourceId: '2.25.1',
  submissionTime: '20261130090000',
  patientId: PATIENT_CX,
  author: META.authors[0]!,
  contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' },
};

describeWithPrerequisites('conformance', both, 'DMPi outgoing bodies against the official schemas', () => {
  const ref = (): string => referenceDir() as string;
  const schema = (relative: string): string => join(ref(), 'dmp', 'wsdl-schema', relative);
  const expectValid = (node: XmlElementNode | string, xsd: string): void => {
    const result = validateAgainstXsd(typeof node === 'string' ? node : serializeXml(node, { declaration: true }), xsd);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  };

  it('TD0.2 PRPA_IN201307UV02', () => {
    const body = buildTd02Request({
      messageId: 'c1a2',
      queryId: 'q1',
      creationTime: '20261130090000',
      patient: { matricule: '207058575627097', oid: '1.2.250.1.213.1.4.10' },
      sender: { root: '2.25.1', name: 'Pupitre' },
    });
    expectValid(body, schema('schema/HL7V3/NE2009/multicacheschemas/PRPA_IN201307UV02.xsd'));
  });

  it.each([
    ['FindDocuments with every filter', findDocuments(PATIENT_CX, { statuses: ['Approved', 'Archived'], typeCodes: [{ code: '11488-4', codeSystem: '2.16.840.1.113883.6.1' }], serviceStartFrom: '20241130', creationTo: '20261130', authorPerson: '899700123450%', confidentialityCodes: [{ code: 'N', codeSystem: '2.16.840.1.113883.5.25' }] })],
    ['FindSubmissionSets', findSubmissionSets(PATIENT_CX, '20261101000000')],
    ['GetAssociations', getAssociations(['urn:uuid:7953af1a-ba1c-11eb-816f-0050569e422e'])],
    ['GetDocumentsAndAssociations', getDocumentsAndAssociations(['urn:uuid:7953af1a-ba1c-11eb-816f-0050569e422e'])],
    ['GetDocuments by uniqueId', getDocumentsByUniqueId(['1.2.250.1.999.1.1.7898.1.995657292'])],
  ])('ITI-18 AdhocQueryRequest: %s', (_name, query) => {
    expectValid(buildAdhocQueryRequest(query), schema('schema/ebRS/query.xsd'));
  });

  it('ITI-43 RetrieveDocumentSetRequest', () => {
    expectValid(buildRetrieveRequest([{ repositoryUniqueId: '1.2.250.1.213.4.1.1.1.2', uniqueId: '1.2.250.1.999.1.1.7898.1.995657292' }]), schema('schema/IHE/XDS.b_DocumentRepository.xsd'));
  });

  it('ITI-41 ProvideAndRegisterDocumentSetRequest (XOP decoded), with the XAdES signature document and a replacement', () => {
    const body = serializeXml(
      buildProvideAndRegister({
        submissionSet: SUBMISSION,
        metadata: META,
        patientId: PATIENT_CX,
        contentId: 'doc1@pupitre',
        replacesEntryUuid: 'urn:uuid:7953af1a-ba1c-11eb-816f-0050569e422e',
        signature: { uniqueId: '2.25.1.2', contentId: 'sig1@pupitre', size: 10, hash: 'af326fb44feb720121d2c277ce10f87407818089' },
      }),
      { declaration: true },
    );
    expect(body).toContain('urn:ihe:iti:2007:AssociationType:signs');
    // XOP: the schema applies to the infoset with the binary inline (XOP 1.0 §3).
    const decoded = body.replace(/<xop:Include[^>]*\/>/g, Buffer.from('<ClinicalDocument/>').toString('base64'));
    expectValid(decoded, schema('schema/IHE/XDS.b_DocumentRepository.xsd'));
  });

  it('ITI-57 UpdateDocumentSet: status change (TD3.3c/d) and metadata update (TD3.3a/b)', () => {
    expectValid(buildStatusUpdate({ submissionSet: SUBMISSION, entryUuid: 'urn:uuid:7953af1a-ba1c-11eb-816f-0050569e422e', from: 'Approved', to: 'Deleted' }), schema('schema/ebRS/lcm.xsd'));
    expectValid(
      buildMetadataUpdate({ submissionSet: SUBMISSION, metadata: META, logicalId: 'urn:uuid:7953af1a-ba1c-11eb-816f-0050569e422e', previousVersion: 1, patientId: PATIENT_CX }),
      schema('schema/ebRS/lcm.xsd'),
    );
  });

  it('the stored query ids are those of the official request', () => {
    const official = readFileSync(join(ref(), 'dmp/examples/TD3.1_-_Recherche_de_document_requete.xml'), 'utf8');
    expect(official).toContain(STORED_QUERY.FindDocuments);
  });
});

describeWithPrerequisites('conformance', hasReference, 'official DMPi example responses parse', () => {
  const example = (name: string): string => readFileSync(join(referenceDir() as string, 'dmp', 'examples', name), 'utf8');
  let pki: DemoPki;
  beforeAll(async () => {
    pki = await ensureSharedTestPki();
  });

  it('TD0.2: active DMP, authorisation VALIDE, médecin traitant, not attached to Mon espace santé', () => {
    const status = parseTd02Response(parseEnvelope(example('TD0.2_-_Test_dexistence_reponse.xml')).content!);
    expect(status).toEqual({ existence: 'active', authorisation: 'VALIDE', treatingDoctor: true, mesAttachment: false, internetAccount: true, oppositions: [] });
  });

  it('TD0.3: DMPOk', () => {
    expect(readSetAuthorizationResponse(parseEnvelope(example('TD0.3_-_Mise_a_jour_de_lautorisation_reponse.xml')).content!)).toEqual({
      status: 'DMPOk',
      context: 'Autorisation déjà présente aucune action effectuée',
    });
  });

  it('TD3.1: 21 document entries with their metadata', () => {
    const result = parseAdhocQueryResponse(parseEnvelope(example('TD3.1_-_Recherche_de_document_reponse.xml')).content!);
    expect(result.status).toBe('success');
    expect(result.documents).toHaveLength(21);
    const first = result.documents[0]!;
    expect(first).toMatchObject({ entryUuid: 'urn:uuid:7953af1a-ba1c-11eb-816f-0050569e422e', status: 'Approved', mimeType: 'text/xml', size: 2768, creationTime: '20100319183244', repositoryUniqueId: '1.2.250.1.213.4.1.1.1.2' });
    expect(first.classCode).toMatchObject({ code: '10', codeSystem: '1.2.250.1.213.1.1.4.1' });
    expect(first.authors[0]).toMatchObject({ idNat: '899900063480', family: 'Kit', given: 'Editeur', institution: { id: '10B0127189' } });
    expect(first.patientId).toMatch(/\^\^\^&1\.2\.250\.1\.213\.1\.4\.10&ISO\^NH/);
    for (const d of result.documents) expect(d.uniqueId).not.toBe('');
  });

  it('TD3.2: the document reference with its xop:Include', () => {
    const result = readRetrieveResponse(parseEnvelope(example('TD3.2_-_Consultation_dun_document_reponse.xml')).content!);
    expect(result.status).toBe('success');
    expect(result.documents).toEqual([expect.objectContaining({ uniqueId: '1.2.250.1.999.1.1.7898.1.995657292', mimeType: 'text/xml', repositoryUniqueId: '1.2.250.1.213.4.1.1.1.2' })]);
  });

  it.each(['TD2.1_-_Alimentation_reponse.xml', 'TD3.3c_-_Supprimer_un_document_reponse.xml', 'TD3.3d_-_Archiver_un_document_reponse.xml'])('%s: RegistryResponse Success', (name) => {
    expect(readRegistryResponse(parseEnvelope(example(name)).content!)).toEqual({ status: 'success', errors: [] });
  });

  it('every other official response is a SOAP 1.2 envelope without fault', () => {
    const names = readdirSync(join(referenceDir() as string, 'dmp', 'examples')).filter((n) => n.endsWith('_reponse.xml'));
    // The 17 official responses (TD0.2 to TD3.3d, and WS_INS2).
    expect(names).toHaveLength(17);
    for (const name of names) {
      const envelope = parseEnvelope(example(name));
      expect(envelope.fault, name).toBeNull();
      expect(envelope.content, name).not.toBeNull();
    }
  });

  it('the official VIHF examples read as the attributes Pupitre writes, and ours reads back the same way', async () => {
    const official = readVihfClaims(parseXml(example('Exemples_Jeton_VIHF/VIHF_INDIRECTE_signe.xml')).documentElement!);
    expect(official).toMatchObject({ idNat: '899900063480', mode: 'INDIRECTE', version: '3.0', purposeOfUse: 'normal', resourceId: '207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH' });
    expect(official.roles.map((r) => r.codeSystem)).toEqual(['1.2.250.1.71.1.2.7', '1.2.250.1.71.4.2.5']);
    const signer = PemSigner.fromPem({ privateKey: pki.practitioner.signature.privateKeyPem, certificate: pki.practitioner.signature.chainPem.join('') });
    const ours = await signedVihf(
      {
        subject: {
          idNat: '899700123450',
          name: 'CAMILLE PUPITRE',
          profession: { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' },
          specialty: { code: 'SM26', codeSystem: '1.2.250.1.71.4.2.5', displayName: 'Qualifié en médecine générale' },
          structureId: '10B9990001',
          activitySector: 'SA07',
        },
        mode: 'DIRECTE',
        patient: { matricule: '207058575627097', oid: '1.2.250.1.213.1.4.10' },
        purposeOfUse: 'bris_de_glace',
        lps: { id: 'x', name: 'Pupitre', version: '1', homologation: 'NumAutorisation' },
        issueInstant: '2026-11-30T09:00:00.000Z',
      },
      signer,
    );
    const claims = readVihfClaims(ours);
    expect(claims).toMatchObject({ idNat: '899700123450', mode: 'DIRECTE', version: '3.0', purposeOfUse: 'bris_de_glace', resourceId: official.resourceId, activitySector: 'SA07' });
    // Same attribute names, in the same order, as the official example (the direct one omits subject-id).
    const names = (xml: string): string[] => [...xml.matchAll(/Attribute Name="([^"]+)"/g)].map((m) => m[1]!);
    expect(names(serializeElement(ours))).toEqual(names(example('Exemples_Jeton_VIHF/VIHF_INDIRECTE_signe.xml')));
  });
});
