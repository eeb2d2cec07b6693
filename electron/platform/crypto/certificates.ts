/**
 * X.509 helpers: PEM/DER reading, chain ordering, key/certificate matching, and the fields the
 * IGC-Santé puts in card and structure certificates.
 *
 * CPx certificate subjects carry a multi-valued RDN, `C=FR, title=Médecin, GN=MAX + SN=LIBRE +
 * CN=899900063480` (shared/reference/dmp/examples/TD2.1-SignatureXades.xml); the subject is read
 * from the DER so that multi-valued RDNs and '+' or ',' in values are handled exactly.
 */
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { AppError } from '../../contract/errors';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

export function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Every certificate of a PEM text (or a single DER certificate), as normalised PEM. */
export function splitCertificates(input: string | Buffer): string[] {
  if (Buffer.isBuffer(input)) {
    const text = input.toString('latin1');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) return [derToPem(parseCertificate(input).raw)];
    return splitCertificates(text);
  }
  const blocks = [...input.matchAll(PEM_CERTIFICATE)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
  if (blocks.length === 0) throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'no-certificate' });
  return blocks.map((der) => derToPem(parseCertificate(der).raw));
}

/**
 * Certificates already read from text (the card's and the structure's come back with every VIHF,
 * every signature); X509Certificate objects are immutable. Bounded.
 */
const parsedPem = new Map<string, X509Certificate>();
const PARSED_MAX = 256;

/** A certificate from PEM, base64 DER or DER bytes; CRYPTO_CERTIFICATE_UNREADABLE otherwise. */
export function parseCertificate(input: string | Buffer | X509Certificate): X509Certificate {
  if (input instanceof X509Certificate) return input;
  try {
    if (Buffer.isBuffer(input)) return new X509Certificate(input);
    const known = parsedPem.get(input);
    if (known !== undefined) return known;
    const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(input);
    const body = (pem?.[1] ?? input).replace(/\s+/g, '');
    const x509 = new X509Certificate(Buffer.from(body, 'base64'));
    if (parsedPem.size >= PARSED_MAX) parsedPem.delete(parsedPem.keys().next().value as string);
    parsedPem.set(input, x509);
    return x509;
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'invalid-certificate' }, { cause });
  }
}

export function toPem(certificate: X509Certificate): string {
  return derToPem(certificate.raw);
}

/** True when the private (or public) key is the one certified. */
export function keyMatchesCertificate(key: KeyObject, certificate: X509Certificate): boolean {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const a = publicKey.export({ type: 'spki', format: 'der' });
  const b = certificate.publicKey.export({ type: 'spki', format: 'der' });
  return a.equals(b);
}

export function isSelfIssued(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate);
}

/**
 * The chain from `leaf` through the issuers found in `pool` (by name and signature), leaf first.
 * Stops at a self-issued certificate or when no issuer is known.
 */
export function orderChain(leaf: X509Certificate, pool: readonly X509Certificate[]): X509Certificate[] {
  const chain = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 8 && !isSelfIssued(current); depth++) {
    const issuer = pool.find(
      (candidate) => !chain.some((c) => c.raw.equals(candidate.raw)) && current.checkIssued(candidate) && current.verify(candidate.publicKey),
    );
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}

export function validAt(certificate: X509Certificate, atMs: number): boolean {
  return Date.parse(certificate.validFrom) <= atMs && atMs <= Date.parse(certificate.validTo);
}

// ---------------------------------------------------------------------------------------------
// What the certificate says

const ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '2.5.4.5': 'serialNumber',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export interface NameAttributeValue {
  /** Short name (C, O, OU, CN, SN, GN, title…) or the OID for other types. */
  type: string;
  oid: string;
  value: string;
}

/** A distinguished name as its RDNs, in order; each RDN has one or more attributes. */
export type ParsedName = NameAttributeValue[][];

export interface CertificateDescription {
  subject: ParsedName;
  issuer: ParsedName;
  /** First value of an attribute of the subject. */
  subjectValue(type: string): string | undefined;
  /** Every value of an attribute of the subject (OU often repeats). */
  subjectValues(type: string): string[];
  issuerCommonName: string | undefined;
  serialNumberHex: string;
  notBefore: string;
  notAfter: string;
  keyUsage: KeyUsageName[];
  extendedKeyUsage: string[];
  isCa: boolean;
  fingerprintSha256: string;
  /**
   * IGC-Santé private extensions, as found in a test CPS certificate (padoa/tlsi-ins,
   * src/ins/fixtures/assertionPsSecurity.fixture.ts) and the certificates of the official DMP
   * examples; their OIDs are the NOS code systems whose codes they carry.
   */
  igcSante: {
    /** 1.2.250.1.71.1.2.5, TRE_G01 CategorieProduit (0x80 test CPx card, 0x83 test software certificate). */
    productCategory: number | null;
    /** 1.2.250.1.71.1.2.2, TRE_G02 TypeProduit (0 CPS, 1 CPF, 2 CPE, 3 CPA). */
    productType: number | null;
    /** 1.2.250.1.71.1.2.3, card number "issuer id/serial". */
    cardNumber: string | null;
    /** 1.2.250.1.71.1.2.7, TRE_G15 ProfessionSante code (10 Médecin, 21 Pharmacien, 60 Infirmier…). */
    professionCode: string | null;
    /**
     * 1.2.250.1.71.4.2.5, TRE_R01 specialty (SM26…), a SEQUENCE of UTF8String: present in the
     * personal software certificate of the TD2.1 example, absent from CPS card certificates
     * (whose specialty is read from the card's CPS_INFO_PS object, dmp.md §1.2).
     */
    specialtyCode: string | null;
  };
}

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

// RFC 5280 §4.2.1.3, bit order.
const KEY_USAGE_BITS: KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
};

type Asn1 = forge.asn1.Asn1;
const { asn1 } = forge;

const children = (node: Asn1): Asn1[] => (Array.isArray(node.value) ? node.value : []);
const bytes = (node: Asn1): string => (typeof node.value === 'string' ? node.value : '');

function stringValue(node: Asn1): string {
  const raw = bytes(node);
  switch (node.type) {
    case asn1.Type.UTF8:
      return forge.util.decodeUtf8(raw);
    case asn1.Type.BMPSTRING: {
      let out = '';
      for (let i = 0; i + 1 < raw.length; i += 2) out += String.fromCharCode((raw.charCodeAt(i) << 8) | raw.charCodeAt(i + 1));
      return out;
    }
    default:
      return raw; // PrintableString, IA5String, TeletexString (read as Latin-1)
  }
}

function parseName(node: Asn1): ParsedName {
  return children(node).map((rdn) =>
    children(rdn).map((attribute) => {
      const [oidNode, valueNode] = children(attribute);
      const oid = oidNode ? asn1.derToOid(bytes(oidNode)) : '';
      return { type: ATTRIBUTE_NAMES[oid] ?? oid, oid, value: valueNode ? stringValue(valueNode) : '' };
    }),
  );
}

function derInteger(raw: string): number {
  let value = 0;
  for (let i = 0; i < raw.length; i++) value = value * 256 + raw.charCodeAt(i);
  return value;
}

/** Parses the subject, issuer and extensions of a certificate. */
export function describeCertificate(input: string | Buffer | X509Certificate): CertificateDescription {
  const certificate = parseCertificate(input);
  let tbs: Asn1[];
  try {
    const root = asn1.fromDer(certificate.raw.toString('binary'));
    tbs = children(children(root)[0] as Asn1);
  } catch (cause) {
    throw new AppError('CRYPTO_CERTIFICATE_UNREADABLE', { reason: 'invalid-certificate' }, { cause });
  }
  const offset = tbs[0]?.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const issuer = parseName(tbs[offset + 2] as Asn1);
  const subject = parseName(tbs[offset + 4] as Asn1);
  const extensionsNode = tbs.find((node) => node.tagClass === asn1.Class.CONTEXT_SPECIFIC && node.type === 3);
  const extensions = new Map<string, string>();
  for (const extension of extensionsNode ? children(children(extensionsNode)[0] as Asn1) : []) {
    const parts = children(extension);
    const oid = asn1.derToOid(bytes(parts[0] as Asn1));
    extensions.set(oid, bytes(parts[parts.length - 1] as Asn1));
  }
  const inner = (oid: string): Asn1 | null => {
    const der = extensions.get(oid);
    if (der === undefined) return null;
    try {
      return asn1.fromDer(der);
    } catch {
      return null;
    }
  };

  const keyUsage: KeyUsageName[] = [];
  const ku = inner('2.5.29.15');
  if (ku) {
    const raw = bytes(ku);
    for (let bit = 0; bit < KEY_USAGE_BITS.length; bit++) {
      const byte = raw.charCodeAt(1 + (bit >> 3));
      if (!Number.isNaN(byte) && (byte & (0x80 >> (bit & 7))) !== 0) keyUsage.push(KEY_USAGE_BITS[bit] as KeyUsageName);
    }
  }
  const eku = inner('2.5.29.37');
  const extendedKeyUsage = eku ? children(eku).map((n) => asn1.derToOid(bytes(n))).map((oid) => EKU_NAMES[oid] ?? oid) : [];
  const basic = inner('2.5.29.19');
  const isCa = basic !== null && children(basic).some((n) => n.type === asn1.Type.BOOLEAN && bytes(n) !== '\u0000');

  const category = inner('1.2.250.1.71.1.2.5');
  const productType = inner('1.2.250.1.71.1.2.2');
  const cardNumber = inner('1.2.250.1.71.1.2.3');
  const profession = inner('1.2.250.1.71.1.2.7');
  const specialty = inner('1.2.250.1.71.4.2.5');
  const specialtyValue = specialty ? children(specialty)[0] : undefined;

  const values = (type: string) => subject.flat().filter((a) => a.type === type).map((a) => a.value);
  return {
    subject,
    issuer,
    subjectValue: (type) => values(type)[0],
    subjectValues: values,
    issuerCommonName: issuer.flat().find((a) => a.type === 'CN')?.value,
    serialNumberHex: certificate.serialNumber.toLowerCase(),
    notBefore: new Date(certificate.validFrom).toISOString(),
    notAfter: new Date(certificate.validTo).toISOString(),
    keyUsage,
    extendedKeyUsage,
    isCa,
    fingerprintSha256: certificate.fingerprint256,
    igcSante: {
      productCategory: category && bytes(category).length > 0 ? bytes(category).charCodeAt(0) : null,
      productType: productType && productType.type === asn1.Type.INTEGER ? derInteger(bytes(productType)) : null,
      cardNumber: cardNumber ? stringValue(cardNumber) : null,
      professionCode: profession && profession.type === asn1.Type.INTEGER ? String(derInteger(bytes(profession))) : null,
      specialtyCode: specialtyValue ? stringValue(specialtyValue) : null,
    },
  };
}
