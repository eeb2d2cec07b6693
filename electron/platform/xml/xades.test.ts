import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type IssuedCertificate, type TestCa } from '../../../fixtures/testing/pki';
import { canonicalizeToBytes } from './c14n';
import { DSIG_NS } from './dsig';
import { XmlError } from './errors';
import { parseXml } from './parse';
import { readSubmissionSetSignature, signSubmissionSet, verifySubmissionSetSignature, XADES_111_NS } from './xades';

const CDA = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<!-- CDA N1 de test -->\n<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Compte rendu</title></ClinicalDocument>\n',
);
const PDF = Buffer.from('%PDF-1.4 fake pdf bytes\n%%EOF');

function code(fn: () => unknown): { code: string; reason: unknown } {
  try {
    fn();
  } catch (error) {
    return { code: (error as XmlError).code, reason: (error as XmlError).details?.reason };
  }
  throw new Error('expected an error');
}

describe('XAdES-BES submission-set signature', () => {
  let ca: TestCa;
  let signer: IssuedCertificate;
  let xml: string;
  const documents = new Map([
    ['1.2.250.1.999.1.1.7898.4.1', CDA],
    ['1.2.250.1.999.1.1.7898.4.2', PDF],
  ]);

  beforeAll(async () => {
    ca = createTestCa();
    signer = ca.issue('899700000001');
    xml = await signSubmissionSet({
      signer: signer.signer(),
      signatureId: '0421d1cc-b27b-4b0d-bab2-000000000001',
      submissionSetUniqueId: '1.2.250.1.999.1.1.7898.3.1',
      documents: [
        { uniqueId: '1.2.250.1.999.1.1.7898.4.1', content: CDA, xml: true },
        { uniqueId: '1.2.250.1.999.1.1.7898.4.2', content: PDF, xml: false },
      ],
      signingTime: Date.UTC(2026, 10, 22, 9, 30, 0),
    });
  });

  it('has the shape of the official TD2.1 example', () => {
    const doc = parseXml(xml);
    const signature = doc.documentElement;
    expect(signature?.namespaceURI).toBe(DSIG_NS);
    expect(signature?.getAttribute('Id')).toBe('0421d1cc-b27b-4b0d-bab2-000000000001');
    const structure = readSubmissionSetSignature(signature as never);
    expect(structure.manifestUris).toEqual([
      'urn:oid:1.2.250.1.999.1.1.7898.3.1',
      'urn:oid:1.2.250.1.999.1.1.7898.4.1',
      'urn:oid:1.2.250.1.999.1.1.7898.4.2',
    ]);
    expect(structure.purposeOfSignature).toBe('1.2.840.10065.1.12.1.14');
    expect(structure.signingTime).toBe('2026-11-22T09:30:00.000Z');
    expect(structure.signingCertificates).toHaveLength(2);
    expect(structure.signingCertificates[0]?.issuer).toBe('CN=Pupitre TEST AC racine,O=Pupitre TEST PKI,C=FR');
    expect(doc.getElementsByTagNameNS(XADES_111_NS, 'SignaturePolicyImplied')).toHaveLength(1);
    expect(doc.getElementsByTagNameNS(DSIG_NS, 'Reference')[0]?.getAttribute('URI')).toBe('#IHEManifest');
    // The submission set reference carries the example's placeholder digest.
    expect(xml).toContain('<DigestValue>AA==</DigestValue>');
  });

  it('verifies, checking the manifest against the documents sent', () => {
    const verified = verifySubmissionSetSignature(xml, { trust: { kind: 'anchors', anchors: [ca.certPem], at: Date.now() }, documents });
    expect(verified.manifest.map((m) => m.status)).toEqual(['placeholder', 'checked', 'checked']);
    expect(verified.certificate.subject).toContain('CN=899700000001');
    expect(verified.signatureId).toBe('0421d1cc-b27b-4b0d-bab2-000000000001');
  });

  it('digests an XML document through Canonical XML, a binary one as bytes', () => {
    // Same CDA written differently (attribute quotes, empty element form) has the same digest.
    const rewritten = Buffer.from(
      "<?xml version='1.0'?>\n<!-- CDA N1 de test -->\n<ClinicalDocument xmlns='urn:hl7-org:v3'><title>Compte rendu</title></ClinicalDocument>",
    );
    const verified = verifySubmissionSetSignature(xml, {
      trust: { kind: 'pinned', certificates: [signer.certPem] },
      documents: new Map([...documents, ['1.2.250.1.999.1.1.7898.4.1', rewritten]]),
    });
    expect(verified.manifest[1]?.status).toBe('checked');
  });

  it('detects a changed document, signing time or signer', () => {
    const trust = { kind: 'pinned' as const, certificates: [signer.certPem] };
    const changed = new Map([...documents, ['1.2.250.1.999.1.1.7898.4.2', Buffer.from('%PDF-1.4 other')]]);
    expect(code(() => verifySubmissionSetSignature(xml, { trust, documents: changed }))).toEqual({
      code: 'XML_SIGNATURE_INVALID',
      reason: 'manifest-digest-mismatch',
    });
    expect(code(() => verifySubmissionSetSignature(xml.replace('2026-11-22T09:30:00.000Z', '2026-11-21T09:30:00.000Z'), { trust }))).toEqual({
      code: 'XML_SIGNATURE_INVALID',
      reason: 'digest-mismatch',
    });
    expect(code(() => verifySubmissionSetSignature(xml, { trust: { kind: 'pinned', certificates: [ca.issue('autre').certPem] } })).reason).toBe(
      'signature-mismatch',
    );
    expect(code(() => verifySubmissionSetSignature(xml, { trust, requireAllDocuments: true })).reason).toBe('manifest-document-missing');
  });

  it('can use SHA-1 digests as the example does (rsa-sha256 signature)', async () => {
    const sha1 = await signSubmissionSet({
      signer: signer.signer(),
      signatureId: 'sig-1',
      submissionSetUniqueId: '1.2.3',
      documents: [{ uniqueId: '1.2.4', content: CDA, xml: true }],
      signingTime: 0,
      digestAlgorithm: 'sha1',
    });
    expect(sha1).toContain('http://www.w3.org/2000/09/xmldsig#sha1');
    const trust = { kind: 'pinned' as const, certificates: [signer.certPem] };
    expect(code(() => verifySubmissionSetSignature(sha1, { trust })).code).toBe('XML_SIGNATURE_UNSUPPORTED');
    expect(verifySubmissionSetSignature(sha1, { trust, allowSha1: true, documents: new Map([['1.2.4', CDA]]) }).manifest[1]?.status).toBe('checked');
  });

  it('refuses a document that is not a submission-set signature', () => {
    expect(() => verifySubmissionSetSignature('<a/>', { trust: { kind: 'pinned', certificates: [signer.certPem] } })).toThrow(XmlError);
  });

  it('uses a canonical digest given by the writer of the document, and the verifier recomputes it', async () => {
    const canonical = canonicalizeToBytes(parseXml(CDA), { algorithm: 'inclusive', withComments: true });
    const sign = (value: string): Promise<string> =>
      signSubmissionSet({
        signer: signer.signer(),
        signatureId: '0421d1cc-b27b-4b0d-bab2-000000000003',
        submissionSetUniqueId: '1.2.250.1.999.1.1.7898.3.1',
        documents: [{ uniqueId: '1.2.250.1.999.1.1.7898.4.1', content: CDA, xml: true, canonicalDigest: { algorithm: 'sha256', value } }],
        signingTime: Date.UTC(2026, 10, 22, 9, 30, 0),
      });
    const trust = { kind: 'pinned' as const, certificates: [signer.certPem] };
    const given = await sign(createHash('sha256').update(canonical).digest('base64'));
    expect(verifySubmissionSetSignature(given, { trust, documents, requireAllDocuments: false }).manifest[1]?.status).toBe('checked');
    // A digest that does not match the document is not trusted by the verifier: it recomputes it.
    const wrong = await sign(createHash('sha256').update('autre chose').digest('base64'));
    expect(code(() => verifySubmissionSetSignature(wrong, { trust, documents: new Map([['1.2.250.1.999.1.1.7898.4.1', CDA]]) }))).toEqual({ code: 'XML_SIGNATURE_INVALID', reason: 'manifest-digest-mismatch' });
  });
});
