/**
 * Is this local record the beneficiary read from the carte Vitale (or the appli carte Vitale)?
 * Rights and invoices are filed under a record: a twin's or a homonym's record chosen by mistake
 * would receive another person's rights and invoices (RNIV, identitovigilance: data are filed under
 * the identity of the person they concern). Names are not compared — the card's are not the
 * INSi's strict traits and homonyms share them; the birth date and the NIR are.
 */
import { AppError } from '../../contract';

/** What a local record says of the person (services/patients), read through a port. */
export interface RecordIdentity {
  /** As stored by patients: null for an unknown month or day (« 00 »). */
  birthDate: { year: number; month: number | null; day: number | null };
  /** The record's INS matricule, else its declared NIR; null when it has neither. */
  nir: string | null;
  /** The record this one was merged into (patients/merge.ts), null while it is still the living one. */
  mergedInto: string | null;
}

/** The beneficiary as read from the card or the ApCV context. */
export interface BeneficiaryKey {
  insuredNir: string;
  /** The beneficiary's own NIR (15 characters), absent for many children on a parent's card. */
  nir: string | null;
  /** AAAAMMJJ as on the card; lunar dates keep their 00 (or a day outside the calendar). */
  birthDate: string;
  birthRank: number;
}

export type RecordMismatch = 'birth-date' | 'nir';

/**
 * Nothing is filed under a record merged into another (PATIENT_MERGED, as the patients service and
 * eprescription's livingPatient refuse it): it is read-only and out of the search, and the record
 * kept does not list what it holds, so an invoice or rights kept under it would be lost to the desk.
 */
export function requireLivingRecord(record: RecordIdentity): void {
  if (record.mergedInto !== null) throw new AppError('PATIENT_MERGED', { mergedInto: record.mergedInto });
}

const pad = (n: number | null, width: number) => String(n ?? 0).padStart(width, '0');

/** The record's birth date in the card's AAAAMMJJ form (00 for an unknown part, as the card). */
export function recordBirthDate(birthDate: RecordIdentity['birthDate']): string {
  return `${pad(birthDate.year, 4)}${pad(birthDate.month, 2)}${pad(birthDate.day, 2)}`;
}

/** NIR without spaces, upper case (a declared NIR may have been typed « 1 85 04 … »). */
function normalizeNir(nir: string): string {
  return nir.replace(/\s+/g, '').toUpperCase();
}

/**
 * Null when the record may be the beneficiary: same birth date, and the same NIR when both have
 * one (the 13 characters of the NIR, so a declared NIR typed without its key still compares). A
 * lunar date the patients service cannot store (a day outside the calendar) never matches: bill
 * without a record, or correct the record.
 */
export function recordMismatch(record: RecordIdentity, beneficiary: BeneficiaryKey): RecordMismatch | null {
  if (recordBirthDate(record.birthDate) !== beneficiary.birthDate) return 'birth-date';
  if (record.nir !== null && beneficiary.nir !== null && normalizeNir(record.nir).slice(0, 13) !== normalizeNir(beneficiary.nir).slice(0, 13)) return 'nir';
  return null;
}

/** The same beneficiary of the same card holder (SESAM-Vitale: insured NIR, birth date and rank). */
export function sameBeneficiary(a: BeneficiaryKey, b: BeneficiaryKey): boolean {
  return a.insuredNir === b.insuredNir && a.nir === b.nir && a.birthDate === b.birthDate && a.birthRank === b.birthRank;
}
