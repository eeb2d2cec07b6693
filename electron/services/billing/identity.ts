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

/**
 * The numéro AM (identifiant de facturation) is one professional's: every CPS at the desk would
 * otherwise bill under the one typed in Paramètres. It belongs to the card that first opened a
 * session under it, as recorded in billing_session (id_nat beside practitioner). A number no
 * session used yet — a new one, or the one stored before this rule existed on a desk that never
 * billed — goes to the card that opens the first session with it: asking a confirmation would
 * not say more than the card already proves (PIN typed), and desks that billed before keep their
 * sessions' owner. A colleague then types his own number in Paramètres (BILLING_IDENTITY_OTHER_PRACTITIONER).
 * Runs inside the transaction that records the session, so two cards cannot both take a new number.
 */
export function requireOwnBillingNumber(ctx: BillingContext, identity: BillingIdentity): void {
  const holder = ctx.store.holderOfNumber.get(identity.billingNumber);
  if (holder !== undefined && holder.id_nat !== identity.card.idNat) throw new AppError('BILLING_IDENTITY_OTHER_PRACTITIONER');
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
