/**
 * Use case: the pharmacist scans the QR code (or types the number) and the prescription is fetched
 * from the base (modelled teleservice). The document the base returns is kept as this desk's copy:
 * when the base cannot be reached later, the pharmacist still sees the lines and the dispensation
 * he records waits in the outbox. A number the base does not know, or a cancelled prescription, is
 * said plainly.
 */
import { AppError, isAppError } from '../../contract/errors';
import { isTransportError } from '../../platform/http';
import { callerOf, requirePharmacist } from './card';
import type { EprescriptionContext } from './context';
import { dispensationView } from './dispensation-view';
import { readEprescriptionDocument } from './cda/read';
import { normalizeNumber } from './number';
import { numberOfPayload } from './recognise';
import { ErxError } from './teleservice/base';

/** A failure that says the base cannot be reached now (not that it refused). */
function unreachable(error: unknown): boolean {
  if (isTransportError(error)) return error.retryable;
  return error instanceof ErxError && error.retryable;
}

export async function openDispensation(ctx: EprescriptionContext, input: { number: string } | { scanId: string }, actor: string) {
  const session = requirePharmacist(ctx);
  let typed: string | null;
  if ('scanId' in input) {
    const payload = ctx.takeScanPayload?.(input.scanId) ?? null;
    typed = payload === null ? null : numberOfPayload(payload);
    if (typed === null) throw new AppError('ERX_NUMBER_INVALID', { reason: 'scan' });
  } else typed = input.number;
  const number = normalizeNumber(typed);
  if (number === null) throw new AppError('ERX_NUMBER_INVALID');
  const environment = ctx.environment();
  await ctx.prepare?.();
  let source: 'base' | 'copie locale' = 'base';
  try {
    const read = await ctx.base().read(callerOf(ctx, session), number);
    ctx.store.saveReceived(environment, { number, fetchedAt: ctx.now(), status: read.status, document: read.document, executions: read.executions });
    for (const execution of read.executions) if (ctx.store.dispensation(execution.id) !== null) ctx.store.setExecuted(execution.id, ctx.now());
  } catch (error) {
    const local = ctx.store.received(environment, number);
    if (local === null || !unreachable(error)) {
      ctx.audit({ actor, patientRef: null, action: 'eprescription.consult.failed', details: { code: isAppError(error) ? error.code : 'INTERNAL' } });
      if (unreachable(error) && !(error instanceof ErxError)) throw new AppError('ERX_UNAVAILABLE', {}, { cause: error });
      throw error;
    }
    source = 'copie locale';
  }
  const received = ctx.store.received(environment, number);
  const insMatricule = received === null ? null : readEprescriptionDocument(received.document).patient?.ins ?? null;
  const patientRef = insMatricule === null ? null : ctx.patients.findQualifiedByIns(insMatricule, actor);
  ctx.audit({ actor, patientRef, action: 'eprescription.consulted', details: { number, source } });
  return dispensationView(ctx, number, source);
}
