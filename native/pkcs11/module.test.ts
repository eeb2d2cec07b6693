import { generateKeyPairSync, sign as nodeSign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionInfo, Template, TokenInfo } from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../electron/contract/errors';
import { CKA, CKF, CKK, CKM, CKO, CKR } from './constants';
import { Pkcs11CallError } from './errors';
import { installedPkcs11Modules, knownPkcs11Modules } from './index';
import { Pkcs11Module, Pkcs11Session, type Pkcs11Api, type Pkcs11TokenInfo } from './module';

interface FakeObject {
  handle: Buffer;
  attributes: Map<number, Buffer>;
  isPrivate: boolean;
}

const ulong = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};

/** An in-memory token: enough of PKCS#11 to exercise the session logic without a module. */
function fakeToken(options: { tries?: number; signDelayMs?: number } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const modulus = Buffer.from(publicKey.export({ format: 'jwk' }).n as string, 'base64url');
  const state = { loggedIn: false, tries: options.tries ?? 3, maxTries: options.tries ?? 3, removed: false, concurrent: 0, maxConcurrent: 0, signed: [] as string[] };
  let nextHandle = 1;
  const object = (isPrivate: boolean, attributes: [number, Buffer][]): FakeObject => ({
    handle: ulong(nextHandle++),
    attributes: new Map(attributes),
    isPrivate,
  });
  const objects: FakeObject[] = [
    object(true, [
      [CKA.CLASS, ulong(CKO.PRIVATE_KEY)],
      [CKA.ID, Buffer.from('0120', 'hex')],
      [CKA.LABEL, Buffer.from('CPS_PRIV_AUT')],
      [CKA.KEY_TYPE, ulong(CKK.RSA)],
      [CKA.MODULUS, modulus],
      [CKA.SIGN, Buffer.from([1])],
    ]),
    object(true, [
      [CKA.CLASS, ulong(CKO.PRIVATE_KEY)],
      [CKA.ID, Buffer.from('0110', 'hex')],
      [CKA.LABEL, Buffer.from('CPS_PRIV_SIG')],
      [CKA.KEY_TYPE, ulong(CKK.RSA)],
      [CKA.MODULUS, modulus],
    ]),
    object(false, [
      [CKA.CLASS, ulong(CKO.CERTIFICATE)],
      [CKA.CERTIFICATE_TYPE, ulong(0)],
      [CKA.ID, Buffer.from('0110', 'hex')],
      [CKA.VALUE, Buffer.from('3003020101', 'hex')],
    ]),
  ];
  let found: Buffer[] = [];
  const flags = () => {
    let f = CKF.LOGIN_REQUIRED | CKF.TOKEN_INITIALIZED | CKF.USER_PIN_INITIALIZED;
    if (state.tries < state.maxTries) f |= CKF.USER_PIN_COUNT_LOW;
    if (state.tries === 1) f |= CKF.USER_PIN_FINAL_TRY;
    if (state.tries === 0) f |= CKF.USER_PIN_LOCKED;
    return f;
  };
  const guard = (method: string) => {
    if (state.removed) throw new Pkcs11CallError(CKR.DEVICE_REMOVED, method);
  };
  const matches = (o: FakeObject, template: Template) =>
    template.every(({ type, value }) => {
      const have = o.attributes.get(type);
      if (have === undefined) return false;
      const want = typeof value === 'number' ? ulong(value) : Buffer.isBuffer(value) ? value : Buffer.from(String(value));
      return have.equals(want);
    });

  const api = {
    C_GetTokenInfo: () => ({ label: 'FAKE-CPS'.padEnd(32), serialNumber: '0001'.padEnd(16), manufacturerID: 'fake', model: 'fake', flags: flags(), minPinLen: 4, maxPinLen: 8 }) as unknown as TokenInfo,
    C_GetSessionInfo: () => ({ slotID: ulong(0), state: state.loggedIn ? 1 : 0, flags: CKF.SERIAL_SESSION, deviceError: 0 }) as SessionInfo,
    C_Login: (_session: Buffer, _userType: number, pin?: string) => {
      guard('C_Login');
      if (state.loggedIn) throw new Pkcs11CallError(CKR.USER_ALREADY_LOGGED_IN, 'C_Login');
      if (state.tries === 0) throw new Pkcs11CallError(CKR.PIN_LOCKED, 'C_Login');
      if (pin !== '1234') {
        state.tries -= 1;
        throw new Pkcs11CallError(CKR.PIN_INCORRECT, 'C_Login');
      }
      state.tries = state.maxTries;
      state.loggedIn = true;
    },
    C_Logout: () => {
      state.loggedIn = false;
    },
    C_GetMechanismList: () => [CKM.RSA_PKCS, CKM.SHA256_RSA_PKCS],
    C_FindObjectsInit: (_session: Buffer, template: Template) => {
      guard('C_FindObjectsInit');
      found = objects.filter((o) => (!o.isPrivate || state.loggedIn) && matches(o, template)).map((o) => o.handle);
    },
    C_FindObjects: (_session: Buffer, max = 1) => found.splice(0, max),
    C_FindObjectsFinal: () => {
      found = [];
    },
    C_GetAttributeValue: (_session: Buffer, handle: Buffer, template: Template) =>
      template.map(({ type }) => {
        const value = objects.find((o) => o.handle.equals(handle))?.attributes.get(type);
        if (value === undefined) throw new Pkcs11CallError(CKR.ATTRIBUTE_TYPE_INVALID, 'C_GetAttributeValue');
        return { type, value };
      }),
    C_SignInit: (_session: Buffer, mechanism: { mechanism: number }) => {
      guard('C_SignInit');
      if (mechanism.mechanism !== CKM.SHA256_RSA_PKCS) throw new Pkcs11CallError(CKR.MECHANISM_INVALID, 'C_SignInit');
    },
    C_SignAsync: async (_session: Buffer, data: Buffer) => {
      state.concurrent += 1;
      state.maxConcurrent = Math.max(state.maxConcurrent, state.concurrent);
      await new Promise((r) => setTimeout(r, options.signDelayMs ?? 0));
      state.concurrent -= 1;
      guard('C_Sign');
      state.signed.push(data.toString());
      return nodeSign('sha256', data, privateKey);
    },
    C_CloseSession: () => undefined,
  } as unknown as Pkcs11Api;

  const token: Pkcs11TokenInfo = {
    slotId: '00',
    label: 'FAKE-CPS',
    manufacturer: 'fake',
    model: 'fake',
    serialNumber: '0001',
    flags: {
      loginRequired: true,
      userPinInitialized: true,
      protectedAuthenticationPath: false,
      tokenInitialized: true,
      pinCountLow: false,
      pinFinalTry: false,
      pinLocked: false,
      pinToBeChanged: false,
    },
    minPinLength: 4,
    maxPinLength: 8,
  };
  const session = new Pkcs11Session(api, ulong(0), ulong(99), token);
  return { session, state, publicKey };
}

async function codeOf(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('Pkcs11Session', () => {
  it('reports a wrong PIN, then the final try, then the locked card, from the token flags', async () => {
    const { session, state } = fakeToken();
    await expect(codeOf(() => session.login('0000'))).resolves.toBe('CRYPTO_PIN_INCORRECT');
    await expect(codeOf(() => session.login('0000'))).resolves.toBe('CRYPTO_PIN_FINAL_TRY');
    await expect(codeOf(() => session.login('0000'))).resolves.toBe('CRYPTO_PIN_LOCKED');
    await expect(codeOf(() => session.login('1234'))).resolves.toBe('CRYPTO_PIN_LOCKED');
    expect(state.loggedIn).toBe(false);
  });

  it('says how many tries are low in the details, never the PIN', () => {
    const { session } = fakeToken();
    try {
      session.login('9876');
      expect.unreachable();
    } catch (error) {
      expect(isAppError(error) && error.details).toEqual({ operation: 'C_Login', ckr: 'CKR_PIN_INCORRECT', pinCountLow: true });
      expect(JSON.stringify(isAppError(error) && error.toWire())).not.toContain('9876');
    }
  });

  it('accepts a login when the user is already logged in', () => {
    const { session } = fakeToken();
    session.login('1234');
    expect(() => session.login('1234')).not.toThrow();
    expect(session.isLoggedIn()).toBe(true);
  });

  it('finds private keys only after login, and selects them by CKA_ID suffix, exact id or label', () => {
    const { session } = fakeToken();
    expect(session.findPrivateKeys()).toEqual([]);
    session.login('1234');
    expect(session.findPrivateKeys().map((k) => k.id).sort()).toEqual(['0110', '0120']);
    expect(session.findPrivateKeys({ idSuffix: '20' }).map((k) => k.label)).toEqual(['CPS_PRIV_AUT']);
    expect(session.findPrivateKeys({ id: '0110' }).map((k) => k.label)).toEqual(['CPS_PRIV_SIG']);
    expect(session.findPrivateKeys({ label: 'CPS_PRIV_SIG' }).map((k) => k.id)).toEqual(['0110']);
    const [auth] = session.findPrivateKeys({ idSuffix: '20' });
    expect(auth).toMatchObject({ keyType: 'RSA', modulusBits: 1024, canSign: true });
    // CKA_SIGN absent on the signature key of the fake: treated as allowed.
    expect(session.findPrivateKeys({ idSuffix: '10' })[0]?.canSign).toBe(true);
  });

  it('reads certificates without login, tolerating absent labels', () => {
    const { session } = fakeToken();
    expect(session.findCertificates()).toEqual([expect.objectContaining({ id: '0110', label: '', der: Buffer.from('3003020101', 'hex') })]);
    expect(session.findCertificates({ idSuffix: '20' })).toEqual([]);
  });

  it('serialises signatures on one session and returns verifiable RSA signatures', async () => {
    const { session, state, publicKey } = fakeToken({ signDelayMs: 5 });
    session.login('1234');
    const [key] = session.findPrivateKeys({ idSuffix: '10' });
    const inputs = ['a', 'b', 'c', 'd', 'e'];
    const signatures = await Promise.all(inputs.map((text) => session.sign(key!, Buffer.from(text))));
    expect(state.maxConcurrent).toBe(1);
    expect(state.signed).toEqual(inputs);
    signatures.forEach((signature, i) => expect(verify('sha256', Buffer.from(inputs[i]!), publicKey, signature)).toBe(true));
  });

  it('keeps the queue going after a failed signature, and maps the failure', async () => {
    const { session } = fakeToken();
    session.login('1234');
    const [key] = session.findPrivateKeys({ idSuffix: '10' });
    await expect(codeOf(() => session.sign(key!, Buffer.from('x'), 'CKM_RSA_PKCS'))).resolves.toBe('CRYPTO_KEY_UNSUPPORTED');
    await expect(session.sign(key!, Buffer.from('y'))).resolves.toBeInstanceOf(Buffer);
  });

  it('reports a card removed during a signature as a lost session', async () => {
    const { session, state } = fakeToken({ signDelayMs: 5 });
    session.login('1234');
    const [key] = session.findPrivateKeys({ idSuffix: '10' });
    const pending = session.sign(key!, Buffer.from('x'));
    state.removed = true;
    await expect(codeOf(() => pending)).resolves.toBe('CRYPTO_SESSION_LOST');
    await expect(codeOf(() => session.findCertificates())).resolves.toBe('CRYPTO_SESSION_LOST');
  });

  it('refuses calls on a closed session', async () => {
    const { session } = fakeToken();
    session.close();
    await expect(codeOf(() => session.findCertificates())).resolves.toBe('CRYPTO_SESSION_LOST');
    await expect(codeOf(() => session.login('1234'))).resolves.toBe('CRYPTO_SESSION_LOST');
  });
});

describe('Pkcs11Module.open', () => {
  it('reports a missing module as CRYPTO_MODULE_NOT_FOUND', async () => {
    await expect(codeOf(() => Pkcs11Module.open({ path: '/nonexistent/libcps3_pkcs11.so' }))).resolves.toBe('CRYPTO_MODULE_NOT_FOUND');
  });

  it('reports a file that is not a PKCS#11 library as CRYPTO_MODULE_INVALID', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-p11-'));
    const path = join(dir, 'not-a-library.so');
    writeFileSync(path, 'this is not an ELF file');
    await expect(codeOf(() => Pkcs11Module.open({ path }))).resolves.toBe('CRYPTO_MODULE_INVALID');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('known PKCS#11 modules', () => {
  it('lists the ANS Cryptolib CPS before OpenSC and SoftHSM2 on Linux', () => {
    const kinds = knownPkcs11Modules('linux').map((m) => m.kind);
    expect(kinds.indexOf('cryptolib-cps')).toBeLessThan(kinds.indexOf('opensc'));
    expect(kinds.at(-1)).toBe('softhsm2');
    expect(knownPkcs11Modules('win32').every((m) => m.path.endsWith('.dll'))).toBe(true);
    expect(knownPkcs11Modules('aix')).toEqual([]);
  });

  it('keeps only the modules present', () => {
    const present = new Set(['/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so']);
    expect(installedPkcs11Modules('linux', (p) => present.has(p))).toEqual([{ kind: 'opensc', path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' }]);
  });
});
