/**
 * Closes the session and forms its lots (issue 12: « closed when the session closes »). The
 * closing, the lots and their outbox jobs commit together: after a crash either the session is
 * still open with no lot, or it is closed with every lot queued.
 */
import type { LotView, SessionView } from '../../contract/domains/billing';
import type { BillingContext } from './context';
import { formLotsInTransaction } from './form-lots';
import { requireOpenSession } from './identity';
import { lotViewOf } from './queries';
import { sessionOf } from './open-session';

export function closeSession(ctx: BillingContext, sessionId: string): { session: SessionView; lots: LotView[] } {
  const { card } = requireOpenSession(ctx, sessionId);
  const formed = ctx.deps.db
    .transaction(() => {
      const lots = formLotsInTransaction(ctx, ctx.store.unlottedOfSession.all(sessionId), card.idNat, sessionId);
      ctx.store.closeSession.run({ id: sessionId, now: ctx.now() });
      ctx.deps.audit({ actor: card.idNat, patientRef: null, action: 'billing.session.closed', details: { sessionId, lots: lots.length } });
      return lots;
    })
    .immediate();
  ctx.logger.info('billing.session_closed', { sessionId, lots: formed.length });
  ctx.notify('session');
  if (formed.length > 0) ctx.notify('lot');
  return { session: sessionOf(ctx, sessionId), lots: formed.map((lot) => lotViewOf(ctx, lot.id)) };
}
