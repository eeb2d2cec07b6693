/**
 * Pkcs11Signer on SoftHSM2 tokens provisioned like a CPS and a CPE (hardware tier). The lock
 * scenario uses the card PIN policy of fixtures/sim/pki/softhsm.ts, since SoftHSM2 itself never
 * locks a PIN.
 */
import { verify, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import {
  cardPinPolicy,
  provisionDemoToken,
  resetCardPin,
  SOFTHSM2_MODULE,
  softhsmMissing,
  type ProvisionedToken,
} from '../../../fixtures/sim/pki/softhsm';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import { isAppError } from '../../contract/errors';
import { createManualClock } from '../clock';
import { parseXmlElement, signEnveloped, verifyEnvelopedSignature } from '../xml';
import { describeCertificate, PemSigner, Pkcs11Signer, verifySignature, type Pkcs11SignerOptions } from './index';

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

const data = new TextEncoder().encode('<ds:SignedInfo>assertion PS</ds:SignedInfo>');

describeWithPrerequisites('hardware', softhsmMissing, 'Pkcs11Signer on SoftHSM2', () => {
  let pki: DemoPki;
  let cps: ProvisionedToken;
  const open: Pkcs11Signer[] = [];
  const scratch: string[] = [];
  const temporary = async (prefix: string) => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };

  const signer = (options: Partial<Pkcs11SignerOptions> & Pick<Pkcs11SignerOptions, 'key'>): Pkcs11Signer => {
    const created = Pkcs11Signer.open({ modulePath: SOFTHSM2_MODULE, token: { label: 'CPS-DEMO' }, pin: cps.userPin, ...options });
    open.push(created);
    return created;
  };

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    const dir = await temporary('pupitre-softhsm-');
    cps = await provisionDemoToken({ pki, dir });
    await provisionDemoToken({ pki, dir, holder: 'secretary' });
    await provisionDemoToken({ pki, dir, label: 'CPS-LOCK' });
    process.env.SOFTHSM2_CONF = cps.confPath;
  }, 120_000);

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('signs with the signature key (CKA_ID …10) and gives its chain from the card', async () => {
    const s = signer({ key: 'signature' });
    const signature = await s.sign(data);
    expect(verifySignature(pki.practitioner.signature.certificatePem, data, signature)).toBe(true);
    expect(await s.certificateChain()).toEqual(pki.practitioner.signature.chainPem);
    expect(await s.keyInfo()).toEqual({ id: '0110', label: 'CPS_PRIV_SIG', modulusBits: 2048, tokenLabel: 'CPS-DEMO', tokenSerialNumber: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });

  it('signs with the authentication key (CKA_ID …20) when asked, never with the signature key', async () => {
    const s = signer({ key: 'authentication' });
    const signature = await s.sign(data);
    const [leaf] = await s.certificateChain();
    expect(leaf).toBe(pki.practitioner.authentication.certificatePem);
    expect(verifySignature(pki.practitioner.authentication.certificatePem, data, signature)).toBe(true);
    expect(verifySignature(pki.practitioner.signature.certificatePem, data, signature)).toBe(false);
  });

  it('finds a key by its label, and its certificate by the shared CKA_ID', async () => {
    const s = signer({ key: { label: 'CPS_PRIV_AUT' } });
    expect((await s.certificateChain())[0]).toBe(pki.practitioner.authentication.certificatePem);
  });

  it('produces the same bytes as the same key in a PEM file, whichever mechanism the module uses', async () => {
    const pem = PemSigner.fromPem({ privateKey: pki.practitioner.signature.privateKeyPem, certificate: pki.practitioner.signature.certificatePem });
    const expected = Buffer.from(await pem.sign(data));
    expect(Buffer.from(await signer({ key: 'signature' }).sign(data)).equals(expected)).toBe(true);
    expect(Buffer.from(await signer({ key: 'signature', mechanism: 'CKM_RSA_PKCS' }).sign(data)).equals(expected)).toBe(true);
  });

  it('signs an XML assertion that verifies against the demo root', async () => {
    const assertion = parseXmlElement(
      '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_pupitre1" Version="2.0" IssueInstant="2026-01-15T09:00:00Z">' +
        '<saml2:Issuer>issuer</saml2:Issuer><saml2:Subject><saml2:NameID>899700123450</saml2:NameID></saml2:Subject></saml2:Assertion>',
    );
    const issuer = assertion.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer').item(0);
    if (issuer === null) throw new Error('no Issuer');
    await signEnveloped(assertion, { signer: signer({ key: 'signature' }), placement: { after: issuer } });
    const verified = verifyEnvelopedSignature(assertion, {
      trust: { kind: 'anchors', anchors: [pki.rootCa.certificatePem], intermediates: [pki.personnesCa.certificatePem], at: Date.UTC(2026, 0, 15) },
    });
    expect(describeCertificate(verified.certificate).subjectValue('CN')).toBe(pki.practitioner.holder.idNat);
  });

  it('refuses a wrong fixed PIN, then does not try it again', async () => {
    const policyFile = join(await temporary('pupitre-pin-'), 'pin.json');
    const s = signer({ key: 'signature', pin: '0000', wrap: cardPinPolicy(policyFile) });
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_INCORRECT');
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_REQUIRED');
    // Only one try was used: the policy counted one wrong PIN (3 → 2).
    expect(Object.values(JSON.parse(readFileSync(policyFile, 'utf8')) as Record<string, number>)).toEqual([2]);
    const probe = signer({ key: 'signature', wrap: cardPinPolicy(policyFile) });
    await expect(probe.sign(data)).resolves.toHaveLength(256);
  });

  it('asks the PIN when the first signature needs it, and again after a wrong one', async () => {
    const typed = ['9999', cps.userPin];
    let asked = 0;
    const s = signer({
      key: 'signature',
      pin: async () => {
        asked += 1;
        return typed.shift() ?? 'none';
      },
    });
    expect(asked).toBe(0);
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_INCORRECT');
    await expect(s.sign(data)).resolves.toHaveLength(256);
    await s.sign(data);
    expect(asked).toBe(2);
  });

  it('reports a cancelled PIN entry', async () => {
    const s = signer({ key: 'signature', pin: () => Promise.reject(new Error('annulé')) });
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_REQUIRED');
  });

  it('locks the card after three wrong PINs, like a CPS, until the PIN is unblocked', async () => {
    const policyFile = join(await temporary('pupitre-pin-'), 'pin.json');
    let typed = '0000';
    const s = signer({ key: 'signature', token: { label: 'CPS-LOCK' }, pin: async () => typed, wrap: cardPinPolicy(policyFile) });
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_INCORRECT');
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_FINAL_TRY');
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_LOCKED');
    typed = cps.userPin;
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_PIN_LOCKED');
    // The other card is not affected.
    await expect(signer({ key: 'signature', wrap: cardPinPolicy(policyFile) }).sign(data)).resolves.toHaveLength(256);
    resetCardPin(policyFile);
    await expect(s.sign(data)).resolves.toHaveLength(256);
  });

  it('signs with the secretary CPE, whose certificate says CPE', async () => {
    const s = signer({ key: 'signature', token: { label: 'CPE-DEMO' } });
    const signature = await s.sign(data);
    const [leaf] = await s.certificateChain();
    expect(verify('sha256', data, new X509Certificate(leaf!).publicKey, signature)).toBe(true);
    expect(describeCertificate(leaf!).igcSante.productType).toBe(2);
    expect(describeCertificate(leaf!).subjectValue('CN')).toBe(pki.secretary.holder.idNat);
  });

  it('refuses to sign with an expired certificate without asking for the PIN', async () => {
    let asked = 0;
    const s = signer({
      key: 'signature',
      clock: createManualClock(Date.UTC(2036, 5, 1)),
      pin: async () => {
        asked += 1;
        return cps.userPin;
      },
    });
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_CERTIFICATE_EXPIRED');
    expect(asked).toBe(0);
  });

  it('reports an absent card, a missing key and a closed signer', async () => {
    await expect(codeOf(() => signer({ key: 'signature', token: { label: 'CPS-RETIREE' } }).sign(data))).resolves.toBe('CRYPTO_TOKEN_ABSENT');
    await expect(codeOf(() => signer({ key: { id: 'ffff' } }).sign(data))).resolves.toBe('CRYPTO_KEY_NOT_FOUND');
    await expect(codeOf(() => signer({ key: { id: 'ffff' } }).certificateChain())).resolves.toBe('CRYPTO_CERTIFICATE_NOT_FOUND');
    const s = signer({ key: 'signature' });
    await s.sign(data);
    await s.close();
    await expect(codeOf(() => s.sign(data))).resolves.toBe('CRYPTO_SESSION_LOST');
    await expect(codeOf(() => Pkcs11Signer.open({ modulePath: '/usr/lib/absent/libcps3_pkcs11.so', key: 'signature', pin: '1234' }))).resolves.toBe(
      'CRYPTO_MODULE_NOT_FOUND',
    );
  });
});
