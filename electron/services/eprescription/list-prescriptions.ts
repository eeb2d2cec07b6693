/** Use cases: the prescriptions of a patient, and one prescription by number (as the prescriber sees them). */
import { AppError } from '../../contract';
import type { PrescriptionView } from '../../contract/domains/eprescription';
import type { EprescriptionContext } from './context';
import { normalizeNumber } from './number';
import { prescriptionView } from './views';

export function listPrescriptions(ctx: EprescriptionContext, patientId: string, actor: string): PrescriptionView[] {
  const rows = ctx.store.prescriptionsOf(ctx.environment(), patientId);
  ctx.audit({ actor, patientRef: patientId, action: 'eprescription.list', details: { count: rows.length } });
  return rows.map((row) => prescriptionView(ctx, row));
}

export function getPrescription(ctx: EprescriptionContext, number: string, actor: string): PrescriptionView {
  const normalized = normalizeNumber(number);
  if (normalized === null) throw new AppError('ERX_NUMBER_INVALID');
  const row = ctx.store.prescription(normalized, ctx.environment());
  if (row === null) throw new AppError('ERX_NOT_FOUND');
  ctx.audit({ actor, patientRef: row.patientId, action: 'eprescription.get', details: { number: normalized } });
  return prescriptionView(ctx, row);
}
