/**
 * What billing and ADRi compare with the beneficiary read from a card: the record's birth date and
 * NIR (its INS matricule, else the NIR declared on the record), and the record it was merged into
 * (`patients.get` returns a merged record too: billing and ADRi refuse it). The read is audited by
 * patients.
 */
import { isAppError } from '../../contract';
import type { RecordIdentity } from '../../services/adri';
import type { PatientsService } from '../../services/patients';

export function patientRecordIdentity(patients: PatientsService, patientId: string, actor: string): RecordIdentity | null {
  try {
    const { patient } = patients.get(patientId, actor);
    const { year, month, day } = patient.strictTraits.birthDate;
    return { birthDate: { year, month, day }, nir: patient.identity.ins?.matricule ?? patient.declaredNir, mergedInto: patient.mergedInto };
  } catch (error) {
    if (isAppError(error) && error.code === 'PATIENT_NOT_FOUND') return null;
    throw error;
  }
}
