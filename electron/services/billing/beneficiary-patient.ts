/**
 * The record an invoice is filed under must be a living record (not merged into another:
 * PATIENT_MERGED) and the beneficiary billed: same birth date, and the same NIR when both have one
 * (the check of eprescription's requirePrescriptionPatient, services/adri/beneficiary-match.ts). A
 * twin's or a homonym's record chosen on the screen would otherwise receive another person's
 * invoice and rights (RNIV, identitovigilance). Checked before rights are asked and before a number
 * is taken: a refusal leaves nothing behind. The record read is returned, so that ADRi checks the
 * same read instead of reading (and auditing) the record a second time for one invoice.
 */
import { AppError } from '../../contract';
import { recordMismatch, requireLivingRecord, type BeneficiaryKey, type RecordIdentity } from '../adri';
import type { BillingContext } from './context';

export function requireBeneficiaryPatient(ctx: BillingContext, patientId: string, beneficiary: BeneficiaryKey, actor: string): RecordIdentity {
  const record = ctx.deps.patients.identity(patientId, actor);
  if (record === null) throw new AppError('PATIENT_NOT_FOUND');
  requireLivingRecord(record);
  const mismatch = recordMismatch(record, beneficiary);
  if (mismatch !== null) throw new AppError('BILLING_PATIENT_MISMATCH', { reason: mismatch });
  return record;
}

export function beneficiaryKeyOf(b: { insuredNir: string; nir: string | null; birthDate: string; birthRank: number }): BeneficiaryKey {
  return { insuredNir: b.insuredNir, nir: b.nir, birthDate: b.birthDate, birthRank: b.birthRank };
}
