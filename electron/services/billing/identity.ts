/**
 * Who bills: the CPS holder of the open card session, with the billing identity the card does
 * not carry (numéro AM, code spécialité, secteur conventionnel) from Paramètres.
 */
import { AppError } from '../../contract';
import type { BillingContext, PractitionerCard } from './context';
import type { SessionRow } from './store';

export interface BillingIdentity {
  card: PractitionerCard;
  billingNumber: string;
  specialty: string;
  conventionSector: 'secteur-1' | 'secteur-2' | 'secteur-2-optam';
}

export function identityComplete(settings: { amNumber: string; specialty: string; conventionSector: string }): boolean {
  return settings.amNumber !== '' && settings.specialty !== '' && settings.conventionSector !== '';
}

/** The card session and the billing identity; refused when either is missing. */
export function requireIdentity(ctx: BillingContext): BillingIdentity {
  const card = ctx.deps.practitioner();
  if (card === null) throw new AppError('CARD_SESSION_REQUIRED');
  const settings = ctx.deps.settings();
  if (!identityComplete(settings) || settings.conventionSector === '') throw new AppError('BILLING_IDENTITY_MISSING');
  return { card, billingNumber: settings.amNumber, specialty: settings.specialty, conventionSector: settings.conventionSector };
}

/** The session, open, and opened with the card now in the reader. */
export function requireOpenSession(ctx: BillingContext, sessionId: string): { session: SessionRow; card: PractitionerCard } {
  const session = ctx.store.session.get(sessionId);
  if (session === undefined) throw new AppError('BILLING_SESSION_NOT_FOUND');
  if (session.status !== 'open') throw new AppError('BILLING_SESSION_CLOSED');
  const card = ctx.deps.practitioner();
  if (card === null) throw new AppError('CARD_SESSION_REQUIRED');
  if (card.idNat !== session.id_nat) throw new AppError('BILLING_SESSION_OTHER_PRACTITIONER');
  return { session, card };
}
