/**
 * A Signer over a private key held in memory (node:crypto KeyObject): structure certificates
 * (INSI-AUTO/INSI-MANU, DMP indirect mode ORG AUTH_CLI / ORG SIGN) read from PEM or PKCS#12.
 */
import { createPrivateKey, sign, type KeyObject, type X509Certificate } from 'node:crypto';
import { AppError } from '../../contract/errors';
import type { Clock } from '../clock';
import { keyMatchesCertificate, orderChain, parseCertificate, splitCertificates, toPem, validAt } from './certificates';
import { RSA_PKCS1_SHA256, type SignatureAlgorithm, type Signer, type SignerKind } from './signer';

export interface KeyMaterial {
  privateKey: KeyObject;
  /** The certified key's certificate. */
  certificate: X509Certificate;
  /** Other certificates that may complete the chain (intermediates, root). */
  others: readonly X509Certificate[];
}

export interface KeySignerOptions {
  /** When given, sign() refuses with CRYPTO_CERTIFICATE_EXPIRED outside the certificate's validity. */
  clock?: Clock;
  /** Extra CA certificates (PEM text or DER) to complete the chain. */
  extraCertificates?: readonly (string | Buffer)[];
}

/** Checks that the key is RSA and certified by the certificate; orders the chain. */
export function checkKeyMaterial(privateKey: KeyObject, certificates: readonly X509Certificate[]): KeyMaterial {
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new AppError('CRYPTO_KEY_UNSUPPORTED', { keyType: privateKey.asymmetricKeyType ?? 'unknown' });
  }
  const certificate = certificates.find((c) => keyMatchesCertificate(privateKey, c));
  if (!certificate) {
    throw new AppError(certificates.length === 0 ? 'CRYPTO_CERTIFICATE_NOT_FOUND' : 'CRYPTO_KEY_MISMATCH');
  }
  return { privateKey, certificate, others: certificates.filter((c) => c !== certificate) };
}

export class KeyObjectSigner implements Signer {
  readonly kind: SignerKind;
  readonly algorithm: SignatureAlgorithm = RSA_PKCS1_SHA256;
  private privateKey: KeyObject | null;
  private readonly chain: X509Certificate[];
  private readonly clock: Clock | undefined;

  constructor(kind: SignerKind, material: KeyMaterial, options: KeySignerOptions = {}) {
    this.kind = kind;
    this.privateKey = material.privateKey;
    this.clock = options.clock;
    const extra = (options.extraCertificates ?? []).flatMap((c) => splitCertificates(c)).map((pem) => parseCertificate(pem));
    this.chain = orderChain(material.certificate, [...material.others, ...extra]);
  }

  /** The signer's certificate. */
  get certificate(): X509Certificate {
    return this.chain[0] as X509Certificate;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    if (this.privateKey === null) throw new AppError('CRYPTO_SIGNATURE_FAILED', { reason: 'signer-closed' });
    if (this.clock && !validAt(this.certificate, this.clock.now())) {
      throw new AppError('CRYPTO_CERTIFICATE_EXPIRED', { notBefore: this.certificate.validFrom, notAfter: this.certificate.validTo });
    }
    // node:crypto signs RSA keys with PKCS#1 v1.5 padding by default (RFC 8017 §8.2).
    return new Uint8Array(sign(this.algorithm.digest, data, this.privateKey));
  }

  async certificateChain(): Promise<string[]> {
    return this.chain.map(toPem);
  }

  async close(): Promise<void> {
    this.privateKey = null;
  }
}

/** node:crypto private key from PEM or DER (PKCS#8, encrypted PKCS#8 or PKCS#1). */
export function readPrivateKey(input: string | Buffer, passphrase?: string): KeyObject {
  const text = Buffer.isBuffer(input) ? input.toString('latin1') : input;
  const isPem = text.includes('-----BEGIN');
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text);
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new AppError('CRYPTO_PASSPHRASE_INCORRECT', { reason: 'passphrase-required' });
  }
  try {
    if (isPem) return createPrivateKey({ key: text, format: 'pem', ...(passphrase !== undefined ? { passphrase } : {}) });
    const der = Buffer.isBuffer(input) ? input : Buffer.from(input, 'base64');
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8', ...(passphrase !== undefined ? { passphrase } : {}) });
  } catch (cause) {
    if (encrypted) throw new AppError('CRYPTO_PASSPHRASE_INCORRECT', undefined, { cause });
    throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'invalid-private-key' }, { cause });
  }
}
