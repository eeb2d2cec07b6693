/**
 * XAdES-BES signature of a DMP submission set (TD2.1 "Signature du lot de soumission"), shaped like
 * the official example `TD2.1-SignatureXades.xml` (package DMP v02.05.00) and IHE ITI Document
 * Digital Signature (DSG): a detached ds:Signature over
 *  - an IHE manifest (`ds:Manifest Id="IHEManifest"`) with one Reference per document of the
 *    submission set (`urn:oid:<uniqueId>`, digest of the document, CDA documents through Canonical
 *    XML with comments) and one Reference to the submission set itself whose digest is the
 *    placeholder `AA==` (as in the example and in ANS's DRIM-M DRIMbox `XadesSign.java`);
 *  - the XAdES 1.1.1 SignedProperties (`Id="S0-SignedProperties"`): SigningTime, SigningCertificate
 *    (digest + issuer/serial of every certificate of the chain), SignaturePolicyImplied;
 *  - a SignatureProperty `purposeOfSignature` = 1.2.840.10065.1.12.1.14 (ASTM E1762 "Source",
 *    IHE DSG), not covered by a Reference, in no namespace, as in the example.
 *
 * Verified against the example: the structure, the canonical forms and the Manifest/SignedProperties
 * digests (see xades.conformance.test.ts). Modelled: the example signs with rsa-sha1 and SHA-1
 * digests; the platform Signer signs RSA-SHA256 only, so signatures produced here use rsa-sha256,
 * and SHA-256 digests unless `digestAlgorithm: 'sha1'` is asked. Whether the DMP accepts rsa-sha256
 * in this signature is not confirmed by public material.
 */
import type { X509Certificate } from 'node:crypto';
import { DOMImplementation, type Document, type Element } from '@xmldom/xmldom';
import { C14N, canonicalizeToBytes } from './c14n';
import { canonicalDocumentDigest } from './c14n-stream';
import { parseCertificate, type SignatureTrust } from './certificates';
import { childElements, firstChildElement, isElement, serializeDocument, textOf } from './dom';
import {
  chainOf,
  declareNamespace,
  decodeBase64Strict,
  digest,
  DIGEST_URI,
  DSIG,
  DSIG_NS,
  elementFactory,
  findAllById,
  type HashName,
  parseSignedInfo,
  referenceDigest,
  signWith,
  verifySignatureValue,
  type XmlSigner,
} from './dsig';
import { XmlError } from './errors';
import { parseXml, type XmlParseLimits } from './parse';

export const XADES_111_NS = 'http://uri.etsi.org/01903/v1.1.1#';
export const XADES_SIGNED_PROPERTIES_TYPE = 'http://uri.etsi.org/01903/v1.1.1#SignedProperties';
/** ASTM E1762 / IHE DSG purpose of signature "Source" (value of the official example). */
export const PURPOSE_OF_SIGNATURE_SOURCE = '1.2.840.10065.1.12.1.14';
/** Digest of the submission set reference in the official example (a placeholder, not a digest). */
export const SUBMISSION_SET_PLACEHOLDER_DIGEST = 'AA==';

const MANIFEST_ID = 'IHEManifest';
const SIGNED_PROPERTIES_ID = 'S0-SignedProperties';

export interface SubmissionSetDocument {
  /** XDSDocumentEntry.uniqueId (an OID). */
  uniqueId: string;
  /** The exact bytes sent in the MTOM part. */
  content: Uint8Array;
  /** CDA and other XML documents are digested through Canonical XML with comments, as in the example. */
  xml: boolean;
  /**
   * The digest (base64) of the document's canonical form, computed by whoever wrote it in that form
   * (builder.ts `canonical`, e.g. the CDA built by Pupitre) or canonicalised it once when it was
   * queued: the document is then not parsed again to be signed. Used for the algorithm it names.
   */
  canonicalDigest?: { algorithm: 'sha1' | 'sha256'; value: string };
}

export interface SubmissionSetSignatureInput {
  signer: XmlSigner;
  /** The Signature's Id (the example uses a UUID; the DocumentEntry of the signature references it). */
  signatureId: string;
  /** XDSSubmissionSet.uniqueId. */
  submissionSetUniqueId: string;
  documents: readonly SubmissionSetDocument[];
  signingTime: Date | number;
  /** Reference digests (manifest, documents, certificates). Default sha256; the example uses sha1. */
  digestAlgorithm?: 'sha1' | 'sha256';
  /** Limits for parsing the XML documents to canonicalise them. */
  limits?: XmlParseLimits;
}

/** RFC 4514 string of a name as node:crypto prints it (one RDN per line, most general first). */
function rfc4514(name: string): string {
  return name
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(',');
}

function serialDecimal(certificate: X509Certificate): string {
  return BigInt(`0x${certificate.serialNumber}`).toString(10);
}

/**
 * Digest of a document referenced by URI (octet stream): the bytes themselves, or — with a Canonical
 * XML transform — the canonical form of the parsed document (comments kept: this is not a bare-name
 * same-document reference).
 */
function documentDigest(content: Uint8Array, transform: string | null, hash: HashName, limits?: XmlParseLimits): Buffer {
  if (transform === null) return digest(hash, content);
  if (transform !== C14N.inclusiveWithComments && transform !== C14N.inclusive) {
    throw new XmlError('XML_SIGNATURE_UNSUPPORTED', { reason: 'transform', algorithm: transform });
  }
  // Read once, canonicalised into the hash as it is read, the document's own bytes for its long
  // texts (c14n-stream.ts; the DOM path of parseXml + c14n.ts gives the same digest and refusals).
  return canonicalDocumentDigest(content, { withComments: transform === C14N.inclusiveWithComments }, hash, limits);
}

/** Builds and signs the XAdES-BES submission-set signature; returns the XML text (UTF-8 content). */
export async function signSubmissionSet(input: SubmissionSetSignatureInput): Promise<string> {
  const hash: HashName = input.digestAlgorithm ?? 'sha256';
  const chain = await chainOf(input.signer);
  const certificates = chain.map((c) => parseCertificate(c));
  const doc: Document = new DOMImplementation().createDocument(DSIG_NS, 'Signature', null);
  const signature = doc.documentElement as Element;
  declareNamespace(signature, '', DSIG_NS);
  signature.setAttribute('Id', input.signatureId);
  const ds = elementFactory(doc, DSIG_NS, '');
  const xa = elementFactory(doc, XADES_111_NS, '');

  const reference = (uri: string, digestValue: string, attributes: Record<string, string> = {}, transform?: string): Element =>
    ds(
      'Reference',
      { ...attributes, URI: uri },
      ...(transform === undefined ? [] : [ds('Transforms', {}, ds('Transform', { Algorithm: transform }))]),
      ds('DigestMethod', { Algorithm: DIGEST_URI[hash] }),
      ds('DigestValue', {}, digestValue),
    );

  const manifest = ds(
    'Manifest',
    { Id: MANIFEST_ID },
    reference(`urn:oid:${input.submissionSetUniqueId}`, SUBMISSION_SET_PLACEHOLDER_DIGEST),
    ...input.documents.map((d) =>
      reference(
        `urn:oid:${d.uniqueId}`,
        d.xml && d.canonicalDigest?.algorithm === hash
          ? d.canonicalDigest.value
          : documentDigest(d.content, d.xml ? C14N.inclusiveWithComments : null, hash, input.limits).toString('base64'),
        {},
        d.xml ? C14N.inclusiveWithComments : undefined,
      ),
    ),
  );

  // XAdES 1.1.1 as in the example: CertDigest's DigestMethod/DigestValue in the XAdES namespace,
  // X509IssuerName/X509SerialNumber in the DSig namespace.
  const certElement = (certificate: X509Certificate): Element => {
    const issuerName = ds('X509IssuerName', {}, rfc4514(certificate.issuer));
    const serial = ds('X509SerialNumber', {}, serialDecimal(certificate));
    declareNamespace(issuerName, '', DSIG_NS);
    declareNamespace(serial, '', DSIG_NS);
    return xa(
      'Cert',
      {},
      xa('CertDigest', {}, xa('DigestMethod', { Algorithm: DIGEST_URI[hash] }), xa('DigestValue', {}, digest(hash, certificate.raw).toString('base64'))),
      xa('IssuerSerial', {}, issuerName, serial),
    );
  };
  const signingTime = new Date(input.signingTime).toISOString();
  const signedProperties = xa(
    'SignedProperties',
    { Id: SIGNED_PROPERTIES_ID },
    xa(
      'SignedSignatureProperties',
      {},
      xa('SigningTime', {}, signingTime),
      xa('SigningCertificate', {}, ...certificates.map(certElement)),
      xa('SignaturePolicyIdentifier', {}, xa('SignaturePolicyImplied')),
    ),
    xa('SignedDataObjectProperties'),
  );
  const qualifyingProperties = xa('QualifyingProperties', { Target: `#${input.signatureId}` }, signedProperties);
  declareNamespace(qualifyingProperties, '', XADES_111_NS);

  const manifestDigest = ds('DigestValue');
  const propertiesDigest = ds('DigestValue');
  const signedInfo = ds(
    'SignedInfo',
    {},
    ds('CanonicalizationMethod', { Algorithm: C14N.inclusiveWithComments }),
    ds('SignatureMethod', { Algorithm: DSIG.rsaSha256 }),
    ds('Reference', { Type: DSIG.manifestType, URI: `#${MANIFEST_ID}` }, ds('DigestMethod', { Algorithm: DIGEST_URI[hash] }), manifestDigest),
    ds(
      'Reference',
      { Type: XADES_SIGNED_PROPERTIES_TYPE, URI: `#${SIGNED_PROPERTIES_ID}` },
      ds('DigestMethod', { Algorithm: DIGEST_URI[hash] }),
      propertiesDigest,
    ),
  );
  const signatureValue = ds('SignatureValue');
  // As in the example, SignatureProperties/SignatureProperty are in no namespace (xmlns=""): in the
  // DSig namespace, xmldsig-core-schema requires SignatureProperty to hold elements, not the text
  // of the purpose OID. Not covered by a Reference, as in the example.
  const plain = elementFactory(doc, '', '');
  const signatureProperties = plain(
    'SignatureProperties',
    {},
    plain('SignatureProperty', { Id: 'purposeOfSignature', Target: `#${input.signatureId}` }, PURPOSE_OF_SIGNATURE_SOURCE),
  );
  declareNamespace(signatureProperties, '', '');
  for (const child of [
    signedInfo,
    signatureValue,
    ds('KeyInfo', {}, ds('X509Data', {}, ds('X509Certificate', {}, chain[0] as string))),
    ds('Object', {}, manifest),
    ds('Object', {}, signatureProperties),
    ds('Object', {}, qualifyingProperties),
  ]) {
    signature.appendChild(child);
  }

  // Same-document bare-name references without transforms: inclusive c14n without comments.
  manifestDigest.appendChild(doc.createTextNode(digest(hash, canonicalizeToBytes(manifest, { algorithm: 'inclusive' })).toString('base64')));
  propertiesDigest.appendChild(
    doc.createTextNode(digest(hash, canonicalizeToBytes(signedProperties, { algorithm: 'inclusive' })).toString('base64')),
  );
  const toSign = canonicalizeToBytes(signedInfo, { algorithm: 'inclusive', withComments: true });
  signatureValue.appendChild(doc.createTextNode((await signWith(input.signer, toSign)).toString('base64')));
  return serializeDocument(doc);
}

export interface VerifySubmissionSetOptions {
  trust: SignatureTrust;
  /** Document bytes by uniqueId; a manifest entry whose document is given is checked. */
  documents?: ReadonlyMap<string, Uint8Array>;
  /** Fail when a manifest entry (other than the submission set) has no document to check. */
  requireAllDocuments?: boolean;
  allowSha1?: boolean;
  limits?: XmlParseLimits;
}

export interface ManifestEntry {
  uri: string;
  /** 'checked': digest recomputed and equal; 'placeholder': the submission set's AA==; 'unchecked': no document given. */
  status: 'checked' | 'placeholder' | 'unchecked';
}

export interface VerifiedSubmissionSetSignature {
  certificate: X509Certificate;
  chain: X509Certificate[];
  signingTime: string;
  signatureId: string;
  purposeOfSignature: string | null;
  manifest: ManifestEntry[];
}

/** Reads the structure of a submission-set signature (no cryptographic check). */
export function readSubmissionSetSignature(signature: Element): {
  signatureId: string;
  signingTime: string;
  manifestUris: string[];
  purposeOfSignature: string | null;
  signingCertificates: Array<{ digestAlgorithm: string; digest: string; issuer: string; serial: string }>;
} {
  if (signature.namespaceURI !== DSIG_NS || signature.localName !== 'Signature') {
    throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'not-a-signature' });
  }
  const objects = childElements(signature, DSIG_NS, 'Object');
  const manifest = objects.map((o) => firstChildElement(o, DSIG_NS, 'Manifest')).find((m) => m !== null) ?? null;
  const qualifying = objects.map((o) => firstChildElement(o, XADES_111_NS, 'QualifyingProperties')).find((q) => q !== null) ?? null;
  if (manifest === null || qualifying === null) throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'not-xades-manifest' });
  const signed = firstChildElement(qualifying, XADES_111_NS, 'SignedProperties');
  const signatureProps = signed === null ? null : firstChildElement(signed, XADES_111_NS, 'SignedSignatureProperties');
  const signingTime = signatureProps === null ? null : firstChildElement(signatureProps, XADES_111_NS, 'SigningTime');
  const signingCertificate = signatureProps === null ? null : firstChildElement(signatureProps, XADES_111_NS, 'SigningCertificate');
  if (signingTime === null || signingCertificate === null) throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'no-signed-properties' });
  // SignatureProperty is looked up whatever its namespace: the example puts it in none.
  let purpose: string | null = null;
  for (const o of objects) {
    for (const props of childElements(o)) {
      if (props.localName !== 'SignatureProperties') continue;
      for (const prop of childElements(props)) if (prop.getAttribute('Id') === 'purposeOfSignature') purpose = textOf(prop).trim();
    }
  }
  const anyNs = (parent: Element, local: string): Element | null => childElements(parent).find((c) => c.localName === local) ?? null;
  return {
    signatureId: signature.getAttribute('Id') ?? '',
    signingTime: textOf(signingTime).trim(),
    manifestUris: childElements(manifest, DSIG_NS, 'Reference').map((r) => r.getAttribute('URI') ?? ''),
    purposeOfSignature: purpose,
    signingCertificates: childElements(signingCertificate, XADES_111_NS, 'Cert').map((cert) => {
      const certDigest = anyNs(cert, 'CertDigest');
      const issuerSerial = anyNs(cert, 'IssuerSerial');
      const method = certDigest === null ? null : anyNs(certDigest, 'DigestMethod');
      const value = certDigest === null ? null : anyNs(certDigest, 'DigestValue');
      const issuer = issuerSerial === null ? null : anyNs(issuerSerial, 'X509IssuerName');
      const serial = issuerSerial === null ? null : anyNs(issuerSerial, 'X509SerialNumber');
      return {
        digestAlgorithm: method?.getAttribute('Algorithm') ?? '',
        digest: value === null ? '' : textOf(value).trim(),
        issuer: issuer === null ? '' : textOf(issuer).trim(),
        serial: serial === null ? '' : textOf(serial).trim(),
      };
    }),
  };
}

const HASH_OF: Record<string, HashName> = { [DSIG.sha1]: 'sha1', [DSIG.sha256]: 'sha256', [DSIG.sha512]: 'sha512' };

/**
 * Verifies a submission-set signature: the SignatureValue (with the trust given), the digests of
 * the Manifest and of the SignedProperties, the SigningCertificate digest of the signer, and the
 * manifest entry of every document provided.
 */
export function verifySubmissionSetSignature(input: string | Uint8Array | Document, options: VerifySubmissionSetOptions): VerifiedSubmissionSetSignature {
  const doc = typeof input === 'string' || input instanceof Uint8Array ? parseXml(input, options.limits) : input;
  const signature = doc.documentElement;
  if (!isElement(signature)) throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'not-a-signature' });
  const structure = readSubmissionSetSignature(signature);
  const allowSha1 = options.allowSha1 === true;
  const parsed = parseSignedInfo(signature, allowSha1);
  for (const reference of parsed.references) {
    if (!reference.uri.startsWith('#')) throw new XmlError('XML_SIGNATURE_UNSUPPORTED', { reason: 'reference-uri', algorithm: 'external' });
    const targets = findAllById(doc, reference.uri.slice(1), ['Id', 'ID', 'id']);
    if (targets.length !== 1) throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'duplicate-or-missing-id', count: targets.length });
    const target = targets[0] as Element;
    if (!referenceDigest(reference, target, signature).equals(reference.digestValue)) {
      throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'digest-mismatch', reference: reference.uri });
    }
  }
  const referenced = new Set(parsed.references.map((r) => r.uri));
  if (!referenced.has(`#${MANIFEST_ID}`) && !parsed.references.some((r) => r.type === DSIG.manifestType)) {
    throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'manifest-not-signed' });
  }
  if (!parsed.references.some((r) => r.type === XADES_SIGNED_PROPERTIES_TYPE)) {
    throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'signed-properties-not-signed' });
  }
  const { certificate, chain } = verifySignatureValue(signature, parsed, options.trust);

  const signer = structure.signingCertificates[0];
  const signerHash = signer === undefined ? undefined : HASH_OF[signer.digestAlgorithm];
  if (signer === undefined || signerHash === undefined || (signerHash === 'sha1' && !allowSha1)) {
    throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'signing-certificate' });
  }
  if (!digest(signerHash, certificate.raw).equals(decodeBase64Strict(signer.digest, 'CertDigest'))) {
    throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'signing-certificate-mismatch' });
  }

  const manifestElement = findAllById(doc, MANIFEST_ID, ['Id'])[0];
  const manifestReferences = manifestElement === undefined ? [] : childElements(manifestElement, DSIG_NS, 'Reference');
  const manifest = manifestReferences.map((element): ManifestEntry => {
    const uri = element.getAttribute('URI') ?? '';
    const value = textOf(firstChildElement(element, DSIG_NS, 'DigestValue') ?? element).trim();
    const uniqueId = uri.startsWith('urn:oid:') ? uri.slice('urn:oid:'.length) : uri;
    const document = options.documents?.get(uniqueId);
    if (document === undefined) {
      if (value === SUBMISSION_SET_PLACEHOLDER_DIGEST) return { uri, status: 'placeholder' };
      if (options.requireAllDocuments === true) throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'manifest-document-missing' });
      return { uri, status: 'unchecked' };
    }
    const method = firstChildElement(element, DSIG_NS, 'DigestMethod')?.getAttribute('Algorithm') ?? '';
    const hash = HASH_OF[method];
    if (hash === undefined || (hash === 'sha1' && !allowSha1)) throw new XmlError('XML_SIGNATURE_UNSUPPORTED', { reason: 'digest-method', algorithm: method });
    const transforms = childElements(element, DSIG_NS, 'Transforms')[0];
    const transformElements = transforms === undefined ? [] : childElements(transforms, DSIG_NS, 'Transform');
    if (transformElements.length > 1) throw new XmlError('XML_SIGNATURE_UNSUPPORTED', { reason: 'transform', algorithm: 'several' });
    const transform = transformElements[0]?.getAttribute('Algorithm') ?? null;
    if (!documentDigest(document, transform, hash, options.limits).equals(decodeBase64Strict(value, 'DigestValue'))) {
      throw new XmlError('XML_SIGNATURE_INVALID', { reason: 'manifest-digest-mismatch' });
    }
    return { uri, status: 'checked' };
  });

  return {
    certificate,
    chain,
    signingTime: structure.signingTime,
    signatureId: structure.signatureId,
    purposeOfSignature: structure.purposeOfSignature,
    manifest,
  };
}
