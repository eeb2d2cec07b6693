import type { Document, Element } from '@xmldom/xmldom';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { AppError } from '../../contract/errors';
import { createTestCa, type IssuedCertificate, type TestCa } from '../../../fixtures/testing/pki';
import { attr, serializeXml, toDocument, xmlNamespace } from './builder';
import { childElements, firstChildElement, serializeDocument, serializeElement } from './dom';
import { DSIG, DSIG_NS, signEnveloped, verifyEnvelopedSignature, type VerifyOptions } from './dsig';
import { XmlError } from './errors';
import { parseXml } from './parse';

const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const saml = xmlNamespace(SAML_NS, 'saml2');
const xsi = xmlNamespace('http://www.w3.org/2001/XMLSchema-instance', 'xsi');
const xs = xmlNamespace('http://www.w3.org/2001/XMLSchema', 'xs');
const soap = xmlNamespace('http://www.w3.org/2003/05/soap-envelope', 'soap');
const wsse = xmlNamespace('http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd', 'wsse');

/** A VIHF-like SAML 2.0 assertion (shape of the official VIHF_DIRECTE example; values are fake). */
function assertionDocument(id = '_5f1c0c4e-0000-4000-8000-000000000001'): Document {
  const stringValue = (value: string) => saml.el('AttributeValue', xs.declare(), xsi.attr('type', xs.qname('string')), value);
  return toDocument(
    saml.el(
      'Assertion',
      attr('ID', id),
      attr('IssueInstant', '2026-11-22T08:00:00.000Z'),
      attr('Version', '2.0'),
      saml.el('Issuer', attr('Format', 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName'), 'CN=899700000001,O=TEST,C=FR'),
      saml.el('Subject', saml.el('NameID', '899700000001')),
      saml.el('AttributeStatement', [
        saml.el('Attribute', attr('Name', 'Identifiant_Structure'), stringValue('499700000001001')),
        saml.el('Attribute', attr('Name', 'VIHF_Version'), stringValue('3.0')),
        saml.el('Attribute', attr('Name', 'Authentification_mode'), stringValue('DIRECTE')),
      ]),
    ),
  );
}

function root(doc: Document): Element {
  return doc.documentElement as Element;
}

function issuerOf(assertion: Element): Element {
  return firstChildElement(assertion, SAML_NS, 'Issuer') as Element;
}

function failure(fn: () => unknown): { code: string; reason: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof XmlError) return { code: error.code, reason: error.details?.reason };
    throw error;
  }
  throw new Error('expected a signature error');
}

describe('XML-DSig enveloped signatures', () => {
  let ca: TestCa;
  let practitioner: IssuedCertificate;
  let other: IssuedCertificate;
  let pinned: VerifyOptions;

  beforeAll(() => {
    ca = createTestCa();
    practitioner = ca.issue('899700000001');
    other = ca.issue('899700000002');
    pinned = { trust: { kind: 'pinned', certificates: [practitioner.certPem] } };
  });

  async function signedAssertion(inclusiveNamespacePrefixes: string[] = []): Promise<Document> {
    const doc = assertionDocument();
    const assertion = root(doc);
    await signEnveloped(assertion, { signer: practitioner.signer(), placement: { after: issuerOf(assertion) }, inclusiveNamespacePrefixes });
    return doc;
  }

  it('signs a SAML assertion after its Issuer and verifies it', async () => {
    const doc = await signedAssertion();
    const assertion = root(doc);
    const children = childElements(assertion).map((c) => c.localName);
    expect(children.slice(0, 3)).toEqual(['Issuer', 'Signature', 'Subject']);
    const verified = verifyEnvelopedSignature(assertion, pinned);
    expect(verified.signedElement).toBe(assertion);
    expect(verified.signatureAlgorithm).toBe(DSIG.rsaSha256);
    expect(verified.digestAlgorithm).toBe(DSIG.sha256);
    expect(verified.certificate.subject).toContain('CN=899700000001');
  });

  it('still verifies after serialisation, re-parsing and embedding in another document', async () => {
    const doc = await signedAssertion();
    const reparsed = parseXml(serializeDocument(doc));
    expect(verifyEnvelopedSignature(root(reparsed), pinned).signedElement.localName).toBe('Assertion');
    // Inside a SOAP header with other namespaces in scope, one of them the assertion's own
    // (exc-c14n makes the signature independent of its context).
    const envelope = parseXml(
      serializeXml(
        soap.el('Envelope', saml.declare(), xsi.declare(), soap.el('Header', wsse.el('Security', { kind: 'dom', element: root(doc) })), soap.el('Body')),
      ),
    );
    const embedded = envelope.getElementsByTagNameNS(SAML_NS, 'Assertion')[0] as Element;
    expect(verifyEnvelopedSignature(embedded, pinned).signedElement).toBe(embedded);
  });

  it('with an InclusiveNamespaces PrefixList, depends on where the listed prefixes are declared', async () => {
    // exc-c14n §3: listed prefixes are rendered wherever they are in scope. That is why the official
    // INSi/VIHF tokens use no PrefixList: a context declaring the prefix changes the digest.
    const doc = await signedAssertion(['xs']);
    const transform = doc.getElementsByTagNameNS('http://www.w3.org/2001/10/xml-exc-c14n#', 'InclusiveNamespaces')[0] as Element;
    expect(transform.getAttribute('PrefixList')).toBe('xs');
    const quiet = parseXml(serializeXml(soap.el('Envelope', soap.el('Header', wsse.el('Security', { kind: 'dom', element: root(doc) })))));
    expect(verifyEnvelopedSignature(quiet.getElementsByTagNameNS(SAML_NS, 'Assertion')[0] as Element, pinned).signedElement.localName).toBe('Assertion');
    const declaring = parseXml(serializeXml(soap.el('Envelope', xs.declare(), soap.el('Header', { kind: 'dom', element: root(doc) }))));
    expect(failure(() => verifyEnvelopedSignature(declaring.getElementsByTagNameNS(SAML_NS, 'Assertion')[0] as Element, pinned)).reason).toBe(
      'digest-mismatch',
    );
  });

  it('verifies against a trust anchor, at a given time', async () => {
    const doc = await signedAssertion();
    const verified = verifyEnvelopedSignature(root(doc), { trust: { kind: 'anchors', anchors: [ca.certPem], at: Date.now() } });
    expect(verified.chain).toHaveLength(2);
    expect(failure(() => verifyEnvelopedSignature(root(doc), { trust: { kind: 'anchors', anchors: [ca.certPem], at: Date.now() + 5 * 365 * 86400_000 } }))).toEqual({
      code: 'XML_SIGNATURE_UNTRUSTED',
      reason: 'certificate-expired-or-not-yet-valid',
    });
    const foreign = createTestCa('Autre AC');
    expect(failure(() => verifyEnvelopedSignature(root(doc), { trust: { kind: 'anchors', anchors: [foreign.certPem], at: Date.now() } }))).toEqual({
      code: 'XML_SIGNATURE_UNTRUSTED',
      reason: 'no-path-to-anchor',
    });
  });

  it('detects a modified attribute value or text (digest mismatch)', async () => {
    const doc = await signedAssertion();
    const nameId = doc.getElementsByTagNameNS(SAML_NS, 'NameID')[0] as Element;
    (nameId.firstChild as unknown as { data: string }).data = '899700000099';
    expect(failure(() => verifyEnvelopedSignature(root(doc), pinned))).toEqual({ code: 'XML_SIGNATURE_INVALID', reason: 'digest-mismatch' });
    const doc2 = await signedAssertion();
    root(doc2).setAttribute('IssueInstant', '2030-01-01T00:00:00Z');
    expect(failure(() => verifyEnvelopedSignature(root(doc2), pinned)).reason).toBe('digest-mismatch');
  });

  it('detects a modified SignedInfo or SignatureValue, and a wrong certificate', async () => {
    const doc = await signedAssertion();
    const digestValue = doc.getElementsByTagNameNS(DSIG_NS, 'DigestValue')[0] as Element;
    const text = serializeElement(root(doc));
    // Recompute nothing: change the digest itself → the content no longer matches it.
    (digestValue.firstChild as unknown as { data: string }).data = Buffer.alloc(32, 1).toString('base64');
    expect(failure(() => verifyEnvelopedSignature(root(doc), pinned)).reason).toBe('digest-mismatch');

    const doc2 = parseXml(text);
    const value = doc2.getElementsByTagNameNS(DSIG_NS, 'SignatureValue')[0] as Element;
    const bytes = Buffer.from((value.firstChild as unknown as { data: string }).data, 'base64');
    bytes[10] = (bytes[10] as number) ^ 0xff;
    (value.firstChild as unknown as { data: string }).data = bytes.toString('base64');
    expect(failure(() => verifyEnvelopedSignature(root(doc2), pinned)).reason).toBe('signature-mismatch');

    const doc3 = parseXml(text);
    expect(failure(() => verifyEnvelopedSignature(root(doc3), { trust: { kind: 'pinned', certificates: [other.certPem] } })).reason).toBe(
      'signature-mismatch',
    );
  });

  it('resists signature wrapping: the reference must designate the element checked', async () => {
    const doc = await signedAssertion();
    const genuine = serializeElement(root(doc));
    // The attacker keeps the signed assertion somewhere and presents a forged one with the same ID.
    const forged = parseXml(
      `<Wrapper>${genuine.replace('899700000001</saml2:NameID>', '899700000666</saml2:NameID>')}<Hidden>${genuine}</Hidden></Wrapper>`,
    );
    const presented = childElements(root(forged))[0] as Element;
    expect(failure(() => verifyEnvelopedSignature(presented, pinned))).toEqual({ code: 'XML_SIGNATURE_INVALID', reason: 'duplicate-or-missing-id' });
    // A signature that references another element is refused too.
    const doc2 = await signedAssertion();
    const reference = doc2.getElementsByTagNameNS(DSIG_NS, 'Reference')[0] as Element;
    reference.setAttribute('URI', '#other');
    const advice = doc2.createElementNS(SAML_NS, 'saml2:Advice');
    advice.setAttribute('ID', 'other');
    root(doc2).appendChild(advice);
    expect(failure(() => verifyEnvelopedSignature(root(doc2), pinned)).reason).toBe('reference-mismatch');
  });

  it('refuses missing signatures and SHA-1 unless allowed', async () => {
    expect(failure(() => verifyEnvelopedSignature(root(assertionDocument()), pinned))).toEqual({
      code: 'XML_SIGNATURE_INVALID',
      reason: 'missing-signature',
    });
    const doc = await signedAssertion();
    const method = doc.getElementsByTagNameNS(DSIG_NS, 'SignatureMethod')[0] as Element;
    method.setAttribute('Algorithm', DSIG.rsaSha1);
    expect(failure(() => verifyEnvelopedSignature(root(doc), pinned)).code).toBe('XML_SIGNATURE_UNSUPPORTED');
    method.setAttribute('Algorithm', 'http://www.w3.org/2000/09/xmldsig#hmac-sha1');
    expect(failure(() => verifyEnvelopedSignature(root(doc), { ...pinned, allowSha1: true })).code).toBe('XML_SIGNATURE_UNSUPPORTED');
  });

  it('is verified by xml-crypto, and verifies what xml-crypto signs', async () => {
    const doc = await signedAssertion();
    const xml = serializeDocument(doc);
    const checker = new SignedXml({ publicCert: practitioner.certPem, getCertFromKeyInfo: () => null });
    const parsed = parseXml(xml);
    checker.loadSignature(parsed.getElementsByTagNameNS(DSIG_NS, 'Signature')[0] as unknown as globalThis.Node);
    expect(checker.checkSignature(xml)).toBe(true);

    const signer = new SignedXml({
      privateKey: practitioner.keyPem,
      publicCert: practitioner.certPem,
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      signatureAlgorithm: DSIG.rsaSha256,
    });
    signer.addReference({
      xpath: "/*[local-name(.)='Assertion']",
      transforms: [DSIG.envelopedSignature, 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      digestAlgorithm: DSIG.sha256,
    });
    signer.computeSignature(serializeDocument(assertionDocument()), {
      prefix: 'ds',
      location: { reference: "/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
    });
    const theirs = parseXml(signer.getSignedXml());
    expect(verifyEnvelopedSignature(root(theirs), pinned).signedElement.localName).toBe('Assertion');
  });

  it('reports signer failures as XML_SIGNING_FAILED, and lets card errors through', async () => {
    const broken = { sign: async () => Promise.reject(new Error('token removed')), certificateChain: async () => [practitioner.certPem] };
    await expect(signEnveloped(root(assertionDocument()), { signer: broken })).rejects.toMatchObject({ code: 'XML_SIGNING_FAILED' });
    const card = { sign: async () => Promise.reject(new AppError('NOT_AVAILABLE_YET')), certificateChain: async () => [practitioner.certPem] };
    await expect(signEnveloped(root(assertionDocument()), { signer: card })).rejects.toMatchObject({ code: 'NOT_AVAILABLE_YET' });
    await expect(signEnveloped(root(toDocument(saml.el('Assertion'))), { signer: practitioner.signer() })).rejects.toThrow(TypeError);
  });
});
