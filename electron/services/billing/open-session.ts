/**
 * Opens the practitioner's billing session with the CPS (PIN typed): date, place, online or
 * offline, and the billing identity frozen into the session (a settings change does not alter
 * invoices already made). One open session per card; it survives restarts and crashes (a row).
 */
import { AppError } from '../../contract';
import type { SessionMode, SessionPlace, SessionView } from '../../contract/domains/billing';
import type { BillingContext } from './context';
import { requireIdentity, requireOwnBillingNumber } from './identity';
import { sessionView } from './views';

export function openSession(ctx: BillingContext, input: { mode: SessionMode; place: SessionPlace }): SessionView {
  const identity = requireIdentity(ctx);
  const id = ctx.newId();
  const now = ctx.now();
  ctx.deps.db
    .transaction(() => {
      if (ctx.store.openSessionOf.get(identity.card.idNat) !== undefined) throw new AppError('BILLING_SESSION_ALREADY_OPEN');
      requireOwnBillingNumber(ctx, identity);
      ctx.store.insertSession.run({
        id,
        practitioner: identity.billingNumber,
        idNat: identity.card.idNat,
        name: `${identity.card.givenName} ${identity.card.surname}`.trim(),
        specialty: identity.specialty,
        sector: identity.conventionSector,
        mode: input.mode,
        place: input.place,
        date: ctx.today(),
        now,
      });
      ctx.deps.audit({ actor: identity.card.idNat, patientRef: null, action: 'billing.session.opened', details: { sessionId: id, mode: input.mode, place: input.place } });
    })
    .immediate();
  ctx.logger.info('billing.session_opened', { sessionId: id, mode: input.mode });
  ctx.notify('session');
  return sessionOf(ctx, id);
}

export function sessionOf(ctx: BillingContext, id: string): SessionView {
  const row = ctx.store.session.get(id);
  if (row === undefined) throw new AppError('BILLING_SESSION_NOT_FOUND');
  return sessionView(row, ctx.store.sessionTotals.get(id) ?? { n: 0, total: 0, amo: 0, patient: 0 });
}
