/**
 * VIHF 3.0: the SAML 2.0 assertion that carries who calls the DMP, for which patient and why.
 * Shape and attribute names follow the official examples (shared/reference/dmp/examples/
 * Exemples_Jeton_VIHF/VIHF_DIRECTE_non_signe.xml, VIHF_INDIRECTE_signe.xml; dmp.md §1.3):
 * Issuer = DN of the signing certificate, NameID = IdNat, role = two AttributeValues (profession
 * TRE_G15 then specialty TRE_R01), resource-id = INS^^^&OID&ISO^NH, purpose of use TRE_R248.
 * Signed (enveloped, exc-c14n, RSA-SHA256) by the CPS signature key in direct mode or the ORG SIGN
 * structure certificate in indirect mode; built when a request is sent, never stored.
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { describeCertificate } from '../../platform/crypto';
import { attr, signEnveloped, toDocument, xmlNamespace, type XmlContent, type XmlElementNode, type XmlSigner } from '../../platform/xml';
import { NS, patientCx, PURPOSE_OF_USE_SYSTEM, type PurposeOfUse } from './codes';

const saml = xmlNamespace(NS.saml2, 'saml2');
const xsi = xmlNamespace(NS.xsi, 'xsi');
const xs = xmlNamespace(NS.xs, 'xs');
const hl7 = xmlNamespace(NS.hl7);

export interface CodedRole {
  code: string;
  codeSystem: string;
  displayName?: string;
}

export type AuthenticationMode = 'DIRECTE' | 'INDIRECTE';

export interface VihfSubject {
  /** IdNat of the professional (8 + RPPS), or of the structure user in indirect mode. */
  idNat: string;
  /** "GIVEN FAMILY" (urn:oasis:names:tc:xspa:1.0:subject:subject-id). */
  name: string;
  /** TRE_G15 profession (codeSystem 1.2.250.1.71.1.2.7), or a JDV_J65 non-PS role. */
  profession: CodedRole;
  /** TRE_R01 specialty (codeSystem 1.2.250.1.71.4.2.5); mandatory for doctors and pharmacists. */
  specialty?: CodedRole;
  /** Structure identifier (Identifiant_Structure). */
  structureId: string;
  /** Secteur d'activité, TRE_R02 (codeSystem 1.2.250.1.71.4.2.4), e.g. SA07. */
  activitySector: string;
}

export interface LpsIdentity {
  /** LPS_ID: the installation's identifier. */
  id: string;
  name: string;
  version: string;
  /** LPS_ID_HOMOLOGATION_DMP: the CNDA authorisation number. */
  homologation: string;
}

export interface VihfInput {
  subject: VihfSubject;
  mode: AuthenticationMode;
  patient: { matricule: string; oid: string };
  purposeOfUse: PurposeOfUse;
  lps: LpsIdentity;
  /** ISO instant. */
  issueInstant: string;
  id?: string;
}

const PURPOSE_LABEL: Record<PurposeOfUse, string> = {
  normal: 'Accès normal',
  bris_de_glace: 'Accès en mode bris de glace',
  centre_15: 'Accès en mode centre de régulation',
};

/** RFC 4514 string of a certificate subject (last RDN first), as the examples' Issuer. */
export function subjectDn(certificatePem: string): string {
  const subject = describeCertificate(certificatePem).subject;
  return [...subject]
    .reverse()
    .map((rdn) => rdn.map((a) => `${a.type}=${a.value.replace(/([,+"\\<>;=])/g, '\\$1')}`).join('+'))
    .join(',');
}

function stringAttribute(name: string, value: string): XmlElementNode {
  return saml.el('Attribute', attr('Name', name), saml.el('AttributeValue', xs.declare(), xsi.attr('type', 'xs:string'), value));
}

function ceValue(local: 'Role' | 'PurposeOfUse', value: CodedRole & { codeSystemName?: string }): XmlElementNode {
  return saml.el(
    'AttributeValue',
    hl7.el(
      local,
      attr('code', value.code),
      attr('codeSystem', value.codeSystem),
      attr('codeSystemName', value.codeSystemName),
      attr('displayName', value.displayName),
      xsi.attr('type', 'CE'),
    ),
  );
}

/** The unsigned assertion (built XML). */
export function buildVihf(input: VihfInput, issuer: string): XmlElementNode {
  const { subject } = input;
  const roles: XmlContent[] = [ceValue('Role', subject.profession)];
  if (subject.specialty !== undefined) roles.push(ceValue('Role', subject.specialty));
  return saml.el(
    'Assertion',
    saml.declare(),
    xsi.declare(),
    attr('ID', input.id ?? `_${randomUUID()}`),
    attr('IssueInstant', input.issueInstant),
    attr('Version', '2.0'),
    saml.el('Issuer', attr('Format', 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName'), issuer),
    saml.el('Subject', saml.el('NameID', subject.idNat)),
    saml.el(
      'AuthnStatement',
      attr('AuthnInstant', input.issueInstant),
      saml.el('AuthnContext', saml.el('AuthnContextClassRef', 'urn:oasis:names:tc:SAML:2.0:ac:classes:SmartcardPKI')),
    ),
    saml.el(
      'AttributeStatement',
      stringAttribute('Identifiant_Structure', subject.structureId),
      stringAttribute('Secteur_Activite', `${subject.activitySector}^1.2.250.1.71.4.2.4`),
      stringAttribute('urn:oasis:names:tc:xspa:1.0:subject:subject-id', subject.name),
      saml.el('Attribute', attr('Name', 'urn:oasis:names:tc:xacml:2.0:subject:role'), roles),
      stringAttribute('VIHF_Version', '3.0'),
      stringAttribute('Authentification_mode', input.mode),
      stringAttribute('urn:oasis:names:tc:xacml:2.0:resource:resource-id', patientCx(input.patient.matricule, input.patient.oid)),
      stringAttribute('Ressource_URN', 'urn:dmp'),
      saml.el(
        'Attribute',
        attr('Name', 'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse'),
        ceValue('PurposeOfUse', {
          code: input.purposeOfUse,
          codeSystem: PURPOSE_OF_USE_SYSTEM,
          codeSystemName: 'mode acces VIHF 2.0',
          displayName: PURPOSE_LABEL[input.purposeOfUse],
        }),
      ),
      stringAttribute('LPS_ID', input.lps.id),
      stringAttribute('LPS_Nom', input.lps.name),
      stringAttribute('LPS_Version', input.lps.version),
      stringAttribute('LPS_ID_HOMOLOGATION_DMP', input.lps.homologation),
    ),
  );
}

/** Builds and signs the assertion; returns the signed saml2:Assertion element. */
export async function signedVihf(input: VihfInput, signer: XmlSigner): Promise<Element> {
  const [certificate] = await signer.certificateChain();
  if (certificate === undefined) throw new TypeError('the VIHF signer has no certificate');
  const issuer = subjectDn(certificate);
  const doc = toDocument(buildVihf(input, issuer));
  const assertion = doc.documentElement as Element;
  const issuerElement = assertion.getElementsByTagNameNS(NS.saml2, 'Issuer').item(0) as Element;
  // saml-schema-assertion-2.0: Issuer, then ds:Signature.
  await signEnveloped(assertion, { signer, placement: { after: issuerElement }, inclusiveNamespacePrefixes: ['xs'] });
  return assertion;
}

/** What a VIHF says, read back (the simulator checks it; tests compare it with the input). */
export interface VihfClaims {
  idNat: string;
  structureId: string | null;
  activitySector: string | null;
  roles: CodedRole[];
  mode: string | null;
  resourceId: string | null;
  purposeOfUse: string | null;
  version: string | null;
  lpsId: string | null;
  homologation: string | null;
}

export function readVihfClaims(assertion: Element): VihfClaims {
  const values = (name: string): Element[] => {
    const attributes = Array.from(assertion.getElementsByTagNameNS(NS.saml2, 'Attribute')) as Element[];
    const found = attributes.find((a) => a.getAttribute('Name') === name);
    return found === undefined ? [] : (Array.from(found.getElementsByTagNameNS(NS.saml2, 'AttributeValue')) as Element[]);
  };
  const textOf = (name: string): string | null => {
    const first = values(name)[0];
    return first === undefined ? null : (first.textContent ?? '').trim();
  };
  const coded = (value: Element): CodedRole | null => {
    const inner = Array.from(value.childNodes).find((n) => n.nodeType === 1) as Element | undefined;
    if (inner === undefined) return null;
    return { code: inner.getAttribute('code') ?? '', codeSystem: inner.getAttribute('codeSystem') ?? '' };
  };
  const nameId = assertion.getElementsByTagNameNS(NS.saml2, 'NameID').item(0);
  const purpose = values('urn:oasis:names:tc:xspa:1.0:subject:purposeofuse')[0];
  const sector = textOf('Secteur_Activite');
  return {
    idNat: (nameId?.textContent ?? '').trim(),
    structureId: textOf('Identifiant_Structure'),
    activitySector: sector === null ? null : (sector.split('^')[0] ?? null),
    roles: values('urn:oasis:names:tc:xacml:2.0:subject:role')
      .map(coded)
      .filter((r): r is CodedRole => r !== null),
    mode: textOf('Authentification_mode') ?? textOf('Authentification_Mode'),
    resourceId: textOf('urn:oasis:names:tc:xacml:2.0:resource:resource-id'),
    purposeOfUse: purpose === undefined ? null : (coded(purpose)?.code ?? null),
    version: textOf('VIHF_Version'),
    lpsId: textOf('LPS_ID'),
    homologation: textOf('LPS_ID_HOMOLOGATION_DMP'),
  };
}
