/**
 * The INSi "assertion PS" (card mode, insi.md §1.1): a SAML 2.0 Assertion placed in wsse:Security,
 * signed by the professional's CPx card through the Signer (the key never leaves the card).
 *
 * Shape of the official example (WS_INS2_rechercherInsAvecTraitsIdentite_requete.xml):
 * - `Issuer Format="urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"`: the subject DN of
 *   the signing certificate;
 * - enveloped XML-DSig right after Issuer: exc-c14n, rsa-sha256, sha256, Reference to the ID,
 *   KeyInfo/X509Data with the card certificate (saml-schema-assertion-2.0: Issuer, Signature, Subject);
 * - `Subject/NameID NameQualifier="CPS"`: the card holder's IdNat;
 * - `AttributeStatement` with `identifiantFacturation` (and `secteurActivite` seen in padoa/tlsi-ins
 *   `assertionPsSecurity.class.ts`). A CPE holder has no billing number: the attributes a CPE must
 *   send are not public (insi.md §5); only the known ones are written.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { attr, firstChildElement, signEnveloped, toDocument, xmlNamespace, type XmlSigner } from '../../platform/xml';

export const SAML2_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const X509_SUBJECT_NAME_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const XS_NS = 'http://www.w3.org/2001/XMLSchema';

const saml = xmlNamespace(SAML2_NS, 'saml2');
const xsi = xmlNamespace(XSI_NS, 'xsi');
const xs = xmlNamespace(XS_NS, 'xs');

/** The card holder as the assertion needs it (from the cards service's practitioner session). */
export interface AssertionHolder {
  /** IdNat: `8` + RPPS, `0` + ADELI, or `1…/…` for CPE staff. */
  idNat: string;
  /** Numéro de facturation (identifiantFacturation); absent for a CPE. */
  billingNumber?: string | null;
  /** Secteur d'activité (TRE_R02, e.g. SA07). */
  activitySector?: string | null;
}

/**
 * The certificate subject as a DN string, most significant RDN last (RFC 4514 order, as the
 * official example's Issuer: `…CN=899900063480, OID.2.5.4.12=Médecin, C=FR`).
 */
export function subjectDn(certificatePem: string): string {
  const certificate = new X509Certificate(certificatePem);
  return certificate.subject
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(', ');
}

export interface AssertionInput {
  holder: AssertionHolder;
  signer: XmlSigner;
  /** ISO date-time of issue. */
  issueInstant: string;
  /** Assertion ID (an NCName); generated when absent. */
  id?: string;
}

/** Builds and signs the assertion; returns the signed DOM element to put into wsse:Security. */
export async function buildAssertionPs(input: AssertionInput): Promise<Element> {
  const chain = await input.signer.certificateChain();
  const leaf = chain[0];
  if (leaf === undefined) throw new TypeError('the signer has no certificate');
  const pem = leaf.includes('BEGIN CERTIFICATE') ? leaf : `-----BEGIN CERTIFICATE-----\n${leaf}\n-----END CERTIFICATE-----\n`;
  const id = input.id ?? `_${randomUUID()}`;
  const attribute = (name: string, value: string | null | undefined) =>
    value === null || value === undefined || value === ''
      ? null
      : saml.el('Attribute', attr('Name', name), saml.el('AttributeValue', xs.declare(), xsi.attr('type', xs.qname('string')), value));
  const attributes = [attribute('identifiantFacturation', input.holder.billingNumber), attribute('secteurActivite', input.holder.activitySector)].filter(
    (a) => a !== null,
  );
  const assertion = saml.el(
    'Assertion',
    attr('ID', id),
    attr('IssueInstant', input.issueInstant),
    attr('Version', '2.0'),
    saml.el('Issuer', attr('Format', X509_SUBJECT_NAME_FORMAT), subjectDn(pem)),
    saml.el('Subject', saml.el('NameID', attr('NameQualifier', 'CPS'), input.holder.idNat)),
    attributes.length === 0 ? null : saml.el('AttributeStatement', attributes),
  );
  const doc = toDocument(assertion);
  const root = doc.documentElement;
  if (root === null) throw new TypeError('empty assertion');
  const issuer = firstChildElement(root, SAML2_NS, 'Issuer');
  if (issuer === null) throw new TypeError('assertion without Issuer');
  await signEnveloped(root, { signer: input.signer, placement: { after: issuer } });
  return root;
}
