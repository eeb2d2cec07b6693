/**
 * The SOAP layer against the official material:
 * - INSi: a SOAP 1.2 envelope built around the official request body example (and its
 *   ContexteLPS/ContexteBAM/Security headers) keeps every part valid against the INSi XSDs; a body
 *   built with the XML builder validates too, and an invalid one does not (the check is real);
 * - DMP: every official example response parses with the safe parser and the envelope parser (all
 *   are plain XML, none multipart — checked); the TD3.2 response's percent-encoded cid resolves;
 *   the multipart TD2.1 request parses, and its xop:Includes resolve to its parts, the signature
 *   part being exactly the official XAdES example.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { expect, it } from 'vitest';
import { describeWithPrerequisites, hasReference, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { hasXmllint, validateAgainstXsd } from '../../../fixtures/testing/xsd';
import { childElements, domNode, parseXml, serializeElement, serializeXml, xmlNamespace } from '../xml';
import { buildEnvelope, parseEnvelope, SOAP11_NS, SOAP12_NS, WSA_NS, WSSE_NS } from './envelope';
import { parseMediaType, parseMultipartWithBoundary, readBinaryContent, toMtomMessage, XOP_NS } from './mtom';

const both: PrerequisiteCheck = () => hasReference() ?? hasXmllint();
const INSI_RECSANS = 'http://www.cnamts.fr/INSiRecSans';

function reference(...path: string[]): string {
  return join(referenceDir() as string, ...path);
}

function insiXsd(...path: string[]): string {
  return reference('insi', 'xsd', ...path);
}

function valid(element: Element, xsd: string): void {
  const result = validateAgainstXsd(serializeElement(element), xsd);
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

describeWithPrerequisites('conformance', both, 'INSi envelope against the official XSDs', () => {
  it('wraps the official request body and headers in a SOAP 1.2 envelope that keeps them valid', () => {
    const example = parseEnvelope(readFileSync(reference('dmp', 'examples', 'WS_INS2_rechercherInsAvecTraitsIdentite_requete.xml')));
    const header = (ns: string, local: string): Element => example.headers.find((h) => h.namespaceURI === ns && h.localName === local) as Element;
    const lps = header('urn:siram:lps:ctxlps', 'ContexteLPS');
    const bam = header('urn:siram:bam:ctxbam', 'ContexteBAM');
    const security = header(WSSE_NS, 'Security');
    const assertion = childElements(security)[0] as Element;

    const xml = serializeXml(
      buildEnvelope({
        addressing: { action: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite', messageId: '0dfb8f66-de74-4f30-ba83-bebde1239ebf' },
        headers: [domNode(bam), domNode(lps)],
        security: assertion,
        body: domNode(example.content as Element),
      }),
      { declaration: true },
    );
    const built = parseEnvelope(xml);
    expect(built.envelope.namespaceURI).toBe(SOAP12_NS);
    expect(built.addressing.action).toBe('urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite');
    const find = (ns: string, local: string): Element => built.headers.find((h) => h.namespaceURI === ns && h.localName === local) as Element;

    // DESIR_ICIR_EXP_1.5.0.wsdl: body RECSANSVITALE, headers Security, ContexteLPS, MessageID, ContexteBAM.
    valid(built.content as Element, insiXsd('ServiceIdentiteCertifiee', 'INSi_RECSANS_INS.xsd'));
    valid(find('urn:siram:lps:ctxlps', 'ContexteLPS'), insiXsd('CTX', 'ROOT_ctxlps_CTXLPS_V01_00.xsd'));
    valid(find('urn:siram:bam:ctxbam', 'ContexteBAM'), insiXsd('CTX', 'ROOT_ctxbam_CTXBAM_V01_02.xsd'));
    valid(find(WSSE_NS, 'Security'), insiXsd('WSSE', 'Security.xsd'));
    expect(find(WSA_NS, 'MessageID')).toBeDefined();
  });

  it('validates a body built with the XML builder, and refuses an invalid one', () => {
    const ins = xmlNamespace(INSI_RECSANS, 'ins');
    const body = ins.el(
      'RECSANSVITALE',
      ins.el('NomNaissance', 'ADRTROIS'),
      ['TOUSSAINT'].map((p) => ins.el('Prenom', p)),
      ins.el('Sexe', 'M'),
      ins.el('DateNaissance', '1960-01-01'),
      ins.el('LieuNaissance', '2B020'),
    );
    const envelope = parseEnvelope(serializeXml(buildEnvelope({ body })));
    valid(envelope.content as Element, insiXsd('ServiceIdentiteCertifiee', 'INSi_RECSANS_INS.xsd'));
    const misordered = ins.el('RECSANSVITALE', ins.el('Sexe', 'M'), ins.el('NomNaissance', 'ADRTROIS'));
    expect(validateAgainstXsd(serializeXml(misordered), insiXsd('ServiceIdentiteCertifiee', 'INSi_RECSANS_INS.xsd')).valid).toBe(false);
  });
});

// Body element of every official response (namespace, local name).
const RESPONSES: Record<string, [string, string]> = {
  'TD0.2_-_Test_dexistence_reponse.xml': ['urn:hl7-org:v3', 'PRPA_IN201308UV02'],
  'TD0.3_-_Mise_a_jour_de_lautorisation_reponse.xml': ['urn:si-dmp-habilitations', 'setAuthorizationResponse'],
  'TD0.4_-_Liste_des_DMP_autorises_reponse.xml': ['urn:si-dmp-patients', 'patientListResponse'],
  'TD0.5_-_Recherche_dun_patient_sans_INS_reponse.xml': ['urn:hl7-org:v3', 'PRPA_IN201306UV02'],
  'TD1.3a_-_Consultation_reponse.xml': ['urn:hl7-org:v3', 'PRPA_IN201308UV02'],
  'TD1.3b_-_Modification_reponse.xml': ['asip:ci-sis:gdp:2010', 'PRPA_IN201314UV02_Response'],
  'TD1.4_-_Fermer_reponse.xml': ['asip:ci-sis:gdp:2010', 'PRPA_IN201314UV02_Response'],
  'TD1.5a_-_Creation_du_compte_internet_patient_reponse.xml': ['urn:si-dmp-patients', 'createPatientAccessResponse'],
  'TD1.5b_-_Ajout_dun_canal_OTP_reponse.xml': ['urn:si-dmp-patients', 'patientOTPUpdateResponse'],
  'TD1.5d_-_Maj_des_information_du_compte_internet_reponse.xml': ['urn:si-dmp-patients', 'updatePatientAccessResponse'],
  'TD1.6_-_Liste_des_PS_autorises_ou_bloques_reponse.xml': ['urn:si-dmp-habilitations', 'listAuthorizationByPatientResponse'],
  'TD2.1_-_Alimentation_reponse.xml': ['urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0', 'RegistryResponse'],
  'TD3.1_-_Recherche_de_document_reponse.xml': ['urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0', 'AdhocQueryResponse'],
  'TD3.2_-_Consultation_dun_document_reponse.xml': ['urn:ihe:iti:xds-b:2007', 'RetrieveDocumentSetResponse'],
  'TD3.3c_-_Supprimer_un_document_reponse.xml': ['urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0', 'RegistryResponse'],
  'TD3.3d_-_Archiver_un_document_reponse.xml': ['urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0', 'RegistryResponse'],
  'WS_INS2_rechercherInsAvecTraitsIdentite_reponse.xml': ['http://www.cnamts.fr/INSiResultat', 'RESULTAT'],
};

describeWithPrerequisites('conformance', hasReference, 'official DMP and INSi example messages', () => {
  it('parses every official response: plain SOAP 1.2 XML, the expected body, no fault', () => {
    const dir = reference('dmp', 'examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('_reponse.xml')).sort();
    expect(files).toEqual(Object.keys(RESPONSES).sort());
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      // None of them is multipart: each starts with the envelope (a MIME message starts with "--").
      expect(bytes.subarray(0, 2).toString(), file).not.toBe('--');
      const envelope = parseEnvelope(bytes);
      expect(envelope.version, file).toBe('1.2');
      expect(envelope.fault, file).toBeNull();
      expect([envelope.content?.namespaceURI, envelope.content?.localName], file).toEqual(RESPONSES[file]);
      if (!file.startsWith('WS_INS2')) expect(envelope.addressing.action, file).toMatch(/^urn:/);
    }
  });

  it('resolves the percent-encoded cid of the TD3.2 response to its MIME part', () => {
    const envelope = parseEnvelope(readFileSync(reference('dmp', 'examples', 'TD3.2_-_Consultation_dun_document_reponse.xml')));
    const document = (envelope.content as Element).getElementsByTagNameNS('urn:ihe:iti:xds-b:2007', 'Document').item(0) as Element;
    expect(childElements(document, XOP_NS, 'Include')).toHaveLength(1);
    // The Content-ID such a response carries in its MIME header (RFC 2392: href is its URL form).
    const part = { headers: {}, contentId: 'b857abb7-a2c3-4db8-bd69-d5ff76826e72-2@urn:ihe:iti:xds-b:2007', contentType: 'text/xml', data: Buffer.from('<ClinicalDocument/>') };
    expect(readBinaryContent(document, new Map([[part.contentId, part]])).toString()).toBe('<ClinicalDocument/>');
  });

  it('parses every official request; the multipart TD2.1 request resolves its xop:Includes', async () => {
    const dir = reference('dmp', 'examples');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('_requete.xml') && !f.startsWith('TD2.1'))) {
      const envelope = parseEnvelope(readFileSync(join(dir, file)));
      expect(envelope.content, file).not.toBeNull();
    }
    const raw = readFileSync(join(dir, 'TD2.1_-_Alimentation_requete.xml'));
    // The example is the HTTP body only: its boundary is on the first line (bare LF line ends).
    const boundary = raw.subarray(2, raw.indexOf(0x0a)).toString('latin1').trim();
    const message = toMtomMessage(await parseMultipartWithBoundary(boundary, raw));
    expect(parseMediaType(message.root.contentType).params.type).toBe('application/soap+xml');
    // The example's envelope uses the SOAP 1.1 namespace (research notes dmp.md §1.2): allowed here only.
    const envelope = parseEnvelope(message.root.data, { allowSoap11: true });
    expect(envelope.envelope.namespaceURI).toBe(SOAP11_NS);
    const documents = (envelope.content as Element).getElementsByTagNameNS('urn:ihe:iti:xds-b:2007', 'Document');
    expect(documents.length).toBe(2);
    const cda = message.attachments.get('WS_DMP_TD2.1-DocumentME2.xml');
    const cdaCharset = parseMediaType(cda?.contentType ?? '').params.charset;
    expect(cdaCharset).toBe('Cp1252');
    expect(parseXml(readBinaryContent(documents.item(0) as Element, message.attachments), { encoding: cdaCharset }).documentElement?.localName).toBe(
      'ClinicalDocument',
    );
    const signature = readBinaryContent(documents.item(1) as Element, message.attachments);
    expect(signature.equals(readFileSync(join(dir, 'TD2.1-SignatureXades.xml')))).toBe(true);
  });
});
