/**
 * Forms lots from signed invoices not yet in a lot: one lot per destination organism (régime,
 * caisse, centre) and kind (sécurisée / dégradée), at most `lotSize` invoices each (PyxVital's
 * public configuration: NBMAX_FSE_LOT=50, cards.md §7). Each lot gets the practitioner's next lot
 * number and its first emission is enqueued in the outbox in the same transaction (outbox
 * pattern), with the lot number as idempotency key.
 */
import type { BillingContext } from './context';
import { LOT_QUEUE, lotJobKey } from './lot-queue-name';
import type { InvoiceRow } from './store';

export interface FormedLot {
  id: string;
  number: number;
  invoices: number;
}

export interface LotJobPayload {
  lotId: string;
  emission: 1 | 2;
}

/** Must run inside a transaction: the caller decides which invoices go (a session, a deadline). */
export function formLotsInTransaction(ctx: BillingContext, invoices: readonly InvoiceRow[], actor: string, sessionId: string | null): FormedLot[] {
  const groups = new Map<string, InvoiceRow[]>();
  for (const invoice of invoices) {
    if (invoice.state !== 'validated' || invoice.lot_id !== null) continue;
    const key = [invoice.practitioner, invoice.regime, invoice.caisse, invoice.centre, invoice.kind].join('|');
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [invoice]);
    else group.push(invoice);
  }
  const now = ctx.now();
  const formed: FormedLot[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.number - b.number);
    for (let start = 0; start < group.length; start += ctx.lotSize) {
      const members = group.slice(start, start + ctx.lotSize);
      const first = members[0] as InvoiceRow;
      const number = (ctx.store.nextNumber.get({ practitioner: first.practitioner, kind: 'lot' }) as { last: number }).last;
      const id = ctx.newId();
      const deadline = members.reduce((min, i) => ((i.deadline ?? min) < min ? (i.deadline as string) : min), first.deadline as string);
      ctx.store.insertLot.run({
        id,
        practitioner: first.practitioner,
        number,
        sessionId,
        regime: first.regime,
        caisse: first.caisse,
        centre: first.centre,
        kind: first.kind,
        count: members.length,
        total: members.reduce((sum, i) => sum + (i.total_cents ?? 0), 0),
        deadline,
        now,
      });
      for (const invoice of members) ctx.store.setInvoiceLot.run({ id: invoice.id, lotId: id });
      enqueueEmission(ctx, { id, practitioner: first.practitioner, number }, 1);
      ctx.deps.audit({
        actor,
        patientRef: null,
        action: 'billing.lot.formed',
        details: { lotId: id, lotNumber: number, invoices: members.length, regime: first.regime, caisse: first.caisse, kind: first.kind },
      });
      formed.push({ id, number, invoices: members.length });
    }
  }
  return formed;
}

/** Records an emission of a lot and its outbox job (inside the caller's transaction). */
export function enqueueEmission(ctx: BillingContext, lot: { id: string; practitioner: string; number: number }, emission: 1 | 2): string {
  ctx.store.insertEmission.run({ lotId: lot.id, emission, now: ctx.now() });
  const job = ctx.deps.outbox.enqueue<LotJobPayload>(LOT_QUEUE, {
    idempotencyKey: lotJobKey(lot.practitioner, lot.number, emission),
    payload: { lotId: lot.id, emission },
    subject: { label: emission === 1 ? `Lot de factures n° ${lot.number}` : `Lot de factures n° ${lot.number} (renvoi)`, ref: `lot ${lot.number}` },
  });
  ctx.store.setEmissionJob.run({ lotId: lot.id, emission, jobId: job.id });
  return job.id;
}
