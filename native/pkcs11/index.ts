/**
 * native/pkcs11: the professional's card (and SoftHSM2 tokens) through PKCS#11.
 * `Pkcs11Module.open({ path })` → `tokens()` / `openSession({ label })` → `login(pin)`,
 * `findPrivateKeys({ idSuffix })`, `findCertificates(...)`, `sign(key, data)`.
 * Every failure is an AppError with a CRYPTO_* code (electron/contract/domains/crypto.ts).
 */
import { existsSync } from 'node:fs';

export * from './constants';
export { Pkcs11CallError, ckrOf, toCryptoError } from './errors';
export {
  Pkcs11Module,
  Pkcs11Session,
  type OpenPkcs11ModuleOptions,
  type Pkcs11Api,
  type Pkcs11CertificateObject,
  type Pkcs11KeyObject,
  type Pkcs11ModuleInfo,
  type Pkcs11ObjectSelector,
  type Pkcs11SignMechanism,
  type Pkcs11SlotInfo,
  type Pkcs11TokenCertificates,
  type Pkcs11TokenFlags,
  type Pkcs11TokenInfo,
  type Pkcs11TokenSelector,
} from './module';

export type Pkcs11ModuleKind = 'cryptolib-cps' | 'opensc' | 'softhsm2';

export interface KnownPkcs11Module {
  kind: Pkcs11ModuleKind;
  path: string;
}

/**
 * Where the CPS middlewares install their PKCS#11 library, per platform. ANS Cryptolib CPS paths
 * from k-jefferson/Dehempe CLAUDE.md ("Auto-détection de la librairie"); OpenSC and SoftHSM2
 * paths from the Debian packages `opensc-pkcs11` and `softhsm2`, and the OpenSC Windows/macOS
 * installers.
 */
export function knownPkcs11Modules(platform: NodeJS.Platform): KnownPkcs11Module[] {
  switch (platform) {
    case 'linux':
      return [
        { kind: 'cryptolib-cps', path: '/usr/lib/libcps3_pkcs11.so' },
        { kind: 'cryptolib-cps', path: '/usr/local/lib/libcps3_pkcs11.so' },
        { kind: 'opensc', path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' },
        { kind: 'opensc', path: '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so' },
        { kind: 'opensc', path: '/usr/lib/opensc-pkcs11.so' },
        { kind: 'softhsm2', path: '/usr/lib/softhsm/libsofthsm2.so' },
      ];
    case 'darwin':
      return [
        { kind: 'cryptolib-cps', path: '/usr/local/lib/libcps3_pkcs11_osx.dylib' },
        { kind: 'cryptolib-cps', path: '/Library/Frameworks/cps3.framework/cps3_pkcs11' },
        { kind: 'opensc', path: '/Library/OpenSC/lib/opensc-pkcs11.so' },
      ];
    case 'win32':
      return [
        { kind: 'cryptolib-cps', path: 'C:\\Windows\\System32\\cps3_pkcs11_w64.dll' },
        { kind: 'cryptolib-cps', path: 'C:\\Program Files\\santeestoolbox\\cps3_pkcs11_w64.dll' },
        { kind: 'cryptolib-cps', path: 'C:\\Windows\\System32\\cps3_pkcs11.dll' },
        { kind: 'opensc', path: 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll' },
      ];
    default:
      return [];
  }
}

/** The known modules present on this computer, card middlewares first. */
export function installedPkcs11Modules(platform: NodeJS.Platform, exists: (path: string) => boolean = existsSync): KnownPkcs11Module[] {
  return knownPkcs11Modules(platform).filter((module) => exists(module.path));
}
