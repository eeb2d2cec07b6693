import { describe, expect, it } from 'vitest';
import { AppError, messageFor } from '../../electron/contract/errors';
import { CKR, ckrName } from './constants';
import { ckrOf, Pkcs11CallError, toCryptoError } from './errors';

describe('PKCS#11 errors', () => {
  it('reads the CKR value of pkcs11js errors and of wrappers', () => {
    expect(ckrOf(new Pkcs11CallError(CKR.PIN_INCORRECT, 'C_Login'))).toBe(0xa0);
    // pkcs11js Pkcs11Error: name "Pkcs11Error", message "CKR_PIN_LOCKED", numeric code.
    const native = Object.assign(new Error('CKR_PIN_LOCKED'), { name: 'Pkcs11Error', code: 0xa4 });
    expect(ckrOf(native)).toBe(0xa4);
    // A native stack that was not wrapped yet: "CKR_TOKEN_NOT_PRESENT:224".
    expect(ckrOf(new Error('CKR_TOKEN_NOT_PRESENT:224\n    at PKCS11.C_OpenSession'))).toBe(0xe0);
    expect(ckrOf(new Error('dlopen failed'))).toBeNull();
    expect(ckrOf('CKR_PIN_INCORRECT')).toBeNull();
  });

  it('names CKR values, including unknown vendor codes', () => {
    expect(ckrName(CKR.PIN_LOCKED)).toBe('CKR_PIN_LOCKED');
    expect(ckrName(0x80000001)).toBe('CKR_0x80000001');
  });

  it.each([
    [CKR.PIN_INCORRECT, 'CRYPTO_PIN_INCORRECT'],
    [CKR.PIN_LOCKED, 'CRYPTO_PIN_LOCKED'],
    [CKR.PIN_LEN_RANGE, 'CRYPTO_PIN_INVALID_FORMAT'],
    [CKR.PIN_EXPIRED, 'CRYPTO_PIN_EXPIRED'],
    [CKR.TOKEN_NOT_PRESENT, 'CRYPTO_TOKEN_ABSENT'],
    [CKR.DEVICE_REMOVED, 'CRYPTO_SESSION_LOST'],
    [CKR.SESSION_HANDLE_INVALID, 'CRYPTO_SESSION_LOST'],
    [CKR.USER_NOT_LOGGED_IN, 'CRYPTO_PIN_REQUIRED'],
    [CKR.MECHANISM_INVALID, 'CRYPTO_KEY_UNSUPPORTED'],
    [CKR.DEVICE_ERROR, 'CRYPTO_DEVICE_ERROR'],
    [0x80000001, 'CRYPTO_DEVICE_ERROR'],
  ])('maps %s to %s with the CKR name in the details', (ckr, code) => {
    const error = toCryptoError(new Pkcs11CallError(ckr, 'C_Login'), 'C_Login');
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe(code);
    expect(error.details).toEqual({ operation: 'C_Login', ckr: ckrName(ckr) });
    expect(error.message).toBe(messageFor(code));
  });

  it('keeps AppErrors and uses the fallback for errors that are not CKR values', () => {
    const typed = new AppError('CRYPTO_PIN_LOCKED');
    expect(toCryptoError(typed, 'C_Login')).toBe(typed);
    expect(toCryptoError(new TypeError('bad argument'), 'C_Sign', 'CRYPTO_SIGNATURE_FAILED').code).toBe('CRYPTO_SIGNATURE_FAILED');
    expect(toCryptoError(new Error('boom'), 'C_GetInfo').code).toBe('CRYPTO_DEVICE_ERROR');
  });

  it('writes French messages that say what to do next', () => {
    expect(messageFor('CRYPTO_PIN_LOCKED')).toMatch(/bloquée.*PUK/);
    expect(messageFor('CRYPTO_TOKEN_ABSENT')).toMatch(/Insérez votre carte/);
    expect(messageFor('CRYPTO_MODULE_NOT_FOUND')).toMatch(/Paramètres/);
  });
});
