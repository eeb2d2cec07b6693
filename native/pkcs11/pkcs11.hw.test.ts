/**
 * native/pkcs11 against a real PKCS#11 module: SoftHSM2 tokens provisioned like a CPS and a CPE
 * by scripts/softhsm-provision.sh (ARCHITECTURE.md §8, hardware tier).
 */
import { createHash, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../fixtures/sim/pki';
import { provisionDemoToken, SOFTHSM2_MODULE, softhsmMissing, type ProvisionedToken } from '../../fixtures/sim/pki/softhsm';
import { describeWithPrerequisites } from '../../fixtures/testing/tier';
import { isAppError } from '../../electron/contract/errors';
import { CKA, CKF, CKM, CKO, CKR, CKU } from './constants';
import { Pkcs11Module } from './module';

const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

describeWithPrerequisites('hardware', softhsmMissing, 'PKCS#11 on SoftHSM2', () => {
  let pki: DemoPki;
  let cps: ProvisionedToken;
  let module: Pkcs11Module;
  let dir: string;

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    dir = await mkdtemp(join(tmpdir(), 'pupitre-softhsm-'));
    cps = await provisionDemoToken({ pki, dir });
    await provisionDemoToken({ pki, dir, holder: 'secretary' });
    // SoftHSM2 reads its configuration when the module is initialised.
    process.env.SOFTHSM2_CONF = cps.confPath;
    module = Pkcs11Module.open({ path: SOFTHSM2_MODULE });
  }, 120_000);

  afterAll(async () => {
    module?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the constants of the PKCS#11 header, as pkcs11js exports them', () => {
    const native = createRequire(import.meta.url)('pkcs11js') as Record<string, number>;
    for (const [prefix, table] of Object.entries({ CKR, CKA, CKO, CKM, CKU, CKF })) {
      for (const [name, value] of Object.entries(table)) {
        if (native[`${prefix}_${name}`] !== undefined) expect(value, `${prefix}_${name}`).toBe(native[`${prefix}_${name}`]);
      }
    }
  });

  it('lists the CPS and CPE tokens with their PIN requirements', () => {
    expect(module.info().manufacturer).toBe('SoftHSM');
    const tokens = module.tokens().filter((t) => t.flags.tokenInitialized);
    expect(tokens.map((t) => t.label).sort()).toEqual(['CPE-DEMO', 'CPS-DEMO']);
    for (const token of tokens) {
      expect(token.flags).toMatchObject({ loginRequired: true, userPinInitialized: true, pinLocked: false });
      expect(token.serialNumber).toMatch(/^[0-9a-f]{16}$/);
    }
    // SoftHSM2 always keeps one free slot for a new token.
    expect(module.slots().some((slot) => slot.token !== null && !slot.token.flags.tokenInitialized)).toBe(true);
  });

  it('reads the card certificates without the PIN, and the keys only after login', () => {
    const session = module.openSession({ label: 'CPS-DEMO' });
    try {
      const certificates = session.findCertificates();
      expect(certificates).toHaveLength(4);
      const auth = session.findCertificates({ idSuffix: '20' });
      const sign = session.findCertificates({ idSuffix: '10' });
      expect(auth.map((c) => c.label)).toEqual(["Certificat d'Authentification CPS"]);
      expect(sign.map((c) => c.label)).toEqual(['Certificat de Signature CPS']);
      expect(new X509Certificate(auth[0]!.der).raw.equals(new X509Certificate(pki.practitioner.authentication.certificatePem).raw)).toBe(true);
      expect(new X509Certificate(sign[0]!.der).raw.equals(new X509Certificate(pki.practitioner.signature.certificatePem).raw)).toBe(true);

      expect(session.findPrivateKeys()).toEqual([]);
      expect(session.isLoggedIn()).toBe(false);
      session.login(cps.userPin);
      expect(session.isLoggedIn()).toBe(true);
      const keys = session.findPrivateKeys().map((k) => ({ id: k.id, label: k.label, keyType: k.keyType, bits: k.modulusBits }));
      expect(keys.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
        { id: '0110', label: 'CPS_PRIV_SIG', keyType: 'RSA', bits: 2048 },
        { id: '0120', label: 'CPS_PRIV_AUT', keyType: 'RSA', bits: 2048 },
      ]);
    } finally {
      session.logout();
      session.close();
    }
  });

  it('signs SHA-256 RSA PKCS#1 v1.5, in the module or from a DigestInfo, with the same result', async () => {
    const session = module.openSession({ label: 'CPS-DEMO' });
    try {
      session.login(cps.userPin);
      expect(session.mechanisms().has(CKM.SHA256_RSA_PKCS)).toBe(true);
      const [key] = session.findPrivateKeys({ idSuffix: '10' });
      const data = Buffer.from('<ds:SignedInfo>VIHF</ds:SignedInfo>');
      const combined = await session.sign(key!, data, 'CKM_SHA256_RSA_PKCS');
      const raw = await session.sign(key!, Buffer.concat([SHA256_DIGEST_INFO, createHash('sha256').update(data).digest()]), 'CKM_RSA_PKCS');
      expect(combined.equals(raw)).toBe(true);
      const certificate = new X509Certificate(pki.practitioner.signature.certificatePem);
      expect(verify('sha256', data, certificate.publicKey, combined)).toBe(true);
      expect(verify('sha256', data, new X509Certificate(pki.practitioner.authentication.certificatePem).publicKey, combined)).toBe(false);
    } finally {
      session.logout();
      session.close();
    }
  });

  it('reports a wrong PIN with its code, and the token flag that tries are running low', async () => {
    const session = module.openSession({ label: 'CPE-DEMO' });
    try {
      let caught: unknown;
      try {
        session.login('0000');
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught) && caught.code).toBe('CRYPTO_PIN_INCORRECT');
      expect(isAppError(caught) && caught.details).toEqual({ operation: 'C_Login', ckr: 'CKR_PIN_INCORRECT', pinCountLow: true });
      session.login('1234');
      expect(session.tokenInfo().flags.pinCountLow).toBe(false);
    } finally {
      session.logout();
      session.close();
    }
  });

  it('lists each token\'s certificates without any login, and opens a session on one slot', () => {
    const listed = module.tokenCertificates();
    expect(listed.map((t) => t.token.label).sort()).toEqual(['CPE-DEMO', 'CPS-DEMO']);
    const secretaryCn = (der: Buffer) => new X509Certificate(der).subject.includes(`CN=${pki.secretary.holder.idNat}`);
    const cpe = listed.find((t) => t.certificates.some(secretaryCn));
    expect(cpe?.token.label).toBe('CPE-DEMO');
    expect(cpe?.certificates).toHaveLength(4);
    // No C_Login happened: no token shows a failed or pending login.
    for (const token of module.tokens().filter((t) => t.flags.tokenInitialized)) expect(token.flags.pinCountLow).toBe(false);
    const session = module.openSession({ slotId: cpe!.token.slotId });
    try {
      expect(session.token.label).toBe('CPE-DEMO');
      expect(session.isLoggedIn()).toBe(false);
    } finally {
      session.close();
    }
  });

  it('reports a token that is not there', async () => {
    await expect(codeOf(() => module.openSession({ label: 'CPS-ABSENTE' }))).resolves.toBe('CRYPTO_TOKEN_ABSENT');
    await expect(codeOf(() => module.findToken({ serialNumber: '0000000000000000' }))).resolves.toBe('CRYPTO_TOKEN_ABSENT');
    const cps = module.findToken({ label: 'CPS-DEMO' });
    // A slot that holds another card than the one named is not that card.
    await expect(codeOf(() => module.findToken({ slotId: cps.slotId, label: 'CPE-DEMO' }))).resolves.toBe('CRYPTO_TOKEN_ABSENT');
  });

  it('shares one initialised library between users of the same module', () => {
    const second = Pkcs11Module.open({ path: SOFTHSM2_MODULE });
    second.close();
    // Closing the second user must not finalise the library under the first one.
    const session = module.openSession({ label: 'CPS-DEMO' });
    expect(session.findCertificates({ idSuffix: '20' })).toHaveLength(1);
    session.close();
  });
});
