/**
 * Switches the session online or offline. Offline, billing uses only the cards: rights are
 * recorded « non vérifiés » and the appli carte Vitale is refused at once (cards.md §7).
 */
import type { SessionMode, SessionView } from '../../contract/domains/billing';
import type { BillingContext } from './context';
import { requireOpenSession } from './identity';
import { sessionOf } from './open-session';

export function setSessionMode(ctx: BillingContext, sessionId: string, mode: SessionMode): SessionView {
  const { card } = requireOpenSession(ctx, sessionId);
  ctx.store.setSessionMode.run({ id: sessionId, mode });
  ctx.deps.audit({ actor: card.idNat, patientRef: null, action: 'billing.session.mode', details: { sessionId, mode } });
  ctx.notify('session');
  return sessionOf(ctx, sessionId);
}
