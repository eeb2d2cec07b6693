/**
 * Collects acknowledgements (ARL) and payment returns from each practitioner's mailbox after the
 * kept cursor, and applies them (apply-returns.ts). A read: safe to repeat, never through the
 * outbox; a failure is recorded for the screen and retried at the next sync.
 */
import { isAppError } from '../../contract';
import { applyReturns, type AppliedReturns } from './apply-returns';
import type { BillingContext } from './context';

export interface FetchedReturns extends AppliedReturns {
  fetched: number;
  error: string | null;
}

export async function fetchReturns(ctx: BillingContext, actor: string, signal?: AbortSignal): Promise<FetchedReturns> {
  const total: FetchedReturns = { fetched: 0, applied: 0, acknowledged: 0, refused: 0, resent: 0, paperDuplicates: 0, unreadable: 0, error: null };
  for (const { practitioner } of ctx.store.practitionersWithLots.all()) {
    let cursor = ctx.store.mailbox.get(practitioner)?.cursor ?? null;
    try {
      // Several pages when many returns wait (the service answers oldest first).
      for (let page = 0; page < 100; page += 1) {
        const answer = await ctx.deps.transport.fetchReturns(practitioner, cursor, signal);
        total.fetched += answer.returns.length;
        const applied = applyReturns(ctx, practitioner, answer.returns, actor);
        total.applied += applied.applied;
        total.acknowledged += applied.acknowledged;
        total.refused += applied.refused;
        total.resent += applied.resent;
        total.paperDuplicates += applied.paperDuplicates;
        total.unreadable += applied.unreadable;
        const moved = answer.cursor !== cursor;
        cursor = answer.cursor;
        ctx.store.saveMailbox.run({ practitioner, cursor, now: ctx.now(), error: null });
        if (answer.returns.length === 0 || !moved) break;
      }
    } catch (error) {
      const code = isAppError(error) ? error.code : 'INTERNAL';
      ctx.store.saveMailbox.run({ practitioner, cursor: null, now: ctx.now(), error: code });
      total.error = isAppError(error) ? error.message : 'Le relevé des accusés de réception a échoué ; Pupitre réessaiera.';
      ctx.logger.info('billing.returns_failed', { code });
    }
  }
  if (total.error === null && total.unreadable > 0) {
    total.error =
      total.unreadable === 1
        ? 'Un accusé de réception reçu est illisible : il est conservé, et le lot concerné sera renvoyé automatiquement s’il n’est pas accusé sous deux jours ouvrés.'
        : `${total.unreadable} accusés de réception reçus sont illisibles : ils sont conservés, et les lots concernés seront renvoyés automatiquement s’ils ne sont pas accusés sous deux jours ouvrés.`;
  }
  return total;
}
