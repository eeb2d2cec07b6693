/**
 * Cancels an invoice made by mistake, before it is in a lot (nothing left the desk yet). Its
 * number stays used: numbers are never given twice, even to replace a cancelled invoice. Only the
 * professional who made it cancels it, with the CPS of its session (the rule of requireOpenSession:
 * an invoice is under that professional's numéro AM and signature).
 */
import { AppError } from '../../contract';
import type { InvoiceView } from '../../contract/domains/billing';
import type { BillingContext } from './context';
import { invoiceViewOf } from './queries';

export function cancelInvoice(ctx: BillingContext, invoiceId: string, actor: string): InvoiceView {
  const row = ctx.store.invoice.get(invoiceId);
  if (row === undefined || (row.state !== 'validated' && row.state !== 'cancelled')) throw new AppError('BILLING_INVOICE_NOT_FOUND');
  const card = ctx.deps.practitioner();
  if (card === null) throw new AppError('CARD_SESSION_REQUIRED');
  if (ctx.store.session.get(row.session_id)?.id_nat !== card.idNat) throw new AppError('BILLING_SESSION_OTHER_PRACTITIONER');
  ctx.deps.db
    .transaction(() => {
      if (ctx.store.cancelInvoice.run({ id: invoiceId }).changes !== 1) throw new AppError('BILLING_INVOICE_NOT_CANCELLABLE');
      ctx.deps.audit({ actor, patientRef: row.patient_id, action: 'billing.invoice.cancelled', details: { invoiceId, number: row.number } });
    })
    .immediate();
  ctx.notify('invoice');
  return invoiceViewOf(ctx, invoiceId);
}
