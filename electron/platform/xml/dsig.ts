/**
 * XML-DSig (W3C xmldsig-core, second edition) for enveloped signatures, as the SAML assertions of
 * INSi ("assertion PS") and the DMP VIHF use them (official examples: WS_INS2 request, VIHF_*_signe):
 * exclusive c14n, RSA-SHA256, SHA-256 digest, one Reference to the signed element's ID, KeyInfo
 * with the signer's X.509 certificate.
 *
 * Signing calls an asynchronous `sign(bytes)` so that the private key can stay on a card
 * (PKCS#11): the signer receives the canonical SignedInfo and returns an RSA PKCS#1 v1.5 SHA-256
 * signature. Verification is deliberately narrow (one enveloped reference, algorithm allow-list,
 * unique IDs) and returns the element that was actually signed, so that callers only read that
 * element — the usual defence against signature-wrapping attacks.
 */
import { createHash, type KeyObject, verify as cryptoVerify, type X509Certificate } from 'node:crypto';
import type { Document, Element, Node } from '@xmldom/xmldom';
import { isAppError } from '../../contract/errors';
import { C14N, c14nOptionsFor, canonicalizeToBytes, type C14nOptions } from './c14n';
import {
  certificateToBase64,
  parseCertificate,
  type SignatureTrust,
  verifyChain,
} from './certificates';
import { attributesOf, childElements, firstChildElement, isElement, textOf, XMLNS_NS } from './dom';
import { XmlError } from './errors';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
/** Namespace of the InclusiveNamespaces element (exc-c14n §4). */
export const EXC_C14N_NS = 'http://www.w3.org/2001/10/xml-exc-c14n#';

export const DSIG = {
  envelopedSignature: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  rsaSha1: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  sha1: 'http://www.w3.org/2000/09/xmldsig#sha1',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  manifestType: 'http://www.w3.org/2000/09/xmldsig#Manifest',
} as const;

/**
 * What signing needs from electron/platform/crypto's Signer (structural, so this layer does not
 * depend on it): RSA PKCS#1 v1.5 over SHA-256 of `data`, and the chain, signer first, as PEM or
 * base64 DER.
 */
export interface XmlSigner {
  sign(data: Uint8Array): Promise<Uint8Array>;
  certificateChain(): Promise<string[]>;
}

export type HashName = 'sha1' | 'sha256' | 'sha512';

const DIGESTS: Record<string, HashName> = { [DSIG.sha1]: 'sha1', [DSIG.sha256]: 'sha256', [DSIG.sha512]: 'sha512' };
const SIGNATURES: Record<string, HashName> = { [DSIG.rsaSha1]: 'sha1', [DSIG.rsaSha256]: 'sha256', [DSIG.rsaSha512]: 'sha512' };
export const DIGEST_URI: Record<HashName, string> = { sha1: DSIG.sha1, sha256: DSIG.sha256, sha512: DSIG.sha512 };

export function digest(hash: HashName, data: Uint8Array): Buffer {
  return createHash(hash).update(data).digest();
}

export const DEFAULT_ID_ATTRIBUTES = ['ID', 'Id', 'id'] as const;

export type SignaturePlacement = 'first' | 'last' | { after: Element } | { before: Element };

export interface EnvelopedSignatureOptions {
  signer: XmlSigner;
  /** Name of the ID attribute the Reference points to. Default 'ID' (SAML 2.0). */
  idAttribute?: string;
  /**
   * Where ds:Signature goes among the signed element's children. Default 'first'. A SAML assertion
   * needs `{ after: issuer }` (saml-schema-assertion-2.0: Issuer, then Signature).
   */
  placement?: SignaturePlacement;
  /** exc-c14n InclusiveNamespaces PrefixList written in the Reference transform (e.g. ['xs']). */
  inclusiveNamespacePrefixes?: readonly string[];
  /** Reference digest. Default sha256. */
  digestAlgorithm?: 'sha256' | 'sha512';
  /** Prefix of the ds elements; '' (default) declares the DSig namespace as default, as the official examples do. */
  prefix?: string;
  /** KeyInfo content: the signer's certificate (default), the whole chain, or nothing. */
  keyInfo?: 'certificate' | 'chain' | 'none';
}

/** Wraps failures of a signer that are not already typed (a card's own AppErrors pass through). */
export async function signWith(signer: XmlSigner, data: Uint8Array): Promise<Buffer> {
  try {
    return Buffer.from(await signer.sign(data));
  } catch (cause) {
    if (isAppError(cause)) throw cause;
    throw new XmlError('XML_SIGNING_FAILED', undefined, { cause });
  }
}

export async function chainOf(signer: XmlSigner): Promise<string[]> {
  let chain: string[];
  try {
    chain = await signer.certificateChain();
  } catch (cause) {
    if (isAppError(cause)) throw cause;
    throw new XmlError('XML_SIGNING_FAILED', { reason: 'no-certificate' }, { cause });
  }
  if (chain.length === 0) throw new XmlError('XML_SIGNING_FAILED', { reason: 'no-certificate' });
  return chain.map(certificateToBase64);
}

/** A tiny DOM builder for signature elements (names are constants, values are text nodes). */
export function elementFactory(doc: Document, ns: string, prefix: string) {
  return (local: string, attributes: Record<string, string> = {}, ...children: Array<Node | string>): Element => {
    const element = doc.createElementNS(ns, prefix === '' ? local : `${prefix}:${local}`);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
    for (const child of children) element.appendChild(typeof child === 'string' ? doc.createTextNode(child) : child);
    return element;
  };
}

export function declareNamespace(element: Element, prefix: string, uri: string): void {
  element.setAttributeNS(XMLNS_NS, prefix === '' ? 'xmlns' : `xmlns:${prefix}`, uri);
}

export function ownerOf(element: Element): Document {
  const doc = element.ownerDocument;
  if (doc === null) throw new TypeError('element has no owner document');
  return doc;
}

function place(target: Element, node: Element, placement: SignaturePlacement): void {
  if (placement === 'last') {
    target.appendChild(node);
  } else if (placement === 'first') {
    target.insertBefore(node, target.firstChild);
  } else if ('after' in placement) {
    if (placement.after.parentNode !== target) throw new TypeError('placement.after must be a child of the signed element');
    target.insertBefore(node, placement.after.nextSibling);
  } else {
    if (placement.before.parentNode !== target) throw new TypeError('placement.before must be a child of the signed element');
    target.insertBefore(node, placement.before);
  }
}

/**
 * Signs `target` in place with an enveloped signature and returns the inserted ds:Signature.
 * The element must carry a unique ID attribute (SAML: `ID`).
 */
export async function signEnveloped(target: Element, options: EnvelopedSignatureOptions): Promise<Element> {
  const idAttribute = options.idAttribute ?? 'ID';
  const id = target.getAttribute(idAttribute);
  if (id === null || id === '') throw new TypeError(`the element to sign has no ${idAttribute} attribute`);
  const doc = ownerOf(target);
  if (findAllById(doc, id, [idAttribute]).length !== 1) throw new TypeError(`ID ${id} is not unique in the document`);

  const chain = await chainOf(options.signer);
  const prefix = options.prefix ?? '';
  const ds = elementFactory(doc, DSIG_NS, prefix);
  const hash = options.digestAlgorithm ?? 'sha256';
  const inclusive = options.inclusiveNamespacePrefixes ?? [];

  const excTransform = ds('Transform', { Algorithm: C14N.exclusive });
  if (inclusive.length > 0) {
    const ec = doc.createElementNS(EXC_C14N_NS, 'ec:InclusiveNamespaces');
    declareNamespace(ec, 'ec', EXC_C14N_NS);
    ec.setAttribute('PrefixList', inclusive.join(' '));
    excTransform.appendChild(ec);
  }
  const digestValue = ds('DigestValue');
  const signedInfo = ds(
    'SignedInfo',
    {},
    ds('CanonicalizationMethod', { Algorithm: C14N.exclusive }),
    ds('SignatureMethod', { Algorithm: DSIG.rsaSha256 }),
    ds(
      'Reference',
      { URI: `#${id}` },
      ds('Transforms', {}, ds('Transform', { Algorithm: DSIG.envelopedSignature }), excTransform),
      ds('DigestMethod', { Algorithm: DIGEST_URI[hash] }),
      digestValue,
    ),
  );
  const signatureValue = ds('SignatureValue');
  const signature = ds('Signature', {}, signedInfo, signatureValue);
  declareNamespace(signature, prefix, DSIG_NS);
  const keyInfo = options.keyInfo ?? 'certificate';
  if (keyInfo !== 'none') {
    const certificates = keyInfo === 'chain' ? chain : chain.slice(0, 1);
    signature.appendChild(ds('KeyInfo', {}, ds('X509Data', {}, ...certificates.map((c) => ds('X509Certificate', {}, c)))));
  }
  place(target, signature, options.placement ?? 'first');

  const referenceOptions: C14nOptions = { algorithm: 'exclusive', inclusivePrefixes: inclusive, exclude: signature };
  digestValue.appendChild(doc.createTextNode(digest(hash, canonicalizeToBytes(target, referenceOptions)).toString('base64')));
  const toSign = canonicalizeToBytes(signedInfo, { algorithm: 'exclusive' });
  signatureValue.appendChild(doc.createTextNode((await signWith(options.signer, toSign)).toString('base64')));
  return signature;
}

export interface VerifyOptions {
  trust: SignatureTrust;
  /** Attribute names that carry IDs. Default ID, Id, id. */
  idAttributes?: readonly string[];
  /** Accept SHA-1 (rsa-sha1, sha1 digests), as in the 2019 official examples. Default false. */
  allowSha1?: boolean;
}

export interface VerifiedSignature {
  /** The element the signature covers: read data only from this element. */
  signedElement: Element;
  signature: Element;
  certificate: X509Certificate;
  /** From the signer to the anchor (pinned trust: the signer alone). */
  chain: X509Certificate[];
  signatureAlgorithm: string;
  digestAlgorithm: string;
}

export interface ParsedReference {
  element: Element;
  uri: string;
  type: string | null;
  transforms: Array<{ algorithm: string; inclusivePrefixes: string[] }>;
  digestAlgorithm: string;
  digestHash: HashName;
  digestValue: Buffer;
}

export interface ParsedSignedInfo {
  signedInfo: Element;
  c14n: C14nOptions;
  signatureAlgorithm: string;
  signatureHash: HashName;
  references: ParsedReference[];
}

function invalid(reason: string, extra: Record<string, unknown> = {}): XmlError {
  return new XmlError('XML_SIGNATURE_INVALID', { reason, ...extra });
}

function unsupported(reason: string, algorithm: string): XmlError {
  return new XmlError('XML_SIGNATURE_UNSUPPORTED', { reason, algorithm });
}

function one(parent: Element, local: string): Element {
  const found = childElements(parent, DSIG_NS, local);
  if (found.length !== 1) throw invalid('structure', { element: local, count: found.length });
  return found[0] as Element;
}

function algorithmOf(element: Element): string {
  const algorithm = element.getAttribute('Algorithm');
  if (algorithm === null || algorithm === '') throw invalid('structure', { element: element.localName, missing: 'Algorithm' });
  return algorithm;
}

export function decodeBase64Strict(value: string, what: string): Buffer {
  const compact = value.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) throw invalid('bad-base64', { element: what });
  return Buffer.from(compact, 'base64');
}

function inclusivePrefixesOf(element: Element): string[] {
  const list = firstChildElement(element, EXC_C14N_NS, 'InclusiveNamespaces');
  const value = list?.getAttribute('PrefixList') ?? '';
  return value.split(/\s+/).filter((p) => p !== '');
}

/** Reads SignedInfo, refusing any algorithm outside the allow-list. */
export function parseSignedInfo(signature: Element, allowSha1: boolean): ParsedSignedInfo {
  const signedInfo = one(signature, 'SignedInfo');
  const c14nElement = one(signedInfo, 'CanonicalizationMethod');
  const c14nUri = algorithmOf(c14nElement);
  const c14n = c14nOptionsFor(c14nUri, inclusivePrefixesOf(c14nElement));
  if (c14n === null) throw unsupported('canonicalization', c14nUri);
  const signatureAlgorithm = algorithmOf(one(signedInfo, 'SignatureMethod'));
  const signatureHash = SIGNATURES[signatureAlgorithm];
  if (signatureHash === undefined || (signatureHash === 'sha1' && !allowSha1)) throw unsupported('signature-method', signatureAlgorithm);

  const references = childElements(signedInfo, DSIG_NS, 'Reference').map((element): ParsedReference => {
    const uri = element.getAttribute('URI');
    if (uri === null) throw invalid('structure', { element: 'Reference', missing: 'URI' });
    const transformsElement = childElements(element, DSIG_NS, 'Transforms');
    if (transformsElement.length > 1) throw invalid('structure', { element: 'Transforms' });
    const transforms = (transformsElement[0] ? childElements(transformsElement[0], DSIG_NS, 'Transform') : []).map((t) => ({
      algorithm: algorithmOf(t),
      inclusivePrefixes: inclusivePrefixesOf(t),
    }));
    const digestAlgorithm = algorithmOf(one(element, 'DigestMethod'));
    const digestHash = DIGESTS[digestAlgorithm];
    if (digestHash === undefined || (digestHash === 'sha1' && !allowSha1)) throw unsupported('digest-method', digestAlgorithm);
    return {
      element,
      uri,
      type: element.getAttribute('Type'),
      transforms,
      digestAlgorithm,
      digestHash,
      digestValue: decodeBase64Strict(textOf(one(element, 'DigestValue')), 'DigestValue'),
    };
  });
  if (references.length === 0) throw invalid('structure', { element: 'Reference', count: 0 });
  return { signedInfo, c14n: { ...c14n, exclude: null }, signatureAlgorithm, signatureHash, references };
}

/** Every element whose ID attribute (any of `names`) equals `id`. */
export function findAllById(doc: Document | Element, id: string, names: readonly string[]): Element[] {
  const found: Element[] = [];
  const stack: Node[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    if (isElement(node)) {
      for (const attr of attributesOf(node)) {
        if (attr.namespaceURI === null && names.includes(attr.name) && attr.value === id) {
          found.push(node);
          break;
        }
      }
    }
    for (let child = node.lastChild; child !== null; child = child.previousSibling) if (isElement(child)) stack.push(child);
  }
  return found;
}

/**
 * Digest of a same-document reference after its transforms. Only what signatures in this project
 * need: optional enveloped-signature, then at most one canonicalisation (default: inclusive c14n).
 * Bare-name XPointers ("#id") and "" exclude comments (xmldsig-core §4.3.3.3), whatever the
 * canonicalisation says.
 */
export function referenceDigest(reference: ParsedReference, node: Element, signature: Element): Buffer {
  let exclude: Element | null = null;
  let c14n: C14nOptions = { algorithm: 'inclusive' };
  let canonicalizations = 0;
  reference.transforms.forEach((transform, index) => {
    if (transform.algorithm === DSIG.envelopedSignature && index === 0) {
      exclude = signature;
      return;
    }
    const options = c14nOptionsFor(transform.algorithm, transform.inclusivePrefixes);
    if (options === null || ++canonicalizations > 1) throw unsupported('transform', transform.algorithm);
    c14n = options;
  });
  return digest(reference.digestHash, canonicalizeToBytes(node, { ...c14n, withComments: false, exclude }));
}

function keyInfoCertificates(signature: Element): X509Certificate[] {
  const keyInfo = childElements(signature, DSIG_NS, 'KeyInfo')[0];
  if (keyInfo === undefined) return [];
  return childElements(keyInfo, DSIG_NS, 'X509Data')
    .flatMap((data) => childElements(data, DSIG_NS, 'X509Certificate'))
    .map((element) => parseCertificate(textOf(element)));
}

function publicKeyOf(certificate: X509Certificate): KeyObject {
  const key = certificate.publicKey;
  if (key.asymmetricKeyType !== 'rsa') throw unsupported('key-type', key.asymmetricKeyType ?? 'unknown');
  return key;
}

/**
 * Checks SignatureValue over the canonical SignedInfo with the certificate the trust designates.
 * Returns the certificate that verified and its chain.
 */
export function verifySignatureValue(
  signature: Element,
  parsed: ParsedSignedInfo,
  trust: SignatureTrust,
): { certificate: X509Certificate; chain: X509Certificate[] } {
  const value = decodeBase64Strict(textOf(one(signature, 'SignatureValue')), 'SignatureValue');
  const canonical = canonicalizeToBytes(parsed.signedInfo, parsed.c14n);
  const check = (certificate: X509Certificate): boolean =>
    cryptoVerify(parsed.signatureHash, canonical, publicKeyOf(certificate), value);

  if (trust.kind === 'pinned') {
    for (const candidate of trust.certificates.map((c) => parseCertificate(c))) {
      if (check(candidate)) return { certificate: candidate, chain: [candidate] };
    }
    throw invalid('signature-mismatch');
  }
  const embedded = keyInfoCertificates(signature);
  const leaf = embedded[0];
  if (leaf === undefined) throw new XmlError('XML_SIGNATURE_UNTRUSTED', { reason: 'no-certificate-in-keyinfo' });
  const at = trust.at instanceof Date ? trust.at.getTime() : trust.at;
  const chain = verifyChain(
    leaf,
    trust.anchors.map((c) => parseCertificate(c)),
    [...embedded.slice(1), ...(trust.intermediates ?? []).map((c) => parseCertificate(c))],
    at,
  );
  if (!check(leaf)) throw invalid('signature-mismatch');
  return { certificate: leaf, chain };
}

/**
 * Verifies the enveloped signature carried by `target` (a direct ds:Signature child whose single
 * Reference points at `target`'s ID). Throws XML_SIGNATURE_INVALID / _UNTRUSTED / _UNSUPPORTED.
 */
export function verifyEnvelopedSignature(target: Element, options: VerifyOptions): VerifiedSignature {
  const signatures = childElements(target, DSIG_NS, 'Signature');
  if (signatures.length === 0) throw invalid('missing-signature');
  if (signatures.length > 1) throw invalid('several-signatures');
  const signature = signatures[0] as Element;
  const parsed = parseSignedInfo(signature, options.allowSha1 === true);
  if (parsed.references.length !== 1) throw invalid('structure', { element: 'Reference', count: parsed.references.length });
  const reference = parsed.references[0] as ParsedReference;

  const idNames = options.idAttributes ?? DEFAULT_ID_ATTRIBUTES;
  const doc = ownerOf(target);
  if (reference.uri === '') {
    if (doc.documentElement !== target) throw invalid('reference-mismatch');
  } else {
    if (!reference.uri.startsWith('#')) throw unsupported('reference-uri', 'external');
    const id = reference.uri.slice(1);
    const matches = findAllById(doc, id, idNames);
    if (matches.length !== 1) throw invalid('duplicate-or-missing-id', { count: matches.length });
    if (matches[0] !== target) throw invalid('reference-mismatch');
  }
  if (reference.transforms[0]?.algorithm !== DSIG.envelopedSignature) throw invalid('not-enveloped');

  const computed = referenceDigest(reference, target, signature);
  if (!computed.equals(reference.digestValue)) throw invalid('digest-mismatch');
  const { certificate, chain } = verifySignatureValue(signature, parsed, options.trust);
  return {
    signedElement: target,
    signature,
    certificate,
    chain,
    signatureAlgorithm: parsed.signatureAlgorithm,
    digestAlgorithm: reference.digestAlgorithm,
  };
}
