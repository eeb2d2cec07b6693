/**
 * The follow-up the desk runs on its own (at start, every minute, and at each sync):
 * - a number reserved by a process that died is abandoned (kept, never reused);
 * - invoices of a session still open are put into lots when their deadline comes close (issue 12:
 *   lots « closed when the session closes or at a deadline »), so they leave in time;
 * - a lot without ARL 2 working days after it was sent is sent again; a re-sent lot without ARL 2
 *   working days later needs paper duplicates (R161-47).
 */
import { toPaperDuplicate } from './apply-returns';
import type { BillingContext } from './context';
import { RESERVATION_STALE_MS } from './context';
import { arlDueDate } from './deadlines';
import { enqueueEmission, formLotsInTransaction } from './form-lots';
import type { InvoiceRow } from './store';

export interface FollowUpResult {
  abandoned: number;
  lotsFormed: number;
  resent: number;
  paperDuplicates: number;
}

export function followUp(ctx: BillingContext, actor: string): FollowUpResult {
  const result: FollowUpResult = { abandoned: 0, lotsFormed: 0, resent: 0, paperDuplicates: 0 };
  const calendar = ctx.calendar();
  const today = ctx.today();
  ctx.deps.db
    .transaction(() => {
      for (const stale of ctx.store.staleReservations.all(ctx.now() - RESERVATION_STALE_MS)) {
        if (ctx.store.abandonInvoice.run({ id: stale.id }).changes === 1) {
          result.abandoned += 1;
          ctx.deps.audit({ actor, patientRef: null, action: 'billing.number.abandoned', details: { invoiceId: stale.id, number: stale.number, code: 'STALE_RESERVATION' } });
        }
      }

      // Warned from the last working day before the deadline: lots are formed by then.
      const dueBy = calendar.addWorkingDays(today, 1);
      const bySession = new Map<string, InvoiceRow[]>();
      for (const invoice of ctx.store.unlottedDueBy.all(dueBy)) {
        const list = bySession.get(invoice.session_id);
        if (list === undefined) bySession.set(invoice.session_id, [invoice]);
        else list.push(invoice);
      }
      for (const [sessionId, invoices] of bySession) result.lotsFormed += formLotsInTransaction(ctx, invoices, actor, sessionId).length;

      for (const lot of ctx.store.lotsAwaitingArl.all()) {
        const first = ctx.store.emission.get(lot.id, 1);
        const second = ctx.store.emission.get(lot.id, 2);
        if (lot.state === 'sent' && second === undefined && first?.sent_on && first.arl_at === null && today > arlDueDate(calendar, first.sent_on)) {
          // Missing is not refused: the lot stays « envoyé » while its réémission goes.
          enqueueEmission(ctx, lot, 2);
          ctx.deps.audit({ actor, patientRef: null, action: 'billing.lot.unacknowledged', details: { lotId: lot.id, lotNumber: lot.number, sentOn: first.sent_on } });
          result.resent += 1;
        } else if (lot.state === 'resent' && second?.sent_on && second.arl_at === null && today > arlDueDate(calendar, second.sent_on)) {
          toPaperDuplicate(ctx, lot, 'Accusé de réception du renvoi non reçu dans les 2 jours ouvrés', actor, result);
        }
      }
    })
    .immediate();
  if (result.lotsFormed > 0 || result.resent > 0 || result.paperDuplicates > 0) ctx.notify('lot');
  if (result.abandoned > 0) ctx.logger.warn('billing.reservations_abandoned', { count: result.abandoned });
  return result;
}
