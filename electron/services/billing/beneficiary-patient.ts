/**
 * The record an invoice is filed under must be the beneficiary billed: same birth date, and the
 * same NIR when both have one (the check of eprescription's requirePrescriptionPatient, services/
 * adri/beneficiary-match.ts). A twin's or a homonym's record chosen on the screen would otherwise
 * receive another person's invoice and rights (RNIV, identitovigilance). Checked before rights are
 * asked and before a number is taken: a refusal leaves nothing behind.
 */
import { AppError } from '../../contract';
import { recordMismatch, type BeneficiaryKey } from '../adri';
import type { BillingContext } from './context';

export function requireBeneficiaryPatient(ctx: BillingContext, patientId: string, beneficiary: BeneficiaryKey, actor: string): void {
  const record = ctx.deps.patients.identity(patientId, actor);
  if (record === null) throw new AppError('PATIENT_NOT_FOUND');
  const mismatch = recordMismatch(record, beneficiary);
  if (mismatch !== null) throw new AppError('BILLING_PATIENT_MISMATCH', { reason: mismatch });
}

export function beneficiaryKeyOf(b: { insuredNir: string; nir: string | null; birthDate: string; birthRank: number }): BeneficiaryKey {
  return { insuredNir: b.insuredNir, nir: b.nir, birthDate: b.birthDate, birthRank: b.birthRank };
}
