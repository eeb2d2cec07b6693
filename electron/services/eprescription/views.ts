/**
 * What the screens show of a prescription: its lines, their posology in plain French, and where its
 * registration in the base and its copy to the DMP stand (from the outbox jobs).
 */
import type { PrescriptionView } from '../../contract/domains/eprescription';
import type { JobView } from '../outbox';
import type { EprescriptionContext } from './context';
import { formatNumber } from './number';
import { posologyText } from './posology';
import type { PrescriptionRow } from './store';

export type DeliveryState = PrescriptionView['registration'];

/** A job's state as the prescriber or the pharmacist reads it. */
export function jobState(job: JobView | null, done: boolean): DeliveryState {
  if (done || job?.status === 'done') return { state: 'done', message: null, jobId: job?.id ?? null };
  if (job === null) return { state: 'queued', message: null, jobId: null };
  switch (job.status) {
    case 'running':
      return { state: 'sending', message: null, jobId: job.id };
    case 'blocked':
      return { state: 'waiting-card', message: job.blockedReason, jobId: job.id };
    case 'dead':
      return { state: 'failed', message: job.lastErrorMessage, jobId: job.id };
    case 'cancelled':
      return { state: 'cancelled', message: null, jobId: job.id };
    default:
      return { state: 'queued', message: job.lastErrorMessage, jobId: job.id };
  }
}

export function dmpState(ctx: EprescriptionContext, patientId: string | null, uniqueId: string | null, skipped: string | null): DeliveryState {
  if (skipped !== null) return { state: 'not-sent', message: skipped, jobId: null };
  if (uniqueId === null || patientId === null || ctx.dmp === undefined) return { state: 'not-sent', message: 'Copie au DMP non demandée.', jobId: null };
  const sending = ctx.dmp.sendingState(patientId, uniqueId);
  if (sending === null) return { state: 'queued', message: null, jobId: null };
  return { state: sending.state === 'sent' ? 'done' : sending.state, message: sending.message, jobId: sending.jobId };
}

export function prescriptionView(ctx: EprescriptionContext, row: PrescriptionRow): PrescriptionView {
  const p = row.content;
  const job = row.registerJobId === null ? null : (ctx.outbox?.get(row.registerJobId) ?? null);
  return {
    number: row.number,
    numberText: formatNumber(row.number),
    patientId: row.patientId,
    createdAt: row.createdAt,
    validFrom: p.validFrom,
    validUntil: p.validUntil,
    prescriber: { idNat: p.prescriber.idNat, name: `${p.prescriber.givenName} ${p.prescriber.surname}` },
    consent: p.consent,
    lines: p.lines.map((line) => ({ ...line, codes: line.codes.map((c) => ({ ...c })) })) as PrescriptionView['lines'],
    posologies: p.lines.map((line) => (line.kind === 'medication' ? posologyText(line.posology) : `${line.quantity} (dispositif médical)`)),
    registration:
      ctx.base().available || row.registeredAt !== null
        ? jobState(job, row.registeredAt !== null)
        : { state: 'waiting-card', message: 'Le téléservice ordonnance numérique n’est pas disponible dans cette version (spécifications sous convention) : l’ordonnance papier reste valable.', jobId: job?.id ?? null },
    dmp: dmpState(ctx, row.patientId, row.dmpUniqueId, row.dmpSkipped),
    baseStatus: row.baseStatus,
    printedAt: row.printedAt,
  };
}
