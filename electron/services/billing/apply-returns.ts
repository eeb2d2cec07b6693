/**
 * Matches acknowledgements and payment returns to lots and invoices (jFSE NoemieService model,
 * wave2.md §5.3): a positive ARL sets every invoice of the lot accepted; a negative one refuses the
 * whole lot, which is sent again at once (réémission, R161-47); a negative ARL of the réémission
 * flags every invoice for a paper duplicate. A payment return sets the invoice's NOEMIE status
 * (P paid, C pending, R rejected, A anomaly). Each return is applied once: its remote id is kept.
 * A return that did not read is recorded and audited but changes no lot: without a readable ARL the
 * lot is sent again after 2 working days (follow-up.ts), as for a lost one.
 */
import type { RemoteReturn } from './adapters';
import { parisDate } from './calendar';
import type { BillingContext } from './context';
import { retentionEnd } from './deadlines';
import { enqueueEmission } from './form-lots';
import type { LotRow } from './store';

export interface AppliedReturns {
  applied: number;
  acknowledged: number;
  refused: number;
  resent: number;
  paperDuplicates: number;
  /** Returns that did not read: recorded and audited; their lot waits for the 2-working-day rule. */
  unreadable: number;
}

/** Applies a batch of returns in one transaction; returns already known are skipped. */
export function applyReturns(ctx: BillingContext, practitioner: string, returns: readonly RemoteReturn[], actor: string): AppliedReturns {
  const result: AppliedReturns = { applied: 0, acknowledged: 0, refused: 0, resent: 0, paperDuplicates: 0, unreadable: 0 };
  const jobsToCancel: string[] = [];
  ctx.deps.db
    .transaction(() => {
      for (const r of returns) {
        const inserted = ctx.store.insertReturn.run({
          id: r.id,
          practitioner,
          kind: r.kind,
          lot: r.kind === 'payment' ? null : r.lotNumber,
          invoice: r.kind === 'payment' ? r.invoiceNumber : null,
          now: ctx.now(),
          payload: JSON.stringify(r),
          matched: 0,
        });
        if (inserted.changes === 0) continue;
        if (r.kind === 'unreadable') {
          result.unreadable += 1;
          ctx.logger.warn('billing.return_unreadable', { reason: r.reason });
          ctx.deps.audit({ actor, patientRef: null, action: 'billing.return.unreadable', details: { returnId: r.id, lotNumber: r.lotNumber, reason: r.reason } });
          continue;
        }
        result.applied += 1;
        const matched = r.kind === 'arl' ? applyArl(ctx, practitioner, r, actor, result, jobsToCancel) : applyPayment(ctx, practitioner, r, actor);
        ctx.store.setReturnMatched.run({ id: r.id, matched: matched ? 1 : 0, until: null });
        if (!matched) ctx.logger.warn('billing.return_unmatched', { kind: r.kind });
      }
    })
    .immediate();
  // A re-emission queued before a late positive ARL is no longer needed (cancelled if not started).
  for (const jobId of jobsToCancel) {
    try {
      ctx.deps.outbox.cancel(jobId, actor);
    } catch {
      // Running or done: the service takes it as a duplicate; nothing is counted twice.
    }
  }
  if (result.applied > 0 || result.unreadable > 0) ctx.notify('returns');
  return result;
}

function applyArl(
  ctx: BillingContext,
  practitioner: string,
  r: Extract<RemoteReturn, { kind: 'arl' }>,
  actor: string,
  result: AppliedReturns,
  jobsToCancel: string[],
): boolean {
  const lot = ctx.store.lotByNumber.get(practitioner, r.lotNumber);
  if (lot === undefined) return false;
  const emission = (r.emission === 2 ? 2 : 1) as 1 | 2;
  const row = ctx.store.emission.get(lot.id, emission);
  if (row === undefined) return false;
  const at = Date.parse(r.at);
  const arlAt = Number.isFinite(at) ? at : ctx.now();
  ctx.store.setEmissionArl.run({ lotId: lot.id, emission, positive: r.positive ? 1 : 0, at: arlAt, label: r.label, returnId: r.id });
  // An ARL proves the emission arrived, even if the desk never recorded the sending (crash).
  if (row.sent_at === null) {
    ctx.store.markEmissionSent.run({ lotId: lot.id, emission, at: arlAt, on: parisDate(arlAt) });
    ctx.store.setLotFirstSent.run({ id: lot.id, on: parisDate(arlAt), now: ctx.now() });
  }
  const today = ctx.today();
  if (r.positive) {
    if (lot.state !== 'acknowledged') {
      ctx.store.setLotAcknowledged.run({ id: lot.id, on: today, now: ctx.now() });
      result.acknowledged += 1;
    }
    const until = retentionEnd(today);
    ctx.store.setRetentionOfLot.run({ lotId: lot.id, until });
    ctx.store.setReturnsRetentionOfLot.run({ practitioner, lot: lot.number, until });
    const second = ctx.store.emission.get(lot.id, 2);
    if (emission === 1 && second?.job_id && second.sent_at === null) jobsToCancel.push(second.job_id);
    ctx.deps.audit({ actor, patientRef: null, action: 'billing.lot.acknowledged', details: { lotId: lot.id, lotNumber: lot.number, emission } });
    return true;
  }
  // Negative: never overrides a positive acknowledgement already received.
  if (lot.state === 'acknowledged' || lot.state === 'paper_duplicate') return true;
  if (emission === 1) {
    refuseAndResend(ctx, lot, r.label, actor, result);
  } else {
    toPaperDuplicate(ctx, lot, r.label, actor, result);
  }
  return true;
}

/** Negative (or missing) ARL of the first emission: the lot goes again at once (R161-47). */
export function refuseAndResend(ctx: BillingContext, lot: LotRow, label: string, actor: string, result: { refused: number; resent: number }): void {
  if (lot.state === 'to_send' || lot.state === 'sent') {
    ctx.store.setLotState.run({ id: lot.id, state: 'refused', now: ctx.now() });
    result.refused += 1;
  }
  if (ctx.store.emission.get(lot.id, 2) === undefined) {
    enqueueEmission(ctx, lot, 2);
    result.resent += 1;
  }
  ctx.deps.audit({ actor, patientRef: null, action: 'billing.lot.refused', details: { lotId: lot.id, lotNumber: lot.number, label: label.slice(0, 200) } });
}

/** Second failure: every invoice of the lot needs a paper duplicate (R161-47). */
export function toPaperDuplicate(ctx: BillingContext, lot: LotRow, label: string, actor: string, result: { paperDuplicates: number }): void {
  ctx.store.setLotState.run({ id: lot.id, state: 'paper_duplicate', now: ctx.now() });
  ctx.store.flagPaperDuplicates.run({ lotId: lot.id, now: ctx.now() });
  result.paperDuplicates += 1;
  ctx.deps.audit({ actor, patientRef: null, action: 'billing.lot.paper_duplicate', details: { lotId: lot.id, lotNumber: lot.number, invoices: lot.invoice_count, label: label.slice(0, 200) } });
}

function applyPayment(ctx: BillingContext, practitioner: string, r: Extract<RemoteReturn, { kind: 'payment' }>, actor: string): boolean {
  const invoice = ctx.store.invoiceByNumber.get(practitioner, r.invoiceNumber);
  if (invoice === undefined || invoice.state !== 'validated') return false;
  const at = Date.parse(r.at);
  ctx.store.setPayment.run({ id: invoice.id, status: r.status, label: r.label, cents: r.amountCents, at: Number.isFinite(at) ? at : ctx.now() });
  ctx.deps.audit({ actor, patientRef: invoice.patient_id, action: 'billing.payment.received', details: { invoiceId: invoice.id, number: invoice.number, status: r.status } });
  return true;
}
