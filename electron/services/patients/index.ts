/**
 * Local patient base: identities in the encrypted store with their RNIV status history, search
 * (FTS5, accent- and case-insensitive, prefix and tolerant), duplicate warnings, CSV import.
 */
export { patientsMigrations, patientsMigrations2 } from './schema';
export {
  IMPORT_BATCH_SIZE,
  MAX_IMPORT_BYTES,
  MAX_IMPORT_LINES,
  PatientsService,
  toPatient,
  type CreatePatientInput,
  type ImportCommit,
  type ImportCommitOptions,
  type ImportPreview,
  type ImportProgress,
  type InsiResultInput,
  type PatientsAuditCallback,
  type PatientsDeps,
  type PatientsNotification,
  type SearchCriteria,
  type UpdatePatientInput,
} from './service';
export { CsvError, decodeCsvBytes, decodeWindows1252, detectSeparator, readCsv, suggestMapping, type CsvEncoding, type CsvRow, type CsvSeparator, type CsvTable } from './csv';
export { ImportValidator, validateImport, type ImportLineOutcome, type PlannedPatient } from './import';
export { assertStorable, fieldProblem, FIELD_MAX_CHARS, type StoredField } from './fields';
export { parseSearchQuery, searchWords } from './search';
export type { IdentityToVerify, InsiCandidateSelection, ToVerifySort } from './store';
