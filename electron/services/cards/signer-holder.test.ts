import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, IGC_SANTE_EXTENSIONS, type DemoPki } from '../../../fixtures/sim/pki';
import { buildCertificate, derValue, nameAttribute as a } from '../../../fixtures/sim/pki/x509';
import type { Pkcs11TokenCertificates } from '../../../native/pkcs11';
import { AppError } from '../../contract';
import { certificateNamesHolder, holderTokenSelector } from './signer-holder';

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
}, 120_000);

const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const token = (slotId: string, label: string, pems: string[]): Pkcs11TokenCertificates => ({
  token: {
    slotId,
    label,
    manufacturer: 'test',
    model: 'test',
    serialNumber: `${slotId}-serial`,
    flags: { loginRequired: true, userPinInitialized: true, protectedAuthenticationPath: false, tokenInitialized: true, pinCountLow: false, pinFinalTry: false, pinLocked: false, pinToBeChanged: false },
    minPinLength: 4,
    maxPinLength: 8,
  },
  certificates: pems.map(der),
});
const practitioner = () => ({ idNat: pki.practitioner.holder.idNat, serial: pki.practitioner.holder.cardNumber.replace('/', '') });
const codeOf = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error instanceof AppError ? { code: error.code, details: error.details } : error;
  }
  return 'no error';
};

describe('choosing the card that signs', () => {
  it('reads the holder from the subject CN (IdNat) of a CPx certificate', () => {
    expect(certificateNamesHolder(pki.practitioner.signature.certificatePem, { idNat: '899700123450' })).toBe(true);
    expect(certificateNamesHolder(pki.secretary.signature.certificatePem, { idNat: '899700123450' })).toBe(false);
    expect(certificateNamesHolder('not a certificate', { idNat: '899700123450' })).toBe(false);
  });

  it('chooses the holder\'s token even when another professional\'s card comes first in slot order', () => {
    const tokens = [
      token('00', 'CPE-DEMO', [pki.secretary.authentication.certificatePem, pki.secretary.signature.certificatePem]),
      token('01', 'CPS-DEMO', [pki.practitioner.authentication.certificatePem, pki.practitioner.signature.certificatePem]),
    ];
    expect(holderTokenSelector(tokens, practitioner())).toEqual({ slotId: '01', label: 'CPS-DEMO', serialNumber: '01-serial' });
  });

  it('refuses, before any login, when no token holds the holder\'s certificate', () => {
    const tokens = [token('00', 'CPE-DEMO', [pki.secretary.signature.certificatePem]), token('01', 'VIDE', [])];
    expect(codeOf(() => holderTokenSelector(tokens, practitioner()))).toEqual({ code: 'CARD_SIGNER_MISMATCH', details: { reason: 'no-token-of-holder', tokens: 2 } });
  });

  it('tells two cards of the same holder apart by the card number (extension 1.2.250.1.71.1.2.3 = EF.SN.ICC serial)', () => {
    // Dr PUPITRE's former card, still in a reader: same IdNat, another card number.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const h = pki.practitioner.holder;
    const former = buildCertificate({
      serialHex: '01',
      subject: [a('C', 'FR'), a('title', h.title), [a('GN', h.givenName), a('SN', h.surname), a('CN', h.idNat)]],
      publicKey,
      notBefore: new Date(Date.UTC(2024, 0, 1)),
      notAfter: new Date(Date.UTC(2030, 0, 1)),
      issuer: 'self',
      selfPrivateKey: privateKey,
      keyUsage: { nonRepudiation: true },
      custom: [{ oid: IGC_SANTE_EXTENSIONS.cardNumber, value: derValue.printableString('8025000001/9990000001') }],
    });
    const tokens = [token('00', 'CPS-ANCIENNE', [former.pem]), token('01', 'CPS-DEMO', [pki.practitioner.signature.certificatePem])];
    expect(holderTokenSelector(tokens, practitioner())).toMatchObject({ slotId: '01' });
    expect(holderTokenSelector(tokens, { ...practitioner(), serial: '80250000019990000001' })).toMatchObject({ slotId: '00' });
  });

  it('refuses two cards of the same holder that the card number does not tell apart', () => {
    const other = { ...practitioner(), serial: '80250000019999999999' };
    const tokens = [token('00', 'CPS-A', [pki.practitioner.signature.certificatePem]), token('01', 'CPS-B', [pki.practitioner.signature.certificatePem])];
    expect(codeOf(() => holderTokenSelector(tokens, practitioner()))).toMatchObject({ code: 'CARD_SIGNER_MISMATCH', details: { reason: 'several-tokens-of-holder' } });
    expect(codeOf(() => holderTokenSelector(tokens, other))).toMatchObject({ code: 'CARD_SIGNER_MISMATCH', details: { reason: 'several-tokens-of-holder' } });
  });
});
