import { createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { buildCertificate, nameAttribute as a } from '../../../fixtures/sim/pki/x509';
import { isAppError } from '../../contract/errors';
import {
  describeCertificate,
  keyMatchesCertificate,
  orderChain,
  parseCertificate,
  splitCertificates,
  toPem,
  validAt,
} from './certificates';

let pki: DemoPki;

beforeAll(async () => {
  pki = await ensureSharedTestPki();
}, 120_000);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('certificate reading', () => {
  it('reads PEM, base64 DER and DER bytes alike', () => {
    const pem = pki.practitioner.signature.certificatePem;
    const der = parseCertificate(pem).raw;
    expect(parseCertificate(der.toString('base64')).raw.equals(der)).toBe(true);
    expect(parseCertificate(der).raw.equals(der)).toBe(true);
    expect(toPem(parseCertificate(der))).toBe(pem);
  });

  it('splits a PEM bundle and accepts a single DER certificate', () => {
    expect(splitCertificates(pki.caBundlePem.join('\r\n'))).toEqual(pki.caBundlePem);
    expect(splitCertificates(parseCertificate(pki.server.certificatePem).raw)).toEqual([pki.server.certificatePem]);
    expect(splitCertificates(Buffer.from(pki.server.chainPem.join('')))).toEqual(pki.server.chainPem);
  });

  it('reports what is not a certificate', () => {
    expect(codeOf(() => parseCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'))).toBe('CRYPTO_CERTIFICATE_UNREADABLE');
    expect(codeOf(() => splitCertificates('no pem here'))).toBe('CRYPTO_CERTIFICATE_UNREADABLE');
    expect(codeOf(() => describeCertificate(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])))).toBe('CRYPTO_CERTIFICATE_UNREADABLE');
  });

  it('matches a key with its certificate only', () => {
    const key = pki.structure.insiAuto.privateKeyPem;
    expect(keyMatchesCertificate(createPrivateKey(key), parseCertificate(pki.structure.insiAuto.certificatePem))).toBe(true);
    expect(keyMatchesCertificate(createPrivateKey(key), parseCertificate(pki.structure.insiManu.certificatePem))).toBe(false);
  });

  it('orders a chain leaf first whatever the order of the pool', () => {
    const [leaf, intermediate, root] = pki.practitioner.authentication.chainPem.map((pem) => new X509Certificate(pem));
    const unrelated = new X509Certificate(pki.organisationsCa.certificatePem);
    fc.assert(
      fc.property(fc.shuffledSubarray([intermediate!, root!, unrelated], { minLength: 3, maxLength: 3 }), (pool) => {
        expect(orderChain(leaf!, pool).map(toPem)).toEqual(pki.practitioner.authentication.chainPem);
      }),
    );
    expect(orderChain(leaf!, [root!]).map(toPem)).toEqual([pki.practitioner.authentication.certificatePem]);
  });

  it('checks validity at an instant', () => {
    const certificate = parseCertificate(pki.server.certificatePem);
    expect(validAt(certificate, Date.UTC(2026, 0, 15))).toBe(true);
    expect(validAt(certificate, Date.UTC(2024, 5, 1))).toBe(false);
    expect(validAt(certificate, Date.UTC(2036, 0, 1))).toBe(false);
  });
});

describe('describeCertificate', () => {
  it('reads subject names exactly, multi-valued RDNs and separators included (property)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
    fc.assert(
      fc.property(text, text, text, fc.stringMatching(/^[0-9]{12}$/), (givenName, surname, title, idNat) => {
        const built = buildCertificate({
          serialHex: '01',
          subject: [a('C', 'FR'), a('title', title), [a('GN', givenName), a('SN', surname), a('CN', idNat)]],
          publicKey,
          notBefore: new Date(Date.UTC(2025, 0, 1)),
          notAfter: new Date(Date.UTC(2030, 0, 1)),
          issuer: 'self',
          selfPrivateKey: privateKey,
          keyUsage: { nonRepudiation: true },
        });
        const d = describeCertificate(built.der);
        expect(d.subjectValue('GN')).toBe(givenName);
        expect(d.subjectValue('SN')).toBe(surname);
        expect(d.subjectValue('title')).toBe(title);
        expect(d.subjectValue('CN')).toBe(idNat);
        expect(d.subject[2]).toHaveLength(3);
        expect(d.keyUsage).toEqual(['nonRepudiation']);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the serial number, validity and fingerprint of the certificate', () => {
    const d = describeCertificate(pki.practitioner.signature.certificatePem);
    const x = new X509Certificate(pki.practitioner.signature.certificatePem);
    expect(d.serialNumberHex).toBe('1002');
    expect(d.notBefore).toBe('2025-01-01T00:00:00.000Z');
    expect(d.notAfter).toBe('2035-12-31T23:59:59.000Z');
    expect(d.fingerprintSha256).toBe(x.fingerprint256);
    expect(d.issuer.flat().map((attribute) => attribute.type)).toEqual(['C', 'O', 'OU', 'CN']);
  });
});
