/**
 * Transport failures, classified for the outbox (ARCHITECTURE.md §5): may the job be retried, and
 * — the question that prevents duplicates — could the remote side have acted on the request?
 *
 * The answer follows the phase the exchange had reached:
 *  - `connect`: nothing was written to the network → certain failure, safe to resend;
 *  - `send`: the request body was not completely handed to the operating system → the server cannot
 *    have a complete request → certain failure;
 *  - `await-response` / `receive`: the whole request left → the outcome is UNKNOWN: reconcile (DMP:
 *    search the uniqueId) before resending.
 * A TLS refusal is a certain failure in any phase (TLS 1.3 reports a rejected client certificate
 * after the client has written its request, but the server never processed it).
 */
import { AppError, isAppError, type ErrorCode } from '../../contract/errors';

export type TransportPhase = 'connect' | 'send' | 'await-response' | 'receive';

export type TransportErrorCode = Extract<ErrorCode, `TRANSPORT_${string}`>;

export interface TransportErrorInfo {
  phase: TransportPhase;
  retryable: boolean;
  outcomeUnknown: boolean;
  /** HTTP status, when the server answered. */
  status?: number;
  /** The underlying system or OpenSSL code (ECONNRESET, ERR_SSL_…), for the Diagnostic screen. */
  systemCode?: string;
  cause?: unknown;
}

/** What the outbox needs to decide between retry, reconcile-then-retry, and dead letter. */
export interface TransportClassification {
  retryable: boolean;
  outcomeUnknown: boolean;
  code: string;
}

export class TransportError extends AppError implements TransportClassification {
  declare readonly code: TransportErrorCode;
  readonly phase: TransportPhase;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly status: number | undefined;
  readonly systemCode: string | undefined;

  constructor(code: TransportErrorCode, info: TransportErrorInfo) {
    const details: Record<string, unknown> = { phase: info.phase, outcomeUnknown: info.outcomeUnknown };
    if (info.status !== undefined) details.status = info.status;
    if (info.systemCode !== undefined) details.systemCode = info.systemCode;
    super(code, details, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'TransportError';
    this.phase = info.phase;
    this.retryable = info.retryable;
    this.outcomeUnknown = info.outcomeUnknown;
    this.status = info.status;
    this.systemCode = info.systemCode;
  }
}

export function isTransportError(value: unknown): value is TransportError {
  return value instanceof TransportError;
}

/** True once the whole request may have reached the server. */
export function requestMayHaveArrived(phase: TransportPhase): boolean {
  return phase === 'await-response' || phase === 'receive';
}

const CERTIFICATE_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function isTlsFailure(code: string): boolean {
  // EPROTO: OpenSSL reports a TLS alert received from the server (e.g. "alert handshake failure"
  // when it refuses the client certificate).
  return (
    code === 'EPROTO' ||
    CERTIFICATE_VERIFY_CODES.has(code) ||
    code.startsWith('ERR_SSL_') ||
    (code.startsWith('ERR_TLS_') && code !== 'ERR_TLS_HANDSHAKE_TIMEOUT')
  );
}

/** Turns a Node network/TLS error into a TransportError for the phase the exchange had reached. */
export function transportErrorFrom(error: unknown, phase: TransportPhase): TransportError {
  if (error instanceof TransportError) return error;
  const systemCode = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const arrived = requestMayHaveArrived(phase);
  const base = { phase, systemCode, cause: error };
  if (systemCode !== undefined && isTlsFailure(systemCode)) {
    return new TransportError('TRANSPORT_TLS_FAILED', { ...base, retryable: false, outcomeUnknown: false });
  }
  switch (systemCode) {
    case 'ECONNREFUSED':
      return new TransportError('TRANSPORT_CONNECTION_REFUSED', { ...base, retryable: true, outcomeUnknown: false });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return new TransportError('TRANSPORT_HOST_NOT_FOUND', { ...base, retryable: true, outcomeUnknown: false });
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
    case 'ENETDOWN':
    case 'EHOSTDOWN':
      return new TransportError('TRANSPORT_NETWORK_UNREACHABLE', { ...base, retryable: true, outcomeUnknown: false });
    case 'ETIMEDOUT':
    case 'ERR_TLS_HANDSHAKE_TIMEOUT':
      return arrived
        ? new TransportError('TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN', { ...base, retryable: true, outcomeUnknown: true })
        : new TransportError('TRANSPORT_TIMEOUT', { ...base, retryable: true, outcomeUnknown: false });
    default:
      // ECONNRESET, EPIPE, ECONNABORTED, "socket hang up", premature close…
      return arrived
        ? new TransportError('TRANSPORT_CONNECTION_LOST', { ...base, retryable: true, outcomeUnknown: true })
        : new TransportError('TRANSPORT_CONNECTION_RESET', { ...base, retryable: true, outcomeUnknown: false });
  }
}

/**
 * HTTP status → error. 5xx are retryable; 502/504 come from a gateway that may have forwarded the
 * request, so their outcome is unknown. 408 and 429 ask to come back later. Other 4xx are final.
 * 1xx/3xx are unexpected for these services (redirects are not followed).
 */
export function httpStatusError(status: number): TransportError {
  const phase: TransportPhase = 'receive';
  if (status >= 500) {
    return new TransportError('TRANSPORT_HTTP_SERVER_ERROR', {
      phase,
      status,
      retryable: true,
      outcomeUnknown: status === 502 || status === 504,
    });
  }
  if (status >= 400) {
    return new TransportError('TRANSPORT_HTTP_CLIENT_ERROR', { phase, status, retryable: status === 408 || status === 429, outcomeUnknown: false });
  }
  return new TransportError('TRANSPORT_HTTP_UNEXPECTED_STATUS', { phase, status, retryable: false, outcomeUnknown: false });
}

function hasClassification(value: unknown): value is AppError & { retryable: boolean; outcomeUnknown: boolean } {
  return (
    isAppError(value) &&
    typeof (value as { retryable?: unknown }).retryable === 'boolean' &&
    typeof (value as { outcomeUnknown?: unknown }).outcomeUnknown === 'boolean'
  );
}

/**
 * The outbox's view of any error thrown while sending: TransportError and SoapFaultError classify
 * themselves; other AppErrors were raised before anything was sent (building, signing) and are
 * final; a bare Node network error is mapped conservatively (phase unknown → outcome unknown);
 * anything else is an internal error whose effect is unknown.
 */
export function classifyTransportError(error: unknown): TransportClassification {
  if (hasClassification(error)) return { retryable: error.retryable, outcomeUnknown: error.outcomeUnknown, code: error.code };
  if (isAppError(error)) return { retryable: false, outcomeUnknown: false, code: error.code };
  const systemCode = (error as { code?: unknown } | null)?.code;
  if (typeof systemCode === 'string' && /^(E[A-Z]+|ERR_SSL_.*|ERR_TLS_.*|[A-Z_]*CERT[A-Z_]*)$/.test(systemCode)) {
    const mapped = transportErrorFrom(error, 'receive');
    return { retryable: mapped.retryable, outcomeUnknown: mapped.outcomeUnknown, code: mapped.code };
  }
  return { retryable: false, outcomeUnknown: true, code: 'INTERNAL' };
}
