/**
 * Pre-warm (issue 15): what an opening would otherwise wait for, done ahead. When the card session
 * opens, a connection to the DMP (TLS handshake with the card's key) goes into the keep-alive pool;
 * for a patient about to be opened, the VIHF too (signed once per patient and validity window,
 * ../vihf-cache.ts). Only the normal purpose of use: a bris de glace is never prepared. Never
 * fails and never starts the démo simulator: the opening itself says what is wrong.
 */
import { isEndpointConfigured } from '../../settings';
import { callContext, callerOf } from './caller';
import type { DmpContext } from './context';

export async function prewarmDmp(ctx: DmpContext, patientId: string | null): Promise<void> {
  try {
    const endpoint = ctx.deps.settings().endpoint;
    if (!isEndpointConfigured(endpoint)) return;
    const caller = callerOf(ctx, 'normal', false);
    if (caller === null) return;
    const patient = patientId === null ? null : ctx.deps.patient(patientId);
    if (patient === null || patient.status !== 'QUAL' || patient.ins === null) {
      await caller.credentials.http.warm?.(endpoint);
      return;
    }
    await ctx.client.prewarm(callContext(caller, patient.ins, 'normal'));
  } catch (error) {
    ctx.logger.debug('dmp.prewarm_failed', { error: error instanceof Error ? error.name : 'unknown' });
  }
}
