/**
 * Pkcs11Signer: signs with a key that never leaves the card (ARCHITECTURE.md §6), through the
 * PKCS#11 module of the CPS middleware (ANS Cryptolib CPS, OpenSC) or SoftHSM2 in tests and demo.
 *
 * A CPS3 holds two RSA-2048 key pairs (cards.md §1.6; OpenSC issue #2267): CPS_PRIV_AUT
 * (authentication: TLS client, INTERNAL AUTHENTICATE) and CPS_PRIV_SIG (signature,
 * nonRepudiation). Through the ANS PKCS#11 their CKA_ID ends with 0x20 (authentication) and
 * 0x10 (signature) (k-jefferson/Dehempe CLAUDE.md, "Init en deux phases"). The DMP refuses a VIHF
 * signed with the authentication key ("Not a valid signature certificate", dmp.md §1.2).
 *
 * The PIN is asked when the first signature needs it, so that work queued offline waits for the
 * card instead of asking for the PIN at queue time (ARCHITECTURE.md §5).
 */
import { createHash, type X509Certificate } from 'node:crypto';
import { AppError, isAppError } from '../../contract/errors';
import {
  CKM,
  Pkcs11Module,
  type Pkcs11Api,
  type Pkcs11KeyObject,
  type Pkcs11ObjectSelector,
  type Pkcs11Session,
  type Pkcs11SignMechanism,
  type Pkcs11TokenSelector,
} from '../../../native/pkcs11';
import type { Clock } from '../clock';
import { orderChain, parseCertificate, splitCertificates, toPem, validAt } from './certificates';
import { RSA_PKCS1_SHA256, SHA256_DIGEST_INFO_PREFIX, type SignatureAlgorithm, type Signer } from './signer';

export type CardKeyRole = 'authentication' | 'signature';

/** How to find the CPS keys on the card (see the header comment for the sources). */
export const CPS_KEY_SELECTORS: Readonly<Record<CardKeyRole, Pkcs11ObjectSelector>> = Object.freeze({
  authentication: Object.freeze({ idSuffix: '20' }),
  signature: Object.freeze({ idSuffix: '10' }),
});

/** Asks the user for the PIN (code porteur); rejects if the user cancels. */
export type PinProvider = () => Promise<string>;

export interface Pkcs11SignerOptions {
  /** Path of the PKCS#11 library (settings `pkcs11Module`). */
  modulePath: string;
  /** Which token; the first initialised one by default. */
  token?: Pkcs11TokenSelector;
  /** A CPS key role, or an explicit selector (CKA_ID, CKA_ID suffix, CKA_LABEL). */
  key: CardKeyRole | Pkcs11ObjectSelector;
  /** The PIN, or how to ask for it. A fixed PIN that the card refuses is not tried again. */
  pin: string | PinProvider;
  /** CA certificates (PEM) completing the chain when the card does not hold them. */
  extraCertificates?: readonly string[];
  /** 'auto' (default) uses CKM_SHA256_RSA_PKCS when the module has it, else CKM_RSA_PKCS. */
  mechanism?: 'auto' | Pkcs11SignMechanism;
  /** When given, sign() refuses with CRYPTO_CERTIFICATE_EXPIRED outside the certificate's validity. */
  clock?: Clock;
  /** Wraps the module's calls (demo PIN policy, tests). */
  wrap?: (api: Pkcs11Api) => Pkcs11Api;
}

export interface Pkcs11SignerKeyInfo {
  id: string;
  label: string;
  modulusBits: number | null;
  tokenLabel: string;
  tokenSerialNumber: string;
}

export class Pkcs11Signer implements Signer {
  readonly kind = 'pkcs11' as const;
  readonly algorithm: SignatureAlgorithm = RSA_PKCS1_SHA256;
  private module: Pkcs11Module | null;
  private readonly options: Pkcs11SignerOptions;
  private readonly selector: Pkcs11ObjectSelector;
  private session: Pkcs11Session | null = null;
  private key: Pkcs11KeyObject | null = null;
  private chain: X509Certificate[] | null = null;
  private fixedPinRefused = false;

  private constructor(module: Pkcs11Module, options: Pkcs11SignerOptions) {
    this.module = module;
    this.options = options;
    this.selector = typeof options.key === 'string' ? CPS_KEY_SELECTORS[options.key] : options.key;
  }

  /** Loads the module (CRYPTO_MODULE_NOT_FOUND / CRYPTO_MODULE_INVALID now rather than at the first signature). */
  static open(options: Pkcs11SignerOptions): Pkcs11Signer {
    const module = Pkcs11Module.open({ path: options.modulePath, ...(options.wrap ? { wrap: options.wrap } : {}) });
    return new Pkcs11Signer(module, options);
  }

  private liveModule(): Pkcs11Module {
    if (this.module === null) throw new AppError('CRYPTO_SESSION_LOST', { reason: 'signer-closed' });
    return this.module;
  }

  private openSession(): Pkcs11Session {
    if (this.session) return this.session;
    this.session = this.liveModule().openSession(this.options.token ?? {});
    return this.session;
  }

  /** Forgets the session after the card went away: the next call opens a new one. */
  private dropSession(): void {
    this.session?.close();
    this.session = null;
    this.key = null;
  }

  private async guarded<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isAppError(error) && (error.code === 'CRYPTO_SESSION_LOST' || error.code === 'CRYPTO_TOKEN_ABSENT')) this.dropSession();
      throw error;
    }
  }

  private async ensureLoggedIn(session: Pkcs11Session): Promise<void> {
    if (session.isLoggedIn()) return;
    const { pin } = this.options;
    if (typeof pin === 'string') {
      // Trying a refused fixed PIN again would use up the card's remaining tries.
      if (this.fixedPinRefused) throw new AppError('CRYPTO_PIN_REQUIRED', { reason: 'fixed-pin-refused' });
      try {
        session.login(pin);
      } catch (error) {
        if (isAppError(error) && error.code.startsWith('CRYPTO_PIN_')) this.fixedPinRefused = true;
        throw error;
      }
      return;
    }
    let typed: string;
    try {
      typed = await pin();
    } catch (cause) {
      throw new AppError('CRYPTO_PIN_REQUIRED', { reason: 'pin-not-entered' }, { cause });
    }
    session.login(typed);
  }

  private findKey(session: Pkcs11Session): Pkcs11KeyObject {
    if (this.key) return this.key;
    const keys = session.findPrivateKeys(this.selector).filter((k) => k.canSign);
    const key = keys[0];
    if (!key) throw new AppError('CRYPTO_KEY_NOT_FOUND', { selector: { ...this.selector } });
    if (key.keyType !== 'RSA') throw new AppError('CRYPTO_KEY_UNSUPPORTED', { keyId: key.id });
    this.key = key;
    return key;
  }

  /**
   * The certificate shares the key's CKA_ID (PKCS#11 v2.40 §4.6.3). A selector by CKA_LABEL names
   * the key only: the key is then found first, which needs the PIN.
   */
  private async certificateSelector(session: Pkcs11Session): Promise<Pkcs11ObjectSelector> {
    if (this.key) return { id: this.key.id };
    if (this.selector.id !== undefined || this.selector.idSuffix !== undefined) {
      const { label: _label, ...byId } = this.selector;
      return byId;
    }
    await this.ensureLoggedIn(session);
    return { id: this.findKey(session).id };
  }

  private async loadChain(session: Pkcs11Session): Promise<X509Certificate[]> {
    if (this.chain) return this.chain;
    const selector = await this.certificateSelector(session);
    const leafObject = session.findCertificates(selector)[0];
    if (!leafObject) throw new AppError('CRYPTO_CERTIFICATE_NOT_FOUND', { selector: { ...selector } });
    const leaf = parseCertificate(leafObject.der);
    const onToken = session.findCertificates().map((c) => parseCertificate(c.der));
    const extra = (this.options.extraCertificates ?? []).flatMap((pem) => splitCertificates(pem)).map((pem) => parseCertificate(pem));
    this.chain = orderChain(leaf, [...onToken, ...extra]);
    return this.chain;
  }

  private mechanismFor(session: Pkcs11Session): Pkcs11SignMechanism {
    const wanted = this.options.mechanism ?? 'auto';
    if (wanted !== 'auto') return wanted;
    return session.mechanisms().has(CKM.SHA256_RSA_PKCS) ? 'CKM_SHA256_RSA_PKCS' : 'CKM_RSA_PKCS';
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return this.guarded(async () => {
      const session = this.openSession();
      if (this.options.clock) {
        const leaf = (await this.loadChain(session))[0] as X509Certificate;
        if (!validAt(leaf, this.options.clock.now())) {
          throw new AppError('CRYPTO_CERTIFICATE_EXPIRED', { notBefore: leaf.validFrom, notAfter: leaf.validTo });
        }
      }
      await this.ensureLoggedIn(session);
      const key = this.findKey(session);
      const mechanism = this.mechanismFor(session);
      const input =
        mechanism === 'CKM_SHA256_RSA_PKCS'
          ? data
          : Buffer.concat([SHA256_DIGEST_INFO_PREFIX, createHash('sha256').update(data).digest()]);
      return new Uint8Array(await session.sign(key, input, mechanism));
    });
  }

  /** The certificate of the key (same CKA_ID), then its issuers from the card or `extraCertificates`. */
  async certificateChain(): Promise<string[]> {
    return this.guarded(async () => (await this.loadChain(this.openSession())).map(toPem));
  }

  /** The key found on the card (after the first signature or an explicit login). */
  async keyInfo(): Promise<Pkcs11SignerKeyInfo> {
    return this.guarded(async () => {
      const session = this.openSession();
      await this.ensureLoggedIn(session);
      const key = this.findKey(session);
      return {
        id: key.id,
        label: key.label,
        modulusBits: key.modulusBits,
        tokenLabel: session.token.label,
        tokenSerialNumber: session.token.serialNumber,
      };
    });
  }

  /** Logs out (the card stays inserted); the next signature asks for the PIN again. */
  async logout(): Promise<void> {
    this.session?.logout();
    this.key = null;
  }

  async close(): Promise<void> {
    this.dropSession();
    this.module?.close();
    this.module = null;
  }
}
