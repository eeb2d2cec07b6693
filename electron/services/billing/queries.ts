/**
 * Read-only use cases: sessions, invoices, lots, the deadline list (most urgent first) and the
 * attention counts behind the top-bar badge. Listing invoices is an access to health data: the
 * caller (the service) audits it.
 */
import { AppError } from '../../contract';
import type { DeadlineItem, InvoiceView, LotState, LotView, SessionView } from '../../contract/domains/billing';
import type { BillingContext } from './context';
import { deadlineStatus } from './deadlines';
import { sessionOf } from './open-session';
import type { LotRow } from './store';
import { deadlineItem, invoiceView, lotView } from './views';

export function sessions(ctx: BillingContext, limit: number): SessionView[] {
  return ctx.store.sessions.all(limit).map((row) => sessionOf(ctx, row.id));
}

export function invoiceViewOf(ctx: BillingContext, id: string): InvoiceView {
  const row = ctx.store.invoice.get(id);
  if (row === undefined || (row.state !== 'validated' && row.state !== 'cancelled')) throw new AppError('BILLING_INVOICE_NOT_FOUND');
  return invoiceView(row, ctx.calendar(), ctx.today());
}

export function invoices(ctx: BillingContext, filter: { sessionId?: string; lotId?: string; paperDuplicate?: boolean; limit: number }): InvoiceView[] {
  const calendar = ctx.calendar();
  const today = ctx.today();
  const rows =
    filter.lotId !== undefined
      ? ctx.store.invoicesOfLot.all(filter.lotId, filter.limit)
      : filter.sessionId !== undefined
        ? ctx.store.invoicesOfSession.all(filter.sessionId, filter.limit)
        : filter.paperDuplicate === true
          ? ctx.store.paperDuplicates.all(filter.limit)
          : ctx.store.recentInvoices.all(filter.limit);
  return rows
    .filter((row) => row.state === 'validated' || row.state === 'cancelled')
    .filter((row) => filter.paperDuplicate === undefined || (row.paper_duplicate_at !== null) === filter.paperDuplicate)
    .map((row) => invoiceView(row, calendar, today));
}

export function lotViewOf(ctx: BillingContext, id: string): LotView {
  const row = ctx.store.lot.get(id);
  if (row === undefined) throw new AppError('BILLING_LOT_NOT_FOUND');
  return lotView(row, ctx.store.emissionsOf.all(id), ctx.calendar(), ctx.now(), unreadableArls(ctx, row));
}

/** Acknowledgements that did not read naming a lot still awaiting one (the screen says so). */
function unreadableArls(ctx: BillingContext, row: LotRow): number {
  if (row.state !== 'sent' && row.state !== 'resent') return 0;
  return ctx.store.unreadableReturnsOfLot.get(row.practitioner, row.number)?.n ?? 0;
}

export function lots(ctx: BillingContext, filter: { state?: LotState; limit: number }): LotView[] {
  const calendar = ctx.calendar();
  const rows = filter.state === undefined ? ctx.store.lots.all(filter.limit) : ctx.store.lotsInState.all(filter.state, filter.limit);
  return rows.map((row) => lotView(row, ctx.store.emissionsOf.all(row.id), calendar, ctx.now(), unreadableArls(ctx, row)));
}

const URGENCY = { passed: 0, 'due-soon': 1, ok: 2, met: 3 } as const;

/** Invoices whose lot has not left yet, most urgent first (deadline passed, due soon, then by date). */
export function deadlines(ctx: BillingContext): { today: string; items: DeadlineItem[] } {
  const calendar = ctx.calendar();
  const today = ctx.today();
  const items = ctx.store.untransmitted.all().map((row) => deadlineItem(row, calendar, today));
  items.sort((a, b) => URGENCY[a.deadline.state] - URGENCY[b.deadline.state] || a.deadline.date.localeCompare(b.deadline.date) || a.number - b.number);
  return { today, items };
}

export interface Attention {
  overdue: number;
  dueSoon: number;
  refusedLots: number;
  paperDuplicates: number;
  toSend: number;
  awaitingArl: number;
}

export function attention(ctx: BillingContext): Attention {
  const calendar = ctx.calendar();
  const today = ctx.today();
  let overdue = 0;
  let dueSoon = 0;
  for (const row of ctx.store.untransmitted.all()) {
    const state = deadlineStatus(calendar, row.deadline ?? today, today, null).state;
    if (state === 'passed') overdue += 1;
    else if (state === 'due-soon') dueSoon += 1;
  }
  const counts = new Map(ctx.store.lotCounts.all().map((r) => [r.state, r.n]));
  const paperDuplicates = ctx.store.paperDuplicates.all(100_000).filter((r) => r.paper_duplicate_sent_at === null).length;
  return {
    overdue,
    dueSoon,
    refusedLots: counts.get('refused') ?? 0,
    paperDuplicates,
    toSend: counts.get('to_send') ?? 0,
    awaitingArl: (counts.get('sent') ?? 0) + (counts.get('resent') ?? 0),
  };
}
