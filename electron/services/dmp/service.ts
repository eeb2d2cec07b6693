/**
 * DmpService: the DMP as the desk sees it, a thin face over its use cases (./use-cases, one file
 * each): opening a patient's DMP (TD0.2 + TD3.1 "sans clic"), what is known here, reading (TD3.2),
 * sending through the outbox (TD2.1), masking/visibility/deletion/archiving (TD3.3), authorisation
 * (TD0.3) and the rights the card in the reader has. Every access to a patient's DMP is written to
 * the audit trail.
 */
import type { DmpActor } from './rights';
import type { DmpAccess, DmpDocumentView, DmpRightsView, DmpSendingView, DmpServiceDeps, SendInput } from './types';
import type { CodedValue, XdsDocumentMetadata } from './xds';
import { setAuthorisation } from './use-cases/authorisation';
import { cachedDmp, markSeen } from './use-cases/cached';
import { createDmpContext, type DmpContext } from './use-cases/context';
import { sweepOutgoingContent } from './use-cases/outgoing-content';
import { readDmpDocument } from './use-cases/document';
import { openDmp } from './use-cases/open';
import { prewarmDmp } from './use-cases/prewarm';
import { dmpDocumentTypes, queueDocument, reassignUnsentDocuments, sendDocument } from './use-cases/queue';
import { rightsView } from './use-cases/rights';
import { probeDmp, sendQueue } from './use-cases/send-job';
import { sendings } from './use-cases/sendings';
import { setStatus } from './use-cases/status';
import { setVisibility } from './use-cases/visibility';

export * from './types';
export { hl7ToIso } from './use-cases/views';

export class DmpService {
  private readonly ctx: DmpContext;

  constructor(deps: DmpServiceDeps) {
    this.ctx = createDmpContext(deps);
    sweepOutgoingContent(this.ctx, deps.clock.now());
    deps.outbox?.register(sendQueue(this.ctx));
    deps.outbox?.setProbe('dmp', () => probeDmp(this.ctx));
  }

  rights(actor: DmpActor | null): DmpRightsView {
    return rightsView(actor);
  }

  /**
   * Done ahead of an opening (card session opened: `null`; a patient about to be opened: its id):
   * the connection to the DMP, and the patient's VIHF. Never fails.
   */
  prewarm(patientId: string | null = null): Promise<void> {
    return prewarmDmp(this.ctx, patientId);
  }

  /** The card session ended (the CPS taken out, its reader gone): no VIHF signed with it is used again. */
  cardSessionEnded(): void {
    this.ctx.client.forgetVihfs();
  }

  open(patientId: string, options: { access?: DmpAccess; widen?: boolean }, actorName: string) {
    return openDmp(this.ctx, patientId, options, actorName);
  }

  cached(patientId: string, actorName: string) {
    return cachedDmp(this.ctx, patientId, actorName);
  }

  markSeen(patientId: string, uniqueIds: readonly string[]): number {
    return markSeen(this.ctx, patientId, uniqueIds);
  }

  document(patientId: string, uniqueId: string, access: DmpAccess | undefined, actorName: string) {
    return readDmpDocument(this.ctx, patientId, uniqueId, access, actorName);
  }

  documentTypes(): { types: CodedValue[]; preferred: string[] } {
    return dmpDocumentTypes(this.ctx);
  }

  /** Stores the document and its outbox job in one transaction; sending happens when possible. */
  send(received: SendInput, actorName: string): Promise<DmpSendingView> {
    return sendDocument(this.ctx, received, actorName);
  }

  /**
   * The synchronous part of `send`: usable inside another service's transaction (the ordonnance
   * numérique queues its eP-MED-DM copy with the prescription), where it becomes a savepoint.
   */
  queue(input: SendInput, actorName: string, cdaMetadata?: XdsDocumentMetadata): DmpSendingView {
    return queueDocument(this.ctx, input, actorName, cdaMetadata);
  }

  /** Patients service merge participant: unsent documents move to the record kept (their jobs move with the outbox's own participant). */
  reassignUnsentDocuments(fromPatientId: string, toPatientId: string): number {
    return reassignUnsentDocuments(this.ctx, fromPatientId, toPatientId);
  }

  /**
   * Patients service watcher: the record's qualified INS changed, so what is kept of its DMP (fetched
   * under the former INS) goes; the next opening searches again (patients/qualified-ins.ts).
   */
  forgetList(patientId: string): void {
    this.ctx.store.forgetList(patientId);
  }

  sendings(patientId: string): DmpSendingView[] {
    return sendings(this.ctx, patientId);
  }

  setVisibility(
    patientId: string,
    uniqueId: string,
    change: { maskedFromProfessionals?: boolean | undefined; hiddenFromPatient?: boolean | undefined; hiddenFromLegalRepresentatives?: boolean | undefined },
    actorName: string,
  ): Promise<DmpDocumentView> {
    return setVisibility(this.ctx, patientId, uniqueId, change, actorName);
  }

  setStatus(patientId: string, uniqueId: string, status: 'Deleted' | 'Archived', actorName: string): Promise<void> {
    return setStatus(this.ctx, patientId, uniqueId, status, actorName);
  }

  setAuthorisation(patientId: string, action: 'AJOUT' | 'SUPPRESSION', patientConsent: boolean, actorName: string) {
    return setAuthorisation(this.ctx, patientId, action, patientConsent, actorName);
  }
}
