/**
 * The outbox's public types (ARCHITECTURE.md §5). Domain services (INSi worklist, DMP sending,
 * billing lots) declare a queue with `QueueDefinition` and enqueue jobs with `Outbox.enqueue`,
 * inside their own better-sqlite3 transaction when the job goes with a domain write.
 */
import type { ZodType } from 'zod';

export type JobStatus =
  | 'pending'
  | 'running'
  | 'retry_wait'
  /** Waits for something a person provides (the practitioner's card, a PIN); not a failure. */
  | 'blocked'
  | 'done'
  | 'dead'
  | 'cancelled';

/** What the File d'envoi screen shows about a job: never health data beyond a patient link. */
export interface JobSubject {
  /** Local patient id, to open the patient from the job; no name, no NIR. */
  patientId?: string;
  /** Short French label without health data, e.g. "Document DMP (PDF, 1,2 Mo)". */
  label: string;
  /** Related object, e.g. a DMP document uniqueId or an INSi batch id. */
  ref?: string;
}

export interface JobView<P = unknown> {
  id: string;
  queue: string;
  idempotencyKey: string;
  serialKey: string | null;
  payload: P;
  subject: JobSubject;
  status: JobStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  /** Set while the last attempt ended with an unknown outcome: the next one reconciles first. */
  outcomeUnknown: boolean;
  blockedReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EnqueueInput<P> {
  idempotencyKey: string;
  /** Jobs sharing a serialisation key run one at a time, in enqueue order (a patient, a lot). */
  serialKey?: string;
  payload: P;
  subject: JobSubject;
  /** Earliest start (ISO); defaults to now. */
  notBefore?: string;
}

export interface JobRunContext<C> {
  signal: AbortSignal;
  credentials: C;
  /** Reports progress (0..1) of a long job to the renderer. */
  progress(fraction: number, label?: string): void;
}

/**
 * How an error thrown by `run` is treated. `unknown-outcome`: the request may have reached the
 * remote side (timeout after sending, connection lost mid-response); the next attempt calls
 * `reconcile` before sending again.
 */
export type ErrorClass = 'retryable' | 'final' | 'unknown-outcome';

export interface QueueDefinition<P, C = void> {
  /** Stable queue name stored with each job, e.g. `dmp.send`, `insi.lookup`. */
  name: string;
  /** French label for the screen, e.g. "Envoi au DMP". */
  label: string;
  /** Endpoint id for online/offline tracking, e.g. `dmp`, `insi`. */
  endpoint: string;
  payload: ZodType<P>;
  concurrency: number;
  /** Bound of one attempt (ms); the signal aborts after it. */
  attemptTimeoutMs: number;
  /** Total time budget from the first attempt after which a retryable job goes dead (ms). */
  timeBudgetMs: number;
  maxAttempts: number;
  /**
   * Obtains the credentials when the job runs (never stored in the payload). `null` means a
   * person must act (insert the CPS, type the PIN): the job goes `blocked` with `blockedReason`
   * and is resumed by `Outbox.wake()`.
   */
  credentials?(job: JobView<P>): Promise<C | { blocked: string }>;
  run(job: JobView<P>, context: JobRunContext<C>): Promise<void>;
  /** Asks the remote side whether an unknown-outcome attempt already happened. */
  reconcile?(job: JobView<P>, context: JobRunContext<C>): Promise<'done' | 'absent'>;
  /** Overrides the default classification (AppError/TransportError codes). */
  classify?(error: unknown): ErrorClass;
  /**
   * For an endpoint whose reachability is no address in the settings (a library or an agreement
   * the desk lacks): null when jobs can leave this desk, otherwise the next thing to do (French).
   * Without it, the host's check of the endpoint's address decides.
   */
  endpointSetup?(): string | null;
}

export interface QueueCounts {
  queue: string;
  label: string;
  endpoint: string;
  pending: number;
  running: number;
  retry_wait: number;
  blocked: number;
  dead: number;
  done: number;
}

export interface EndpointState {
  endpoint: string;
  /** False while its address is a placeholder (« à configurer »): nothing can reach it yet. */
  configured: boolean;
  /** Not configured for a reason of its own (QueueDefinition.endpointSetup): what to do, in French. */
  setupHint?: string;
  online: boolean;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastErrorCode: string | null;
}
