/** services/dmp — what the DMP service takes and gives (its dependencies, inputs and views). */
import type { AuditWriter } from '../audit';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { HttpTransport } from '../../platform/http';
import type { Logger } from '../../platform/log';
import type { XmlSigner } from '../../platform/xml';
import type { Outbox } from '../outbox';
import type { DmpCallerCredentials, DmpTrace } from './client';
import type { PurposeOfUse } from './codes';
import type { DmpActor } from './rights';
import type { LpsIdentity } from './vihf';
import type { CodedValue, DocumentEntry, XdsDocumentMetadata } from './xds';

export const DMP_SEND_QUEUE = 'dmp.send';
/**
 * Documents of the DMP queue in flight at once (a patient's unrelated documents go in parallel:
 * send-job.ts). The bench's loopback bound uses the same number of requests at a time.
 */
export const DMP_SEND_CONCURRENCY = 2;

export interface DmpPractitioner {
  idNat: string;
  givenName: string;
  surname: string;
  cardType: 'CPS' | 'CPE';
  /** TRE_G15 (null for CPE holders). */
  profession: { code: string; label: string } | null;
  /** TRE_R01. */
  specialty: { code: string; label: string } | null;
  structure: { id: string; name: string; activitySector: string };
  /** The card's signature key (VIHF, XAdES). */
  signer: XmlSigner;
}

export interface DmpStructureCredentials {
  id: string;
  name: string;
  activitySector: string;
  /** ORG SIGN certificate (VIHF in indirect mode). */
  signer: XmlSigner;
}

export interface DmpPatient {
  id: string;
  status: 'PROV' | 'RECUP' | 'VALI' | 'QUAL';
  ins: { matricule: string; oid: string } | null;
  birthName: string;
  firstNames: string;
  sex: 'M' | 'F' | 'U';
  /** yyyy-MM-dd */
  birthDate: string;
  /** Code lieu de naissance (COG): an INS trait the CI-SIS structuration minimale requires in the CDA header. */
  birthPlaceCode?: string | null;
}

export interface DmpSettings {
  endpoint: string;
  lps: LpsIdentity;
  /** OID of this installation (sender, submission set source, document OIDs). */
  lpsOid: string;
  /** Type codes the user prefers for the first automatic search (empty = all). */
  preferredTypeCodes: string[];
  /** Indirect mode (structure certificate) may send documents without a card. */
  indirectSending: boolean;
}

export type DmpNotify = (event: 'dmp.changed', payload: { patientId: string; reason: 'opened' | 'sending' | 'sent' | 'failed' | 'updated' }) => void;

export interface DmpServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  /** Mutual TLS transport for the card (direct mode) or the structure certificate (indirect). */
  http: (credential: 'CPS' | 'STRUCTURE') => HttpTransport;
  practitioner: () => DmpPractitioner | null;
  structure?: () => DmpStructureCredentials | null;
  patient: (patientId: string) => DmpPatient;
  settings: () => DmpSettings;
  outbox?: Outbox;
  notify?: DmpNotify;
  /** Awaited before any exchange (démo: starts the simulator and loads the virtual card on first use). */
  prepare?: () => Promise<void>;
  /**
   * Reads an imported CDA's header into XDS metadata (safe parser, whole document). The host runs
   * it in its worker thread, off the event loop (a CDA may be 16 MB); in-process by default.
   */
  readCdaMetadata?: (bytes: Uint8Array, extraConfidentiality: string[]) => Promise<XdsDocumentMetadata>;
  /**
   * Folder of the sealed files that hold the documents waiting to be sent (README « Design »);
   * the host gives one under its data folder. Without it, documents stay in the database.
   */
  contentFolder?: string;
  /** Time spent in each stage of the exchanges (the bench's breakdown). */
  trace?: DmpTrace;
}

export interface DmpAccess {
  purposeOfUse?: PurposeOfUse;
  reason?: string | undefined;
}

export interface DmpDocumentView {
  uniqueId: string;
  entryUuid: string;
  title: string;
  mimeType: string;
  typeCode: CodedValue | null;
  classCode: CodedValue | null;
  formatCode: CodedValue | null;
  status: DocumentEntry['status'];
  restrictions: string[];
  authorName: string;
  authorIdNat: string;
  institution: string | null;
  creationTime: string | null;
  serviceStartTime: string | null;
  firstSeenAt: string;
  isNew: boolean;
  own: boolean;
  patientDocument: boolean;
  size: number | null;
}

export type RightView = { allowed: boolean; reason: string | null };
export interface DmpRightsView {
  consult: RightView;
  send: RightView;
  mask: RightView;
  visibility: RightView;
  delete: RightView;
  archive: RightView;
  authorisation: RightView;
  breakGlass: RightView;
}

export interface DmpSendingView {
  uniqueId: string;
  title: string;
  typeCode: CodedValue;
  createdAt: string;
  state: 'queued' | 'sending' | 'waiting-card' | 'sent' | 'failed' | 'cancelled';
  message: string | null;
  jobId: string | null;
  replaces: string | null;
}

export interface SendInput {
  patientId: string;
  fileName: string;
  content: Uint8Array;
  typeCode?: string | undefined;
  title?: string | undefined;
  visibility?: { hiddenFromPatient?: boolean; maskedFromProfessionals?: boolean; hiddenFromLegalRepresentatives?: boolean };
  replaces?: string | undefined;
}

export interface SendPayload {
  uniqueId: string;
}

/** Who calls: the card session (direct mode) or the structure certificate (indirect). */
export interface Caller {
  credentials: DmpCallerCredentials;
  actor: DmpActor;
  idNat: string;
  structureId: string;
}
