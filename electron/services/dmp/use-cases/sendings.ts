/** A patient's documents sent from here, with where each stands in the outbox. */
import type { OutgoingRow } from '../store';
import type { DmpSendingView } from '../types';
import type { DmpContext } from './context';

export function sendings(ctx: DmpContext, patientId: string): DmpSendingView[] {
  return ctx.store.outgoingByPatient(patientId).map((row) => sendingView(ctx, row));
}

export function sendingView(ctx: DmpContext, row: OutgoingRow): DmpSendingView {
  const job = row.jobId === null ? null : (ctx.deps.outbox?.get(row.jobId) ?? null);
  let state: DmpSendingView['state'] = 'queued';
  let message: string | null = null;
  if (row.sentAt !== null || job?.status === 'done') state = 'sent';
  else if (job !== null) {
    if (job.status === 'running') state = 'sending';
    else if (job.status === 'blocked') {
      state = 'waiting-card';
      message = job.blockedReason;
    } else if (job.status === 'dead') {
      state = 'failed';
      message = job.lastErrorMessage;
    } else if (job.status === 'cancelled') state = 'cancelled';
    else if (job.lastErrorMessage !== null) message = job.lastErrorMessage;
  }
  return {
    uniqueId: row.uniqueId,
    title: row.metadata.title,
    typeCode: row.metadata.typeCode,
    createdAt: row.createdAt,
    state,
    message,
    jobId: row.jobId,
    replaces: row.replaces,
  };
}
