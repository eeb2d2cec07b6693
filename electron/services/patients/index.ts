/**
 * Local patient base: identities in the encrypted store with their RNIV status history, search
 * (FTS5, accent- and case-insensitive, prefix and tolerant), duplicate warnings, CSV import.
 */
export { patientsMigrations, patientsMigrations2 } from './schema';
export {
  MAX_IMPORT_BYTES,
  PatientsService,
  toPatient,
  type CreatePatientInput,
  type ImportCommit,
  type ImportPreview,
  type InsiResultInput,
  type PatientsAuditCallback,
  type PatientsDeps,
  type PatientsNotification,
  type SearchCriteria,
  type UpdatePatientInput,
} from './service';
export { decodeCsvBytes, decodeWindows1252, detectSeparator, readCsv, suggestMapping, type CsvEncoding, type CsvSeparator, type CsvTable } from './csv';
export { parseSearchQuery, searchWords } from './search';
export type { IdentityToVerify, InsiCandidateSelection, ToVerifySort } from './store';
