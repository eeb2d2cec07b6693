/**
 * The local patient base: identities with their RNIV status and history, search, duplicate
 * warnings, CSV import. Every read and write of patient data writes an audit entry through the
 * callback, inside the same transaction as the write.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Environment } from '../../contract';
import type { IdentityAttribute, IdentityDeviceCode, IdentityHistoryEntry, StrictTraitsInput, UsedTraits } from '../../contract/domains/identity';
import type { ImportMapping, Patient, PatientSummary } from '../../contract/domains/patients';
import type { Clock } from '../../platform/clock';
import { inTransaction, type Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import {
  applyIdentityEvent,
  assertInsiCallAllowed,
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
  type InsOid,
  type StrictTraits,
  type TraitFieldError,
} from '../identity';
import { readCsv, suggestMapping, CsvError, type CsvTable } from './csv';
import { validateImport, type ImportPlan } from './import';
import { parseSearchQuery } from './search';
import { displayNames, identitiesToVerify, idsByName, PatientStore, type IdentityToVerify, type InsiCandidateSelection, type PatientRecord, type ToVerifySort } from './store';

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
}

export interface UpdatePatientInput {
  id: string;
  expectedVersion?: number | undefined;
  strictTraits?: StrictTraitsInput | undefined;
  usedTraits?: Partial<UsedTraits> | undefined;
  declaredNir?: string | null | undefined;
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
  traits: StrictTraitsInput;
}

export interface ImportPreview {
  encoding: CsvTable['encoding'];
  separator: CsvTable['separator'];
  headers: string[];
  sampleRows: string[][];
  suggestedMapping: ImportMapping;
  alreadyImported: boolean;
  validation: ImportPlan['validation'] | null;
}

export interface ImportCommit {
  importId: number;
  alreadyImported: boolean;
  created: number;
  existing: number;
  duplicatesInFile: number;
}

/** 20 Mo: a practice export of ~100 000 patients. */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

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
  };
}

function traitsError(errors: TraitFieldError[]): AppError {
  // Field names and rule codes only: the values stay out of error details (no health data).
  return new AppError('IDENTITY_TRAITS_INVALID', { fields: errors.map((e) => ({ field: e.field, code: e.code })) });
}

export class PatientsService {
  private readonly store: PatientStore;
  private readonly logger: Logger;
  private readonly newId: () => string;

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
    const duplicates = this.store.duplicatesOf(traits);
    if (duplicates.length > 0 && input.acknowledgeDuplicates !== true) {
      this.deps.audit({ actor, patientRef: null, action: 'patient.create.refused', details: { reason: 'duplicate', candidates: duplicates.length } });
      throw new AppError('PATIENT_DUPLICATE_SUSPECTED', { candidateIds: duplicates.map((d) => d.id) });
    }
    const result = inTransaction(this.deps.db, () => {
      const record = this.insertRecord({ traits, used: cleanUsedTraits(input.usedTraits ?? {}), declaredNir, externalId: input.externalId ?? null, importId: null }, actor, 'manual');
      this.deps.audit({
        actor,
        patientRef: record.id,
        action: 'patient.create',
        details: { source: 'manual', duplicatesAcknowledged: duplicates.length },
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

  update(input: UpdatePatientInput, actor: string): { patient: Patient } {
    const traits = input.strictTraits === undefined ? undefined : this.normalize(input.strictTraits);
    const declaredNir = input.declaredNir === undefined ? undefined : this.declaredNir(input.declaredNir);
    const patient = inTransaction(this.deps.db, () => {
      const current = this.load(input.id);
      if (input.expectedVersion !== undefined && input.expectedVersion !== current.version) {
        throw new AppError('PATIENT_VERSION_CONFLICT', { expected: input.expectedVersion, actual: current.version });
      }
      const at = this.now();
      let next: PatientRecord = { ...current, version: current.version + 1, updatedAt: at };
      const changedFields: string[] = [];
      if (traits !== undefined) {
        const transition = applyIdentityEvent({ traits: current.traits, identity: current.identity }, { type: 'traits.changed', traits }, { at, actor });
        const changed = transition.entry.details.changedTraits as string[];
        if (changed.length > 0) {
          next = { ...next, traits: transition.record.traits, identity: transition.record.identity };
          this.store.appendHistory(current.id, transition.entry);
          changedFields.push(...changed);
        }
      }
      if (input.usedTraits !== undefined) {
        const used = cleanUsedTraits({ ...current.used, ...input.usedTraits });
        if (used.usedName !== current.used.usedName) changedFields.push('usedName');
        if (used.usedGivenName !== current.used.usedGivenName) changedFields.push('usedGivenName');
        next = { ...next, used };
      }
      if (declaredNir !== undefined && declaredNir !== current.declaredNir) {
        changedFields.push('declaredNir');
        next = { ...next, declaredNir };
      }
      if (changedFields.length === 0) {
        this.deps.audit({ actor, patientRef: current.id, action: 'patient.update', details: { changedFields } });
        return toPatient(current);
      }
      if (!this.store.update(next)) throw new AppError('PATIENT_VERSION_CONFLICT', { expected: current.version });
      this.deps.audit({
        actor,
        patientRef: current.id,
        action: 'patient.update',
        details: { changedFields, statusFrom: current.identity.status, statusTo: next.identity.status },
      });
      return toPatient(next);
    });
    this.notify({ event: 'patients.changed', payload: { id: patient.id, reason: 'updated' } });
    return { patient };
  }

  /** Applies one RNIV event, persists the record and its history entry, audits it. */
  private transition(id: string, event: IdentityEvent, actor: string, action: string, extra: Record<string, unknown> = {}) {
    const result = inTransaction(this.deps.db, () => {
      const current = this.load(id);
      const at = this.now();
      const { record, entry } = applyIdentityEvent({ traits: current.traits, identity: current.identity }, event, { at, actor });
      const next: PatientRecord = { ...current, version: current.version + 1, updatedAt: at, traits: record.traits, identity: record.identity };
      Object.assign(entry.details, extra);
      if (!this.store.update(next)) throw new AppError('PATIENT_VERSION_CONFLICT', { expected: current.version });
      this.store.appendHistory(id, entry);
      const auditDetails: Record<string, unknown> = { statusFrom: entry.from, statusTo: entry.to };
      for (const key of ['device', 'parentDevice', 'highTrust', 'attribute', 'value', 'oid', 'changedTraits', 'keyMismatch'] as const) {
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
    const record = this.load(id);
    this.deps.audit({ actor, patientRef: id, action: 'patient.read', details: { purpose: 'insi' } });
    assertInsiCallAllowed(record.identity);
    return record.traits;
  }

  /**
   * Applies an INSi success (CodeCR 00): the returned traits replace the local strict traits and
   * the status moves up (PROV → RECUP, VALI → QUAL). The OID must belong to this environment. A key
   * mismatch is recorded, not refused: the CNDA fixture TEST_2.08_cas2 carries one (insi.md §2.1).
   */
  applyInsiResult(input: InsiResultInput, actor: string): { patient: Patient; entry: IdentityHistoryEntry } {
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
    return this.transition(
      input.id,
      { type: 'insi.succeeded', ins: { matricule, oid: oidCheck.info.oid as InsOid }, traits },
      actor,
      'identity.insi-result',
      keyMismatch ? { keyMismatch: true } : {},
    );
  }

  /** The INS datamatrix of a QUAL identity, as symbol content and SVG. */
  datamatrix(id: string, actor: string): { content: string; svg: string } {
    const record = this.load(id);
    const content = encodeInsDatamatrix(insDatamatrixPayload({ traits: record.traits, identity: record.identity }));
    this.deps.audit({ actor, patientRef: id, action: 'identity.datamatrix', details: {} });
    return { content, svg: renderInsDatamatrixSvg(content) };
  }

  /** Patients with the same strict traits or the same INS (duplicate warning). */
  duplicatesOf(id: string, actor: string): PatientSummary[] {
    const record = this.load(id);
    const byTraits = this.store.duplicatesOf(record.traits, id);
    const byIns = record.identity.ins === null ? [] : this.store.patientsWithIns(record.identity.ins.matricule.slice(0, 13), id);
    const seen = new Set<string>();
    const all = [...byTraits, ...byIns].filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
    this.deps.audit({ actor, patientRef: id, action: 'patient.duplicates', details: { found: all.length } });
    return all;
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

  private readImport(bytes: Uint8Array): { table: CsvTable; fingerprint: string } {
    if (bytes.byteLength > MAX_IMPORT_BYTES) throw new AppError('PATIENTS_IMPORT_TOO_LARGE', { bytes: bytes.byteLength });
    try {
      return { table: readCsv(bytes), fingerprint: createHash('sha256').update(bytes).digest('hex') };
    } catch (error) {
      if (error instanceof CsvError) throw new AppError('PATIENTS_IMPORT_UNREADABLE', { reason: error.reason }, { cause: error });
      throw error;
    }
  }

  /** Step 1 (no mapping): what the file looks like. Step 2 (mapping): every line validated. */
  importPreview(input: { bytes: Uint8Array; mapping?: ImportMapping | undefined }, actor: string): ImportPreview {
    const { table, fingerprint } = this.readImport(input.bytes);
    const alreadyImported = this.store.importIdFor(fingerprint) !== null;
    const plan = input.mapping === undefined ? null : validateImport(table, input.mapping, this.store, this.now().slice(0, 10));
    this.deps.audit({
      actor,
      patientRef: null,
      action: 'patients.import.preview',
      details: { lines: table.rows.length, validated: plan !== null, invalid: plan?.validation.invalid ?? null },
    });
    return {
      encoding: table.encoding,
      separator: table.separator,
      headers: table.headers,
      sampleRows: table.rows.slice(0, 5).map((r) => r.cells),
      suggestedMapping: suggestMapping(table.headers),
      alreadyImported,
      validation: plan?.validation ?? null,
    };
  }

  /**
   * Imports every line or none (one transaction). The file's SHA-256 makes a second import of the
   * same file a no-op; each line's natural key (external number, else strict traits) makes an
   * overlapping export create only the patients that are new.
   */
  importCommit(input: { bytes: Uint8Array; mapping: ImportMapping }, actor: string): ImportCommit {
    const { table, fingerprint } = this.readImport(input.bytes);
    const result = this.auditRefusal(actor, () => inTransaction(this.deps.db, () => {
      const previous = this.store.importIdFor(fingerprint);
      if (previous !== null) {
        this.deps.audit({ actor, patientRef: null, action: 'patients.import.commit', details: { importId: previous, alreadyImported: true, created: 0 } });
        return { importId: previous, alreadyImported: true, created: 0, existing: 0, duplicatesInFile: 0 };
      }
      const plan = validateImport(table, input.mapping, this.store, this.now().slice(0, 10));
      if (plan.validation.invalid > 0) {
        throw new AppError('PATIENTS_IMPORT_INVALID', {
          invalid: plan.validation.invalid,
          lines: plan.validation.issues.slice(0, 50).map((i) => i.line),
        });
      }
      const importId = this.store.insertImport({
        fingerprint,
        importedAt: this.now(),
        actor,
        encoding: table.encoding,
        separator: table.separator,
        mapping: JSON.stringify(input.mapping),
        lineCount: table.rows.length,
      });
      for (const line of plan.toCreate) {
        const record = this.insertRecord({ ...line, importId }, actor, 'import');
        this.deps.audit({ actor, patientRef: record.id, action: 'patient.create', details: { source: 'import', importId, line: line.line } });
      }
      this.store.setImportCounts(importId, plan.toCreate.length, plan.validation.existing);
      this.deps.audit({
        actor,
        patientRef: null,
        action: 'patients.import.commit',
        details: { importId, created: plan.toCreate.length, existing: plan.validation.existing, duplicatesInFile: plan.validation.duplicatesInFile },
      });
      return {
        importId,
        alreadyImported: false,
        created: plan.toCreate.length,
        existing: plan.validation.existing,
        duplicatesInFile: plan.validation.duplicatesInFile,
      };
    }));
    this.logger.info('patients.import', { importId: result.importId, created: result.created, alreadyImported: result.alreadyImported });
    if (!result.alreadyImported) this.notify({ event: 'patients.imported', payload: { importId: result.importId, created: result.created } });
    return result;
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
