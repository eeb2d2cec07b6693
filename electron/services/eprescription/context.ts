/**
 * What every use case of the ordonnance numérique receives from the composition root: the store,
 * the clock, the audit trail, the outbox, the base e-prescription adapter, the card session, the
 * patient base and the DMP sending (ports, so that this service depends on no other service's
 * internals). Built once by `createEprescriptionService` (service.ts).
 */
import { AppError } from '../../contract/errors';
import type { Environment } from '../../contract';
import type { EprescriptionEventName } from './events';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import type { XmlSigner } from '../../platform/xml';
import type { AuditWriter } from '../audit';
import type { Outbox } from '../outbox';
import type { PrescriptionPatient } from './model';
import type { createPrescriptionStore } from './store';
import type { EprescriptionBase } from './teleservice/base';

/** The card session as the service needs it (structural: services/cards practitionerSession()). */
export interface CardSession {
  holder: {
    cardType: string;
    idNat: string;
    rpps: string | null;
    surname: string;
    givenName: string;
    profession: { code: string; label: string } | null;
    specialty: { code: string; label: string } | null;
    situations: Array<{ structureId: string; structureName: string; activitySector: string | null }>;
  };
  signer: XmlSigner;
}

/** The DMP sending this service uses (services/dmp DmpService, adapted in the wiring). */
export interface DmpPort {
  /** Queues a CDA document for the patient's DMP, inside the caller's transaction; returns its uniqueId. */
  queueCda(patientId: string, xml: Buffer, fileName: string, actor: string): { uniqueId: string; jobId: string | null };
  /** State of a document queued from this desk. */
  sendingState(patientId: string, uniqueId: string): { state: 'queued' | 'sending' | 'waiting-card' | 'sent' | 'failed' | 'cancelled'; message: string | null; jobId: string | null } | null;
  /** A document of the patient's DMP (CDA bytes). */
  fetch(patientId: string, uniqueId: string, actor: string): Promise<Buffer>;
}

export interface PatientsPort {
  /**
   * The patient as a prescription carries him (INS only when the identity is qualified), and the
   * record it was merged into when it was (a merged record is read-only: patients/merge.ts).
   */
  get(patientId: string, actor: string): PrescriptionPatient & { qualified: boolean; mergedInto?: string | null };
  /** The local patient with this INS, when there is exactly one with a qualified identity. */
  findQualifiedByIns(matricule: string, actor: string): string | null;
}

/**
 * A record a prescription or a dispensation may be kept under: one that was not merged into another.
 * A merged record is out of the search and its kept twin does not list what it holds, so what was
 * written under it would be lost to the desk (patients/merge.ts).
 */
export function livingPatient(ctx: { patients: PatientsPort }, patientId: string, actor: string): ReturnType<PatientsPort['get']> {
  const patient = ctx.patients.get(patientId, actor);
  if ((patient.mergedInto ?? null) !== null) throw new AppError('PATIENT_MERGED', { mergedInto: patient.mergedInto });
  return patient;
}

export interface PractitionerSettings {
  amNumber: string;
  address: string;
  phone: string;
  /** OID of this installation (documents' ids, local patient ids). */
  lpsOid: string;
}

export interface EprescriptionDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  environment: () => Environment;
  outbox?: Outbox;
  base: () => EprescriptionBase;
  session: () => CardSession | null;
  settings: () => PractitionerSettings;
  patients: PatientsPort;
  dmp?: DmpPort;
  notify?: (event: EprescriptionEventName, payload: { number: string; patientId: string | null; reason: 'prescribed' | 'registered' | 'dmp' | 'dispensed' | 'executed' | 'failed' }) => void;
  /** The scan pipeline's payload by scan id (services/scan), when it is wired. */
  takeScanPayload?: (scanId: string) => Uint8Array | null;
  /** Awaited before the first exchange with the base (démo: starts the simulator). */
  prepare?: () => Promise<void>;
  /**
   * The IdNat of the CPS the numéro AM of Paramètres belongs to, null when none is known yet
   * (billing: the first card that opened a session under it).
   */
  amNumberHolder?: (amNumber: string) => string | null;
}

export interface EprescriptionContext extends EprescriptionDeps {
  store: ReturnType<typeof createPrescriptionStore>;
  now(): string;
}
