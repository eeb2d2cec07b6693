/**
 * The practitioner printed and sent the paper duplicates (R161-47: after a failed re-sending, a
 * duplicata goes to the caisse). Recorded per invoice, audited; the electronic double is then kept
 * 90 days like an acknowledged one.
 */
import type { BillingContext } from './context';
import { retentionEnd } from './deadlines';

export function markPaperDuplicatesSent(ctx: BillingContext, invoiceIds: readonly string[], actor: string): number {
  const until = retentionEnd(ctx.today());
  const marked = ctx.deps.db
    .transaction(() => {
      let n = 0;
      for (const id of invoiceIds) {
        if (ctx.store.markPaperDuplicateSent.run({ id, now: ctx.now(), until }).changes === 1) {
          n += 1;
          ctx.deps.audit({ actor, patientRef: ctx.store.invoice.get(id)?.patient_id ?? null, action: 'billing.paper_duplicate.sent', details: { invoiceId: id } });
        }
      }
      return n;
    })
    .immediate();
  if (marked > 0) ctx.notify('invoice');
  return marked;
}
