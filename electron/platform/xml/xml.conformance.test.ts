/**
 * The XML layer against official material (../shared/reference) and libxml2:
 * - canonical forms equal libxml2's (`xmllint --c14n` / `--exc-c14n`) on random documents;
 * - the official signed tokens (VIHF examples, INSi "assertion PS"): structure, and the
 *   SignatureValue verifies over our canonical SignedInfo with the certificate they embed. Their
 *   content digests do not match: the examples were edited after signing (anonymised names,
 *   re-encoded accents) — reported as a typed XML_SIGNATURE_INVALID, never a crash;
 * - the official XAdES example TD2.1-SignatureXades.xml verifies completely (rsa-sha1, SHA-1);
 * - what we sign validates against the official SAML 2.0 and XML-DSig schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document, Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createTestCa } from '../../../fixtures/testing/pki';
import { describeWithPrerequisites, hasReference, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { xmlDocumentArbitrary } from '../../../fixtures/testing/xml-arbitraries';
import { hasXmllint, validateAgainstXsd, xmllintCanonical } from '../../../fixtures/testing/xsd';
import { attr, serializeXml, toDocument, xmlNamespace } from './builder';
import { canonicalize } from './c14n';
import { childElements, firstChildElement, serializeDocument, textOf } from './dom';
import { DSIG, DSIG_NS, parseSignedInfo, signEnveloped, verifyEnvelopedSignature, verifySignatureValue } from './dsig';
import { XmlError } from './errors';
import { parseXml } from './parse';
import { readSubmissionSetSignature, signSubmissionSet, verifySubmissionSetSignature } from './xades';

const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const both: PrerequisiteCheck = () => hasReference() ?? hasXmllint();

function examples(): string {
  return join(referenceDir() as string, 'dmp', 'examples');
}

/** The DIRECTE VIHF examples are ISO-8859-1 without an encoding declaration (not UTF-8 as XML requires). */
function parseExample(path: string): Document {
  const bytes = readFileSync(path);
  try {
    return parseXml(bytes);
  } catch (error) {
    if ((error as XmlError).code !== 'XML_ENCODING_INVALID') throw error;
    return parseXml(bytes, { encoding: 'iso-8859-1' });
  }
}

describeWithPrerequisites('conformance', hasXmllint, 'canonicalisation against libxml2', () => {
  it('gives libxml2 the same canonical documents, inclusive and exclusive, with comments (property)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, fc.constantFrom('--c14n' as const, '--exc-c14n' as const), (xml, mode) => {
        const ours = canonicalize(parseXml(xml), { algorithm: mode === '--c14n' ? 'inclusive' : 'exclusive', withComments: true });
        expect(ours).toBe(xmllintCanonical(xml, mode));
      }),
      { numRuns: 150 },
    );
  });
});

describeWithPrerequisites('conformance', hasReference, 'official signed tokens (VIHF, INSi assertion PS)', () => {
  it('parses every VIHF example with the structure of a signed SAML 2.0 assertion', () => {
    const dir = join(examples(), 'Exemples_Jeton_VIHF');
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['VIHF_DIRECTE_non_signe.xml', 'VIHF_DIRECTE_signe.xml', 'VIHF_INDIRECTE_RENFORCEE_signe.xml', 'VIHF_INDIRECTE_signe.xml']);
    for (const file of files) {
      const assertion = parseExample(join(dir, file)).documentElement as Element;
      expect(assertion.namespaceURI).toBe(SAML_NS);
      expect(assertion.localName).toBe('Assertion');
      expect(assertion.getAttribute('ID')).toMatch(/^_[0-9a-f-]{36}$/);
      const children = childElements(assertion).map((c) => c.localName);
      expect(children[0]).toBe('Issuer');
      const signature = firstChildElement(assertion, DSIG_NS, 'Signature');
      if (file.includes('non_signe')) {
        expect(signature).toBeNull();
        continue;
      }
      // saml-schema-assertion-2.0: Issuer, then ds:Signature.
      expect(children[1]).toBe('Signature');
      const parsed = parseSignedInfo(signature as Element, true);
      expect(parsed.c14n.algorithm).toBe('exclusive');
      expect(parsed.references).toHaveLength(1);
      expect(parsed.references[0]?.uri).toBe(`#${assertion.getAttribute('ID')}`);
      expect(parsed.references[0]?.transforms.map((t) => t.algorithm)).toEqual([DSIG.envelopedSignature, 'http://www.w3.org/2001/10/xml-exc-c14n#']);
    }
  });

  it('verifies the SignatureValue of every official token over our canonical SignedInfo', () => {
    const tokens: Array<[string, Element]> = [];
    const dir = join(examples(), 'Exemples_Jeton_VIHF');
    for (const file of ['VIHF_DIRECTE_signe.xml', 'VIHF_INDIRECTE_RENFORCEE_signe.xml', 'VIHF_INDIRECTE_signe.xml']) {
      tokens.push([file, parseExample(join(dir, file)).documentElement as Element]);
    }
    const insi = parseExample(join(examples(), 'WS_INS2_rechercherInsAvecTraitsIdentite_requete.xml'));
    tokens.push(['WS_INS2 requete', insi.getElementsByTagNameNS(SAML_NS, 'Assertion')[0] as Element]);
    for (const [name, assertion] of tokens) {
      const signature = firstChildElement(assertion, DSIG_NS, 'Signature') as Element;
      const certificate = textOf(signature.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0] as Element);
      const parsed = parseSignedInfo(signature, true);
      const { certificate: used } = verifySignatureValue(signature, parsed, { kind: 'pinned', certificates: [certificate] });
      expect(used.subject, name).toMatch(/CN=/);
      // The content was edited after signing: the reference digest no longer matches.
      let error: unknown;
      try {
        verifyEnvelopedSignature(assertion, { trust: { kind: 'pinned', certificates: [certificate] }, allowSha1: true });
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(XmlError);
      expect((error as XmlError).details?.reason, name).toBe('digest-mismatch');
    }
    // The INSi example already uses RSA-SHA256 (the VIHF examples, from 2019, RSA-SHA1).
    const insiSignature = insi.getElementsByTagNameNS(DSIG_NS, 'Signature')[0] as Element;
    expect(parseSignedInfo(insiSignature, false).signatureAlgorithm).toBe(DSIG.rsaSha256);
  });
});

describeWithPrerequisites('conformance', hasReference, 'official XAdES submission-set signature (TD2.1)', () => {
  it('verifies the example completely: Manifest and SignedProperties digests, signing certificate, SignatureValue', () => {
    const xml = readFileSync(join(examples(), 'TD2.1-SignatureXades.xml'));
    const doc = parseXml(xml);
    const certificate = textOf(doc.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0] as Element);
    const verified = verifySubmissionSetSignature(doc, { trust: { kind: 'pinned', certificates: [certificate] }, allowSha1: true });
    expect(verified.signingTime).toBe('2019-04-04T14:20:12.282+02:00');
    expect(verified.purposeOfSignature).toBe('1.2.840.10065.1.12.1.14');
    expect(verified.signatureId).toBe('0421d1cc-b27b-4b0d-bab2-7ebcd54d47f6');
    // The submission set's AA== placeholder, then the CDA (not given here).
    expect(verified.manifest).toEqual([
      { uri: 'urn:oid:1.2.250.1.999.1.1.7898.3.9956570900', status: 'placeholder' },
      { uri: 'urn:oid:1.2.250.1.999.1.1.7898.4.9956570902', status: 'unchecked' },
    ]);
    const structure = readSubmissionSetSignature(doc.documentElement as Element);
    expect(structure.signingCertificates.map((c) => c.issuer)).toEqual([
      'CN=TEST AC IGC-SANTE ELEMENTAIRE PERSONNES,OU=IGC-SANTE TEST,OU=0002 187512751,O=ASIP-SANTE,C=FR',
      'CN=TEST AC RACINE IGC-SANTE ELEMENTAIRE,OU=IGC-SANTE TEST,OU=0002 187512751,O=ASIP-SANTE,C=FR',
      'CN=TEST AC RACINE IGC-SANTE ELEMENTAIRE,OU=IGC-SANTE TEST,OU=0002 187512751,O=ASIP-SANTE,C=FR',
    ]);
  });

  it('detects a change in the example signed properties', () => {
    const xml = readFileSync(join(examples(), 'TD2.1-SignatureXades.xml'), 'utf8');
    const certificate = textOf(parseXml(xml).getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0] as Element);
    expect(() =>
      verifySubmissionSetSignature(xml.replace('2019-04-04T14:20:12.282', '2019-04-05T14:20:12.282'), {
        trust: { kind: 'pinned', certificates: [certificate] },
        allowSha1: true,
      }),
    ).toThrow(XmlError);
  });
});

describeWithPrerequisites('conformance', both, 'what we sign against the official schemas', () => {
  it('a signed SAML assertion validates against saml-schema-assertion-2.0.xsd (with xmldsig-core)', async () => {
    const saml = xmlNamespace(SAML_NS, 'saml2');
    const doc = toDocument(
      saml.el(
        'Assertion',
        attr('ID', '_0d5f0d55-6a1b-4f3e-9d6c-000000000001'),
        attr('IssueInstant', '2026-11-22T08:00:00.000Z'),
        attr('Version', '2.0'),
        saml.el('Issuer', attr('Format', 'urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName'), 'CN=899700000001'),
        saml.el('Subject', saml.el('NameID', '899700000001')),
      ),
    );
    const signer = createTestCa().issue('899700000001');
    const assertion = doc.documentElement as Element;
    await signEnveloped(assertion, { signer: signer.signer(), placement: { after: firstChildElement(assertion, SAML_NS, 'Issuer') as Element } });
    const result = validateAgainstXsd(serializeDocument(doc), join(referenceDir() as string, 'insi', 'xsd', 'SAML', 'saml-schema-assertion-2.0.xsd'));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    // The schema check is real: a Signature in the wrong place is refused.
    const misplaced = serializeDocument(doc).replace(/(<saml2:Issuer[^>]*>[^<]*<\/saml2:Issuer>)(<Signature[\s\S]*<\/Signature>)/, '$2$1');
    expect(validateAgainstXsd(misplaced, join(referenceDir() as string, 'insi', 'xsd', 'SAML', 'saml-schema-assertion-2.0.xsd')).valid).toBe(false);
  });

  it('a submission-set signature validates against xmldsig-core-schema.xsd', async () => {
    const signer = createTestCa().issue('899700000001');
    const xml = await signSubmissionSet({
      signer: signer.signer(),
      signatureId: 'sig-0001',
      submissionSetUniqueId: '1.2.250.1.999.1.1.7898.3.1',
      documents: [{ uniqueId: '1.2.250.1.999.1.1.7898.4.1', content: Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"/>'), xml: true }],
      signingTime: Date.UTC(2026, 10, 22),
    });
    const result = validateAgainstXsd(xml, join(referenceDir() as string, 'insi', 'xsd', 'SAML', 'xmldsig-core-schema.xsd'));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    expect(serializeXml(xmlNamespace('urn:x', 'x').el('a'))).toBe('<x:a xmlns:x="urn:x"/>');
  });
});
