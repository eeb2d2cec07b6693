/**
 * X.509 helpers for signatures: certificates are accepted as PEM or base64 DER (as found in
 * ds:X509Certificate), and chains are checked with node:crypto's X509Certificate.
 */
import { X509Certificate } from 'node:crypto';
import { XmlError } from './errors';

/** Base64 of the DER encoding, without line breaks, from PEM or (possibly wrapped) base64. */
export function certificateToBase64(certificate: string): string {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(certificate);
  const body = (pem?.[1] ?? certificate).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new TypeError('certificate is neither PEM nor base64 DER');
  return body;
}

export function certificateToDer(certificate: string): Buffer {
  return Buffer.from(certificateToBase64(certificate), 'base64');
}

export function certificateToPem(certificate: string): string {
  const lines = certificateToBase64(certificate).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * Certificates already read, by their base64 DER: the same trust anchors and signers come back
 * with every message (DMP: each request's VIHF), and X509Certificate objects are immutable. Bounded.
 */
const parsed = new Map<string, X509Certificate>();
const PARSED_MAX = 256;

export function parseCertificate(certificate: string | X509Certificate): X509Certificate {
  if (certificate instanceof X509Certificate) return certificate;
  try {
    const base64 = certificateToBase64(certificate);
    const known = parsed.get(base64);
    if (known !== undefined) return known;
    const x509 = new X509Certificate(Buffer.from(base64, 'base64'));
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(base64, x509);
    return x509;
  } catch (cause) {
    throw new XmlError('XML_SIGNATURE_UNTRUSTED', { reason: 'unreadable-certificate' }, { cause });
  }
}

export function sameCertificate(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

/** Trust for a signature: pinned signer certificates, or anchors the signer must chain to. */
export type SignatureTrust =
  | {
      kind: 'pinned';
      /** The signature must verify with one of these certificates (KeyInfo is ignored). */
      certificates: readonly (string | X509Certificate)[];
    }
  | {
      kind: 'anchors';
      /** Trusted roots (or intermediate CAs) the certificate in KeyInfo must chain to. */
      anchors: readonly (string | X509Certificate)[];
      /** Extra intermediates, besides those in KeyInfo. */
      intermediates?: readonly (string | X509Certificate)[];
      /** The time at which every certificate of the chain must be valid (epoch ms or Date). */
      at: number | Date;
    };

const MAX_CHAIN = 6;

function validAt(certificate: X509Certificate, at: number): boolean {
  return Date.parse(certificate.validFrom) <= at && at <= Date.parse(certificate.validTo);
}

function issuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

/**
 * Builds and checks the chain leaf → … → anchor: each link issued and signed by the next, every
 * certificate valid at `at`. No revocation check (CRL/OCSP is out of reach offline). Returns the
 * chain from the leaf, or throws XML_SIGNATURE_UNTRUSTED with the reason.
 */
export function verifyChain(
  leaf: X509Certificate,
  anchors: readonly X509Certificate[],
  intermediates: readonly X509Certificate[],
  at: number,
): X509Certificate[] {
  const chain = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (!validAt(current, at)) throw new XmlError('XML_SIGNATURE_UNTRUSTED', { reason: 'certificate-expired-or-not-yet-valid', depth });
    if (anchors.some((anchor) => sameCertificate(anchor, current))) return chain;
    const anchor = anchors.find((candidate) => candidate.ca && issuedBy(current, candidate));
    if (anchor !== undefined) {
      if (!validAt(anchor, at)) throw new XmlError('XML_SIGNATURE_UNTRUSTED', { reason: 'anchor-expired', depth });
      chain.push(anchor);
      return chain;
    }
    const next = intermediates.find((candidate) => !sameCertificate(candidate, current) && issuedBy(current, candidate));
    if (next === undefined || !next.ca) throw new XmlError('XML_SIGNATURE_UNTRUSTED', { reason: 'no-path-to-anchor', depth });
    chain.push(next);
    current = next;
  }
  throw new XmlError('XML_SIGNATURE_UNTRUSTED', { reason: 'chain-too-long' });
}
