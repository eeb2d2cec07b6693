/**
 * Session rules of the appli carte Vitale, as configurable limits. Public values, stated by the
 * Assurance Maladie (« L'appli carte Vitale : la facturation SESAM-Vitale en 4 étapes », février
 * 2025; wave2.md §4.1): « La durée d'une session est limitée à 20 min. Au-delà, une
 * réauthentification sera nécessaire » and « 1 facture par session ». The exact server behaviour
 * (sliding or fixed lifetime, what counts as an invoice) is in the addendum 8 specification, not
 * public: the desk applies the stricter reading (fixed lifetime from authentication) and the
 * service's own expiry date when it gives an earlier one.
 */
import type { ApcvContextView, ApcvCoverage, ApcvSource } from '../../contract/domains/apcv';
import type { Beneficiary } from '../../contract/domains/cards';

export interface ApcvLimits {
  /** Lifetime of a context from its authentication. Public value: 20 minutes. */
  contextLifetimeMs: number;
  /** Invoices one context may sign. Public value: 1. */
  invoicesPerContext: number;
  /** After the service could not be reached, scans are refused at once for this long (no wait at the desk). */
  offlineHoldMs: number;
}

export const PUBLIC_APCV_LIMITS: ApcvLimits = { contextLifetimeMs: 20 * 60_000, invoicesPerContext: 1, offlineHoldMs: 30_000 };

/** A context as the host keeps it (in memory only: it carries health data and lives 20 minutes). */
export interface ApcvContextRecord {
  id: string;
  /** The SI ApCV's own identifier (sent back in detruire/signer; never leaves the host). */
  identifier: string;
  source: ApcvSource;
  openedAt: number;
  expiresAt: number;
  state: 'open' | 'expired' | 'closed';
  invoicesSigned: number;
  coverage: ApcvCoverage;
  insuredNir: string;
  /** Emptied when the context ends (nothing kept longer than needed). */
  beneficiaries: Beneficiary[];
  /** IdNat of the professional who opened it: another card session cannot use it. */
  openedBy: string;
}

/** Expiry: the earlier of the public lifetime and the date the service gave. */
export function expiryOf(openedAt: number, serviceExpiry: string | null, limits: ApcvLimits): number {
  const local = openedAt + limits.contextLifetimeMs;
  const remote = serviceExpiry === null ? Number.POSITIVE_INFINITY : Date.parse(serviceExpiry);
  return Math.min(local, remote);
}

/** Moves an open context past its expiry to `expired` (and forgets its people); true when it changed. */
export function expireIfDue(record: ApcvContextRecord, now: number): boolean {
  if (record.state !== 'open' || now < record.expiresAt) return false;
  record.state = 'expired';
  record.beneficiaries = [];
  return true;
}

export function timeLeftMs(record: ApcvContextRecord, now: number): number {
  return record.state === 'open' ? Math.max(0, record.expiresAt - now) : 0;
}

export function viewOf(record: ApcvContextRecord, now: number, limits: ApcvLimits): ApcvContextView {
  return {
    id: record.id,
    source: record.source,
    openedAt: new Date(record.openedAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
    timeLeftMs: timeLeftMs(record, now),
    state: record.state,
    invoicesSigned: record.invoicesSigned,
    invoicesAllowed: limits.invoicesPerContext,
    coverage: record.coverage,
    beneficiaries: record.state === 'open' ? record.beneficiaries : [],
  };
}
