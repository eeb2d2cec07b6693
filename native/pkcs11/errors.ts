/**
 * PKCS#11 return values (CKR_*) turned into the stable error codes of the contract
 * (electron/contract/domains/crypto.ts). Details carry the CKR name and the call, never a PIN.
 */
import { AppError, isAppError, type ErrorCode } from '../../electron/contract/errors';
import { CKR, ckrName } from './constants';

/**
 * A failed PKCS#11 call, shaped like pkcs11js's `Pkcs11Error` (`message` = CKR name, numeric
 * `code`), for wrappers and test doubles that stand in for a module.
 */
export class Pkcs11CallError extends Error {
  readonly code: number;
  readonly method: string;

  constructor(code: number, method: string) {
    super(ckrName(code));
    this.name = 'Pkcs11Error';
    this.code = code;
    this.method = method;
  }
}

/** The CKR value of a pkcs11js `Pkcs11Error` (or Pkcs11CallError), or null for other errors. */
export function ckrOf(error: unknown): number | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (error.name === 'Pkcs11Error' && typeof code === 'number') return code;
  const match = /CKR_[A-Z_]+:(\d+)/.exec(error.message);
  return match?.[1] !== undefined ? Number(match[1]) : null;
}

const CODE_BY_CKR = new Map<number, ErrorCode>([
  [CKR.PIN_INCORRECT, 'CRYPTO_PIN_INCORRECT'],
  [CKR.PIN_LOCKED, 'CRYPTO_PIN_LOCKED'],
  [CKR.PIN_INVALID, 'CRYPTO_PIN_INVALID_FORMAT'],
  [CKR.PIN_LEN_RANGE, 'CRYPTO_PIN_INVALID_FORMAT'],
  [CKR.PIN_EXPIRED, 'CRYPTO_PIN_EXPIRED'],
  [CKR.TOKEN_NOT_PRESENT, 'CRYPTO_TOKEN_ABSENT'],
  [CKR.TOKEN_NOT_RECOGNIZED, 'CRYPTO_TOKEN_ABSENT'],
  [CKR.SLOT_ID_INVALID, 'CRYPTO_TOKEN_ABSENT'],
  [CKR.DEVICE_REMOVED, 'CRYPTO_SESSION_LOST'],
  [CKR.SESSION_HANDLE_INVALID, 'CRYPTO_SESSION_LOST'],
  [CKR.SESSION_CLOSED, 'CRYPTO_SESSION_LOST'],
  [CKR.USER_NOT_LOGGED_IN, 'CRYPTO_PIN_REQUIRED'],
  [CKR.KEY_TYPE_INCONSISTENT, 'CRYPTO_KEY_UNSUPPORTED'],
  [CKR.KEY_FUNCTION_NOT_PERMITTED, 'CRYPTO_KEY_UNSUPPORTED'],
  [CKR.MECHANISM_INVALID, 'CRYPTO_KEY_UNSUPPORTED'],
  [CKR.KEY_HANDLE_INVALID, 'CRYPTO_SESSION_LOST'],
  [CKR.OBJECT_HANDLE_INVALID, 'CRYPTO_SESSION_LOST'],
  [CKR.FUNCTION_CANCELED, 'CRYPTO_SIGNATURE_FAILED'],
]);

/**
 * Maps any failure of a PKCS#11 call to an AppError. `fallback` is the code for errors that are
 * not CKR values (a crash of the module, a bad argument): CRYPTO_DEVICE_ERROR by default.
 */
export function toCryptoError(error: unknown, method: string, fallback: ErrorCode = 'CRYPTO_DEVICE_ERROR'): AppError {
  if (isAppError(error)) return error;
  const ckr = ckrOf(error);
  if (ckr === null) return new AppError(fallback, { operation: method }, { cause: error });
  const code = CODE_BY_CKR.get(ckr) ?? 'CRYPTO_DEVICE_ERROR';
  return new AppError(code, { operation: method, ckr: ckrName(ckr) }, { cause: error });
}
