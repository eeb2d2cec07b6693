/**
 * DmpService: the DMP as the desk sees it — status without a click (TD0.2), the document list kept
 * in sync with the ANS "sans clic" procedure (first search limited to two years and the preferred
 * types, then only what changed since the last call), reading (TD3.2), sending through the outbox
 * (TD2.1, idempotent by uniqueId, reconciled by a TD3.1 search after an unknown outcome),
 * masking/visibility/deletion/archiving (TD3.3) and authorisation (TD0.3), each checked against
 * the rights matrix first. Every access to a patient's DMP is written to the audit trail.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError, isAppError } from '../../contract/errors';
import type { AuditWriter } from '../audit';
import { buildPdfDocument, extractXdsMetadata, documentTypes, narrativeToSafeHtml, unwrapAutoPresentable, XSLT_NS } from '../cda';
import type { Clock } from '../../platform/clock';
import { inTransaction, type Db } from '../../platform/db';
import { isTransportError, type HttpTransport } from '../../platform/http';
import type { Logger } from '../../platform/log';
import type { XmlSigner } from '../../platform/xml';
import type { JobView, Outbox, QueueDefinition } from '../outbox';
import { isEndpointConfigured } from '../settings';
import { DmpClient, DmpError, hl7Ts, type DmpCallContext, type DmpCallerCredentials } from './client';
import { ASSOCIATION, CONFIDENTIALITY_SYSTEM, DMP_REPOSITORY_UNIQUE_ID, parsePatientCx, patientCx, type PurposeOfUse } from './codes';
import { extractPdfFromCda } from './cda-body';
import { findDocuments, findSubmissionSets, getAssociations, getDocumentsAndAssociations, getDocumentsByUniqueId } from './iti18';
import { isAllowed, type DmpActor, type DmpOperation, type DocumentContext } from './rights';
import { createDmpStore, type DmpStore, type OutgoingRow, type StoredDocument } from './store';
import type { DmpStatus } from './td02';
import type { LpsIdentity, VihfSubject } from './vihf';
import { metadataOf, restrictionsOf, type CodedValue, type DocumentEntry, type XdsAuthor, type XdsDocumentMetadata } from './xds';

export const DMP_SEND_QUEUE = 'dmp.send';
/** First automatic search: at most two years back (ANS "Exemples d'usages DMP", dmp.md §6). */
const FIRST_SEARCH_YEARS = 2;
/** GetDocumentsAndAssociations batch size (same source: 20, configurable). */
const BATCH = 20;

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

interface SendPayload {
  uniqueId: string;
}

interface Caller {
  credentials: DmpCallerCredentials;
  actor: DmpActor;
  idNat: string;
  structureId: string;
}

/** HL7 TS (yyyy[MM[dd[HH[mm[ss]]]]]) → ISO (UTC), or null. */
export function hl7ToIso(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?/.exec(value);
  if (m === null) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00'] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** DMP visibility codes (JDV_J08): XDS metadata only, for a built PDF wrapper and an imported CDA alike. */
function confidentialityCodes(input: Pick<SendInput, 'visibility'>): string[] {
  return [
    ...(input.visibility?.maskedFromProfessionals === true ? ['MASQUE_PS'] : []),
    ...(input.visibility?.hiddenFromPatient === true ? ['INVISIBLE_PATIENT'] : []),
    ...(input.visibility?.hiddenFromLegalRepresentatives === true ? ['INVISIBLE_REPRESENTANTS_LEGAUX'] : []),
  ];
}

export class DmpService {
  private readonly store: DmpStore;
  private readonly client: DmpClient;
  private readonly logger: Logger;

  constructor(private readonly deps: DmpServiceDeps) {
    this.store = createDmpStore(deps.db);
    this.logger = deps.logger.child('dmp');
    this.client = new DmpClient({
      baseUrl: () => deps.settings().endpoint,
      clock: deps.clock,
      lps: () => deps.settings().lps,
      lpsOid: () => deps.settings().lpsOid,
    });
    deps.outbox?.register(this.sendQueue());
    deps.outbox?.setProbe('dmp', () => this.probe());
  }

  /** Cheap reachability check while the endpoint is down: any HTTP answer means it is back. */
  private async probe(): Promise<boolean> {
    await this.ready();
    const base = this.deps.settings().endpoint;
    if (!/^https?:\/\//.test(base)) return false;
    try {
      const response = await this.deps.http('CPS').stream({ method: 'GET', url: base, acceptErrorStatus: true, timeouts: { connectMs: 5_000, responseMs: 5_000, totalMs: 8_000 } });
      response.cancel();
      return true;
    } catch {
      return false;
    }
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  // -------------------------------------------------------------------------------------------
  // Who calls

  private subjectOf(p: DmpPractitioner): VihfSubject {
    const subject: VihfSubject = {
      idNat: p.idNat,
      name: `${p.givenName} ${p.surname}`,
      // JDV_J65 SubjectRole: non-PS staff (CPE) as SECRETARIAT_MEDICAL (dmp.md §1.3).
      profession:
        p.profession === null
          ? { code: 'SECRETARIAT_MEDICAL', codeSystem: '1.2.250.1.213.1.1.4.6', displayName: 'Secrétariat médical' }
          : { code: p.profession.code, codeSystem: '1.2.250.1.71.1.2.7', displayName: p.profession.label },
      structureId: p.structure.id,
      activitySector: p.structure.activitySector,
    };
    if (p.specialty !== null) subject.specialty = { code: p.specialty.code, codeSystem: '1.2.250.1.71.4.2.5', displayName: p.specialty.label };
    return subject;
  }

  /** The card session (direct mode); the structure certificate only where allowed (`indirect`). */
  private caller(purposeOfUse: PurposeOfUse, treatingDoctor: boolean, options: { indirectAuthor?: XdsAuthor } = {}): Caller | null {
    const practitioner = this.deps.practitioner();
    if (practitioner !== null) {
      return {
        credentials: { mode: 'DIRECTE', subject: this.subjectOf(practitioner), signer: practitioner.signer, http: this.deps.http('CPS') },
        actor: { credential: practitioner.cardType, profession: practitioner.profession?.code ?? null, treatingDoctor, purposeOfUse },
        idNat: practitioner.idNat,
        structureId: practitioner.structure.id,
      };
    }
    const structure = options.indirectAuthor === undefined ? null : (this.deps.structure?.() ?? null);
    if (structure !== null && options.indirectAuthor !== undefined) {
      const author = options.indirectAuthor;
      const subject: VihfSubject = {
        idNat: author.idNat,
        name: [author.given, author.family].filter(Boolean).join(' '),
        profession: author.role === undefined ? { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' } : { code: author.role.code.replace(/^G15_/, ''), codeSystem: '1.2.250.1.71.1.2.7', displayName: author.role.displayName },
        structureId: structure.id,
        activitySector: structure.activitySector,
      };
      return {
        credentials: { mode: 'INDIRECTE', subject, signer: structure.signer, http: this.deps.http('STRUCTURE') },
        actor: { credential: 'STRUCTURE', profession: null, treatingDoctor: false, purposeOfUse },
        idNat: author.idNat,
        structureId: structure.id,
      };
    }
    return null;
  }

  private requireCaller(purposeOfUse: PurposeOfUse, treatingDoctor = false): Caller {
    const caller = this.caller(purposeOfUse, treatingDoctor);
    if (caller === null) throw new DmpError('DMP_CARD_REQUIRED', false, false);
    return caller;
  }

  private qualifiedPatient(patientId: string): DmpPatient & { ins: { matricule: string; oid: string } } {
    const patient = this.deps.patient(patientId);
    // RNIV / référentiel INS: health data is exchanged only with a qualified INS (status QUAL).
    if (patient.status !== 'QUAL' || patient.ins === null) throw new AppError('DMP_INS_NOT_QUALIFIED');
    return patient as DmpPatient & { ins: { matricule: string; oid: string } };
  }

  private checkAccess(access: DmpAccess | undefined, patientId: string, actor: string): PurposeOfUse {
    const purpose = access?.purposeOfUse ?? 'normal';
    if (purpose !== 'normal') {
      const reason = access?.reason?.trim() ?? '';
      if (reason.length < 3) throw new AppError('DMP_BREAK_GLASS_REASON_REQUIRED');
      // The reason is kept locally, in the audit trail (never sent, never logged).
      this.deps.audit({ actor, patientRef: patientId, action: 'dmp.emergency-access', details: { purposeOfUse: purpose, reason } });
    }
    return purpose;
  }

  private ctx(caller: Caller, patient: { matricule: string; oid: string }, purposeOfUse: PurposeOfUse): DmpCallContext {
    return { credentials: caller.credentials, patient, purposeOfUse };
  }

  private require(operation: DmpOperation, actor: DmpActor, document?: DocumentContext): void {
    const decision = isAllowed(operation, actor, document);
    if (!decision.allowed) throw new DmpError('DMP_FORBIDDEN_BY_RIGHTS', false, false, { operation, reason: decision.reason });
  }

  rights(actor: DmpActor | null): DmpRightsView {
    const view = (operation: DmpOperation, a: DmpActor | null = actor): RightView => {
      if (a === null) return { allowed: false, reason: 'Insérez votre carte CPS ou CPE.' };
      const d = isAllowed(operation, a);
      return d.allowed ? { allowed: true, reason: null } : { allowed: false, reason: d.reason };
    };
    return {
      consult: view('TD3.1'),
      send: view('TD2.1'),
      mask: view('TD3.3a'),
      visibility: view('TD3.3b'),
      delete: view('TD3.3c'),
      archive: view('TD3.3d'),
      authorisation: view('TD0.3'),
      breakGlass: view('TD3.1', actor === null ? null : { ...actor, purposeOfUse: 'bris_de_glace' }),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Opening a patient

  private oidCounter = 0;

  /**
   * A new OID under the installation's (document ids, setIds, submission sets): time in ms and a
   * two-digit counter. At most 64 characters (CI-SIS: II root; the UUID-derived root is ≤ 44).
   */
  private newOid(): string {
    for (;;) {
      this.oidCounter = (this.oidCounter + 1) % 100;
      const oid = `${this.deps.settings().lpsOid}.${this.deps.clock.now()}${String(this.oidCounter).padStart(2, '0')}`;
      if (this.store.outgoing(oid) === null) return oid;
    }
  }

  private async ready(): Promise<void> {
    await this.deps.prepare?.();
  }

  async open(patientId: string, options: { access?: DmpAccess; widen?: boolean }, actorName: string) {
    await this.ready();
    const patient = this.qualifiedPatient(patientId);
    const purpose = this.checkAccess(options.access, patientId, actorName);
    const caller = this.requireCaller(purpose);
    const ctx = this.ctx(caller, patient.ins, purpose);
    const at = this.now();
    let status: DmpStatus;
    try {
      status = await this.client.td02(ctx);
    } catch (error) {
      // The DMP cannot be reached: the panel keeps working on what is known here (issue 13).
      if (isUnreachable(error)) return this.offlineView(patientId, caller, purpose);
      throw error;
    } finally {
      this.deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td02', details: { purposeOfUse: purpose } });
    }
    this.store.putStatus(patientId, status, at);
    const actor: DmpActor = { ...caller.actor, treatingDoctor: status.treatingDoctor };
    const settings = this.deps.settings();
    const previous = this.store.state(patientId).lastCallAt;
    const firstSearch = previous === null || options.widen === true;
    const filter = {
      since: firstSearch && options.widen !== true ? new Date(this.deps.clock.now() - FIRST_SEARCH_YEARS * 365.25 * 86_400_000).toISOString() : null,
      typeCodes: firstSearch && options.widen !== true ? settings.preferredTypeCodes : [],
      widened: options.widen === true,
    };
    let listed = false;
    let listError: { code: string; message: string } | null = null;
    let newCount = 0;
    const consult = isAllowed('TD3.1', actor);
    if (status.existence === 'absent') listError = { code: 'DMP_NOT_FOUND', message: new AppError('DMP_NOT_FOUND').message };
    else if (status.existence === 'closed') listError = { code: 'DMP_CLOSED', message: new AppError('DMP_CLOSED').message };
    else if (!consult.allowed) listError = { code: 'DMP_FORBIDDEN_BY_RIGHTS', message: consult.reason };
    else if (purpose === 'normal' && status.authorisation !== 'VALIDE') {
      listError = { code: 'DMP_NOT_AUTHORIZED', message: new AppError('DMP_NOT_AUTHORIZED').message };
    } else {
      try {
        newCount = firstSearch
          ? await this.firstSearch(ctx, patientId, patient.ins, filter, at)
          : await this.changesSince(ctx, patientId, patient.ins, previous as string, at);
        this.store.putLastCall(patientId, at);
        listed = true;
      } catch (error) {
        if (!isAppError(error)) throw error;
        // A read is never « renvoyée »: the list waits for the service, the known documents stay.
        listError = isUnreachable(error) ? { code: 'DMP_OFFLINE_READ', message: new AppError('DMP_OFFLINE_READ').message } : { code: error.code, message: error.message };
      } finally {
        this.deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td31', details: { purposeOfUse: purpose, mode: firstSearch ? 'first' : 'changes', newCount } });
      }
    }
    this.logger.info('dmp.opened', { existence: status.existence, authorisation: status.authorisation, listed, newCount });
    this.deps.notify?.('dmp.changed', { patientId, reason: 'opened' });
    return {
      status: { ...status, checkedAt: at },
      rights: this.rights(actor),
      documents: this.documentViews(patientId, caller),
      newCount,
      filter,
      lastCallAt: listed ? at : previous,
      listed,
      listError,
      offline: null,
    };
  }

  /**
   * The panel of a patient while the DMP cannot be reached: the last known status (with the time it
   * was checked), the documents already listed here, the rights of the card in the reader (sending
   * goes through the outbox and waits for the service), and nothing invented.
   */
  private offlineView(patientId: string, caller: Caller, purposeOfUse: PurposeOfUse) {
    const state = this.store.state(patientId);
    const actor: DmpActor = { ...caller.actor, treatingDoctor: state.status?.treatingDoctor ?? false, purposeOfUse };
    this.logger.info('dmp.opened_offline', { known: state.status !== null });
    return {
      status: state.status,
      rights: this.rights(actor),
      documents: this.documentViews(patientId, caller),
      newCount: 0,
      filter: { since: null, typeCodes: [], widened: false },
      lastCallAt: state.lastCallAt,
      listed: state.lastCallAt !== null,
      listError: { code: 'DMP_OFFLINE_READ', message: new AppError('DMP_OFFLINE_READ').message },
      offline: { lastCheckedAt: state.status?.checkedAt ?? null },
    };
  }

  private async firstSearch(
    ctx: DmpCallContext,
    patientId: string,
    ins: { matricule: string; oid: string },
    filter: { since: string | null; typeCodes: string[] },
    at: string,
  ): Promise<number> {
    const result = await this.client.query(
      ctx,
      findDocuments(patientCx(ins.matricule, ins.oid), {
        statuses: ['Approved'],
        ...(filter.since === null ? {} : { serviceStartFrom: hl7Ts(Date.parse(filter.since)) }),
        ...(filter.typeCodes.length === 0 ? {} : { typeCodes: filter.typeCodes.map((code) => ({ code, codeSystem: '2.16.840.1.113883.6.1' })) }),
      }),
    );
    let fresh = 0;
    inTransaction(this.deps.db, () => {
      for (const entry of result.documents) if (this.store.upsertDocument(patientId, entry, at, false)) fresh++;
    });
    return fresh;
  }

  /**
   * Later visits: FindSubmissionSets since the last call → GetAssociations → the documents they
   * touch, in batches (ANS "Exemples d'usages DMP": RPLC → the replaced one is Deprecated; same
   * logicalId → metadata change; otherwise new). Deduplicated by uniqueId.
   */
  private async changesSince(ctx: DmpCallContext, patientId: string, ins: { matricule: string; oid: string }, since: string, at: string): Promise<number> {
    const sets = await this.client.query(ctx, findSubmissionSets(patientCx(ins.matricule, ins.oid), hl7Ts(Date.parse(since))));
    if (sets.submissionSets.length === 0) return 0;
    const associations = await this.client.query(ctx, getAssociations(sets.submissionSets.map((s) => s.entryUuid)));
    const targets = [
      ...new Set(
        associations.associations
          .filter((a) => a.type === ASSOCIATION.hasMember || a.type === ASSOCIATION.updateAvailabilityStatus)
          .map((a) => a.target)
          .filter((t) => t.startsWith('urn:uuid:')),
      ),
    ];
    const entries: DocumentEntry[] = [];
    const replaced: string[] = [];
    for (let i = 0; i < targets.length; i += BATCH) {
      const batch = await this.client.query(ctx, getDocumentsAndAssociations(targets.slice(i, i + BATCH)));
      entries.push(...batch.documents);
      replaced.push(...batch.associations.filter((a) => a.type === ASSOCIATION.replace).map((a) => a.target));
    }
    let fresh = 0;
    inTransaction(this.deps.db, () => {
      for (const entry of entries) {
        const known = this.store.uniqueIdForLogicalId(patientId, entry.logicalId);
        if (known !== null && known !== entry.uniqueId) continue;
        if (this.store.upsertDocument(patientId, entry, at, false)) fresh++;
      }
      for (const stored of this.store.documents(patientId)) {
        if (replaced.includes(stored.entry.entryUuid) && stored.entry.status === 'Approved') {
          this.store.upsertDocument(patientId, { ...stored.entry, status: 'Deprecated' }, at, stored.seen);
        }
      }
    });
    return fresh;
  }

  cached(patientId: string) {
    // No exchange: the demo card may not be loaded yet, then documents show without the "own" mark.
    const state = this.store.state(patientId);
    const practitioner = this.deps.practitioner();
    return {
      status: state.status,
      documents: this.documentViews(patientId, practitioner === null ? null : { idNat: practitioner.idNat, structureId: practitioner.structure.id }),
      lastCallAt: state.lastCallAt,
    };
  }

  private documentViews(patientId: string, caller: { idNat: string; structureId: string } | null): DmpDocumentView[] {
    return this.store
      .documents(patientId)
      .filter((d) => d.entry.status === 'Approved' || d.entry.status === 'Archived')
      .map((d) => this.view(d, caller))
      .sort((a, b) => (b.serviceStartTime ?? b.creationTime ?? '').localeCompare(a.serviceStartTime ?? a.creationTime ?? ''));
  }

  private documentContext(entry: DocumentEntry, caller: { idNat: string; structureId: string } | null): DocumentContext {
    const own = caller !== null && entry.authors.some((a) => a.idNat === caller.idNat || (a.idNat === '' && a.institution?.id === caller.structureId));
    return { own, patientDocument: entry.classCode?.code === '90' || (entry.typeCode?.code.startsWith('DOCPAT') ?? false) };
  }

  private view(stored: StoredDocument, caller: { idNat: string; structureId: string } | null): DmpDocumentView {
    const { entry } = stored;
    const author = entry.authors[0];
    const context = this.documentContext(entry, caller);
    return {
      uniqueId: entry.uniqueId,
      entryUuid: entry.entryUuid,
      title: entry.title,
      mimeType: entry.mimeType,
      typeCode: entry.typeCode,
      classCode: entry.classCode,
      formatCode: entry.formatCode,
      status: entry.status,
      restrictions: restrictionsOf(entry),
      authorName: author === undefined ? '' : [author.given, author.family].filter(Boolean).join(' '),
      authorIdNat: author?.idNat ?? '',
      institution: author?.institution?.name ?? null,
      creationTime: hl7ToIso(entry.creationTime),
      serviceStartTime: hl7ToIso(entry.serviceStartTime),
      firstSeenAt: stored.firstSeenAt,
      isNew: !stored.seen,
      own: context.own,
      patientDocument: context.patientDocument,
      size: entry.size,
    };
  }

  markSeen(patientId: string, uniqueIds: readonly string[]): number {
    return this.store.markSeen(patientId, uniqueIds);
  }

  // -------------------------------------------------------------------------------------------
  // Reading a document

  async document(patientId: string, uniqueId: string, access: DmpAccess | undefined, actorName: string) {
    await this.ready();
    const patient = this.qualifiedPatient(patientId);
    const purpose = this.checkAccess(access, patientId, actorName);
    const state = this.store.state(patientId);
    const caller = this.requireCaller(purpose, state.status?.treatingDoctor ?? false);
    this.require('TD3.2', caller.actor);
    const stored = this.store.document(patientId, uniqueId);
    let result: { mimeType: string; data: Buffer };
    try {
      result = await this.client.retrieve(this.ctx(caller, patient.ins, purpose), uniqueId, stored?.entry.repositoryUniqueId ?? DMP_REPOSITORY_UNIQUE_ID);
    } catch (error) {
      // A consultation is not queued: say when it will be possible, never that it will be « renvoyée ».
      if (isUnreachable(error)) throw new AppError('DMP_OFFLINE_READ', undefined, { cause: error });
      throw error;
    } finally {
      this.deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td32', details: { uniqueId, purposeOfUse: purpose } });
    }
    this.store.markSeen(patientId, [uniqueId]);
    let pdf: Buffer | null = null;
    let html: string | null = null;
    if (result.data.subarray(0, 5).toString('latin1') === '%PDF-') pdf = result.data;
    else {
      const xml = result.data.toString('utf8');
      pdf = extractPdfFromCda(xml);
      if (pdf === null) html = safeNarrative(xml);
    }
    return { uniqueId, mimeType: result.mimeType, pdfBase64: pdf?.toString('base64') ?? null, html, contentBase64: result.data.toString('base64') };
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  documentTypes(): { types: CodedValue[]; preferred: string[] } {
    return { types: documentTypes(), preferred: this.deps.settings().preferredTypeCodes };
  }

  /** Stores the document and its outbox job in one transaction; sending happens when possible. */
  async send(received: SendInput, actorName: string): Promise<DmpSendingView> {
    await this.ready();
    // An « auto-présentable » laboratory document: the DMP receives the CDA inside its stylesheet,
    // never the stylesheet (nor is it run). Recognised by the XSLT namespace before any parsing.
    const file = Buffer.from(received.content.buffer, received.content.byteOffset, received.content.byteLength);
    const inner = file.includes(XSLT_NS) ? unwrapAutoPresentable(file) : null;
    const input = inner === null ? received : { ...received, content: Buffer.from(inner, 'utf8') };
    const bytes = Buffer.from(input.content.buffer, input.content.byteOffset, input.content.byteLength);
    // A CDA from elsewhere is read by the safe parser off the event loop (issue 14) before the
    // synchronous part: the transaction never waits on a large document.
    const cdaMetadata = bytes.subarray(0, 5).toString('latin1') === '%PDF-' ? undefined : await this.readCdaMetadata(bytes, confidentialityCodes(input));
    return this.queue(input, actorName, cdaMetadata);
  }

  /**
   * The synchronous part of `send`: usable inside another service's transaction (the ordonnance
   * numérique queues its eP-MED-DM copy with the prescription), where it becomes a savepoint.
   */
  queue(input: SendInput, actorName: string, cdaMetadata?: XdsDocumentMetadata): DmpSendingView {
    const outbox = this.deps.outbox;
    if (outbox === undefined) throw new AppError('DMP_SEND_UNAVAILABLE');
    const patient = this.qualifiedPatient(input.patientId);
    const practitioner = this.deps.practitioner();
    const settings = this.deps.settings();
    const bytes = Buffer.from(input.content.buffer, input.content.byteOffset, input.content.byteLength);
    const isPdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-';
    const replaced = input.replaces === undefined ? null : this.replacedVersion(input.patientId, input.replaces);
    let content: Buffer;
    let metadata: XdsDocumentMetadata;
    const confidentiality = confidentialityCodes(input);
    if (isPdf) {
      if (input.typeCode === undefined || input.typeCode === '') throw new AppError('DMP_TYPE_REQUIRED');
      const author = this.authorFor(practitioner);
      const now = hl7Ts(this.deps.clock.now());
      const built = buildPdfDocument(
        {
          pdf: bytes,
          title: input.title ?? input.fileName.replace(/\.pdf$/i, ''),
          typeCode: input.typeCode,
          patient: {
            ins: patient.ins.matricule,
            oid: patient.ins.oid,
            birthName: patient.birthName,
            firstNames: patient.firstNames,
            sex: patient.sex,
            birthDate: patient.birthDate.replace(/-/g, ''),
            ...(patient.birthPlaceCode ? { birthPlaceCode: patient.birthPlaceCode } : {}),
          },
          author,
          custodian: author.institution ?? { id: settings.lpsOid, name: settings.lps.name },
          serviceTime: { start: now },
          confidentiality,
          ...(replaced === null ? {} : { replaces: replaced }),
          effectiveTime: now,
        },
        { newOid: () => this.newOid() },
      );
      content = Buffer.from(built.xml, 'utf8');
      metadata = built.metadata;
    } else {
      // Not a PDF: the whole file through the safe parser, whatever comes before the root (a BOM,
      // the XML declaration, processing instructions, a leading comment of any length: the official
      // ANS N1 example starts with one). The first kilobytes used to be sniffed instead (issue 14).
      metadata = cdaMetadata ?? extractXdsMetadata(bytes, { extraConfidentiality: confidentiality });
      // The document is sent as received (its own encoding), not re-encoded.
      content = bytes;
      // The header must give every metadata ITI-41 requires: refuse now rather than let the DMP refuse the job later.
      if (metadata.missing !== undefined && metadata.missing.length > 0) throw new AppError('DMP_CDA_METADATA_INCOMPLETE', { missing: metadata.missing });
      const cx = parsePatientCx(metadata.sourcePatientId);
      if (cx === null || cx.matricule !== patient.ins.matricule) throw new AppError('DMP_FILE_INVALID', { reason: 'patient-mismatch' });
    }
    metadata = { ...metadata, size: content.length, hash: createHash('sha1').update(content).digest('hex') };
    if (input.replaces !== undefined) metadata.replaces = input.replaces;
    const createdAt = this.now();
    const row = { uniqueId: metadata.uniqueId, patientId: input.patientId, createdAt, actor: actorName, metadata, replaces: input.replaces ?? null };
    const job = inTransaction(this.deps.db, () => {
      const existing = this.store.outgoing(metadata.uniqueId);
      if (existing !== null && existing.jobId !== null) return outbox.get(existing.jobId);
      // The job first (its id goes into the row), then the document: one transaction (ARCHITECTURE.md §5).
      const enqueued = outbox.enqueue<SendPayload>(DMP_SEND_QUEUE, {
        idempotencyKey: metadata.uniqueId,
        serialKey: `dmp:${input.patientId}`,
        payload: { uniqueId: metadata.uniqueId },
        // The screen says what and for whom (the patient is named from patientId); the uniqueId stays for support.
        subject: { patientId: input.patientId, label: `« ${metadata.title} » au DMP (${isPdf ? 'PDF' : 'CDA'}, ${mib(content.length)})`, ref: metadata.uniqueId },
      });
      this.store.insertOutgoing({ ...row, jobId: enqueued.id }, content);
      this.deps.audit({ actor: actorName, patientRef: input.patientId, action: 'dmp.send.queued', details: { uniqueId: metadata.uniqueId, typeCode: metadata.typeCode.code, replaces: input.replaces ?? null } });
      return enqueued;
    });
    this.deps.notify?.('dmp.changed', { patientId: input.patientId, reason: 'sending' });
    outbox.wake('dmp.send');
    return this.sendingView({ ...row, jobId: job?.id ?? null, sentAt: null });
  }

  private async readCdaMetadata(bytes: Buffer, confidentiality: string[]): Promise<XdsDocumentMetadata> {
    try {
      return this.deps.readCdaMetadata === undefined ? extractXdsMetadata(bytes, { extraConfidentiality: confidentiality }) : await this.deps.readCdaMetadata(bytes, confidentiality);
    } catch (error) {
      // Neither a PDF nor XML at all: the DMP takes only those (a CDA that is XML keeps its own reason).
      if (isAppError(error) && error.code === 'CDA_NOT_A_DOCUMENT' && error.details?.reason === 'XML_MALFORMED') throw new AppError('DMP_FILE_INVALID', { reason: 'not-pdf-nor-xml' });
      throw error;
    }
  }

  /**
   * What a replacement's CDA header needs of the replaced document (CI-SIS: the setId is kept
   * across versions, the version number goes up by one). A document sent from this installation is
   * known from its outgoing row, even before the DMP list is refreshed; for another software's
   * document the registry metadata carries no setId, and the replaced uniqueId stands in
   * (modelled, README). Null when the document is unknown here.
   */
  private replacedVersion(patientId: string, uniqueId: string): { uniqueId: string; setId: string; version: number } | null {
    const sent = this.store.outgoing(uniqueId);
    if (sent !== null && sent.patientId === patientId) return { uniqueId, setId: sent.metadata.setId ?? uniqueId, version: sent.metadata.versionNumber ?? 1 };
    const listed = this.store.document(patientId, uniqueId);
    return listed === null ? null : { uniqueId, setId: uniqueId, version: listed.entry.version ?? 1 };
  }

  private authorFor(practitioner: DmpPractitioner | null): XdsAuthor {
    if (practitioner === null) {
      const structure = this.deps.structure?.() ?? null;
      if (structure === null) throw new DmpError('DMP_CARD_REQUIRED', false, false);
      return { idNat: structure.id, family: structure.name, institution: { id: structure.id, name: structure.name } };
    }
    const author: XdsAuthor = {
      idNat: practitioner.idNat,
      given: practitioner.givenName,
      family: practitioner.surname,
      institution: { id: practitioner.structure.id, name: practitioner.structure.name },
    };
    if (practitioner.profession !== null) author.role = { code: practitioner.profession.code, codeSystem: '1.2.250.1.71.1.2.7', displayName: practitioner.profession.label };
    if (practitioner.specialty !== null) {
      author.specialty = { code: practitioner.specialty.code, codeSystem: '1.2.250.1.71.4.2.5', displayName: practitioner.specialty.label };
    }
    return author;
  }

  /** Patients service merge participant: unsent documents move to the record kept (their jobs move with the outbox's own participant). */
  reassignUnsentDocuments(fromPatientId: string, toPatientId: string): number {
    return this.store.reassignUnsent(fromPatientId, toPatientId);
  }

  sendings(patientId: string): DmpSendingView[] {
    return this.store.outgoingByPatient(patientId).map((row) => this.sendingView(row));
  }

  private sendingView(row: OutgoingRow): DmpSendingView {
    const job = row.jobId === null ? null : (this.deps.outbox?.get(row.jobId) ?? null);
    let state: DmpSendingView['state'] = 'queued';
    let message: string | null = null;
    if (row.sentAt !== null || job?.status === 'done') state = 'sent';
    else if (job !== null) {
      if (job.status === 'running') state = 'sending';
      else if (job.status === 'blocked') {
        state = 'waiting-card';
        message = job.blockedReason;
      } else if (job.status === 'dead') {
        state = 'failed';
        message = job.lastErrorMessage;
      } else if (job.status === 'cancelled') state = 'cancelled';
      else if (job.lastErrorMessage !== null) message = job.lastErrorMessage;
    }
    return {
      uniqueId: row.uniqueId,
      title: row.metadata.title,
      typeCode: row.metadata.typeCode,
      createdAt: row.createdAt,
      state,
      message,
      jobId: row.jobId,
      replaces: row.replaces,
    };
  }

  private sendQueue(): QueueDefinition<SendPayload, Caller> {
    const credentials = async (job: JobView<SendPayload>): Promise<Caller | { blocked: string }> => {
      await this.ready();
      // « à configurer »: the document waits for the address instead of failing (production honesty, issue 13).
      if (!isEndpointConfigured(this.deps.settings().endpoint)) {
        return { blocked: "L'adresse du DMP n'est pas configurée (Paramètres → Téléservices) : l'envoi partira dès qu'elle le sera." };
      }
      const row = this.store.outgoing(job.payload.uniqueId);
      const author = row?.metadata.authors[0];
      const caller = this.caller('normal', false, this.deps.settings().indirectSending && author !== undefined ? { indirectAuthor: author } : {});
      return caller ?? { blocked: 'En attente de la carte du professionnel : insérez la carte CPS ou CPE et saisissez le code pour envoyer au DMP.' };
    };
    return {
      name: DMP_SEND_QUEUE,
      label: 'Envoi au DMP',
      endpoint: 'dmp',
      payload: sendPayloadSchema,
      concurrency: 2,
      attemptTimeoutMs: 120_000,
      timeBudgetMs: 7 * 24 * 3_600_000,
      maxAttempts: 500,
      credentials,
      run: async (job, context) => {
        const row = this.store.outgoing(job.payload.uniqueId);
        const content = this.store.outgoingContent(job.payload.uniqueId);
        if (row === null || content === null) throw new AppError('DMP_DOCUMENT_NOT_FOUND');
        const caller = context.credentials;
        this.require('TD2.1', caller.actor);
        const ins = parsePatientCx(row.metadata.sourcePatientId);
        if (ins === null) throw new AppError('DMP_INS_NOT_QUALIFIED');
        const ctx: DmpCallContext = { ...this.ctx(caller, ins, 'normal'), signal: context.signal };
        let replacesEntryUuid: string | undefined;
        if (row.replaces !== null) {
          const local = this.store.document(row.patientId, row.replaces);
          replacesEntryUuid = local?.entry.entryUuid;
          if (replacesEntryUuid === undefined) {
            const found = await this.client.query(ctx, getDocumentsByUniqueId([row.replaces]));
            replacesEntryUuid = found.documents[0]?.entryUuid;
            if (replacesEntryUuid === undefined) throw new DmpError('DMP_DOCUMENT_NOT_FOUND', false, false, { replaces: true });
          }
        }
        const settings = this.deps.settings();
        const author = row.metadata.authors[0] ?? { idNat: caller.idNat };
        try {
          await this.client.provideAndRegister(
            ctx,
            {
              submissionSet: {
                uniqueId: this.newOid(),
                sourceId: settings.lpsOid,
                submissionTime: hl7Ts(this.deps.clock.now()),
                patientId: row.metadata.sourcePatientId,
                author,
                // JDV_J59 ContentTypeCode: R209 "04" (consultation), as in the official TD2.1 example.
                contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' },
              },
              metadata: row.metadata,
              patientId: row.metadata.sourcePatientId,
              ...(replacesEntryUuid === undefined ? {} : { replacesEntryUuid }),
            },
            content,
            { signatureUniqueId: this.newOid() },
          );
        } finally {
          this.deps.audit({ actor: row.actor, patientRef: row.patientId, action: 'dmp.td21', details: { uniqueId: row.uniqueId, jobId: job.id, mode: caller.credentials.mode } });
        }
        this.markSent(row);
      },
      reconcile: async (job, context) => {
        const row = this.store.outgoing(job.payload.uniqueId);
        if (row === null) return 'absent';
        const ins = parsePatientCx(row.metadata.sourcePatientId);
        if (ins === null) return 'absent';
        const found = await this.client.query({ ...this.ctx(context.credentials, ins, 'normal'), signal: context.signal }, getDocumentsByUniqueId([row.uniqueId]));
        this.deps.audit({ actor: row.actor, patientRef: row.patientId, action: 'dmp.td31', details: { mode: 'reconcile', uniqueId: row.uniqueId, found: found.documents.length } });
        if (found.documents.some((d) => d.uniqueId === row.uniqueId)) {
          this.markSent(row, found.documents[0]);
          return 'done';
        }
        return 'absent';
      },
    };
  }

  private markSent(row: OutgoingRow, entry?: DocumentEntry): void {
    const at = this.now();
    inTransaction(this.deps.db, () => {
      this.store.setOutgoingSent(row.uniqueId, at);
      if (entry !== undefined) this.store.upsertDocument(row.patientId, entry, at, true);
    });
    this.deps.notify?.('dmp.changed', { patientId: row.patientId, reason: 'sent' });
  }

  // -------------------------------------------------------------------------------------------
  // TD3.3 and TD0.3

  private async localEntry(patientId: string, uniqueId: string): Promise<DocumentEntry> {
    const stored = this.store.document(patientId, uniqueId);
    if (stored === null) throw new AppError('DMP_DOCUMENT_NOT_FOUND');
    return stored.entry;
  }

  async setVisibility(
    patientId: string,
    uniqueId: string,
    change: { maskedFromProfessionals?: boolean | undefined; hiddenFromPatient?: boolean | undefined; hiddenFromLegalRepresentatives?: boolean | undefined },
    actorName: string,
  ): Promise<DmpDocumentView> {
    await this.ready();
    const patient = this.qualifiedPatient(patientId);
    const caller = this.requireCaller('normal', this.store.state(patientId).status?.treatingDoctor ?? false);
    const entry = await this.localEntry(patientId, uniqueId);
    if (change.maskedFromProfessionals !== undefined) this.require('TD3.3a', caller.actor);
    if (change.hiddenFromPatient !== undefined || change.hiddenFromLegalRepresentatives !== undefined) this.require('TD3.3b', caller.actor);
    const codes = new Map(entry.confidentialityCodes.map((c) => [c.code, c]));
    const toggle = (code: string, label: string, on: boolean | undefined): void => {
      if (on === undefined) return;
      if (on) codes.set(code, { code, codeSystem: CONFIDENTIALITY_SYSTEM.dmp, displayName: label });
      else codes.delete(code);
    };
    toggle('MASQUE_PS', 'Masqué aux professionnels de santé', change.maskedFromProfessionals);
    toggle('INVISIBLE_PATIENT', 'Non visible par le patient', change.hiddenFromPatient);
    toggle('INVISIBLE_REPRESENTANTS_LEGAUX', 'Non visible par les représentants légaux', change.hiddenFromLegalRepresentatives);
    if (![...codes.values()].some((c) => c.codeSystem === CONFIDENTIALITY_SYSTEM.hl7)) {
      codes.set('N', { code: 'N', codeSystem: CONFIDENTIALITY_SYSTEM.hl7, displayName: 'Normal' });
    }
    const updated: DocumentEntry = { ...entry, confidentialityCodes: [...codes.values()], version: entry.version + 1 };
    const settings = this.deps.settings();
    try {
      await this.client.updateMetadata(this.ctx(caller, patient.ins, 'normal'), {
        submissionSet: this.updateSubmissionSet(caller, patient.ins, settings.lpsOid),
        metadata: metadataOf(updated),
        logicalId: entry.logicalId,
        previousVersion: entry.version,
        patientId: patientCx(patient.ins.matricule, patient.ins.oid),
      });
    } finally {
      this.deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td33ab', details: { uniqueId, change } });
    }
    const at = this.now();
    const stored = this.store.document(patientId, uniqueId);
    this.store.upsertDocument(patientId, updated, at, stored?.seen ?? true);
    this.deps.notify?.('dmp.changed', { patientId, reason: 'updated' });
    return this.view({ entry: updated, firstSeenAt: stored?.firstSeenAt ?? at, seen: stored?.seen ?? true }, caller);
  }

  async setStatus(patientId: string, uniqueId: string, status: 'Deleted' | 'Archived', actorName: string): Promise<void> {
    await this.ready();
    const patient = this.qualifiedPatient(patientId);
    const caller = this.requireCaller('normal', this.store.state(patientId).status?.treatingDoctor ?? false);
    const entry = await this.localEntry(patientId, uniqueId);
    this.require(status === 'Deleted' ? 'TD3.3c' : 'TD3.3d', caller.actor, this.documentContext(entry, caller));
    try {
      await this.client.updateStatus(this.ctx(caller, patient.ins, 'normal'), {
        submissionSet: this.updateSubmissionSet(caller, patient.ins, this.deps.settings().lpsOid),
        entryUuid: entry.entryUuid,
        from: entry.status,
        to: status,
      });
    } finally {
      this.deps.audit({ actor: actorName, patientRef: patientId, action: status === 'Deleted' ? 'dmp.td33c' : 'dmp.td33d', details: { uniqueId } });
    }
    const stored = this.store.document(patientId, uniqueId);
    this.store.upsertDocument(patientId, { ...entry, status }, this.now(), stored?.seen ?? true);
    this.deps.notify?.('dmp.changed', { patientId, reason: 'updated' });
  }

  private updateSubmissionSet(caller: Caller, ins: { matricule: string; oid: string }, lpsOid: string) {
    return {
      uniqueId: this.newOid(),
      sourceId: lpsOid,
      submissionTime: hl7Ts(this.deps.clock.now()),
      patientId: patientCx(ins.matricule, ins.oid),
      author: { idNat: caller.idNat, institution: { id: caller.structureId, name: caller.structureId } },
      contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' },
    };
  }

  async setAuthorisation(patientId: string, action: 'AJOUT' | 'SUPPRESSION', patientConsent: boolean, actorName: string) {
    await this.ready();
    const patient = this.qualifiedPatient(patientId);
    // Consent is recorded locally by the LPS (PDSm4DMP transaction_td02; dmp.md §6).
    if (action === 'AJOUT' && !patientConsent) throw new AppError('DMP_CONSENT_REQUIRED');
    const caller = this.requireCaller('normal');
    this.require('TD0.3', caller.actor);
    const ctx = this.ctx(caller, patient.ins, 'normal');
    try {
      await this.client.td03(ctx, action);
    } finally {
      this.deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td03', details: { action, patientConsent } });
    }
    const status = await this.client.td02(ctx);
    const at = this.now();
    this.store.putStatus(patientId, status, at);
    this.deps.notify?.('dmp.changed', { patientId, reason: 'updated' });
    return { status: { ...status, checkedAt: at } };
  }
}

function safeNarrative(xml: string): string {
  try {
    const html = narrativeToSafeHtml(xml);
    return html === '' ? '<p>Document structuré : la présentation n’est pas disponible sur ce poste.</p>' : html;
  } catch {
    return '<p>Le contenu de ce document ne peut pas être affiché.</p>';
  }
}

const sendPayloadSchema = z.object({ uniqueId: z.string().min(1).max(200) });

/**
 * The DMP could not be reached (network down, service unavailable, no answer in time): for a read,
 * the caller shows what is known locally; nothing is resent later, the user asks again.
 */
function isUnreachable(error: unknown): boolean {
  if (isTransportError(error)) return error.retryable || error.outcomeUnknown || error.code === 'TRANSPORT_TIMEOUT';
  return isAppError(error) && error.code === 'DMP_UNAVAILABLE';
}
