/** services/dmp — the DMPi client and the DMP service (ARCHITECTURE.md §2). Public face. */
export { dmpMigrations, dmpMigrations2, dmpMigrations3 } from './schema';
export { DMP_CONTENT_FOLDER, inlineOutgoingFiles } from './use-cases/outgoing-content';
export {
  DmpService,
  DMP_SEND_CONCURRENCY,
  DMP_SEND_QUEUE,
  hl7ToIso,
  type DmpServiceDeps,
  type DmpPractitioner,
  type DmpStructureCredentials,
  type DmpPatient,
  type DmpSettings,
  type DmpNotify,
  type DmpAccess,
  type DmpDocumentView,
  type DmpRightsView,
  type DmpSendingView,
  type SendInput,
} from './service';
export { DmpClient, DmpError, dmpFaultError, hl7Ts, readSetAuthorizationResponse, type DmpCallContext, type DmpCallerCredentials, type DmpClientOptions, type DmpTrace } from './client';
export { VihfCache, VIHF_VALIDITY_MS, VIHF_RENEW_BEFORE_MS, type VihfLease } from './vihf-cache';
export * from './codes';
export { isAllowed, canSeeMasked, type DmpActor, type DmpOperation, type DocumentContext, type RightsDecision } from './rights';
export { buildVihf, signedVihf, readVihfClaims, subjectDn, type VihfInput, type VihfSubject, type VihfClaims, type LpsIdentity, type AuthenticationMode, type CodedRole } from './vihf';
export { buildTd02Request, parseTd02Response, buildTd02Response, readTd02Patient, type DmpStatus, type DmpExistence } from './td02';
export {
  buildAdhocQueryRequest,
  parseAdhocQueryResponse,
  readAdhocQueryRequest,
  findDocuments,
  findSubmissionSets,
  getAssociations,
  getDocumentsAndAssociations,
  getDocumentsByUniqueId,
  type StoredQuery,
  type ParsedStoredQuery,
  type AdhocQueryResult,
  type RegistryError,
  type FindDocumentsFilters,
} from './iti18';
export {
  buildRetrieveRequest,
  readRetrieveResponse,
  buildRetrieveResponse,
  buildProvideAndRegister,
  buildStatusUpdate,
  buildMetadataUpdate,
  registryResponseEl,
  readRegistryResponse,
} from './transactions';
export {
  rim,
  readRegistryObjects,
  readDocumentEntry,
  documentEntryEl,
  submissionSetEl,
  associationEl,
  hasMember,
  metadataOf,
  restrictionsOf,
  formatXcn,
  parseXcn,
  formatXon,
  parseXon,
  type DocumentEntry,
  type SubmissionSetEntry,
  type AssociationEntry,
  type RegistryObjects,
  type CodedValue,
  type XdsAuthor,
  type XdsDocumentMetadata,
} from './xds';
export { extractPdfFromCda } from './cda-body';
