/**
 * acquerirLesDroits after a carte Vitale or appli carte Vitale read: the answer becomes the
 * patient's rights (open / closed at the reference date, régime, caisse, centre, exonerations),
 * kept with its date. Whatever prevents the check (no network, service down or slow, no card
 * session, no configuration, beneficiary unknown) is recorded as « droits non vérifiés » with its
 * reason, so billing can say so (cards.md §7: a session started offline records it). It never
 * throws for those: the desk goes on.
 */
import { AppError, isAppError } from '../../contract';
import type { AdriCoverage, AdriRights } from '../../contract/domains/adri';
import { isTransportError } from '../../platform/http';
import { isSoapFaultError } from '../../platform/soap';
import { isOffline } from '../apcv';
import type { AdriClient, AdriCredentials } from './client';
import type { AdriQuery } from './request';
import { parseAdriAnswer, REGIME_LABELS, rightsOpenAt } from './response';

type Reason = NonNullable<AdriRights['reason']>;

function split(nir: string): { number: string; key: string } {
  return { number: nir.slice(0, 13), key: nir.slice(13) };
}

export function queryOf(coverage: AdriCoverage, referenceDate: string): AdriQuery {
  if (!/^\d{8}$/.test(coverage.birthDate)) throw new AppError('ADRI_COVERAGE_INVALID');
  return {
    regime: coverage.regime,
    caisse: coverage.caisse,
    centre: coverage.centre,
    insured: split(coverage.insuredNir),
    beneficiary: coverage.beneficiaryNir === null ? null : split(coverage.beneficiaryNir),
    birthDate: coverage.birthDate,
    birthRank: coverage.birthRank,
    referenceDate,
  };
}

export function regimeOf(code: string | null): AdriRights['regime'] {
  if (code === null) return null;
  return { code, label: REGIME_LABELS[code] ?? `Régime ${code}` };
}

/** Why the check could not be made, in the words the rights record keeps. */
export function unverifiedReason(error: unknown): Reason {
  if (isTransportError(error)) return isOffline(error) ? 'offline' : 'unavailable';
  if (isSoapFaultError(error)) return error.fault.code.local === 'Receiver' ? 'unavailable' : 'refused';
  if (isAppError(error)) {
    if (error.code === 'ADRI_NOT_CONFIGURED') return 'not-configured';
    if (error.code === 'CARD_SESSION_REQUIRED') return 'card-session';
    if (error.code === 'TRANSPORT_MALFORMED_RESPONSE') return 'unavailable';
  }
  return 'unavailable';
}

export interface AcquireInput {
  patientId: string;
  coverage: AdriCoverage;
  referenceDate: string;
  checkedAt: string;
}

export function unverifiedRights(input: AcquireInput, reason: Reason): AdriRights {
  return {
    patientId: input.patientId,
    status: 'unverified',
    reason,
    source: input.coverage.source,
    checkedAt: input.checkedAt,
    referenceDate: input.referenceDate,
    // What the card or the app said, unconfirmed: billing may still need the organisme.
    regime: regimeOf(input.coverage.regime),
    caisse: input.coverage.caisse,
    centre: input.coverage.centre,
    amo: null,
    exonerations: [],
    complementary: null,
  };
}

export async function acquireRights(client: AdriClient | null, credentials: AdriCredentials | null, input: AcquireInput): Promise<AdriRights> {
  try {
    if (client === null) throw new AppError('ADRI_NOT_CONFIGURED');
    if (credentials === null) throw new AppError('CARD_SESSION_REQUIRED');
    const answer = parseAdriAnswer(await client.acquire(queryOf(input.coverage, input.referenceDate), credentials));
    if (!answer.found) return unverifiedRights(input, 'not-found');
    return {
      patientId: input.patientId,
      status: rightsOpenAt(answer.amo, input.referenceDate) ? 'open' : 'closed',
      reason: null,
      source: input.coverage.source,
      checkedAt: input.checkedAt,
      referenceDate: input.referenceDate,
      regime: regimeOf(answer.regime ?? input.coverage.regime),
      caisse: answer.caisse ?? input.coverage.caisse,
      centre: answer.centre ?? input.coverage.centre,
      amo: answer.amo,
      exonerations: answer.exonerations,
      complementary: answer.complementary,
    };
  } catch (error) {
    if (isAppError(error) && error.code === 'ADRI_COVERAGE_INVALID') throw error;
    return unverifiedRights(input, unverifiedReason(error));
  }
}
