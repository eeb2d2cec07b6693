/**
 * Purges electronic doubles (encoded FSE and signatures) and the payloads of acknowledgements
 * whose retention has ended — at least 90 days after the positive ARL (or the paper duplicate),
 * R161-47. Only by an explicit action, audited; the accounting rows stay (ARCHITECTURE.md §4).
 */
import type { BillingContext } from './context';
import { RETENTION_DAYS } from './deadlines';
import { addDays } from './calendar';

export function purge(ctx: BillingContext, actor: string): { purgedInvoices: number; purgedReturns: number; keptUntil: string } {
  const today = ctx.today();
  const result = ctx.deps.db
    .transaction(() => {
      const invoices = ctx.store.purgeInvoices.run({ today, now: ctx.now() }).changes;
      const returns = ctx.store.purgeReturns.run({ today, now: ctx.now() }).changes;
      ctx.deps.audit({ actor, patientRef: null, action: 'billing.purge', details: { invoices, returns, retentionDays: RETENTION_DAYS } });
      return { purgedInvoices: invoices, purgedReturns: returns };
    })
    .immediate();
  if (result.purgedInvoices > 0) ctx.notify('invoice');
  return { ...result, keptUntil: addDays(today, -RETENTION_DAYS) };
}
