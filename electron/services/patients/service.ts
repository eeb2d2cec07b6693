/**
 * The local patient base: identities with their RNIV status and history, search, duplicate
 * warnings, CSV import. Every read and write of patient data writes an audit entry through the
 * callback, inside the same transaction as the write.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Environment } from '../../contract';
import type { IdentityAttribute, IdentityDeviceCode, IdentityHistoryEntry, StrictTraitsInput, UsedTraits } from '../../contract/domains/identity';
import type { ImportMapping, ImportValidation, Patient, PatientSummary } from '../../contract/domains/patients';
import type { Clock } from '../../platform/clock';
import { inTransaction, type Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import {
  applyIdentityEvent,
  assertInsiCallAllowed,
  birthPlaceLabel,
  evaluateInsiAcceptance,
  canShareIns,
  checkOidForEnvironment,
  cleanUsedTraits,
  encodeInsDatamatrix,
  initialIdentityState,
  insDatamatrixPayload,
  normalizeStrictTraits,
  parseBirthDate,
  parseMatricule,
  renderInsDatamatrixSvg,
  strictTraitsKey,
  type IdentityEvent,
  type InsiAcceptance,
  type InsOid,
  type StrictTraits,
  type TraitFieldError,
} from '../identity';
import { MAX_IMPORT_BYTES, readCsv, suggestMapping, CsvError, type CsvTable } from './csv';
import { findProbableDuplicates } from './duplicates';
import { ImportValidator, type ImportPlan, type PlannedPatient } from './import';
import { assertMergeAllowed, type MergeParticipant } from './merge';
import { qualifiedInsKey, type QualifiedInsWatcher } from './qualified-ins';
import { assertStorable } from './fields';
import { parseSearchQuery } from './search';
import { displayNames, identitiesToVerify, idsByName, PatientStore, type DuplicatePairRow, type IdentityToVerify, type InsiCandidateSelection, type PatientRecord, type ToVerifySort } from './store';

/** What the service writes to the audit trail (the AuditTrail's `write` fits). */
export type PatientsAuditCallback = (entry: { actor: string; patientRef: string | null; action: string; details: Record<string, unknown> }) => void;

export type PatientsNotification =
  | { event: 'patients.changed'; payload: { id: string; reason: 'created' | 'updated' | 'identity' } }
  | { event: 'patients.imported'; payload: { importId: number; created: number } };

export interface PatientsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: PatientsAuditCallback;
  /** The current environment (settings): test/demo INS never enter production, and vice versa. */
  environment: () => Environment;
  /** Identifier generator; random UUIDs by default. */
  newId?: () => string;
  /** Called after a committed change, for the host to emit contract events. */
  notify?: (notification: PatientsNotification) => void;
}

export interface CreatePatientInput {
  strictTraits: StrictTraitsInput;
  usedTraits?: Partial<UsedTraits> | undefined;
  declaredNir?: string | null | undefined;
  externalId?: string | null | undefined;
  acknowledgeDuplicates?: boolean | undefined;
  /** Where the identity comes from: typed at the desk, read from a carte Vitale, or an INSi result. */
  source?: 'desk' | 'vitale' | 'insi' | undefined;
}

export interface UpdatePatientInput {
  id: string;
  expectedVersion?: number | undefined;
  strictTraits?: StrictTraitsInput | undefined;
  usedTraits?: Partial<UsedTraits> | undefined;
  declaredNir?: string | null | undefined;
  /** Why the identity is changed (kept in the identity history); required for strict and used traits. */
  reason?: string | undefined;
}

/** A pair of probable duplicates as the doublon screen lists it. */
export interface DuplicatePairView {
  a: PatientSummary;
  b: PatientSummary;
  reason: DuplicatePairRow['reason'];
  source: string;
  detectedAt: string;
  detectedBy: string;
}

export interface SearchCriteria {
  query?: string | undefined;
  birthDate?: string | undefined;
  nir?: string | undefined;
  limit?: number | undefined;
}

/** The result of an INSi look-up as the INSi client hands it over (TIQ traits, INSACTIF). */
export interface InsiResultInput {
  id: string;
  matricule: string;
  oid: string;
  /** The TIQ traits exactly as INSi returned them (birth date `AAAA-MM-JJ`, 00 for an unknown part). */
  traits: StrictTraitsInput;
  /** For an acceptable difference (acceptance rule « confirm »): the reason, confirmed a second time. */
  confirmation?: { reason: string } | undefined;
  /** What the look-up was: by traits, from the carte Vitale, the worklist, or the free INSi form. */
  operation?: string | undefined;
}

export interface ImportPreview {
  encoding: CsvTable['encoding'];
  separator: CsvTable['separator'];
  headers: string[];
  sampleRows: string[][];
  suggestedMapping: ImportMapping;
  alreadyImported: boolean;
  validation: ImportPlan['validation'] | null;
  /** Lines to create that look like a patient already in the base (probable duplicates). */
  probableDuplicates: number | null;
}

export interface ImportCommit {
  importId: number;
  alreadyImported: boolean;
  created: number;
  existing: number;
  duplicatesInFile: number;
  /** Created lines that look like another patient: listed as « doublons potentiels » to review. */
  probableDuplicates: number;
}

export { MAX_IMPORT_BYTES, MAX_IMPORT_LINES } from './csv';

/** Patients written per transaction of an import (~20 ms each): the other writers wait no longer. */
export const IMPORT_BATCH_SIZE = 250;
const PROGRESS_EVERY = 2_000;

export type ImportProgress = (progress: { phase: 'reading' | 'checking' | 'writing'; done: number; total: number }) => void;

export interface ImportCommitOptions {
  progress?: ImportProgress;
  batchSize?: number;
  /** Awaited between batches (default: one turn of the event loop). */
  pause?: () => Promise<void>;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A CSV reading problem → the code whose message says what to do about it. */
function csvAppError(error: CsvError): AppError {
  const code = {
    EMPTY: 'PATIENTS_IMPORT_EMPTY',
    UNTERMINATED_QUOTE: 'PATIENTS_IMPORT_UNTERMINATED_QUOTE',
    NO_HEADER: 'PATIENTS_IMPORT_NO_HEADER',
    DUPLICATE_HEADER: 'PATIENTS_IMPORT_DUPLICATE_HEADER',
    NOT_TEXT: 'PATIENTS_IMPORT_NOT_TEXT',
    TOO_LARGE: 'PATIENTS_IMPORT_TOO_LARGE',
    TOO_MANY_COLUMNS: 'PATIENTS_IMPORT_TOO_MANY_COLUMNS',
  } as const satisfies Record<CsvError['reason'], string>;
  return new AppError(code[error.reason], { reason: error.reason, ...error.details }, { cause: error });
}

export function toPatient(record: PatientRecord): Patient {
  return {
    id: record.id,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    strictTraits: record.traits,
    usedTraits: record.used,
    identity: record.identity,
    declaredNir: record.declaredNir,
    externalId: record.externalId,
    insShareable: canShareIns(record.identity),
    birthPlaceLabel: birthPlaceLabel(record.traits.birthPlaceCode),
    mergedInto: record.mergedInto ?? null,
  };
}

/** The INS traits as INSi returned them, for the acceptance rule. */
function insTraitsOf(input: StrictTraitsInput, normalized: StrictTraits) {
  const lunar = /^\d{4}-\d{2}-\d{2}$/.test(input.birthDate.trim())
    ? input.birthDate.trim()
    : `${String(normalized.birthDate.year).padStart(4, '0')}-${String(normalized.birthDate.month ?? 0).padStart(2, '0')}-${String(normalized.birthDate.day ?? 0).padStart(2, '0')}`;
  return {
    birthName: normalized.birthName,
    birthGivenNames: normalized.birthGivenNames,
    firstGivenName: normalized.firstGivenName,
    sex: normalized.sex,
    birthDate: lunar,
    birthPlaceCode: normalized.birthPlaceCode,
  };
}

/** Old and new value of each strict trait that changed, for the identity history. */
function traitChanges(before: StrictTraits, after: StrictTraits): Array<{ field: string; from: string | null; to: string | null; fromLabel?: string | null; toLabel?: string | null }> {
  const date = (t: StrictTraits) => formatDate(t.birthDate);
  const pairs: Array<[string, string | null, string | null]> = [
    ['birthName', before.birthName, after.birthName],
    ['birthGivenNames', before.birthGivenNames, after.birthGivenNames],
    ['firstGivenName', before.firstGivenName, after.firstGivenName],
    ['birthDate', date(before), date(after)],
    ['sex', before.sex, after.sex],
    ['birthPlaceCode', before.birthPlaceCode, after.birthPlaceCode],
  ];
  return pairs
    .filter(([, a, b]) => a !== b)
    .map(([field, from, to]) =>
      // Birth places keep their name next to the code: the history shows names, never bare codes.
      field === 'birthPlaceCode' ? { field, from, to, fromLabel: birthPlaceLabel(from), toLabel: birthPlaceLabel(to) } : { field, from, to },
    );
}

function formatDate(d: StrictTraits['birthDate']): string {
  const two = (n: number | null) => (n === null ? '00' : String(n).padStart(2, '0'));
  return `${two(d.day)}/${two(d.month)}/${String(d.year).padStart(4, '0')}`;
}

const MIN_REASON = 3;

function traitsError(errors: TraitFieldError[]): AppError {
  // Field names and rule codes only: the values stay out of error details (no health data).
  return new AppError('IDENTITY_TRAITS_INVALID', { fields: errors.map((e) => ({ field: e.field, code: e.code })) });
}

export class PatientsService {
  private readonly store: PatientStore;
  private readonly logger: Logger;
  private readonly newId: () => string;
  private readonly mergeParticipants: MergeParticipant[] = [];
  private readonly insWatchers: QualifiedInsWatcher[] = [];

  constructor(private readonly deps: PatientsDeps) {
    this.store = new PatientStore(deps.db, deps.environment);
    this.logger = deps.logger.child('patients');
    this.newId = deps.newId ?? randomUUID;
  }

  environment(): Environment {
    return this.deps.environment();
  }

  /** Whether a patient id exists in the current environment (no patient data, so not audited). */
  exists(id: string): boolean {
    try {
      this.load(id);
      return true;
    } catch {
      return false;
    }
  }

  /** Size of the current environment's base (no patient data, so not audited). */
  count(): number {
    return this.store.count();
  }

  /**
   * Ids of the patients an INSi worklist may cover (not qualified, neither douteuse nor fictive),
   * in creation order. Ids only: the worklist reads each patient through `insiQueryTraits`, audited.
   */
  insiCandidates(selection: InsiCandidateSelection): string[] {
    return this.store.insiCandidates(selection);
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private load(id: string): PatientRecord {
    const record = this.store.get(id);
    if (record === null) throw new AppError('PATIENT_NOT_FOUND');
    return record;
  }

  /** A record that may still change (not merged into another). */
  private loadLiving(id: string): PatientRecord {
    const record = this.load(id);
    if ((record.mergedInto ?? null) !== null) throw new AppError('PATIENT_MERGED', { mergedInto: record.mergedInto });
    return record;
  }

  /** Registers another service's data that follows a merge (composition root). */
  addMergeParticipant(participant: MergeParticipant): void {
    this.mergeParticipants.push(participant);
  }

  /** Registers another service's data fetched under the record's qualified INS (composition root). */
  addQualifiedInsWatcher(watcher: QualifiedInsWatcher): void {
    this.insWatchers.push(watcher);
  }

  /** Stores a new version of a record; in the caller's transaction, what was fetched under a former qualified INS goes. */
  private storeUpdate(current: PatientRecord, next: PatientRecord): void {
    if (!this.store.update(next)) throw new AppError('PATIENT_VERSION_CONFLICT', { expected: current.version });
    if (qualifiedInsKey(current.identity) !== qualifiedInsKey(next.identity)) for (const watcher of this.insWatchers) watcher.qualifiedInsChanged(current.id);
  }

  private normalize(input: StrictTraitsInput): StrictTraits {
    const result = normalizeStrictTraits(input, { today: this.now().slice(0, 10) });
    if (!result.ok) throw traitsError(result.errors);
    return result.traits;
  }

  private declaredNir(input: string | null | undefined): string | null {
    if (input === null || input === undefined || input.trim() === '') return null;
    const parsed = parseMatricule(input, { requireKey: false });
    if (!parsed.ok) throw new AppError('INS_MATRICULE_INVALID', { field: 'declaredNir', reason: parsed.reason });
    return parsed.matricule.number;
  }

  private notify(notification: PatientsNotification): void {
    this.deps.notify?.(notification);
  }

  /** Creates a provisional identity; refuses a suspected duplicate unless the user acknowledged it. */
  create(input: CreatePatientInput, actor: string): { patient: Patient; duplicates: PatientSummary[] } {
    const traits = this.normalize(input.strictTraits);
    const declaredNir = this.declaredNir(input.declaredNir);
    // better-sqlite3 is synchronous: nothing else runs in this process between the check and the insert.
    const duplicates = findProbableDuplicates(this.store, traits);
    const source = input.source ?? 'desk';
    if (duplicates.length > 0 && input.acknowledgeDuplicates !== true) {
      this.deps.audit({
        actor,
        patientRef: null,
        action: 'patient.create.refused',
        details: { reason: 'duplicate', candidates: duplicates.length, approximate: duplicates.filter((d) => d.match === 'approx').length, source },
      });
      throw new AppError('PATIENT_DUPLICATE_SUSPECTED', { candidateIds: duplicates.map((d) => d.id) });
    }
    const result = inTransaction(this.deps.db, () => {
      const record = this.insertRecord({ traits, used: cleanUsedTraits(input.usedTraits ?? {}), declaredNir, externalId: input.externalId ?? null, importId: null }, actor, 'manual');
      // The person saw the look-alikes and said this is someone else: remembered, never proposed again.
      for (const duplicate of duplicates) {
        this.store.resolvePair(record.id, duplicate.id, 'distinct', record.createdAt, actor, { decidedAt: 'creation' });
      }
      this.deps.audit({
        actor,
        patientRef: record.id,
        action: 'patient.create',
        details: { source: source === 'desk' ? 'manual' : source, duplicatesAcknowledged: duplicates.length },
      });
      return { patient: toPatient(record), duplicates };
    });
    this.notify({ event: 'patients.changed', payload: { id: result.patient.id, reason: 'created' } });
    return result;
  }

  private insertRecord(
    fields: Pick<PatientRecord, 'traits' | 'used' | 'declaredNir' | 'externalId' | 'importId'>,
    actor: string,
    source: 'manual' | 'import',
  ): PatientRecord {
    const at = this.now();
    const record: PatientRecord = { id: this.newId(), version: 1, createdAt: at, updatedAt: at, identity: initialIdentityState(), ...fields };
    this.store.insert(record);
    this.store.appendHistory(record.id, { at, actor, event: 'identity.created', from: 'PROV', to: 'PROV', details: { source } });
    return record;
  }

  get(id: string, actor: string): { patient: Patient; history: IdentityHistoryEntry[] } {
    const record = this.load(id);
    const history = this.store.history(id);
    this.deps.audit({ actor, patientRef: id, action: 'patient.read', details: {} });
    return { patient: toPatient(record), history };
  }

  /**
   * Edits the local traits with a reason; each change goes to the identity history with its old and
   * new value. A qualified identity's strict traits (the INS traits, from INSi) cannot be edited
   * here (IDENTITY_QUALIFIED_LOCKED); editing a strict trait of another identity drops the INSi
   * confirmation and the document check, which were established for the old traits (rniv.ts).
   */
  update(input: UpdatePatientInput, actor: string): { patient: Patient } {
    const traits = input.strictTraits === undefined ? undefined : this.normalize(input.strictTraits);
    const declaredNir = input.declaredNir === undefined ? undefined : this.declaredNir(input.declaredNir);
    const reason = input.reason?.trim() ?? '';
    const patient = inTransaction(this.deps.db, () => {
      const current = this.loadLiving(input.id);
      if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
        throw new AppError('PATIENT_VERSION_CONFLICT', { expected: input.expectedVersion, actual: current.version });
      }
      const at = this.now();
      let next: PatientRecord = { ...current, version: current.version + 1, updatedAt: at };
      const changedFields: string[] = [];
      const entries: IdentityHistoryEntry[] = [];
      if (traits !== undefined) {
        const transition = applyIdentityEvent({ traits: current.traits, identity: current.identity }, { type: 'traits.changed', traits }, { at, actor });
        const changed = transition.entry.details.changedTraits as string[];
        if (changed.length > 0) {
          next = { ...next, traits: transition.record.traits, identity: transition.record.identity };
          entries.push({ ...transition.entry, details: { ...transition.entry.details, changes: traitChanges(current.traits, transition.record.traits), reason } });
          changedFields.push(...changed);
        }
      }
      if (input.usedTraits !== undefined) {
        const used = cleanUsedTraits({ ...current.used, ...input.usedTraits });
        const changes: Array<{ field: string; from: string | null; to: string | null }> = [];
        if (used.usedName !== current.used.usedName) changes.push({ field: 'usedName', from: current.used.usedName, to: used.usedName });
        if (used.usedGivenName !== current.used.usedGivenName) changes.push({ field: 'usedGivenName', from: current.used.usedGivenName, to: used.usedGivenName });
        if (changes.length > 0) {
          changedFields.push(...changes.map((c) => c.field));
          entries.push({ at, actor, event: 'used-traits.changed', from: next.identity.status, to: next.identity.status, details: { changes, reason } });
        }
        next = { ...next, used };
      }
      if (declaredNir !== undefined && declaredNir !== current.declaredNir) {
        changedFields.push('declaredNir');
        next = { ...next, declaredNir };
      }
      if (entries.length > 0 && reason.length < MIN_REASON) throw new AppError('PATIENT_CHANGE_REASON_REQUIRED');
      if (changedFields.length === 0) {
        this.deps.audit({ actor, patientRef: current.id, action: 'patient.update', details: { changedFields } });
        return toPatient(current);
      }
      this.storeUpdate(current, next);
      for (const entry of entries) this.store.appendHistory(current.id, entry);
      this.deps.audit({
        actor,
        patientRef: current.id,
        action: 'patient.update',
        details: { changedFields, statusFrom: current.identity.status, statusTo: next.identity.status, reasonGiven: reason.length > 0 },
      });
      return toPatient(next);
    });
    this.notify({ event: 'patients.changed', payload: { id: patient.id, reason: 'updated' } });
    return { patient };
  }

  /** Applies one RNIV event, persists the record and its history entry, audits it. */
  private transition(id: string, event: IdentityEvent, actor: string, action: string, extra: Record<string, unknown> = {}) {
    const result = inTransaction(this.deps.db, () => {
      const current = this.loadLiving(id);
      const at = this.now();
      const { record, entry } = applyIdentityEvent({ traits: current.traits, identity: current.identity }, event, { at, actor });
      const next: PatientRecord = { ...current, version: current.version + 1, updatedAt: at, traits: record.traits, identity: record.identity };
      Object.assign(entry.details, extra);
      this.storeUpdate(current, next);
      this.store.appendHistory(id, entry);
      const auditDetails: Record<string, unknown> = { statusFrom: entry.from, statusTo: entry.to };
      for (const key of ['device', 'parentDevice', 'highTrust', 'attribute', 'value', 'oid', 'changedTraits', 'keyMismatch', 'acceptedDifference'] as const) {
        if (entry.details[key] !== undefined) auditDetails[key] = entry.details[key];
      }
      this.deps.audit({ actor, patientRef: id, action, details: auditDetails });
      return { patient: toPatient(next), entry };
    });
    this.notify({ event: 'patients.changed', payload: { id, reason: 'identity' } });
    return result;
  }

  /** Records which identity device a person checked (RNIV: who, what, when). */
  recordIdentityCheck(
    input: { id: string; device: IdentityDeviceCode; parentDevice?: IdentityDeviceCode | null | undefined },
    actor: string,
  ): { patient: Patient; entry: IdentityHistoryEntry } {
    return this.transition(input.id, { type: 'document.checked', device: input.device, parentDevice: input.parentDevice ?? null }, actor, 'identity.document-check');
  }

  setIdentityAttribute(
    input: { id: string; attribute: IdentityAttribute; value: boolean; reason?: string | undefined },
    actor: string,
  ): { patient: Patient; entry: IdentityHistoryEntry } {
    const event: IdentityEvent = { type: 'attribute.set', attribute: input.attribute, value: input.value };
    if (input.reason !== undefined) event.reason = input.reason;
    return this.transition(input.id, event, actor, 'identity.attribute');
  }

  /**
   * The strict traits to send to INSi for this patient. Refuses a douteuse or fictive identity
   * (IDENTITY_INSI_BLOCKED): the INSi client calls this before building its request.
   */
  insiQueryTraits(id: string, actor: string): StrictTraits {
    const record = this.loadLiving(id);
    this.deps.audit({ actor, patientRef: id, action: 'patient.read', details: { purpose: 'insi' } });
    assertInsiCallAllowed(record.identity);
    return record.traits;
  }

  /**
   * The acceptance rule (identity/acceptance.ts) for a found INSi identity and this patient's
   * current traits: the desk shows it before « Accepter », and applyInsiResult enforces it.
   */
  insiAcceptance(id: string, traits: StrictTraitsInput): InsiAcceptance {
    const record = this.loadLiving(id);
    return evaluateInsiAcceptance(record.traits, insTraitsOf(traits, this.normalize(traits)));
  }

  /**
   * Records in the identity history that an INSi identity was not attached (the acceptance rule
   * blocked it, the INS belongs to another record, or a person refused it), and audits it. Field
   * names and kinds of difference only: the other person's traits are not copied into this record.
   */
  recordInsiRefusal(id: string, details: { by: 'rule' | 'person' | 'ins-already-attached'; operation?: string | undefined; findings?: Array<{ field: string; kind: string }>; reason?: string; otherPatientId?: string }, actor: string): IdentityHistoryEntry {
    const entry = this.appendRefusal(id, details, actor);
    this.notify({ event: 'patients.changed', payload: { id, reason: 'identity' } });
    return entry;
  }

  private appendRefusal(id: string, details: Parameters<PatientsService['recordInsiRefusal']>[1], actor: string): IdentityHistoryEntry {
    return inTransaction(this.deps.db, () => {
      const current = this.loadLiving(id);
      const entry: IdentityHistoryEntry = {
        at: this.now(),
        actor,
        event: 'insi.refused',
        from: current.identity.status,
        to: current.identity.status,
        details: Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined)),
      };
      this.store.appendHistory(id, entry);
      this.deps.audit({ actor, patientRef: id, action: 'identity.insi-refused', details: { by: details.by, operation: details.operation ?? null, fields: details.findings?.map((f) => f.field) ?? [] } });
      return entry;
    });
  }

  /**
   * Attaches an INSi identity (CodeCR 00) to a patient: the returned traits replace the local strict
   * traits and the status moves up (PROV → RECUP, VALI → QUAL) — only if the acceptance rule allows
   * it. « block »: nothing changes, the refusal goes to the identity history
   * (IDENTITY_INSI_TRAITS_INCOHERENT); « confirm »: a reason confirmed a second time is required
   * (IDENTITY_INSI_CONFIRMATION_REQUIRED) and kept in the history. One INS designates one patient of
   * an environment: an INS already on another record is refused and the two records become a
   * « doublon potentiel » (PATIENT_INS_ALREADY_ATTACHED). The OID must belong to this environment.
   * A key mismatch is recorded, not refused: the CNDA fixture TEST_2.08_cas2 carries one (insi.md §2.1).
   */
  applyInsiResult(input: InsiResultInput, actor: string): { patient: Patient; entry: IdentityHistoryEntry; acceptance: InsiAcceptance } {
    const oidCheck = checkOidForEnvironment(input.oid, this.environment());
    if (!oidCheck.ok) {
      throw new AppError(oidCheck.reason === 'UNKNOWN_OID' ? 'INS_OID_UNKNOWN' : 'INS_OID_ENVIRONMENT_MISMATCH', { environment: this.environment() });
    }
    const parsed = parseMatricule(input.matricule);
    let matricule: string;
    let keyMismatch = false;
    if (parsed.ok) matricule = parsed.matricule.value;
    else if (parsed.reason === 'KEY_MISMATCH') {
      matricule = input.matricule.replace(/\s/g, '').toUpperCase();
      keyMismatch = true;
      this.logger.warn('insi.result.key-mismatch', { patientRef: input.id });
    } else throw new AppError('INS_MATRICULE_INVALID', { reason: parsed.reason });
    const traits = this.normalize(input.traits);
    const acceptance = this.insiAcceptance(input.id, input.traits);
    const findings = acceptance.findings.filter((f) => f.severity === 'minor' || f.severity === 'major').map((f) => ({ field: f.field, kind: f.kind }));
    if (acceptance.decision === 'block') {
      this.recordInsiRefusal(input.id, { by: 'rule', operation: input.operation, findings }, actor);
      throw new AppError('IDENTITY_INSI_TRAITS_INCOHERENT', { fields: findings.map((f) => f.field) });
    }
    const reason = input.confirmation?.reason.trim() ?? '';
    if (acceptance.decision === 'confirm' && reason.length < MIN_REASON) {
      throw new AppError('IDENTITY_INSI_CONFIRMATION_REQUIRED', { fields: findings.map((f) => f.field) });
    }
    const other = this.store.otherWithIns(matricule.slice(0, 13), input.id);
    if (other !== null) {
      inTransaction(this.deps.db, () => {
        this.store.recordPair(input.id, other, 'same-ins', 'insi', this.now(), actor);
        this.recordInsiRefusal(input.id, { by: 'ins-already-attached', operation: input.operation, otherPatientId: other }, actor);
      });
      throw new AppError('PATIENT_INS_ALREADY_ATTACHED', { otherPatientId: other });
    }
    const before = this.loadLiving(input.id).traits;
    const extra: Record<string, unknown> = { changes: traitChanges(before, traits) };
    if (keyMismatch) extra.keyMismatch = true;
    if (input.operation !== undefined) extra.operation = input.operation;
    if (acceptance.decision === 'confirm') {
      extra.acceptedDifference = findings[0] ?? null;
      extra.reason = reason;
    }
    const result = this.transition(input.id, { type: 'insi.succeeded', ins: { matricule, oid: oidCheck.info.oid as InsOid }, traits }, actor, 'identity.insi-result', extra);
    return { ...result, acceptance };
  }

  /** The INS datamatrix of a QUAL identity, as symbol content and SVG. */
  datamatrix(id: string, actor: string): { content: string; svg: string } {
    const record = this.load(id);
    const content = encodeInsDatamatrix(insDatamatrixPayload({ traits: record.traits, identity: record.identity }));
    this.deps.audit({ actor, patientRef: id, action: 'identity.datamatrix', details: {} });
    return { content, svg: renderInsDatamatrixSvg(content) };
  }

  /** Patients with the same INS, the same strict traits or traits alike (duplicate warning). */
  duplicatesOf(id: string, actor: string): PatientSummary[] {
    const record = this.load(id);
    const byTraits = findProbableDuplicates(this.store, record.traits, id);
    const byIns = record.identity.ins === null ? [] : this.store.patientsWithIns(record.identity.ins.matricule.slice(0, 13), id);
    const seen = new Set<string>();
    const all = [...byIns, ...byTraits].filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
    this.deps.audit({ actor, patientRef: id, action: 'patient.duplicates', details: { found: all.length } });
    return all;
  }

  /** Probable duplicates of traits not yet created (desk form, carte Vitale intake). */
  findDuplicates(input: StrictTraitsInput, actor: string, source: string): PatientSummary[] {
    const found = findProbableDuplicates(this.store, this.normalize(input));
    this.deps.audit({ actor, patientRef: null, action: 'patient.duplicates', details: { found: found.length, source } });
    return found;
  }

  /** The open « doublons potentiels », the same-INS pairs first. */
  duplicatePairs(limit: number, actor: string): DuplicatePairView[] {
    const pairs: DuplicatePairView[] = [];
    for (const row of this.store.openPairs(limit)) {
      const a = this.store.summary(row.id_low);
      const b = this.store.summary(row.id_high);
      if (a === null || b === null) continue;
      pairs.push({ a, b, reason: row.reason, source: row.source, detectedAt: row.detected_at, detectedBy: row.detected_by });
    }
    this.deps.audit({ actor, patientRef: null, action: 'patients.duplicates.list', details: { pairs: pairs.length } });
    return pairs;
  }

  /** Both records of a pair with their histories; each opening is audited on its record. */
  compare(a: string, b: string, actor: string) {
    const left = this.get(a, actor);
    const right = this.get(b, actor);
    const row = this.store.pair(a, b);
    const pair: DuplicatePairView | null = row === null ? null : {
      a: this.store.summary(row.id_low) as PatientSummary,
      b: this.store.summary(row.id_high) as PatientSummary,
      reason: row.reason,
      source: row.source,
      detectedAt: row.detected_at,
      detectedBy: row.detected_by,
    };
    return { a: left, b: right, pair };
  }

  /** Two records are two people: the pair is remembered and never proposed again. */
  markDistinct(input: { a: string; b: string; reason: string }, actor: string): void {
    const reason = input.reason.trim();
    if (reason.length < MIN_REASON) throw new AppError('PATIENT_CHANGE_REASON_REQUIRED');
    inTransaction(this.deps.db, () => {
      const a = this.loadLiving(input.a);
      const b = this.loadLiving(input.b);
      if (a.id === b.id) throw new AppError('PATIENT_MERGE_REFUSED', { reason: 'same-record' });
      const at = this.now();
      this.store.resolvePair(a.id, b.id, 'distinct', at, actor, { reason });
      for (const [self, other] of [[a, b], [b, a]] as const) {
        this.store.appendHistory(self.id, { at, actor, event: 'duplicate.distinct', from: self.identity.status, to: self.identity.status, details: { otherPatientId: other.id, reason } });
        this.deps.audit({ actor, patientRef: self.id, action: 'patient.duplicate.distinct', details: { otherPatientId: other.id } });
      }
    });
    this.notify({ event: 'patients.changed', payload: { id: input.a, reason: 'identity' } });
    this.notify({ event: 'patients.changed', payload: { id: input.b, reason: 'identity' } });
  }

  /** Merges `mergedId` into `keptId` (merge.ts says what happens to each piece). */
  merge(input: { keptId: string; mergedId: string; reason: string }, actor: string): { patient: Patient; moved: Array<{ label: string; count: number }> } {
    const reason = input.reason.trim();
    if (reason.length < MIN_REASON) throw new AppError('PATIENT_CHANGE_REASON_REQUIRED');
    const result = inTransaction(this.deps.db, () => {
      const kept = this.load(input.keptId);
      const merged = this.load(input.mergedId);
      assertMergeAllowed(kept, merged);
      const at = this.now();
      const moved = this.mergeParticipants.map((p) => ({ label: p.label, count: p.reassign(merged.id, kept.id) }));
      if (!this.store.markMerged(merged.id, kept.id, at)) throw new AppError('PATIENT_VERSION_CONFLICT', { expected: merged.version });
      this.store.resolvePair(kept.id, merged.id, 'merged', at, actor, { keptId: kept.id, reason, moved });
      this.store.appendHistory(merged.id, { at, actor, event: 'patient.merged-into', from: merged.identity.status, to: merged.identity.status, details: { keptId: kept.id, reason, moved } });
      this.store.appendHistory(kept.id, { at, actor, event: 'patient.merged', from: kept.identity.status, to: kept.identity.status, details: { mergedId: merged.id, reason, moved } });
      this.deps.audit({ actor, patientRef: kept.id, action: 'patient.merge', details: { mergedId: merged.id, moved } });
      this.deps.audit({ actor, patientRef: merged.id, action: 'patient.merged-into', details: { keptId: kept.id } });
      return { patient: toPatient(this.load(kept.id)), moved };
    });
    this.notify({ event: 'patients.changed', payload: { id: input.keptId, reason: 'identity' } });
    this.notify({ event: 'patients.changed', payload: { id: input.mergedId, reason: 'identity' } });
    return result;
  }

  search(criteria: SearchCriteria, actor: string): { results: PatientSummary[]; approximate: boolean } {
    const parsed = parseSearchQuery(criteria.query ?? '');
    let birthDate = parsed.birthDate;
    if (criteria.birthDate !== undefined && criteria.birthDate.trim() !== '') {
      const date = parseBirthDate(criteria.birthDate);
      if (!date.ok) throw new AppError('IDENTITY_BIRTH_DATE_INVALID', { reason: date.code });
      birthDate = { date: date.birthDate.date };
    }
    let nir = parsed.nir;
    if (criteria.nir !== undefined && criteria.nir.trim() !== '') {
      const matricule = parseMatricule(criteria.nir, { requireKey: false });
      if (!matricule.ok) throw new AppError('INS_MATRICULE_INVALID', { reason: matricule.reason });
      nir = matricule.matricule.number;
    }
    const letters = parsed.words.join('').length;
    if (birthDate === null && nir === null && letters < 2) throw new AppError('PATIENT_SEARCH_EMPTY');
    const result = this.store.searchPatients({ words: parsed.words, birthDate, nir, limit: criteria.limit ?? 50 });
    const used = [parsed.words.length > 0 ? 'name' : null, birthDate !== null ? 'birthDate' : null, nir !== null ? 'nir' : null].filter((c) => c !== null);
    this.deps.audit({ actor, patientRef: null, action: 'patient.search', details: { criteria: used, results: result.results.length, approximate: result.approximate } });
    return result;
  }

  /**
   * Names for screens that list other things (audit entries, outbox jobs): no audit entry here, the
   * caller records the listing it makes.
   */
  displayNames(ids: readonly string[]): Map<string, string> {
    return displayNames(this.deps.db, this.environment(), ids);
  }

  /** Patients whose name contains `text` (folded), for a filter; the caller audits its listing. */
  idsByName(text: string): string[] {
    return idsByName(this.deps.db, this.environment(), text);
  }

  /** The identities « récupérée » whose identity document is to check at the next visit (audited as one listing). */
  identitiesToVerify(query: { text?: string | undefined; sort?: ToVerifySort | undefined; limit?: number | undefined }, actor: string): { rows: IdentityToVerify[]; total: number } {
    const result = identitiesToVerify(this.deps.db, this.environment(), { text: query.text?.trim() ?? null, sort: query.sort ?? 'retrieved', limit: query.limit ?? 200 });
    this.deps.audit({ actor, patientRef: null, action: 'patient.list', details: { list: 'identities-to-verify', results: result.rows.length } });
    return result;
  }

  // --- CSV import -----------------------------------------------------------------------------

  /** An import planner bound to this base (see ImportValidator): the host's worker plans with it. */
  importPlanner(headers: readonly string[], mapping: ImportMapping): ImportValidator {
    return new ImportValidator(headers, mapping, this.store, this.now().slice(0, 10));
  }

  /** Reads an import file (size, encoding, separator, lines) and its SHA-256. */
  readImport(bytes: Uint8Array, progress?: ImportProgress): { table: CsvTable; fingerprint: string } {
    if (bytes.byteLength > MAX_IMPORT_BYTES) throw new AppError('PATIENTS_IMPORT_TOO_LARGE', { bytes: bytes.byteLength });
    progress?.({ phase: 'reading', done: 0, total: bytes.byteLength });
    try {
      return { table: readCsv(bytes), fingerprint: createHash('sha256').update(bytes).digest('hex') };
    } catch (error) {
      if (error instanceof CsvError) throw csvAppError(error);
      throw error;
    }
  }

  /**
   * Step 1 (no mapping): what the file looks like. Step 2 (mapping): every line validated. Lines are
   * read one at a time; `progress` is told every few thousand lines.
   */
  importPreview(input: { bytes: Uint8Array; mapping?: ImportMapping | undefined }, actor: string, progress?: ImportProgress): ImportPreview {
    const { table, fingerprint } = this.readImport(input.bytes, progress);
    const alreadyImported = this.store.importIdFor(fingerprint) !== null;
    const sampleRows: string[][] = [];
    for (const row of table.rows()) {
      sampleRows.push(row.cells);
      if (sampleRows.length === 5) break;
    }
    let validation: ImportValidation | null = null;
    // The lines that would be created yet look like a patient already here (the duplicate finder).
    let probableDuplicates: number | null = null;
    if (input.mapping !== undefined) {
      const validator = new ImportValidator(table.headers, input.mapping, this.store, this.now().slice(0, 10));
      let done = 0;
      probableDuplicates = 0;
      for (const row of table.rows()) {
        const outcome = validator.check(row);
        if (outcome.kind === 'create' && findProbableDuplicates(this.store, outcome.patient.traits).length > 0) probableDuplicates += 1;
        if (++done % PROGRESS_EVERY === 0) progress?.({ phase: 'checking', done, total: table.rowCount });
      }
      validation = validator.summary();
    }
    this.deps.audit({
      actor,
      patientRef: null,
      action: 'patients.import.preview',
      details: { lines: table.rowCount, validated: validation !== null, invalid: validation?.invalid ?? null },
    });
    return {
      encoding: table.encoding,
      separator: table.separator,
      headers: table.headers,
      sampleRows,
      suggestedMapping: suggestMapping(table.headers),
      alreadyImported,
      validation,
      probableDuplicates,
    };
  }

  /**
   * Imports a file: every line is checked first, and one invalid line means nothing is imported.
   * Then the patients are written in batches of `batchSize`, one short transaction each, with
   * `pause` between batches so that the desk and the outbox get their turn (issue 14: 65 536 lines
   * in one transaction froze every other call for 22 s). The file's SHA-256 makes a second import
   * of the same file a no-op; each line's natural key (external number, else strict traits) makes
   * an overlapping export create only the patients that are new. An import interrupted between
   * batches (a crash, the machine switched off) keeps the patients already written, and importing
   * the same file again completes it: until its last batch, its row carries a `pending:`
   * fingerprint, so it is not taken for a finished import.
   *
   * The host runs the reading and checking in its worker thread and only the batches on its own
   * thread (host/workers): the steps below (`checkImport`, `startImport`, `writeImportBatch`,
   * `finishImport`) are what both ways share.
   */
  async importCommit(input: { bytes: Uint8Array; mapping: ImportMapping }, actor: string, options: ImportCommitOptions = {}): Promise<ImportCommit> {
    const progress = options.progress;
    const { table, fingerprint } = this.readImport(input.bytes, progress);
    const previous = this.finishedImport(fingerprint, actor);
    if (previous !== null) return previous;
    const check = this.checkImport(table, input.mapping, actor, progress);
    const importId = this.startImport({ table, fingerprint, mapping: input.mapping, toCreate: check.toCreate }, actor);
    const batchSize = options.batchSize ?? IMPORT_BATCH_SIZE;
    let batch: PlannedPatient[] = [];
    let done = 0;
    let existing = 0;
    let probableDuplicates = 0;
    const flush = async (last: boolean): Promise<void> => {
      const written = this.writeImportBatch(importId, batch, actor);
      existing += written.existing;
      probableDuplicates += written.probableDuplicates;
      batch = [];
      progress?.({ phase: 'writing', done, total: table.rowCount });
      if (!last) await (options.pause ?? yieldToEventLoop)();
    };
    const planner = this.importPlanner(table.headers, input.mapping);
    for (const row of table.rows()) {
      done += 1;
      const outcome = planner.check(row);
      if (outcome.kind === 'create') batch.push(outcome.patient);
      else if (outcome.kind === 'existing') existing += 1;
      if (batch.length === batchSize) await flush(false);
    }
    await flush(true);
    const summary = planner.summary();
    return this.finishImport({ importId, fingerprint, lines: table.rowCount, existing, duplicatesInFile: summary.duplicatesInFile, probableDuplicates }, actor);
  }

  /** The import of this very file, when it already finished (a second import is a no-op). */
  finishedImport(fingerprint: string, actor: string): ImportCommit | null {
    const previous = this.store.importIdFor(fingerprint);
    if (previous === null) return null;
    this.deps.audit({ actor, patientRef: null, action: 'patients.import.commit', details: { importId: previous, alreadyImported: true, created: 0 } });
    return { importId: previous, alreadyImported: true, created: 0, existing: 0, duplicatesInFile: 0, probableDuplicates: 0 };
  }

  /** Reads a file and checks its lines (no write but the audit of a refusal). */
  readAndCheckImport(input: { bytes: Uint8Array; mapping: ImportMapping }, actor: string, progress?: ImportProgress): { table: CsvTable; fingerprint: string; validation: ImportValidation } {
    const { table, fingerprint } = this.readImport(input.bytes, progress);
    return { table, fingerprint, validation: this.checkImport(table, input.mapping, actor, progress) };
  }

  /** Every line checked; PATIENTS_IMPORT_INVALID (audited) when one is wrong. */
  checkImport(table: CsvTable, mapping: ImportMapping, actor: string, progress?: ImportProgress): ImportValidation {
    return this.auditRefusal(actor, () => {
      const validator = new ImportValidator(table.headers, mapping, this.store, this.now().slice(0, 10));
      let done = 0;
      for (const row of table.rows()) {
        validator.check(row);
        if (++done % PROGRESS_EVERY === 0) progress?.({ phase: 'checking', done, total: table.rowCount });
      }
      const validation = validator.summary();
      if (validation.invalid > 0) {
        throw new AppError('PATIENTS_IMPORT_INVALID', { invalid: validation.invalid, lines: validation.issues.slice(0, 50).map((i) => i.line) });
      }
      return validation;
    });
  }

  /** The import's row: the one an interrupted run left (pending), or a new pending one. */
  startImport(
    params: { table: Pick<CsvTable, 'encoding' | 'separator' | 'rowCount'>; fingerprint: string; mapping: ImportMapping; toCreate: number },
    actor: string,
  ): number {
    const pending = `pending:${params.fingerprint}`;
    return (
      this.store.importIdFor(pending) ??
      inTransaction(this.deps.db, () => {
        const id = this.store.insertImport({
          fingerprint: pending,
          importedAt: this.now(),
          actor,
          encoding: params.table.encoding,
          separator: params.table.separator,
          mapping: JSON.stringify(params.mapping),
          lineCount: params.table.rowCount,
        });
        this.deps.audit({ actor, patientRef: null, action: 'patients.import.started', details: { importId: id, lines: params.table.rowCount, toCreate: params.toCreate } });
        return id;
      })
    );
  }

  /**
   * Writes one batch of checked patients in one transaction; a patient that appeared in the base
   * since the check (natural key) is counted as existing, not created twice.
   */
  writeImportBatch(importId: number, patients: readonly PlannedPatient[], actor: string): { created: number; existing: number; probableDuplicates: number } {
    return inTransaction(this.deps.db, () => {
      let created = 0;
      let existing = 0;
      let probableDuplicates = 0;
      for (const planned of patients) {
        assertStorable({ externalId: planned.externalId, usedName: planned.used.usedName, usedGivenName: planned.used.usedGivenName });
        if (this.store.existingFor(planned.externalId, strictTraitsKey(planned.traits)) !== null) {
          existing += 1;
          continue;
        }
        // Look-alikes are created (the file is the practice's base) and listed as « doublons potentiels ».
        const alike = findProbableDuplicates(this.store, planned.traits);
        const record = this.insertRecord({ ...planned, importId }, actor, 'import');
        for (const other of alike) this.store.recordPair(record.id, other.id, 'likeness', 'import', record.createdAt, actor);
        if (alike.length > 0) probableDuplicates += 1;
        this.deps.audit({ actor, patientRef: record.id, action: 'patient.create', details: { source: 'import', importId, line: planned.line, probableDuplicates: alike.length } });
        created += 1;
      }
      return { created, existing, probableDuplicates };
    });
  }

  /** Marks the import complete (its fingerprint is now the file's), audits it and notifies. */
  finishImport(params: { importId: number; fingerprint: string; lines: number; existing: number; duplicatesInFile: number; probableDuplicates: number }, actor: string): ImportCommit {
    const { importId } = params;
    const created = inTransaction(this.deps.db, () => {
      const count = this.store.finishImport(importId, { fingerprint: params.fingerprint, existing: params.existing, lines: params.lines });
      this.deps.audit({
        actor,
        patientRef: null,
        action: 'patients.import.commit',
        details: { importId, created: count, existing: params.existing, duplicatesInFile: params.duplicatesInFile, probableDuplicates: params.probableDuplicates },
      });
      return count;
    });
    this.logger.info('patients.import', { importId, created, alreadyImported: false });
    this.notify({ event: 'patients.imported', payload: { importId, created } });
    return { importId, alreadyImported: false, created, existing: params.existing, duplicatesInFile: params.duplicatesInFile, probableDuplicates: params.probableDuplicates };
  }

  /** A refused import is audited after its transaction rolled back (an entry inside it would vanish). */
  private auditRefusal<T>(actor: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof AppError && (error.code === 'PATIENTS_IMPORT_INVALID' || error.code === 'PATIENTS_IMPORT_MAPPING_INVALID')) {
        this.deps.audit({ actor, patientRef: null, action: 'patients.import.refused', details: { reason: error.code, ...(error.details ?? {}) } });
      }
      throw error;
    }
  }

  /** For benches and the demo seed: many patients in one transaction, audited one by one. */
  createMany(inputs: readonly CreatePatientInput[], actor: string): number {
    const today = this.now().slice(0, 10);
    return inTransaction(this.deps.db, () => {
      let created = 0;
      for (const input of inputs) {
        const normalized = normalizeStrictTraits(input.strictTraits, { today });
        if (!normalized.ok) throw traitsError(normalized.errors);
        if (input.acknowledgeDuplicates !== true && this.store.existingFor(null, strictTraitsKey(normalized.traits)) !== null) continue;
        const record = this.insertRecord(
          {
            traits: normalized.traits,
            used: cleanUsedTraits(input.usedTraits ?? {}),
            declaredNir: this.declaredNir(input.declaredNir),
            externalId: input.externalId ?? null,
            importId: null,
          },
          actor,
          'manual',
        );
        this.deps.audit({ actor, patientRef: record.id, action: 'patient.create', details: { source: 'batch' } });
        created += 1;
      }
      return created;
    });
  }
}
