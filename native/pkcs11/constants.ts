/**
 * The PKCS#11 constants this adapter uses, with their values from the OASIS PKCS#11 v2.40 header
 * (pkcs11t.h). Kept here so that test doubles and wrappers need not load the native addon; a
 * hardware test checks them against pkcs11js.
 */

export const CKR = {
  OK: 0x0,
  SLOT_ID_INVALID: 0x3,
  GENERAL_ERROR: 0x5,
  FUNCTION_FAILED: 0x6,
  ATTRIBUTE_SENSITIVE: 0x11,
  ATTRIBUTE_TYPE_INVALID: 0x12,
  DATA_LEN_RANGE: 0x21,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  FUNCTION_CANCELED: 0x50,
  KEY_HANDLE_INVALID: 0x60,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  OBJECT_HANDLE_INVALID: 0x82,
  OPERATION_NOT_INITIALIZED: 0x91,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  USER_ANOTHER_ALREADY_LOGGED_IN: 0x104,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

export type CkrName = `CKR_${keyof typeof CKR}`;

const CKR_NAMES = new Map<number, CkrName>(Object.entries(CKR).map(([name, value]) => [value, `CKR_${name}` as CkrName]));

/** `CKR_PIN_INCORRECT` for 0xA0; vendor or unknown codes as `CKR_0x…`. */
export function ckrName(code: number): string {
  return CKR_NAMES.get(code) ?? `CKR_0x${code.toString(16).toUpperCase()}`;
}

export const CKA = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  VALUE: 0x11,
  CERTIFICATE_TYPE: 0x80,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SIGN: 0x108,
  MODULUS: 0x120,
  MODULUS_BITS: 0x121,
} as const;

export const CKO = { DATA: 0x0, CERTIFICATE: 0x1, PUBLIC_KEY: 0x2, PRIVATE_KEY: 0x3 } as const;
export const CKK = { RSA: 0x0 } as const;
export const CKC = { X_509: 0x0 } as const;
export const CKM = { RSA_PKCS: 0x1, SHA256_RSA_PKCS: 0x40 } as const;
export const CKU = { SO: 0x0, USER: 0x1 } as const;
/** Session states (CK_STATE). */
export const CKS = { RO_PUBLIC_SESSION: 0, RO_USER_FUNCTIONS: 1, RW_PUBLIC_SESSION: 2, RW_USER_FUNCTIONS: 3, RW_SO_FUNCTIONS: 4 } as const;

/** CK_SLOT_INFO, CK_SESSION_INFO and CK_TOKEN_INFO flags. */
export const CKF = {
  // slot
  TOKEN_PRESENT: 0x1,
  REMOVABLE_DEVICE: 0x2,
  HW_SLOT: 0x4,
  // session
  RW_SESSION: 0x2,
  SERIAL_SESSION: 0x4,
  // token
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
} as const;
