/**
 * The base e-prescription as the use cases see it: one adapter interface, two implementations —
 * the modelled SOAP client (demo simulator, and whoever configures an endpoint speaking the model)
 * and `unavailableBase` (production without the CNAM specification: a clear French message, and the
 * jobs wait instead of failing). Errors carry their outbox classification (retryable / outcome unknown).
 */
import { AppError, type ErrorCode } from '../../../contract';
import type { XmlSigner } from '../../../platform/xml';
import type { BaseStatus } from '../model';
import type { BasePrescription, Execution } from './wire';

/** The card holder calling the base: the assertion PS is signed with the card's signature key. */
export interface BaseCaller {
  idNat: string;
  /** Numéro AM (identifiantFacturation of the assertion), when the holder has one. */
  billingNumber: string | null;
  activitySector: string | null;
  signer: XmlSigner;
}

export interface EprescriptionBase {
  /** Registers a prescription (idempotent for the same number and document). */
  register(caller: BaseCaller, input: { number: string; consent: 'OUI' | 'NON'; document: Uint8Array }, signal?: AbortSignal): Promise<{ status: BaseStatus }>;
  /** Reads a prescription by number, with the executions already recorded. */
  read(caller: BaseCaller, number: string, signal?: AbortSignal): Promise<BasePrescription>;
  /** Records an execution (idempotent per execution id). */
  execute(caller: BaseCaller, number: string, execution: Omit<Execution, 'by'>, signal?: AbortSignal): Promise<{ status: BaseStatus }>;
  /** The status of a number; null when the base does not know it (reconciliation after an unknown outcome). */
  status(caller: BaseCaller, number: string, signal?: AbortSignal): Promise<BaseStatus | null>;
  /** Whether the endpoint answers at all (the outbox probes it before sending again). */
  probe(): Promise<boolean>;
  /** False when no base can be reached in this environment (production without the specification). */
  readonly available: boolean;
}

export class ErxError extends AppError {
  constructor(
    code: ErrorCode,
    readonly retryable: boolean,
    readonly outcomeUnknown: boolean,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, details, options);
    this.name = 'ErxError';
  }
}

/** Production without the CNAM specification: nothing is sent, the user is told why. */
export const unavailableBase: EprescriptionBase = {
  available: false,
  register: () => Promise.reject(new AppError('ERX_TELESERVICE_NOT_AVAILABLE')),
  read: () => Promise.reject(new AppError('ERX_TELESERVICE_NOT_AVAILABLE')),
  execute: () => Promise.reject(new AppError('ERX_TELESERVICE_NOT_AVAILABLE')),
  status: () => Promise.reject(new AppError('ERX_TELESERVICE_NOT_AVAILABLE')),
  probe: () => Promise.resolve(false),
};
