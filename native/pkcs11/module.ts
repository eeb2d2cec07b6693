/**
 * PKCS#11 token, key and certificate access over `pkcs11js` (ARCHITECTURE.md §2: only native/
 * loads the addon). One loaded library per module path, shared and reference-counted, because a
 * Cryptoki library is initialised once per process (C_Initialize a second time returns
 * CKR_CRYPTOKI_ALREADY_INITIALIZED and C_Finalize would end every other user's sessions).
 *
 * Production modules: ANS Cryptolib CPS (`libcps3_pkcs11.so`, …) or OpenSC (`opensc-pkcs11.so`);
 * SoftHSM2 (`/usr/lib/softhsm/libsofthsm2.so`) in tests and demo (cards.md §1.6).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { ModuleInfo, PKCS11, SlotInfo, Template, TokenInfo } from 'pkcs11js';
import { AppError } from '../../electron/contract/errors';
import { CKA, CKC, CKF, CKK, CKM, CKO, CKR, CKS, CKU } from './constants';
import { ckrOf, toCryptoError } from './errors';

const require = createRequire(import.meta.url);

/** The calls this adapter makes: wrappers (a PIN policy, a fault injector) implement the same. */
export type Pkcs11Api = Pick<
  PKCS11,
  | 'C_GetInfo'
  | 'C_GetSlotList'
  | 'C_GetSlotInfo'
  | 'C_GetTokenInfo'
  | 'C_GetMechanismList'
  | 'C_OpenSession'
  | 'C_CloseSession'
  | 'C_GetSessionInfo'
  | 'C_Login'
  | 'C_Logout'
  | 'C_FindObjectsInit'
  | 'C_FindObjects'
  | 'C_FindObjectsFinal'
  | 'C_GetAttributeValue'
  | 'C_SignInit'
  | 'C_SignAsync'
>;

interface LoadedLibrary {
  api: PKCS11;
  references: number;
}

const libraries = new Map<string, LoadedLibrary>();

function acquireLibrary(path: string): PKCS11 {
  const key = resolve(path);
  const loaded = libraries.get(key);
  if (loaded) {
    loaded.references += 1;
    return loaded.api;
  }
  if (!existsSync(key)) throw new AppError('CRYPTO_MODULE_NOT_FOUND', { modulePath: key });
  const { PKCS11: Pkcs11Class } = require('pkcs11js') as { PKCS11: new () => PKCS11 };
  const api = new Pkcs11Class();
  try {
    api.load(key);
  } catch (cause) {
    throw new AppError('CRYPTO_MODULE_INVALID', { modulePath: key }, { cause });
  }
  try {
    api.C_Initialize();
  } catch (cause) {
    if (ckrOf(cause) !== CKR.CRYPTOKI_ALREADY_INITIALIZED) {
      try {
        api.close();
      } catch {
        // The library failed to initialise; unloading is best effort.
      }
      throw toCryptoError(cause, 'C_Initialize', 'CRYPTO_MODULE_INVALID');
    }
  }
  libraries.set(key, { api, references: 1 });
  return api;
}

function releaseLibrary(path: string): void {
  const key = resolve(path);
  const loaded = libraries.get(key);
  if (!loaded) return;
  loaded.references -= 1;
  if (loaded.references > 0) return;
  libraries.delete(key);
  try {
    loaded.api.C_Finalize();
  } finally {
    loaded.api.close();
  }
}

export interface Pkcs11ModuleInfo {
  manufacturer: string;
  description: string;
  cryptokiVersion: string;
  libraryVersion: string;
}

export interface Pkcs11TokenFlags {
  loginRequired: boolean;
  userPinInitialized: boolean;
  protectedAuthenticationPath: boolean;
  tokenInitialized: boolean;
  pinCountLow: boolean;
  pinFinalTry: boolean;
  pinLocked: boolean;
  pinToBeChanged: boolean;
}

export interface Pkcs11TokenInfo {
  /** Slot identifier, hexadecimal (as pkcs11js gives it, a native-endian CK_SLOT_ID). */
  slotId: string;
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  flags: Pkcs11TokenFlags;
  minPinLength: number;
  maxPinLength: number;
}

export interface Pkcs11SlotInfo {
  slotId: string;
  description: string;
  manufacturer: string;
  tokenPresent: boolean;
  removable: boolean;
  hardware: boolean;
  token: Pkcs11TokenInfo | null;
}

/** Which objects to find: by exact CKA_ID (hex), by the end of CKA_ID (hex), by CKA_LABEL. */
export interface Pkcs11ObjectSelector {
  id?: string;
  idSuffix?: string;
  label?: string;
}

export interface Pkcs11KeyObject {
  handle: Buffer;
  /** CKA_ID, lower-case hexadecimal. */
  id: string;
  label: string;
  keyType: 'RSA' | 'other';
  modulusBits: number | null;
  canSign: boolean;
}

export interface Pkcs11CertificateObject {
  handle: Buffer;
  id: string;
  label: string;
  der: Buffer;
}

export type Pkcs11SignMechanism = 'CKM_SHA256_RSA_PKCS' | 'CKM_RSA_PKCS';

export interface Pkcs11TokenSelector {
  label?: string;
  serialNumber?: string;
  /** One slot, as `Pkcs11TokenInfo.slotId` gives it (several cards may share a label). */
  slotId?: string;
}

/** A token and the X.509 certificates it shows without login. */
export interface Pkcs11TokenCertificates {
  token: Pkcs11TokenInfo;
  certificates: Buffer[];
}

export interface OpenPkcs11ModuleOptions {
  /** Absolute path of the PKCS#11 library. */
  path: string;
  /** Wraps the library calls (demo PIN policy, fault injection in tests). */
  wrap?: (api: Pkcs11Api) => Pkcs11Api;
}

// CK_UTF8CHAR fields are padded with blanks (PKCS#11 v2.40 §3.2); some modules pad with NULs.
const trimmed = (value: string): string => value.replaceAll('\u0000', ' ').trimEnd();
const version = (v: { major: number; minor: number }): string => `${v.major}.${v.minor}`;
const hex = (buffer: Buffer): string => buffer.toString('hex');

function tokenFlags(flags: number): Pkcs11TokenFlags {
  return {
    loginRequired: (flags & CKF.LOGIN_REQUIRED) !== 0,
    userPinInitialized: (flags & CKF.USER_PIN_INITIALIZED) !== 0,
    protectedAuthenticationPath: (flags & CKF.PROTECTED_AUTHENTICATION_PATH) !== 0,
    tokenInitialized: (flags & CKF.TOKEN_INITIALIZED) !== 0,
    pinCountLow: (flags & CKF.USER_PIN_COUNT_LOW) !== 0,
    pinFinalTry: (flags & CKF.USER_PIN_FINAL_TRY) !== 0,
    pinLocked: (flags & CKF.USER_PIN_LOCKED) !== 0,
    pinToBeChanged: (flags & CKF.USER_PIN_TO_BE_CHANGED) !== 0,
  };
}

function describeToken(slot: Buffer, info: TokenInfo): Pkcs11TokenInfo {
  return {
    slotId: hex(slot),
    label: trimmed(info.label),
    manufacturer: trimmed(info.manufacturerID),
    model: trimmed(info.model),
    serialNumber: trimmed(info.serialNumber),
    flags: tokenFlags(info.flags),
    minPinLength: info.minPinLen,
    maxPinLength: info.maxPinLen,
  };
}

/** A loaded PKCS#11 module. `close()` releases it (the library stays loaded while others use it). */
export class Pkcs11Module {
  readonly path: string;
  private readonly api: Pkcs11Api;
  private closed = false;

  private constructor(path: string, api: Pkcs11Api) {
    this.path = path;
    this.api = api;
  }

  static open(options: OpenPkcs11ModuleOptions): Pkcs11Module {
    const path = resolve(options.path);
    const raw = acquireLibrary(path);
    return new Pkcs11Module(path, options.wrap ? options.wrap(raw) : raw);
  }

  private call<T>(method: string, run: () => T): T {
    if (this.closed) throw new AppError('CRYPTO_SESSION_LOST', { operation: method, reason: 'module-closed' });
    try {
      return run();
    } catch (error) {
      throw toCryptoError(error, method);
    }
  }

  info(): Pkcs11ModuleInfo {
    const info: ModuleInfo = this.call('C_GetInfo', () => this.api.C_GetInfo());
    return {
      manufacturer: trimmed(info.manufacturerID),
      description: trimmed(info.libraryDescription),
      cryptokiVersion: version(info.cryptokiVersion),
      libraryVersion: version(info.libraryVersion),
    };
  }

  slots(): Pkcs11SlotInfo[] {
    const slots = this.call('C_GetSlotList', () => this.api.C_GetSlotList(false));
    return slots.map((slot) => {
      const info: SlotInfo = this.call('C_GetSlotInfo', () => this.api.C_GetSlotInfo(slot));
      const tokenPresent = (info.flags & CKF.TOKEN_PRESENT) !== 0;
      return {
        slotId: hex(slot),
        description: trimmed(info.slotDescription),
        manufacturer: trimmed(info.manufacturerID),
        tokenPresent,
        removable: (info.flags & CKF.REMOVABLE_DEVICE) !== 0,
        hardware: (info.flags & CKF.HW_SLOT) !== 0,
        token: tokenPresent ? this.readToken(slot) : null,
      };
    });
  }

  /** Tokens present (initialised or not). */
  tokens(): Pkcs11TokenInfo[] {
    const slots = this.call('C_GetSlotList', () => this.api.C_GetSlotList(true));
    return slots.map((slot) => this.readToken(slot));
  }

  private readToken(slot: Buffer): Pkcs11TokenInfo {
    return describeToken(slot, this.call('C_GetTokenInfo', () => this.api.C_GetTokenInfo(slot)));
  }

  private findSlot(selector: Pkcs11TokenSelector): Buffer {
    const slots = this.call('C_GetSlotList', () => this.api.C_GetSlotList(true));
    for (const slot of slots) {
      const token = this.readToken(slot);
      if (!token.flags.tokenInitialized) continue;
      if (selector.label !== undefined && token.label !== selector.label) continue;
      if (selector.serialNumber !== undefined && token.serialNumber !== selector.serialNumber) continue;
      if (selector.slotId !== undefined && token.slotId !== selector.slotId) continue;
      return slot;
    }
    throw new AppError('CRYPTO_TOKEN_ABSENT', selector.label !== undefined ? { tokenLabel: selector.label } : undefined);
  }

  /** The first initialised token matching the selector (the first one when it is empty). */
  findToken(selector: Pkcs11TokenSelector = {}): Pkcs11TokenInfo {
    return this.readToken(this.findSlot(selector));
  }

  /**
   * The certificates of every initialised token, read in a public session: certificates are
   * public objects (PKCS#11 v2.40 §4.6.3, CKA_PRIVATE false), so choosing a card by its
   * certificates costs no login, hence no PIN try on a card that is not the right one.
   * A token pulled out meanwhile is left out.
   */
  tokenCertificates(): Pkcs11TokenCertificates[] {
    const slots = this.call('C_GetSlotList', () => this.api.C_GetSlotList(true));
    const found: Pkcs11TokenCertificates[] = [];
    for (const slot of slots) {
      let session: Pkcs11Session | null = null;
      try {
        const token = this.readToken(slot);
        if (!token.flags.tokenInitialized) continue;
        session = new Pkcs11Session(this.api, slot, this.call('C_OpenSession', () => this.api.C_OpenSession(slot, CKF.SERIAL_SESSION)), token);
        found.push({ token, certificates: session.findCertificates().map((c) => c.der) });
      } catch (error) {
        if (error instanceof AppError && (error.code === 'CRYPTO_TOKEN_ABSENT' || error.code === 'CRYPTO_SESSION_LOST')) continue;
        throw error;
      } finally {
        session?.close();
      }
    }
    return found;
  }

  /** Opens a read-only session on a token. */
  openSession(selector: Pkcs11TokenSelector = {}): Pkcs11Session {
    const slot = this.findSlot(selector);
    const token = this.readToken(slot);
    const handle = this.call('C_OpenSession', () => this.api.C_OpenSession(slot, CKF.SERIAL_SESSION));
    return new Pkcs11Session(this.api, slot, handle, token);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    releaseLibrary(this.path);
  }
}

/** A session on one token. Operations are serialised: PKCS#11 allows one active operation per session. */
export class Pkcs11Session {
  readonly token: Pkcs11TokenInfo;
  private readonly api: Pkcs11Api;
  private readonly slot: Buffer;
  private readonly handle: Buffer;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(api: Pkcs11Api, slot: Buffer, handle: Buffer, token: Pkcs11TokenInfo) {
    this.api = api;
    this.slot = slot;
    this.handle = handle;
    this.token = token;
  }

  private call<T>(method: string, run: () => T): T {
    if (this.closed) throw new AppError('CRYPTO_SESSION_LOST', { operation: method, reason: 'session-closed' });
    try {
      return run();
    } catch (error) {
      throw toCryptoError(error, method);
    }
  }

  /** Token information read now (PIN flags change after a failed login). */
  tokenInfo(): Pkcs11TokenInfo {
    return describeToken(this.slot, this.call('C_GetTokenInfo', () => this.api.C_GetTokenInfo(this.slot)));
  }

  isLoggedIn(): boolean {
    const { state } = this.call('C_GetSessionInfo', () => this.api.C_GetSessionInfo(this.handle));
    return state === CKS.RO_USER_FUNCTIONS || state === CKS.RW_USER_FUNCTIONS;
  }

  /**
   * Logs the user in with the PIN (code porteur). A wrong PIN reports the token's remaining-try
   * state from its flags: CRYPTO_PIN_FINAL_TRY when one try remains, CRYPTO_PIN_LOCKED when none.
   */
  login(pin: string): void {
    if (this.closed) throw new AppError('CRYPTO_SESSION_LOST', { operation: 'C_Login', reason: 'session-closed' });
    try {
      this.api.C_Login(this.handle, CKU.USER, pin);
    } catch (error) {
      const ckr = ckrOf(error);
      if (ckr === CKR.USER_ALREADY_LOGGED_IN) return;
      if (ckr === CKR.PIN_INCORRECT) {
        let flags: Pkcs11TokenFlags | null = null;
        try {
          flags = this.tokenInfo().flags;
        } catch {
          // The token went away right after the failure: report the wrong PIN itself.
        }
        const details = { operation: 'C_Login', ckr: 'CKR_PIN_INCORRECT' };
        if (flags?.pinLocked) throw new AppError('CRYPTO_PIN_LOCKED', details, { cause: error });
        if (flags?.pinFinalTry) throw new AppError('CRYPTO_PIN_FINAL_TRY', details, { cause: error });
        throw new AppError('CRYPTO_PIN_INCORRECT', { ...details, pinCountLow: flags?.pinCountLow ?? false }, { cause: error });
      }
      throw toCryptoError(error, 'C_Login');
    }
  }

  logout(): void {
    try {
      this.api.C_Logout(this.handle);
    } catch (error) {
      if (ckrOf(error) === CKR.USER_NOT_LOGGED_IN) return;
      throw toCryptoError(error, 'C_Logout');
    }
  }

  mechanisms(): Set<number> {
    return new Set(this.call('C_GetMechanismList', () => this.api.C_GetMechanismList(this.slot)));
  }

  private findHandles(template: Template): Buffer[] {
    return this.call('C_FindObjects', () => {
      this.api.C_FindObjectsInit(this.handle, template);
      try {
        const found: Buffer[] = [];
        for (;;) {
          const batch = this.api.C_FindObjects(this.handle, 32);
          if (batch.length === 0) break;
          found.push(...batch);
        }
        return found;
      } finally {
        this.api.C_FindObjectsFinal(this.handle);
      }
    });
  }

  private attribute(object: Buffer, type: number): Buffer | null {
    try {
      const [result] = this.api.C_GetAttributeValue(this.handle, object, [{ type }]);
      return result?.value ?? null;
    } catch (error) {
      // Absent or sensitive attributes are not an error for the caller.
      const ckr = ckrOf(error);
      if (ckr === CKR.ATTRIBUTE_TYPE_INVALID || ckr === CKR.ATTRIBUTE_SENSITIVE) return null;
      throw toCryptoError(error, 'C_GetAttributeValue');
    }
  }

  private selectorTemplate(objectClass: number, selector: Pkcs11ObjectSelector): Template {
    const template: Template = [{ type: CKA.CLASS, value: objectClass }];
    if (selector.id !== undefined) template.push({ type: CKA.ID, value: Buffer.from(selector.id, 'hex') });
    if (selector.label !== undefined) template.push({ type: CKA.LABEL, value: selector.label });
    return template;
  }

  private matchesSuffix(id: string, selector: Pkcs11ObjectSelector): boolean {
    return selector.idSuffix === undefined || id.endsWith(selector.idSuffix.toLowerCase());
  }

  /**
   * Private keys matching the selector. They are CKA_PRIVATE on CPS cards: invisible until the
   * user is logged in (Dehempe CLAUDE.md, "Init en deux phases").
   */
  findPrivateKeys(selector: Pkcs11ObjectSelector = {}): Pkcs11KeyObject[] {
    const handles = this.findHandles(this.selectorTemplate(CKO.PRIVATE_KEY, selector));
    return this.call('C_GetAttributeValue', () =>
      handles
        .map((handle): Pkcs11KeyObject => {
          const keyType = this.attribute(handle, CKA.KEY_TYPE);
          const modulus = this.attribute(handle, CKA.MODULUS);
          const canSign = this.attribute(handle, CKA.SIGN);
          return {
            handle,
            id: hex(this.attribute(handle, CKA.ID) ?? Buffer.alloc(0)),
            label: (this.attribute(handle, CKA.LABEL) ?? Buffer.alloc(0)).toString('utf8'),
            keyType: keyType !== null && keyType.readUIntLE(0, Math.min(keyType.length, 6)) === CKK.RSA ? 'RSA' : 'other',
            modulusBits: modulus === null ? null : modulus.length * 8,
            canSign: canSign === null ? true : canSign[0] === 1,
          };
        })
        .filter((key) => this.matchesSuffix(key.id, selector)),
    );
  }

  /** X.509 certificates matching the selector (public objects: no login needed). */
  findCertificates(selector: Pkcs11ObjectSelector = {}): Pkcs11CertificateObject[] {
    const template = this.selectorTemplate(CKO.CERTIFICATE, selector);
    template.push({ type: CKA.CERTIFICATE_TYPE, value: CKC.X_509 });
    const handles = this.findHandles(template);
    return this.call('C_GetAttributeValue', () =>
      handles
        .map((handle) => ({
          handle,
          id: hex(this.attribute(handle, CKA.ID) ?? Buffer.alloc(0)),
          label: (this.attribute(handle, CKA.LABEL) ?? Buffer.alloc(0)).toString('utf8'),
          der: this.attribute(handle, CKA.VALUE) ?? Buffer.alloc(0),
        }))
        .filter((certificate) => certificate.der.length > 0 && this.matchesSuffix(certificate.id, selector)),
    );
  }

  /**
   * Signs with a private key. CKM_SHA256_RSA_PKCS hashes in the module; CKM_RSA_PKCS expects the
   * caller to pass the DER DigestInfo (for modules without the combined mechanism).
   */
  sign(key: Pkcs11KeyObject, data: Uint8Array, mechanism: Pkcs11SignMechanism = 'CKM_SHA256_RSA_PKCS'): Promise<Buffer> {
    const run = async (): Promise<Buffer> => {
      const ckm = mechanism === 'CKM_SHA256_RSA_PKCS' ? CKM.SHA256_RSA_PKCS : CKM.RSA_PKCS;
      this.call('C_SignInit', () => this.api.C_SignInit(this.handle, { mechanism: ckm }, key.handle));
      const output = Buffer.alloc(Math.max(512, Math.ceil((key.modulusBits ?? 4096) / 8)));
      try {
        return Buffer.from(await this.api.C_SignAsync(this.handle, Buffer.from(data), output));
      } catch (error) {
        throw toCryptoError(error, 'C_Sign', 'CRYPTO_SIGNATURE_FAILED');
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.api.C_CloseSession(this.handle);
    } catch {
      // The token may be gone already; the session is closed either way.
    }
  }
}
