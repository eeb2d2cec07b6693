/**
 * InsiService: what the desk and the worklist ask of the INSi teleservice.
 * - look-ups by traits (with the CNDA first-name strategy) or from the carte Vitale, for an open
 *   patient or for traits typed at the desk; the result is kept briefly under a `lookupId` so that
 *   « Accepter » applies exactly what INSi returned (never traits sent back by the renderer);
 * - acceptance → PatientsService.applyInsiResult (INSi traits replace local ones, PROV→RECUP, VALI→QUAL);
 * - the worklist: one outbox job per patient on queue `insi.lookup`, rate-limited, resumable.
 * Credentials are obtained when a call is made, never stored: the CPx card session (assertion PS)
 * or the structure certificate (mutual TLS, INSI-MANU/INSI-AUTO).
 * Every access to patient data is audited; logs carry ids and codes only.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AppError, isAppError, type Environment } from '../../contract';
import type {
  InsiLookup,
  InsiResult,
  InsiTraits,
  VitaleBeneficiary,
  WorklistItem,
  WorklistProgress,
  WorklistSelection,
} from '../../contract/domains/insi';
import type { Patient } from '../../contract/domains/patients';
import type { Clock } from '../../platform/clock';
import { csvFile } from '../../platform/csv';
import type { Db } from '../../platform/db';
import { recordAfterRollback } from '../audit';
import { classifyTransportError } from '../../platform/http';
import type { Logger } from '../../platform/log';
import type { XmlSigner } from '../../platform/xml';
import {
  IDENTITY_STATUS_LABEL,
  cleanMatriculeInput,
  computeMatriculeKey,
  normalizeStrictTraits,
  normalizeTrait,
  parseBirthDate,
  type IdentityStatus,
  type InsiAcceptance,
  type InsOid,
  type StrictTraits,
  type StrictTraitsInput,
} from '../identity';
import type { Outbox, QueueDefinition } from '../outbox';
import type { IdentityToVerify, InsiResultInput, ToVerifySort } from '../patients';
import type { AssertionHolder } from './assertion';
import type { InsiClient, InsiCredentials } from './client';
import { compareTraits } from './compare';
import { RateLimiter } from './rate-limiter';
import { guidanceFor, lunarDate, runStrategy, type StrategyOutcome } from './strategy';
import { WorklistStore } from './worklist-store';

/** What the cards service's `practitionerSession()` provides: the holder and the card's Signer. */
export interface InsiPractitionerSession {
  holder: AssertionHolder;
  signer: XmlSigner;
}

/** What the service needs from the patients service (PatientsService fits). */
export interface InsiPatientsPort {
  environment(): Environment;
  insiQueryTraits(id: string, actor: string): StrictTraits;
  /** Enforces the acceptance rule (identity/acceptance.ts) and one INS per patient. */
  applyInsiResult(input: InsiResultInput, actor: string): { patient: Patient };
  insiAcceptance(id: string, traits: StrictTraitsInput): InsiAcceptance;
  recordInsiRefusal(
    id: string,
    details: { by: 'rule' | 'person'; operation?: string | undefined; findings?: Array<{ field: string; kind: string }>; reason?: string },
    actor: string,
  ): unknown;
  create(
    input: { strictTraits: StrictTraitsInput; acknowledgeDuplicates?: boolean | undefined; source?: 'insi' | undefined },
    actor: string,
  ): { patient: Patient };
  get(id: string, actor: string): { patient: Patient };
  identitiesToVerify(query: { text?: string | undefined; sort?: ToVerifySort | undefined; limit?: number | undefined }, actor: string): { rows: IdentityToVerify[]; total: number };
}

export type InsiAuditCallback = (entry: { actor: string; patientRef: string | null; action: string; details: Record<string, unknown> }) => void;

export interface InsiServiceDeps {
  client: InsiClient;
  patients: InsiPatientsPort;
  /** Patient ids for a worklist selection (PatientsService.insiCandidates: not QUAL, neither douteuse nor fictive). */
  selectPatients: (selection: WorklistSelection) => string[];
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: InsiAuditCallback;
  /** The CPx card session, or null when no card is inserted and unlocked. */
  practitioner: () => InsiPractitionerSession | null;
  /** The structure certificate (mutual TLS) when configured: its OU is the Emetteur. */
  structure: () => { emitter: string } | null;
  outbox?: Pick<Outbox, 'register' | 'enqueue'>;
  /** Worklist pacing: jobs run in parallel and INSi calls per second (0: unlimited). */
  /** Pacing of the worklist; the rate may be read at each call (Paramètres → INSi). */
  worklist?: { concurrency?: number; requestsPerSecond?: number | (() => number) };
  notify?: (progress: WorklistProgress) => void;
  newId?: () => string;
  /** How long a look-up result can be accepted (ms). Default 15 min. */
  lookupTtlMs?: number;
  /** False while the INSi address is « à configurer »: worklist jobs wait instead of failing. */
  endpointConfigured?: () => boolean;
}

interface PendingLookup {
  patientId: string | null;
  result: InsiResult;
  expiresAt: number;
  /** traits (by traits), vitale, or free (the free INSi form, no patient). */
  operation: 'traits' | 'vitale' | 'free';
}

/** The TIQ traits as the patients service takes them (the birth date stays lunar, as INSi sent it). */
function tiqInput(traits: InsiTraits): StrictTraitsInput {
  return {
    birthName: traits.birthName,
    birthGivenNames: traits.birthGivenNames,
    firstGivenName: traits.firstGivenName,
    birthDate: traits.birthDate,
    sex: traits.sex,
    birthPlaceCode: traits.birthPlaceCode,
  };
}

/** Field names and kinds of the differences (never values), for the identity history. */
function differences(acceptance: InsiAcceptance): Array<{ field: string; kind: string }> {
  return acceptance.findings.filter((f) => f.severity === 'minor' || f.severity === 'major').map((f) => ({ field: f.field, kind: f.kind }));
}

export const INSI_LOOKUP_QUEUE = 'insi.lookup';

export interface LookupJobPayload {
  worklistId: string;
  patientId: string;
}

/** The worklist queue's payload schema (parsed by the outbox). */
const lookupJobPayload = z.object({ worklistId: z.string(), patientId: z.string() });

/** INSi look-ups are read-only: a call whose outcome is unknown can simply be made again. */
export function classifyInsiError(error: unknown): 'retryable' | 'final' {
  if (isAppError(error) && error.code === 'INSI_TEMPORARILY_UNAVAILABLE') return 'retryable';
  if (isAppError(error) && (error.code === 'OUTBOX_ATTEMPT_TIMEOUT' || error.code === 'OUTBOX_INTERRUPTED')) return 'retryable';
  if (isAppError(error) && error.code.startsWith('INSI_')) return 'final';
  const c = classifyTransportError(error);
  return c.retryable || c.outcomeUnknown ? 'retryable' : 'final';
}

export class InsiService {
  private readonly logger: Logger;
  private readonly newId: () => string;
  private readonly pending = new Map<string, PendingLookup>();
  private readonly store: WorklistStore;
  private readonly limiter: RateLimiter;
  private readonly concurrency: number;

  constructor(private readonly deps: InsiServiceDeps) {
    this.logger = deps.logger.child('insi');
    this.newId = deps.newId ?? randomUUID;
    this.store = new WorklistStore(deps.db);
    this.limiter = new RateLimiter(deps.worklist?.requestsPerSecond ?? 10);
    this.concurrency = deps.worklist?.concurrency ?? 4;
    deps.outbox?.register(this.queueDefinition());
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  /** Desk: the card first (the person at the desk), else the structure certificate. Batch: the reverse. */
  credentials(purpose: 'desk' | 'batch'): InsiCredentials | null {
    const card = this.deps.practitioner();
    const structure = this.deps.structure();
    const cps: InsiCredentials | null = card === null ? null : { mode: 'cps', holder: card.holder, signer: card.signer };
    const mtls: InsiCredentials | null = structure === null ? null : { mode: 'structure', emitter: structure.emitter };
    return purpose === 'desk' ? (cps ?? mtls) : (mtls ?? cps);
  }

  private requireCredentials(purpose: 'desk' | 'batch'): InsiCredentials {
    const credentials = this.credentials(purpose);
    if (credentials === null) throw new AppError('INSI_NO_CREDENTIALS');
    return credentials;
  }

  private remember(patientId: string | null, result: InsiResult, operation: PendingLookup['operation']): string {
    const now = this.deps.clock.now();
    for (const [id, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(id);
    const lookupId = this.newId();
    this.pending.set(lookupId, { patientId, result, operation, expiresAt: now + (this.deps.lookupTtlMs ?? 15 * 60_000) });
    return lookupId;
  }

  private async strategy(traits: StrictTraits, credentials: InsiCredentials, signal?: AbortSignal): Promise<StrategyOutcome> {
    return runStrategy(traits, (query) => this.deps.client.searchByTraits(query, credentials, signal));
  }

  /**
   * The look-up as the desk sees it. For an open patient, the acceptance rule runs at once: when it
   * blocks, the INS will not be attached, and the refusal goes to the patient's identity history now.
   */
  private lookupView(
    patientId: string | null,
    traits: StrictTraits | null,
    outcome: StrategyOutcome,
    mode: InsiCredentials['mode'],
    operation: PendingLookup['operation'],
    actor: string,
  ): InsiLookup {
    const identity = outcome.result.identity;
    const acceptance = identity !== null && patientId !== null ? this.deps.patients.insiAcceptance(patientId, tiqInput(identity.traits)) : null;
    if (acceptance?.decision === 'block' && patientId !== null) {
      this.deps.patients.recordInsiRefusal(patientId, { by: 'rule', operation, findings: differences(acceptance) }, actor);
    }
    return {
      lookupId: this.remember(patientId, outcome.result, operation),
      outcome: outcome.outcome,
      result: outcome.result,
      attempts: outcome.attempts,
      guidance: acceptance?.decision === 'block' ? acceptance.message : guidanceFor(outcome.outcome, traits),
      comparison: identity !== null && traits !== null ? compareTraits(traits, identity.traits) : null,
      acceptance,
      authentication: mode === 'cps' ? 'cps' : 'structure',
    };
  }

  private audit(actor: string, patientRef: string | null, action: string, details: Record<string, unknown>): void {
    this.deps.audit({ actor, patientRef, action, details });
  }

  /** Traits typed at the desk, not tied to a patient record. */
  async searchTraits(input: StrictTraitsInput, actor: string): Promise<InsiLookup> {
    const normalized = normalizeStrictTraits(input, { today: this.now().slice(0, 10) });
    if (!normalized.ok) throw new AppError('IDENTITY_TRAITS_INVALID', { fields: normalized.errors.map((e) => ({ field: e.field, code: e.code })) });
    const credentials = this.requireCredentials('desk');
    const outcome = await this.strategy(normalized.traits, credentials);
    this.audit(actor, null, 'insi.lookup', { operation: 'traits', outcome: outcome.outcome, attempts: outcome.attempts.length, mode: credentials.mode });
    this.logger.info('insi.lookup', { outcome: outcome.outcome, attempts: outcome.attempts.length });
    return this.lookupView(null, normalized.traits, outcome, credentials.mode, 'free', actor);
  }

  /** The open patient's strict traits; refuses douteuse/fictive identities (IDENTITY_INSI_BLOCKED). */
  async lookupPatient(patientId: string, actor: string, signal?: AbortSignal): Promise<InsiLookup> {
    const traits = this.deps.patients.insiQueryTraits(patientId, actor);
    const credentials = this.requireCredentials('desk');
    const outcome = await this.strategy(traits, credentials, signal);
    this.audit(actor, patientId, 'insi.lookup', { operation: 'traits', outcome: outcome.outcome, attempts: outcome.attempts.length, mode: credentials.mode });
    this.logger.info('insi.lookup', { patientRef: patientId, outcome: outcome.outcome, attempts: outcome.attempts.length });
    return this.lookupView(patientId, traits, outcome, credentials.mode, 'traits', actor);
  }

  /** rechercherInsAvecCarteVitale from the data read on the card. */
  async lookupVitale(patientId: string | null, beneficiary: VitaleBeneficiary, actor: string): Promise<InsiLookup> {
    const traits = patientId === null ? null : this.deps.patients.insiQueryTraits(patientId, actor);
    const number = (value: string | null): string | null => {
      if (value === null || value.trim() === '') return null;
      const cleaned = cleanMatriculeInput(value).slice(0, 13);
      if (!/^\d{5}(?:\d{2}|2[AB])\d{6}$/.test(cleaned)) throw new AppError('INS_MATRICULE_INVALID', { field: 'vitale' });
      return cleaned;
    };
    const insured = number(beneficiary.insuredNir) as string;
    const beneficiaryNumber = number(beneficiary.beneficiaryNir);
    const birthName = normalizeTrait(beneficiary.birthName, 'birthName');
    if (!birthName.ok) throw new AppError('IDENTITY_TRAITS_INVALID', { fields: [{ field: 'birthName', code: birthName.error.code }] });
    const compact = beneficiary.birthDate.trim();
    const date = /^\d{8}$/.test(compact) ? `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}` : compact;
    const parsed = parseBirthDate(date);
    if (!parsed.ok) throw new AppError('IDENTITY_BIRTH_DATE_INVALID', { reason: parsed.code });
    const lunar = lunarDate(parsed.birthDate);
    const credentials = this.requireCredentials('desk');
    const result = await this.deps.client.searchByVitale(
      { beneficiaryNumber, insuredNumber: insured, birthName: birthName.value, birthDate: lunar, birthRank: beneficiary.birthRank },
      {
        insured: { number: insured, key: computeMatriculeKey(insured) },
        beneficiary: {
          number: beneficiaryNumber,
          key: beneficiaryNumber === null ? null : computeMatriculeKey(beneficiaryNumber),
          birthDate: lunar,
          rank: beneficiary.birthRank,
        },
      },
      credentials,
    );
    const outcome: StrategyOutcome = {
      result,
      attempts: [{ givenNames: [], withBirthPlace: false, code: result.code }],
      outcome: result.code === '00' ? 'found' : result.code === '02' ? 'several' : 'not-found',
    };
    this.audit(actor, patientId, 'insi.lookup', { operation: 'vitale', outcome: outcome.outcome, mode: credentials.mode });
    return this.lookupView(patientId, traits, outcome, credentials.mode, patientId === null ? 'free' : 'vitale', actor);
  }

  private pendingFor(lookupId: string): PendingLookup & { result: { identity: NonNullable<InsiResult['identity']> } } {
    const entry = this.pending.get(lookupId);
    if (entry === undefined || entry.expiresAt <= this.deps.clock.now() || entry.result.identity === null) throw new AppError('INSI_LOOKUP_EXPIRED');
    return entry as PendingLookup & { result: { identity: NonNullable<InsiResult['identity']> } };
  }

  /** The result of a look-up made for this patient, or of the free form (which may go to any patient). */
  private pendingForPatient(patientId: string, lookupId: string) {
    const entry = this.pendingFor(lookupId);
    if (entry.patientId !== null && entry.patientId !== patientId) throw new AppError('INSI_LOOKUP_EXPIRED', { reason: 'other-patient' });
    return entry;
  }

  /**
   * Attaches a found identity to a patient, through the acceptance rule enforced by the patients
   * service: « block » refuses (and records the refusal), « confirm » needs `confirmation`.
   */
  accept(patientId: string, lookupId: string, actor: string, confirmation?: { reason: string }): { status: IdentityStatus; matricule: string; oid: InsOid } {
    const entry = this.pendingForPatient(patientId, lookupId);
    const identity = entry.result.identity;
    const { patient } = this.deps.patients.applyInsiResult(
      {
        id: patientId,
        matricule: identity.active.matricule,
        oid: identity.active.oid,
        traits: tiqInput(identity.traits),
        confirmation,
        operation: entry.operation,
      },
      actor,
    );
    this.pending.delete(lookupId);
    const ins = patient.identity.ins;
    if (ins === null) throw new AppError('INSI_RESPONSE_INVALID', { reason: 'not-applied' });
    return { status: patient.identity.status, matricule: ins.matricule, oid: ins.oid };
  }

  /** The desk says the found identity is not this patient: recorded in the identity history. */
  reject(patientId: string, lookupId: string, reason: string, actor: string): void {
    const entry = this.pendingForPatient(patientId, lookupId);
    const acceptance = this.deps.patients.insiAcceptance(patientId, tiqInput(entry.result.identity.traits));
    this.deps.patients.recordInsiRefusal(patientId, { by: 'person', operation: entry.operation, findings: differences(acceptance), reason: reason.trim() }, actor);
    this.pending.delete(lookupId);
  }

  /** What attaching a free-form result to this patient would do (comparison, acceptance rule). */
  preview(patientId: string, lookupId: string, actor: string) {
    const entry = this.pendingForPatient(patientId, lookupId);
    const traits = this.deps.patients.insiQueryTraits(patientId, actor);
    const insiTraits = entry.result.identity.traits;
    return { comparison: compareTraits(traits, insiTraits), acceptance: this.deps.patients.insiAcceptance(patientId, tiqInput(insiTraits)) };
  }

  /**
   * The free INSi form's result becomes a new patient: created with the INSi traits (probable
   * duplicates refused unless acknowledged), then the INS attached through the same rule (RECUP).
   */
  createPatient(lookupId: string, acknowledgeDuplicates: boolean, actor: string): { patientId: string; status: IdentityStatus } {
    const entry = this.pendingFor(lookupId);
    if (entry.patientId !== null) throw new AppError('INSI_LOOKUP_EXPIRED', { reason: 'other-patient' });
    const { patient } = this.deps.patients.create({ strictTraits: tiqInput(entry.result.identity.traits), acknowledgeDuplicates, source: 'insi' }, actor);
    const accepted = this.accept(patient.id, lookupId, actor);
    return { patientId: patient.id, status: accepted.status };
  }

  // --- worklist ---------------------------------------------------------------------------------

  queueDefinition(): QueueDefinition<LookupJobPayload, InsiCredentials> {
    return {
      name: INSI_LOOKUP_QUEUE,
      label: 'Recherche INSi (liste de travail)',
      endpoint: 'insi',
      payload: lookupJobPayload,
      concurrency: this.concurrency,
      attemptTimeoutMs: 120_000,
      timeBudgetMs: 3 * 24 * 3600_000,
      maxAttempts: 8,
      credentials: async () => {
        if (this.deps.endpointConfigured?.() === false) {
          return { blocked: "L'adresse du téléservice INSi n'est pas configurée (Paramètres → Téléservices) : la liste de travail reprendra dès qu'elle le sera." };
        }
        return this.credentials('batch') ?? { blocked: 'Insérez une carte CPS/CPE ou configurez le certificat de structure INSI-AUTO pour poursuivre la liste de travail INSi.' };
      },
      run: (job, context) => this.runJob(job.payload, context.credentials, context.signal),
      classify: classifyInsiError,
    };
  }

  private async runJob(payload: LookupJobPayload, credentials: InsiCredentials, signal: AbortSignal): Promise<void> {
    const { worklistId, patientId } = payload;
    const actor = `liste de travail INSi ${worklistId.slice(0, 8)}`;
    const item = this.store.item(worklistId, patientId);
    if (item === null || item.status !== 'pending') return;
    let traits: StrictTraits;
    try {
      traits = this.deps.patients.insiQueryTraits(patientId, actor);
    } catch (error) {
      if (isAppError(error) && (error.code === 'IDENTITY_INSI_BLOCKED' || error.code === 'PATIENT_NOT_FOUND')) {
        this.finishItem(worklistId, patientId, 'skipped', error.message, null);
        return;
      }
      throw error;
    }
    let outcome: StrategyOutcome;
    try {
      outcome = await runStrategy(traits, async (query) => {
        await this.limiter.take(signal);
        return this.deps.client.searchByTraits(query, credentials, signal);
      });
    } catch (error) {
      if (classifyInsiError(error) === 'final') {
        this.finishItem(worklistId, patientId, 'error', isAppError(error) ? error.message : 'Erreur interne : la recherche n’a pas pu aboutir.', null, isAppError(error) ? error.code : 'INTERNAL');
      }
      throw error;
    }
    // What the answer changes (the lookup's audit entry, the patient's identity, the worklist line)
    // in one transaction: a crash leaves all of it or none, never an identity updated under a line
    // still « à traiter » (which would ask INSi again and write a second history entry).
    const lookup = { operation: 'traits', outcome: outcome.outcome, attempts: outcome.attempts.length, mode: credentials.mode, worklistId };
    const record = (): WorklistItem['status'] => this.store.transaction(() => {
      this.audit(actor, patientId, 'insi.lookup', lookup);
      if (outcome.outcome !== 'found' || outcome.result.identity === null) {
        this.setItem(worklistId, patientId, outcome.outcome, guidanceFor(outcome.outcome, traits), null);
        return outcome.outcome;
      }
      const identity = outcome.result.identity;
      try {
        // The acceptance rule applies to the worklist too; nobody is there to confirm a difference,
        // so only identical or completed traits are attached (the rest waits for the desk).
        const { patient } = this.deps.patients.applyInsiResult(
          {
            id: patientId,
            matricule: identity.active.matricule,
            oid: identity.active.oid,
            traits: tiqInput(identity.traits),
            operation: 'worklist',
          },
          actor,
        );
        this.setItem(worklistId, patientId, 'found', `${IDENTITY_STATUS_LABEL[patient.identity.status].label} : à vérifier au prochain passage (justificatif d'identité).`, patient.identity.status);
        return 'found';
      } catch (error) {
        if (!isAppError(error)) throw error;
        const reason =
          error.code === 'IDENTITY_INSI_TRAITS_INCOHERENT'
            ? "Identité INSi refusée : ses traits ne correspondent pas à l'identité locale (probablement une autre personne). INS non rattaché ; à vérifier au guichet."
            : error.code === 'IDENTITY_INSI_CONFIRMATION_REQUIRED'
              ? "Une différence de traits à confirmer au guichet (motif et seconde confirmation) : INS non rattaché."
              : error.code === 'PATIENT_INS_ALREADY_ATTACHED'
                ? 'Cet INS est déjà rattaché à une autre fiche : doublon potentiel à examiner.'
                : error.message;
        // The code stays apart (report's support column), never in the French reason. The refusal
        // the rule wrote in the identity history (its own savepoint) is kept with the line.
        this.setItem(worklistId, patientId, 'error', reason, null, error.code);
        return 'error';
      }
    });
    let finished: WorklistItem['status'];
    try {
      finished = record();
    } catch (error) {
      // Rolled back (an unexpected error): the lookup INSi answered is still in the trail.
      recordAfterRollback(this.deps.db, this.deps.audit, [{ actor, patientRef: patientId, action: 'insi.lookup', details: lookup }]);
      throw error;
    }
    this.itemFinished(worklistId, patientId, finished);
  }

  private finishItem(worklistId: string, patientId: string, status: WorklistItem['status'], reason: string | null, statusAfter: IdentityStatus | null, errorCode: string | null = null): void {
    this.setItem(worklistId, patientId, status, reason, statusAfter, errorCode);
    this.itemFinished(worklistId, patientId, status);
  }

  private setItem(worklistId: string, patientId: string, status: WorklistItem['status'], reason: string | null, statusAfter: IdentityStatus | null, errorCode: string | null = null): void {
    this.store.setItem(worklistId, patientId, status, reason, statusAfter, this.now(), errorCode);
  }

  /** After the line's commit: the log line and the worklist's progress for the screens. */
  private itemFinished(worklistId: string, patientId: string, status: WorklistItem['status']): void {
    this.logger.debug('insi.worklist.item', { worklistId, patientRef: patientId, status });
    this.deps.notify?.(this.progress(worklistId));
  }

  /** Selects the patients and enqueues one job each, in one transaction with the worklist rows. */
  startWorklist(selection: WorklistSelection, actor: string): WorklistProgress {
    const outbox = this.deps.outbox;
    if (outbox === undefined) throw new AppError('INSI_WORKLIST_NOT_FOUND', { reason: 'no-outbox' });
    const environment = this.deps.patients.environment();
    const ids = [...new Set(this.deps.selectPatients(selection))];
    if (ids.length === 0) throw new AppError('INSI_WORKLIST_EMPTY');
    const worklistId = this.newId();
    const at = this.now();
    this.store.transaction(() => {
      this.store.createWorklist({ id: worklistId, environment, created_at: at, actor, selection: JSON.stringify({ kind: selection.kind }), total: ids.length }, ids);
      for (const patientId of ids) {
        outbox.enqueue<LookupJobPayload>(INSI_LOOKUP_QUEUE, {
          // One job per patient per worklist: re-running start never duplicates a job.
          idempotencyKey: `${worklistId}:${patientId}`,
          serialKey: `patient:${patientId}`,
          payload: { worklistId, patientId },
          subject: { patientId, label: 'Recherche INSi', ref: worklistId },
        });
      }
      this.audit(actor, null, 'insi.worklist.start', { worklistId, total: ids.length, selection: selection.kind });
    });
    this.logger.info('insi.worklist.start', { worklistId, total: ids.length });
    return this.progress(worklistId);
  }

  progress(worklistId: string): WorklistProgress {
    const worklist = this.store.worklist(worklistId);
    if (worklist === null) throw new AppError('INSI_WORKLIST_NOT_FOUND');
    const c = this.store.counts(worklistId);
    const done = worklist.total - c.pending;
    let etaSeconds: number | null = null;
    if (done > 0 && c.pending > 0 && c.last_update !== null) {
      const elapsed = (Date.parse(c.last_update) - Date.parse(worklist.created_at)) / 1000;
      etaSeconds = Math.max(0, Math.round((elapsed / done) * c.pending));
    } else if (c.pending === 0) etaSeconds = 0;
    return {
      worklistId,
      createdAt: worklist.created_at,
      total: worklist.total,
      pending: c.pending,
      found: c.found,
      notFound: c.not_found,
      several: c.several,
      error: c.error,
      skipped: c.skipped,
      etaSeconds,
      finished: c.pending === 0,
    };
  }

  worklists(): WorklistProgress[] {
    return this.store.worklists(this.deps.patients.environment()).map((w) => this.progress(w.id));
  }

  items(worklistId: string, status: WorklistItem['status'] | undefined, limit: number): WorklistItem[] {
    if (this.store.worklist(worklistId) === null) throw new AppError('INSI_WORKLIST_NOT_FOUND');
    return this.store.items(worklistId, status, limit).map((r) => ({
      patientId: r.patient_id,
      status: r.status as WorklistItem['status'],
      reason: r.reason,
      errorCode: r.error_code,
      statusAfter: r.status_after as IdentityStatus | null,
      updatedAt: r.updated_at,
    }));
  }

  /**
   * CSV report (UTF-8 with BOM, `;`, for spreadsheets): the patient — file number, names, birth
   * date — and the result in French, the time in local time; the stable error code last, for
   * support. Reading the patients for it is one audited access (the report itself).
   */
  report(worklistId: string, actor: string): { fileName: string; csv: string } {
    const items = this.items(worklistId, undefined, 1_000_000);
    const label: Record<WorklistItem['status'], string> = {
      pending: 'en attente',
      found: 'INS récupéré',
      'not-found': 'aucune identité',
      several: 'plusieurs identités',
      error: 'erreur',
      skipped: 'non interrogé',
    };
    // csvFile neutralises what a spreadsheet would take for a formula (issue 14).
    const csv = csvFile([
      ['N° de dossier', 'Nom de naissance', 'Premier prénom', 'Date de naissance', 'Résultat', 'Identité après la recherche', 'Motif', 'Traité le', 'Code pour le support'],
      ...items.map((i) => {
        const patient = this.patientForReport(i.patientId, actor);
        return [
          patient?.externalId ?? i.patientId,
          patient?.strictTraits.birthName ?? '(patient introuvable)',
          patient?.strictTraits.firstGivenName ?? '',
          patient === null ? '' : frenchDate(patient.strictTraits.birthDate.date),
          label[i.status],
          i.statusAfter === null ? '' : IDENTITY_STATUS_LABEL[i.statusAfter].label,
          i.reason,
          i.status === 'pending' ? '' : localDateTime(i.updatedAt),
          i.errorCode,
        ];
      }),
    ]);
    this.audit(actor, null, 'insi.worklist.report', { worklistId, lines: items.length });
    return { fileName: `rapport-insi-${worklistId.slice(0, 8)}.csv`, csv };
  }

  private patientForReport(patientId: string, actor: string): Patient | null {
    try {
      return this.deps.patients.get(patientId, actor).patient;
    } catch {
      return null;
    }
  }

  /**
   * The identities « récupérée » now, whatever found them (a worklist, the desk, before any run):
   * their identity document is to check at the next visit (RNIV). Listed by the patients service
   * (one audited listing); the worklist only asks.
   */
  toVerify(query: { limit: number; text?: string | undefined; sort?: ToVerifySort | undefined }, actor: string): { patients: IdentityToVerifyView[]; total: number } {
    const { rows, total } = this.deps.patients.identitiesToVerify(query, actor);
    return {
      patients: rows.map((r) => ({ id: r.id, birthName: r.birthName, firstGivenName: r.firstGivenName, birthDate: frenchDate(r.birthDate), sex: r.sex, retrievedAt: r.retrievedAt, fileNumber: r.externalId })),
      total,
    };
  }
}

export interface IdentityToVerifyView {
  id: string;
  birthName: string;
  firstGivenName: string;
  birthDate: string;
  sex: 'M' | 'F';
  retrievedAt: string | null;
  fileNumber: string | null;
}

/** « 23/11/1984 » from « 1984-11-23 » (00 kept for an unknown day or month). */
function frenchDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-');
  return year !== undefined && month !== undefined && day !== undefined ? `${day}/${month}/${year}` : isoDate;
}

/** « 12/03/2026 14:05:09 », in the desk's time zone. */
function localDateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(at.getDate())}/${pad(at.getMonth() + 1)}/${at.getFullYear()} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}
