/**
 * « Synchroniser » (screen, `pupitre billing sync`): forms the lots that are due, sends what waits
 * (the outbox, endpoints probed again), collects acknowledgements and payment returns, then applies
 * the re-sending rules. Bounded in time for the screen: sending goes on in the background.
 */
import type { SyncResult } from '../../contract/domains/billing';
import type { BillingContext } from './context';
import { fetchReturns } from './fetch-returns';
import { followUp } from './follow-up';

export const SYNC_WAIT_MS = 15_000;

export async function sync(ctx: BillingContext, actor: string, waitMs = SYNC_WAIT_MS): Promise<SyncResult> {
  const startedAt = ctx.now();
  const before = followUp(ctx, actor);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ctx.deps.outbox.syncNow(),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    }),
  ]);
  clearTimeout(timer);
  const returns = await fetchReturns(ctx, actor);
  const after = followUp(ctx, actor);
  const endpoint = ctx.deps.outbox.endpoints().find((e) => e.endpoint === 'facturation');
  const waiting = ctx.store.emissionsWaiting.get()?.n ?? 0;
  const offline = waiting > 0 && ((endpoint !== undefined && !endpoint.online) || returns.error !== null);
  return {
    lotsFormed: before.lotsFormed + after.lotsFormed,
    sent: ctx.store.emissionsSentSince.get(startedAt)?.n ?? 0,
    returns: returns.applied,
    acknowledged: returns.acknowledged,
    refused: returns.refused,
    resent: returns.resent + before.resent + after.resent,
    paperDuplicates: returns.paperDuplicates + before.paperDuplicates + after.paperDuplicates,
    waiting,
    error: offline ? 'Le service de télétransmission est injoignable : les lots partiront dès le retour du réseau.' : returns.error,
  };
}
