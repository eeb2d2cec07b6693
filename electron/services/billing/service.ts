/**
 * BillingService: the public face of the billing use cases (one file each in this folder). It
 * registers the lot queue on the outbox, builds the store and the calendar once, and audits reads
 * of invoices (health data). Background work (follow-up, returns) is driven by the host.
 */
import { AppError } from '../../contract';
import type {
  BillingMode,
  BillingStatus,
  DeadlineItem,
  InvoiceView,
  LotState,
  LotView,
  Quote,
  SessionMode,
  SessionPlace,
  SessionView,
  SyncResult,
  TariffTable,
} from '../../contract/domains/billing';
import { cancelInvoice } from './cancel-invoice';
import { isIsoDate } from './calendar';
import { closeSession } from './close-session';
import { createContext, type BillingContext, type BillingDeps } from './context';
import { createInvoice, type CreateInvoiceInput } from './create-invoice';
import { transmissionDeadline } from './deadlines';
import { fetchReturns, type FetchedReturns } from './fetch-returns';
import { followUp, type FollowUpResult } from './follow-up';
import { identityComplete } from './identity';
import { markPaperDuplicatesSent } from './paper-duplicates';
import { openSession, sessionOf } from './open-session';
import { priceInvoice, type LineRequest } from './pricing';
import { purge } from './purge';
import { attention, deadlines, invoices, lotViewOf, lots, sessions } from './queries';
import { lotQueue } from './send-lot';
import { setSessionMode } from './set-session-mode';
import { createBillingStore } from './store';
import { sync } from './sync';

export class BillingService {
  readonly ctx: BillingContext;

  constructor(deps: BillingDeps) {
    this.ctx = createContext(deps, createBillingStore(deps.db));
    deps.outbox.register(lotQueue(this.ctx));
    deps.outbox.setProbe('facturation', () => deps.transport.probe());
  }

  /**
   * The IdNat of the CPS a numéro AM belongs to (the first that opened a billing session under it,
   * identity.ts `requireOwnBillingNumber`), null while no session used it. The e-prescription asks
   * it before printing the number on a prescriber's ordonnance.
   */
  numberHolder(billingNumber: string): string | null {
    return this.ctx.store.holderOfNumber.get(billingNumber)?.id_nat ?? null;
  }

  status(): BillingStatus {
    const settings = this.ctx.deps.settings();
    // With a card in the reader, its holder's session only (a centre has several practitioners);
    // without one, the open session of the desk, to show what is going on.
    const card = this.ctx.deps.practitioner();
    const any = card === null ? this.ctx.store.openSessions.all()[0] : this.ctx.store.openSessionOf.get(card.idNat);
    const mailbox = this.ctx.store.mailboxes.all()[0];
    return {
      mode: this.ctx.deps.mode,
      endpoint: this.ctx.deps.transport.endpoint,
      identity: { amNumber: settings.amNumber, specialty: settings.specialty, conventionSector: settings.conventionSector, complete: identityComplete(settings) },
      holidays: settings.holidays,
      today: this.ctx.today(),
      session: any === undefined ? null : sessionOf(this.ctx, any.id),
      attention: attention(this.ctx),
      lastReturnsAt: mailbox?.fetched_at === null || mailbox === undefined ? null : new Date(mailbox.fetched_at).toISOString(),
      lastReturnsError: mailbox?.error_code ?? null,
    };
  }

  openSession(input: { mode: SessionMode; place: SessionPlace }): SessionView {
    return openSession(this.ctx, input);
  }

  setSessionMode(sessionId: string, mode: SessionMode): SessionView {
    return setSessionMode(this.ctx, sessionId, mode);
  }

  closeSession(sessionId: string): { session: SessionView; lots: LotView[] } {
    return closeSession(this.ctx, sessionId);
  }

  sessions(limit = 50): SessionView[] {
    return sessions(this.ctx, limit);
  }

  tariffs(date?: string): TariffTable {
    return this.ctx.deps.tariffs.table(date ?? this.ctx.today());
  }

  /** Live totals while typing: the same pricing as the invoice, nothing stored. */
  quote(input: { lines: readonly LineRequest[]; coverage: CreateInvoiceInput['coverage']; mode: BillingMode; careDate?: string; birthDate?: string }): Quote {
    const careDate = input.careDate ?? this.ctx.today();
    const sector = this.ctx.deps.settings().conventionSector;
    const priced = priceInvoice(this.ctx.deps.tariffs, {
      lines: input.lines,
      coverage: input.coverage,
      mode: input.mode,
      careDate,
      birthDate: input.birthDate ?? null,
      conventionSector: sector,
    });
    return { careDate, lines: priced.lines, totals: priced.totals, deadline: transmissionDeadline(this.ctx.calendar(), priced.firstCareDate, input.mode) };
  }

  createInvoice(input: CreateInvoiceInput): Promise<InvoiceView> {
    return createInvoice(this.ctx, input);
  }

  cancelInvoice(invoiceId: string, actor: string): InvoiceView {
    return cancelInvoice(this.ctx, invoiceId, actor);
  }

  /** Invoices of a session, a lot, or needing a paper duplicate; the read is audited (health data). */
  invoices(filter: { sessionId?: string; lotId?: string; paperDuplicate?: boolean; limit?: number }, actor: string): InvoiceView[] {
    const list = invoices(this.ctx, { ...filter, limit: filter.limit ?? 500 });
    this.ctx.deps.audit({
      actor,
      patientRef: null,
      action: 'billing.invoices.read',
      details: { count: list.length, ...(filter.sessionId === undefined ? {} : { sessionId: filter.sessionId }), ...(filter.lotId === undefined ? {} : { lotId: filter.lotId }) },
    });
    return list;
  }

  lots(filter: { state?: LotState; limit?: number } = {}): LotView[] {
    return lots(this.ctx, { ...filter, limit: filter.limit ?? 500 });
  }

  lot(id: string): LotView {
    return lotViewOf(this.ctx, id);
  }

  deadlines(actor: string): { today: string; items: DeadlineItem[] } {
    const list = deadlines(this.ctx);
    this.ctx.deps.audit({ actor, patientRef: null, action: 'billing.deadlines.read', details: { count: list.items.length } });
    return list;
  }

  /** R161-47: the last day to transmit care given on `date`. */
  deadline(date: string, mode: BillingMode): string {
    if (!isIsoDate(date)) throw new AppError('BILLING_CARE_DATE_INVALID');
    return transmissionDeadline(this.ctx.calendar(), date, mode);
  }

  sync(actor: string, waitMs?: number): Promise<SyncResult> {
    return sync(this.ctx, actor, waitMs);
  }

  fetchReturns(actor: string): Promise<FetchedReturns> {
    return fetchReturns(this.ctx, actor);
  }

  followUp(actor: string): FollowUpResult {
    return followUp(this.ctx, actor);
  }

  markPaperDuplicatesSent(invoiceIds: readonly string[], actor: string): number {
    return markPaperDuplicatesSent(this.ctx, invoiceIds, actor);
  }

  purge(actor: string): { purgedInvoices: number; purgedReturns: number; keptUntil: string } {
    return purge(this.ctx, actor);
  }

  /** True when lots wait for an acknowledgement or tiers-payant invoices for their payment (the host polls the mailbox more often then). */
  awaitingReturns(): boolean {
    return this.ctx.store.lotsAwaitingArl.all().length > 0 || (this.ctx.store.awaitingPayments.get()?.n ?? 0) > 0;
  }
}
