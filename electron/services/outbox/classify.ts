/**
 * Default classification of an error thrown by a queue's `run` (ARCHITECTURE.md §5): retry,
 * reconcile-then-retry, or dead letter. Transport and SOAP errors classify themselves
 * (platform/http `classifyTransportError`); other AppErrors were raised before anything was sent
 * and are final; anything else is a bug whose effect is unknown.
 */
import { isAppError } from '../../contract/errors';
import { classifyTransportError } from '../../platform/http';
import type { ErrorClass } from './types';

export function classifyError(error: unknown): ErrorClass {
  if (isAppError(error)) {
    if (error.code === 'OUTBOX_ATTEMPT_TIMEOUT' || error.code === 'OUTBOX_INTERRUPTED') return 'unknown-outcome';
    if (error.code === 'OUTBOX_PAYLOAD_INVALID') return 'final';
  }
  const c = classifyTransportError(error);
  if (c.outcomeUnknown) return 'unknown-outcome';
  return c.retryable ? 'retryable' : 'final';
}

/** True when the error says something about the endpoint's reachability (network, 5xx, timeout). */
export function isEndpointFailure(error: unknown): boolean {
  if (!isAppError(error)) return false;
  if (error.code === 'OUTBOX_ATTEMPT_TIMEOUT') return true;
  const c = classifyTransportError(error);
  return c.retryable && (error.code.startsWith('TRANSPORT_') || error.code.startsWith('SOAP_'));
}

/** Code and French message recorded on the job. */
export function describeError(error: unknown): { code: string; message: string } {
  if (isAppError(error)) return { code: error.code, message: error.message };
  return {
    code: 'INTERNAL',
    message:
      "Une erreur interne est survenue pendant l'envoi. Pupitre vérifiera auprès du service avant de le renvoyer ; si cela se répète, consultez l'écran Diagnostic.",
  };
}
