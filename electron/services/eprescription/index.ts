/**
 * services/eprescription — the ordonnance numérique (ARCHITECTURE.md §2): prescriptions with their
 * modelled number, paper ordonnance (PDF, QR code) and CI-SIS eP-MED-DM copy; registration in the
 * base e-prescription and dispensations through the outbox; eDISP-MED copies; the reader of any
 * eP-MED-DM/eDISP-MED document; the BDPM drug list; the e-prescription scan recogniser.
 */
export { createEprescriptionService, type EprescriptionService } from './service';
export type { CardSession, DmpPort, EprescriptionDeps, PatientsPort, PractitionerSettings } from './context';
export { eprescriptionMigrations } from './schema';
export { ERX_REGISTER_QUEUE, ERX_EXECUTE_QUEUE, ERX_ENDPOINT } from './queues';
export { PHARMACIST_PROFESSION, isPharmacist } from './card';
export { allocateNumber, normalizeNumber, formatNumber, qrPayloadOf, numberFromQrPayload, NUMBER_PATTERN, EPRESCRIPTION_NUMBER_ROOT } from './number';
export { eprescriptionRecogniser, recogniseEprescriptionPayload, type EprescriptionRecogniser, type EprescriptionRecognition } from './recognise';
export { posologyText } from './posology';
export { renderOrdonnancePdf, FIXED_DATA_SENTENCE, CONSENT_QUESTION, type PaperFormat } from './pdf/ordonnance';
export { qrPng, qrModules } from './pdf/qr';
export { buildEpMedDm, EP_MED_DM_TITLE } from './cda/ep-med-dm';
export { buildEDispMed } from './cda/edisp-med';
export { readEprescriptionDocument, lineKeysOf, MAX_READ_BYTES, type ReadDocument, type ReadMedication, type ReadDevice } from './cda/read';
export { COMMON_ROUTES, routeLabel } from './cda/codes';
export { modelledBase, type ModelledBaseOptions } from './teleservice/client';
export { unavailableBase, ErxError, type BaseCaller, type EprescriptionBase } from './teleservice/base';
export type { BasePrescription, Execution } from './teleservice/wire';
export { importDrugs, BDPM_FILES, type DrugImportReport } from './drugs/import-drugs';
export { searchDrugs, genericsOf } from './drugs/search-drugs';
export type * from './model';
