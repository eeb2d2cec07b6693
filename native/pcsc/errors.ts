/**
 * PC/SC return codes (pcsc-lite `pcsclite.h`, same values as WinSCard) and ISO 7816-4 status words
 * turned into the stable error codes of the cards domain (electron/contract/domains/cards.ts).
 * Details carry codes, never card data.
 */
import { AppError, type ErrorCode } from '../../electron/contract/errors';

export const SCARD = {
  E_INVALID_HANDLE: 0x80100003,
  E_UNKNOWN_READER: 0x80100009,
  E_TIMEOUT: 0x8010000a,
  E_SHARING_VIOLATION: 0x8010000b,
  E_NO_SMARTCARD: 0x8010000c,
  E_PROTO_MISMATCH: 0x8010000f,
  F_COMM_ERROR: 0x80100013,
  E_READER_UNAVAILABLE: 0x80100017,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  E_COMM_DATA_LOST: 0x8010002f,
  W_UNSUPPORTED_CARD: 0x80100065,
  W_UNRESPONSIVE_CARD: 0x80100066,
  W_UNPOWERED_CARD: 0x80100067,
  W_RESET_CARD: 0x80100068,
  W_REMOVED_CARD: 0x80100069,
} as const;

/** The SCARD code of a pcsclite error ("SCardConnect error: …(0x8010000c)"), or null. */
export function scardCodeOf(error: unknown): number | null {
  const code = (error as { scard?: unknown } | null)?.scard;
  if (typeof code === 'number') return code;
  if (!(error instanceof Error)) return null;
  const match = /\(0x([0-9a-f]{8})\)/i.exec(error.message);
  return match?.[1] !== undefined ? Number.parseInt(match[1], 16) : null;
}

/** pcscd went away or the context is stale: recreate the context (the supervisor's job). */
export function isServiceLost(error: unknown): boolean {
  const code = scardCodeOf(error);
  return code === SCARD.E_NO_SERVICE || code === SCARD.E_SERVICE_STOPPED || code === SCARD.E_INVALID_HANDLE;
}

/** An error carrying a SCARD code, for backends that are not pcsclite. */
export class ScardError extends Error {
  constructor(
    readonly scard: number,
    method: string,
  ) {
    super(`${method} error: (0x${scard.toString(16).padStart(8, '0')})`);
    this.name = 'ScardError';
  }
}

const CODE_BY_SCARD = new Map<number, ErrorCode>([
  [SCARD.E_NO_SERVICE, 'CARD_PCSC_UNAVAILABLE'],
  [SCARD.E_SERVICE_STOPPED, 'CARD_PCSC_UNAVAILABLE'],
  [SCARD.E_INVALID_HANDLE, 'CARD_PCSC_UNAVAILABLE'],
  [SCARD.E_UNKNOWN_READER, 'CARD_READER_NOT_FOUND'],
  [SCARD.E_READER_UNAVAILABLE, 'CARD_READER_NOT_FOUND'],
  [SCARD.E_NO_READERS_AVAILABLE, 'CARD_NO_READER'],
  [SCARD.E_SHARING_VIOLATION, 'CARD_READER_BUSY'],
  [SCARD.E_NO_SMARTCARD, 'CARD_ABSENT'],
  [SCARD.W_REMOVED_CARD, 'CARD_REMOVED'],
  [SCARD.W_RESET_CARD, 'CARD_REMOVED'],
  [SCARD.W_UNPOWERED_CARD, 'CARD_REMOVED'],
  [SCARD.E_COMM_DATA_LOST, 'CARD_REMOVED'],
  [SCARD.W_UNRESPONSIVE_CARD, 'CARD_MUTE'],
  [SCARD.E_TIMEOUT, 'CARD_MUTE'],
  [SCARD.F_COMM_ERROR, 'CARD_MUTE'],
  [SCARD.E_PROTO_MISMATCH, 'CARD_MUTE'],
  [SCARD.W_UNSUPPORTED_CARD, 'CARD_MUTE'],
]);

/** Any failure of a PC/SC call as an AppError; AppErrors pass through. */
export function toCardError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const scard = scardCodeOf(error);
  const code = scard === null ? undefined : CODE_BY_SCARD.get(scard);
  const details = { operation, scard: scard === null ? null : `0x${scard.toString(16).padStart(8, '0')}` };
  return new AppError(code ?? 'CARD_MUTE', details, { cause: error });
}

/** ISO 7816-4 §5.6 status words the drivers look at by name. */
export const SW = {
  OK: 0x9000,
  WRONG_LENGTH: 0x6700,
  SECURITY_NOT_SATISFIED: 0x6982,
  AUTH_BLOCKED: 0x6983,
  REF_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  FILE_NOT_FOUND: 0x6a82,
  WRONG_P1P2: 0x6a86,
  REF_NOT_FOUND: 0x6a88,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
} as const;

export type StatusWordMeaning =
  | 'file-not-found'
  | 'security-not-satisfied'
  | 'pin-blocked'
  | 'wrong-length'
  | 'not-supported'
  | 'wrong-parameters'
  | 'conditions-not-satisfied'
  | 'other';

export function statusWordMeaning(sw: number): StatusWordMeaning {
  if (sw === SW.FILE_NOT_FOUND || sw === SW.REF_NOT_FOUND) return 'file-not-found';
  if (sw === SW.SECURITY_NOT_SATISFIED) return 'security-not-satisfied';
  if (sw === SW.AUTH_BLOCKED || sw === SW.REF_DATA_NOT_USABLE) return 'pin-blocked';
  if (sw === SW.WRONG_LENGTH || (sw & 0xff00) === 0x6c00) return 'wrong-length';
  if (sw === SW.INS_NOT_SUPPORTED || sw === SW.CLA_NOT_SUPPORTED) return 'not-supported';
  if (sw === SW.WRONG_P1P2 || sw === 0x6b00) return 'wrong-parameters';
  if (sw === SW.CONDITIONS_NOT_SATISFIED) return 'conditions-not-satisfied';
  return 'other';
}

export const hexSw = (sw: number): string => sw.toString(16).toUpperCase().padStart(4, '0');

/** An unexpected status word as a typed error: PIN blocked has its own code, the rest say which SW. */
export function statusWordError(sw: number, command: string): AppError {
  const meaning = statusWordMeaning(sw);
  if (meaning === 'pin-blocked') return new AppError('CARD_PIN_BLOCKED', { sw: hexSw(sw), command });
  return new AppError('CARD_STATUS_WORD', { sw: hexSw(sw), meaning, command });
}
