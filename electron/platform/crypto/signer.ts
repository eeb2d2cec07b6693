/**
 * The one signing interface of Pupitre (ARCHITECTURE.md §2, platform/crypto): XML-DSig of the
 * INSi assertion PS and of the DMP VIHF, XAdES of DMP submissions. Every signature is RSA
 * PKCS#1 v1.5 over SHA-256 — the algorithm of the official examples (insi.md §1.1, dmp.md §1.3)
 * and of PDT-INF-579 — whether the key is on a card (PKCS#11) or in a structure certificate file.
 */
import { verify } from 'node:crypto';
import { parseCertificate } from './certificates';

export interface SignatureAlgorithm {
  /** node:crypto digest name to use with `crypto.verify`. */
  readonly digest: 'sha256';
  /** Web Crypto / JOSE names. */
  readonly name: 'RSASSA-PKCS1-v1_5';
  readonly hash: 'SHA-256';
  readonly jwa: 'RS256';
  /** sha256WithRSAEncryption (RFC 8017 / RFC 4055). */
  readonly oid: '1.2.840.113549.1.1.11';
  /** XML-DSig SignatureMethod (RFC 6931 §2.3.2). */
  readonly xmlDsig: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
}

export const RSA_PKCS1_SHA256: SignatureAlgorithm = Object.freeze({
  digest: 'sha256',
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  jwa: 'RS256',
  oid: '1.2.840.113549.1.1.11',
  xmlDsig: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
});

export type SignerKind = 'pkcs11' | 'pem' | 'pkcs12';

export interface Signer {
  readonly kind: SignerKind;
  readonly algorithm: SignatureAlgorithm;
  /** RSA PKCS#1 v1.5 signature of SHA-256(data). */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** The signer's certificate first, then its issuers as far as known, PEM. */
  certificateChain(): Promise<string[]>;
  /** Releases the card session or the key material. Further calls fail. */
  close(): Promise<void>;
}

/** Checks an RSA PKCS#1 v1.5 SHA-256 signature with the public key of a certificate. */
export function verifySignature(certificate: string | Buffer, data: Uint8Array, signature: Uint8Array): boolean {
  return verify(RSA_PKCS1_SHA256.digest, data, parseCertificate(certificate).publicKey, signature);
}

/**
 * DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1): what CKM_RSA_PKCS signs when a
 * module lacks CKM_SHA256_RSA_PKCS.
 */
export const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');
