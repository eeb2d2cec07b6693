/**
 * platform/crypto: the Signer interface (RSA PKCS#1 v1.5 SHA-256) and its implementations —
 * Pkcs11Signer (card, SoftHSM2), PemSigner and Pkcs12Signer (structure certificates) — plus TLS
 * client credentials and X.509 helpers. Errors are AppErrors with CRYPTO_* codes.
 */
export { RSA_PKCS1_SHA256, SHA256_DIGEST_INFO_PREFIX, verifySignature, type SignatureAlgorithm, type Signer, type SignerKind } from './signer';
export {
  derToPem,
  describeCertificate,
  isSelfIssued,
  keyMatchesCertificate,
  orderChain,
  parseCertificate,
  splitCertificates,
  toPem,
  validAt,
  type CertificateDescription,
  type KeyUsageName,
  type NameAttributeValue,
  type ParsedName,
} from './certificates';
export { KeyObjectSigner, readPrivateKey, type KeyMaterial, type KeySignerOptions } from './key-signer';
export { PemSigner, type PemSignerFiles, type PemSignerSource } from './pem';
export { Pkcs12Signer, readPkcs12, type Pkcs12Contents } from './pkcs12';
export {
  CPS_KEY_SELECTORS,
  Pkcs11Signer,
  type CardKeyRole,
  type PinProvider,
  type Pkcs11SignerKeyInfo,
  type Pkcs11SignerOptions,
} from './pkcs11-signer';
export {
  loadTlsClientCredentials,
  tlsCredentialsFromPem,
  tlsCredentialsFromPkcs12,
  tlsPfxCredentials,
  type TlsClientCredentials,
  type TlsCredentialSource,
  type TlsPfxCredentials,
  type TlsServerTrust,
} from './tls';
