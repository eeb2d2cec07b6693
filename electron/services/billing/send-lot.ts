/**
 * The outbox queue of lots (ARCHITECTURE.md §5): one job per emission of a lot, idempotency key =
 * the lot number. The lot's bytes are built when it is sent, from the stored signed invoices. An
 * attempt whose outcome is unknown (crash, timeout after sending) first asks the service whether
 * the emission arrived; the service also takes an emission it already has as a duplicate, so a
 * lot is never counted twice. Sending needs no card: offline sessions need the cards only to sign.
 */
import { z } from 'zod';
import { AppError, isAppError } from '../../contract';
import type { ErrorClass, JobView, QueueDefinition } from '../outbox';
import { classifyError } from '../outbox';
import type { SignedFse } from './adapters';
import { parisDate } from './calendar';
import type { BillingContext } from './context';
import type { LotJobPayload } from './form-lots';
import { LOT_QUEUE } from './lot-queue-name';
import type { LotRow } from './store';

const payloadSchema = z.object({ lotId: z.string().min(1), emission: z.union([z.literal(1), z.literal(2)]) });

/**
 * What the File d'envoi says while lots cannot leave this desk: télétransmission has no address to
 * type in Paramètres, it needs the GIE SESAM-Vitale's library and a secured messaging (under
 * agreement) set up by the software's editor.
 */
export const LOT_TRANSPORT_SETUP_HINT =
  'Télétransmission non configurée sur ce poste : faites installer la bibliothèque du GIE SESAM-Vitale et la messagerie sécurisée par votre éditeur. Les lots attendent dans Pupitre jusque-là ; surveillez le délai légal.';

/** Lots are never dropped: retried for a month (a practice may stay offline for days). */
export const LOT_TIME_BUDGET_MS = 31 * 24 * 3_600_000;

export function lotQueue(ctx: BillingContext): QueueDefinition<LotJobPayload> {
  return {
    name: LOT_QUEUE,
    label: 'Télétransmission des factures',
    endpoint: 'facturation',
    // No address setting: lots can leave only with a transport (démo: the modelled one).
    endpointSetup: () => (ctx.deps.mode === 'unavailable' ? LOT_TRANSPORT_SETUP_HINT : null),
    payload: payloadSchema,
    concurrency: 2,
    attemptTimeoutMs: 90_000,
    timeBudgetMs: LOT_TIME_BUDGET_MS,
    maxAttempts: 100_000,
    async run(job, { signal }) {
      const lot = requireLot(ctx, job);
      // A lot acknowledged meanwhile (late ARL of the first emission) needs no re-emission.
      if (lot.state === 'acknowledged' || lot.state === 'paper_duplicate') return;
      const invoices = ctx.store.lotInvoicesForSending.all(lot.id).map((row): SignedFse => {
        if (row.encoded === null || row.cps_signature === null) throw new AppError('INTERNAL', { reason: 'purged-before-sending' });
        return {
          number: row.number,
          encoded: row.encoded,
          cpsSignature: row.cps_signature,
          cpsCertificate: row.cps_certificate ?? '',
          vitaleSignature: row.vitale_signature,
          vitaleKind: row.vitale_kind,
        };
      });
      const session = lot.session_id === null ? undefined : ctx.store.session.get(lot.session_id);
      const { body, contentType } = ctx.deps.encoder.encodeLot(
        {
          emitter: { billingNumber: lot.practitioner, idNat: session?.id_nat ?? '' },
          lotNumber: lot.number,
          emission: job.payload.emission,
          organism: { regime: lot.regime, caisse: lot.caisse, centre: lot.centre },
          kind: lot.kind,
          createdAt: new Date(lot.created_at).toISOString(),
        },
        invoices,
      );
      await ctx.deps.transport.submit({ emitter: lot.practitioner, lotNumber: lot.number, emission: job.payload.emission, body, contentType }, signal);
      markSent(ctx, lot.id, job.payload.emission);
    },
    async reconcile(job, { signal }) {
      const lot = requireLot(ctx, job);
      const arrived = await ctx.deps.transport.received(lot.practitioner, lot.number, job.payload.emission, signal);
      if (!arrived) return 'absent';
      markSent(ctx, lot.id, job.payload.emission);
      return 'done';
    },
    classify(error): ErrorClass {
      if (isAppError(error) && error.code === 'BILLING_RESPONSE_MALFORMED') return 'unknown-outcome';
      return classifyError(error);
    },
  };
}

function requireLot(ctx: BillingContext, job: JobView<LotJobPayload>): LotRow {
  const lot = ctx.store.lot.get(job.payload.lotId);
  if (lot === undefined) throw new AppError('BILLING_LOT_NOT_FOUND');
  return lot;
}

/** The emission left (or the service says it has it): idempotent, never moves a lot backwards. */
export function markSent(ctx: BillingContext, lotId: string, emission: 1 | 2, at = ctx.now()): void {
  const on = parisDate(at);
  const changed = ctx.deps.db
    .transaction(() => {
      if (ctx.store.markEmissionSent.run({ lotId, emission, at, on }).changes === 0) return false;
      ctx.store.setLotFirstSent.run({ id: lotId, on, now: ctx.now() });
      const lot = ctx.store.lot.get(lotId) as LotRow;
      if (emission === 1 && lot.state === 'to_send') ctx.store.setLotState.run({ id: lotId, state: 'sent', now: ctx.now() });
      if (emission === 2 && (lot.state === 'refused' || lot.state === 'sent' || lot.state === 'to_send')) ctx.store.setLotState.run({ id: lotId, state: 'resent', now: ctx.now() });
      return true;
    })
    .immediate();
  if (changed) {
    ctx.logger.info('billing.lot_sent', { lotId, emission });
    ctx.notify('lot');
  }
}
