/**
 * services/adri — rights of the patient (acquerirLesDroits): public request shape (request.ts),
 * modelled answer (response.ts), the use case (acquire-rights.ts), rights kept with their date
 * (store.ts), « droits non vérifiés » when the check cannot be made.
 */
export { acquireRights, queryOf, regimeOf, unverifiedReason, unverifiedRights, type AcquireInput } from './acquire-rights';
export { recordBirthDate, recordMismatch, requireLivingRecord, sameBeneficiary, type BeneficiaryKey, type RecordIdentity, type RecordMismatch } from './beneficiary-match';
export { AdriClient, ADRI_DEFAULT_TIMEOUTS, type AdriClientDeps, type AdriCredentials } from './client';
export { acquerirLesDroits, ADRI_ACTION, ADRI_NS, contexteBamAdri, type AdriQuery } from './request';
export { parseAdriAnswer, REGIME_LABELS, rightsOpenAt, type AdriAnswer } from './response';
export { AdriService, beneficiaryOf, type AdriServiceDeps } from './service';
export { adriMigrations, AdriStore } from './store';
