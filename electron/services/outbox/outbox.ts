/**
 * The outbox engine (ARCHITECTURE.md §5): durable jobs in the encrypted store, claimed under a
 * lease by compare-and-swap, one at a time per serialisation key, retried with backoff inside a
 * time budget, reconciled with the remote side after an unknown outcome, and dead-lettered for a
 * person to resolve. Endpoint health pauses the queues of an endpoint that is down.
 */
import { randomUUID } from 'node:crypto';
import { AppError, messageFor, type EventPayload } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import { currentProcessIdentity, livenessOf, type Liveness, type ProcessIdentity } from '../../platform/process';
import type { AuditWriter } from '../audit';
import { AttemptAbort } from './attempt-abort';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { classifyError, describeError, isEndpointFailure } from './classify';
import { EndpointMonitor } from './endpoints';
import { GroupCommit, runInTransaction } from './group-commit';
import { encodeLeaseOwner, LivenessCache } from './leases';
import { purgeDoneJobs, type PurgeOptions, type PurgeReport } from './retention';
import { unsentReport, type UnsentReport } from './unsent';
import { createStore, parseJobId, toView, type AttemptRow, type JobRow, type NewJob, type OutboxStore } from './store';
import type {
  EndpointState,
  EnqueueInput,
  ErrorClass,
  JobStatus,
  JobView,
  QueueCounts,
  QueueDefinition,
} from './types';

export type OutboxEventName = 'outbox.changed' | 'outbox.progress' | 'outbox.dead';
export type OutboxNotify = <E extends OutboxEventName>(event: E, payload: EventPayload<E>) => void;

export interface OutboxOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The audit trail's writer (or the trail itself): retries and cancellations are audited. */
  audit: AuditWriter | { write: AuditWriter };
  /** Events to the renderer (counts, progress, dead jobs). */
  notify?: OutboxNotify;
  /** This worker's name in the attempt history; random by default. */
  workerId?: string;
  /**
   * The identity written in leases (pid, host, boot, start time) so that another process can tell
   * this one died; and how to tell whether another holder still runs. Defaults: this process.
   */
  processIdentity?: ProcessIdentity;
  liveness?: (identity: ProcessIdentity) => Liveness;
  /** Lease length (ms); renewed every third of it while the attempt runs. Default 60 s. */
  leaseMs?: number;
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Interval between probes of an endpoint that is down (ms). Default 30 s. */
  probeIntervalMs?: number;
  /** Longest sleep of the background loop, to pick up jobs enqueued by another process (ms). Default 5 s. */
  pollMs?: number;
  /** Delay that groups `outbox.changed` events (ms). Default 150 ms. */
  notifyThrottleMs?: number;
  /** Whether an endpoint has a real address (settings), for endpoints whose queues have no `endpointSetup`. Default: yes. */
  endpointConfigured?: (endpoint: string) => boolean;
}

export interface JobAttemptView {
  attempt: number;
  startedAt: string;
  endedAt: string | null;
  outcome: string | null;
  errorCode: string | null;
  worker: string;
}

interface Attempt {
  queue: string;
  endpoint: string;
  token: number;
  abort: AttemptAbort;
  done: Promise<void>;
  /** Set when `stop` released the job: the attempt's own ending is ignored. */
  released: boolean;
  /**
   * Set when the attempt's work is over and its ending is being written: it no longer takes a
   * slot of its queue (the commit of a completion claims the next job in its place).
   */
  finishing: boolean;
  /** Set when the job's completion committed. */
  completed: boolean;
}

type AnyQueue = QueueDefinition<unknown, unknown>;

const PROGRESS_INTERVAL_MS = 100;
const LEASE_CHECK_INTERVAL_MS = 1_000;
const DEFAULT_BLOCKED_REASON = 'En attente de la carte du professionnel (insérez la carte CPS ou CPE et saisissez le code).';

export class Outbox {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly audit: AuditWriter;
  private readonly notifyFn: OutboxNotify | undefined;
  private readonly store: OutboxStore;
  private readonly queues = new Map<string, AnyQueue>();
  private readonly inflight = new Map<number, Attempt>();
  private readonly endpointMonitor: EndpointMonitor;
  private readonly groupCommit: GroupCommit;
  /** `inTransaction.immediate(fn)`: runs fn in an IMMEDIATE transaction (the wrapper is built once, not per job). */
  private readonly inTransaction: { immediate<T>(fn: () => T): T };
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly pollMs: number;
  private readonly throttleMs: number;
  private readonly endpointConfigured: (endpoint: string) => boolean;
  readonly workerId: string;
  readonly leaseMs: number;
  /** What the lease owner column holds for this worker (worker id and process identity). */
  private readonly leaseOwner: string;
  private readonly holders: LivenessCache;

  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private changedTimer: NodeJS.Timeout | null = null;
  /** When the leases of dead processes were last looked for (releaseLeasesOfDeadProcesses). */
  private leasesCheckedAt = -Infinity;
  /** Queues whose completions are in the group commit being written (claimAfterCompletions). */
  private readonly refills = new Set<AnyQueue>();
  /** The queues `whenIdle` is draining (undefined: every queue), one entry per call in progress. */
  private readonly driving: Array<string | undefined> = [];
  /** Time of each running job's last progress event. */
  private readonly progressAt = new Map<number, number>();

  constructor(options: OutboxOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger.child('outbox');
    const audit = options.audit;
    this.audit = typeof audit === 'function' ? audit : (entry) => audit.write(entry);
    this.notifyFn = options.notify;
    this.workerId = options.workerId ?? `worker-${randomUUID()}`;
    this.leaseOwner = encodeLeaseOwner(this.workerId, options.processIdentity ?? currentProcessIdentity());
    this.holders = new LivenessCache(options.liveness ?? ((identity) => livenessOf(identity)));
    this.leaseMs = options.leaseMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.pollMs = options.pollMs ?? 5_000;
    this.throttleMs = options.notifyThrottleMs ?? 150;
    this.endpointConfigured = options.endpointConfigured ?? (() => true);
    this.store = createStore(this.db);
    this.inTransaction = runInTransaction(this.db);
    this.groupCommit = new GroupCommit(this.db, {
      withBatch: () => this.claimAfterCompletions(),
      afterRetries: () => this.schedule(0),
    });
    this.endpointMonitor = new EndpointMonitor({
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      probeIntervalMs: options.probeIntervalMs ?? 30_000,
      onBack: (endpoint) => this.resume(endpoint),
      onProbeSettled: () => {
        if (this.started) this.schedule(0);
      },
    });
  }

  // --- queues and jobs -----------------------------------------------------------------------

  register<P, C>(definition: QueueDefinition<P, C>): void {
    if (this.queues.has(definition.name)) throw new Error(`outbox queue registered twice: ${definition.name}`);
    if (definition.concurrency < 1) throw new Error(`outbox queue ${definition.name}: concurrency must be ≥ 1`);
    this.queues.set(definition.name, definition as unknown as AnyQueue);
    this.endpointMonitor.ensure(definition.endpoint);
    if (this.started) this.schedule(0);
  }

  /**
   * Adds a job; synchronous so that it runs inside the caller's better-sqlite3 transaction
   * (outbox pattern: the domain row and the job commit together). The same idempotency key in
   * the same queue returns the existing job instead of a second one.
   */
  enqueue<P>(queueName: string, input: EnqueueInput<P>): JobView<P> {
    const queue = this.queueOf(queueName);
    const parsed = queue.payload.safeParse(input.payload);
    if (!parsed.success) {
      throw new AppError('OUTBOX_PAYLOAD_INVALID', { queue: queueName, issues: parsed.error.issues.length });
    }
    const now = this.clock.now();
    const notBefore = input.notBefore === undefined ? now : Date.parse(input.notBefore);
    const job = {
      queue: queueName,
      key: input.idempotencyKey,
      serialKey: input.serialKey ?? null,
      payload: JSON.stringify(parsed.data),
      subject: JSON.stringify(input.subject),
      patientId: input.subject.patientId ?? null,
      nextAt: Number.isFinite(notBefore) ? notBefore : now,
      now,
    };
    // Inside the caller's transaction when there is one (outbox pattern), else in its own.
    const own = !this.db.inTransaction;
    let claimed: JobRow[] = [];
    const insert = (): { row: JobRow; inserted: boolean } => {
      // The claim commits with the job (one fsync instead of two); the attempt starts once it has.
      let row = this.startsAtOnce(queue, job) ? this.claimNew(job, now) : undefined;
      if (row !== undefined) {
        claimed = [row];
      } else {
        row = this.store.insert.get(job);
        if (row !== undefined) {
          claimed = this.claimWithEnqueue(queue, now);
          row = claimed.find((r) => r.id === row?.id) ?? row;
        }
      }
      if (row !== undefined) return { row, inserted: true };
      claimed = [];
      return { row: this.store.byKey.get(queueName, input.idempotencyKey) as JobRow, inserted: false };
    };
    if (own) {
      let result: { row: JobRow; inserted: boolean };
      try {
        result = this.inTransaction.immediate(insert);
      } catch (error) {
        claimed = [];
        throw error;
      }
      // Committed by this call: the attempts start on the next microtask, no query to confirm.
      for (const row of claimed) this.launch(queue, row, Promise.resolve(true));
      return this.enqueued(result, queueName);
    }
    const result = insert();
    this.launchAfterCallerCommit(queue, claimed);
    return this.enqueued(result, queueName);
  }

  private enqueued<P>({ row, inserted }: { row: JobRow; inserted: boolean }, queueName: string): JobView<P> {
    if (inserted) {
      this.logger.debug('outbox.enqueued', { id: row.id, queue: queueName });
      this.changed();
      // No pass of the engine is scheduled: the enqueue already made the claims such a pass would
      // make in this queue, and a timer and its queries on the way to the job's completion only
      // added latency (issue 15).
    }
    return toView(row, JSON.parse(row.payload) as P);
  }

  /**
   * Whether a new job may be claimed as it is written (`claimNew`): the outbox runs, the queue has
   * room, the job is due now, nothing else of the queue is waiting for a slot (it would pass
   * before them) and no open job holds its serialisation key.
   */
  private startsAtOnce(queue: AnyQueue, job: NewJob): boolean {
    if (!this.started || this.stopping || job.nextAt > job.now) return false;
    if (this.freeSlots(queue, job.now) <= 0) return false;
    if (this.store.anyDue.get({ queue: job.queue, now: job.now })?.any !== 0) return false;
    return job.serialKey === null || this.store.serialOpen.get({ queue: job.queue, serialKey: job.serialKey })?.open === 0;
  }

  /** Writes a new job already claimed by this worker, its first attempt started; undefined when the key exists. */
  private claimNew(job: NewJob, now: number): JobRow | undefined {
    return this.store.insertClaimed.get({ ...job, owner: this.leaseOwner, worker: this.workerId, leaseUntil: now + this.leaseMs });
  }

  /**
   * Claims, inside the enqueueing transaction, what the queue may start now (the new job or
   * earlier due ones, as the pump would), so that the claim costs no commit of its own. The
   * attempts are launched by the caller once the transaction has committed.
   */
  private claimWithEnqueue(queue: AnyQueue, now: number): JobRow[] {
    if (!this.started || this.stopping) return [];
    return this.claimDue(queue, now);
  }

  /**
   * Claims made inside the caller's transaction: counted as running at once, started once that
   * transaction has committed; if it rolled back, the claims went with it and nothing starts.
   */
  private launchAfterCallerCommit(queue: AnyQueue, claimed: JobRow[]): void {
    if (claimed.length === 0) return;
    const committed = new Promise<JobRow[]>((resolve) => {
      const check = (): void => {
        if (this.db.inTransaction) {
          setImmediate(check);
          return;
        }
        // Still ours once committed; gone (rolled back) otherwise.
        resolve(claimed.filter((row) => this.store.isClaimedBy.get({ id: row.id, token: row.lease_token, worker: this.leaseOwner }) !== undefined));
      };
      queueMicrotask(check);
    });
    for (const row of claimed) {
      this.launch(
        queue,
        row,
        committed.then((rows) => rows.includes(row)),
      );
    }
  }

  get(id: string): JobView | null {
    const row = this.rowOf(id);
    return row === undefined ? null : toView(row, JSON.parse(row.payload) as unknown);
  }

  /** The attempt history of a job, oldest first. */
  attempts(id: string): JobAttemptView[] {
    const jobId = parseJobId(id);
    if (jobId === null) return [];
    return this.store.attempts.all(jobId).map((row: AttemptRow) => ({
      attempt: row.attempt,
      startedAt: new Date(row.started_at).toISOString(),
      endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
      outcome: row.outcome,
      errorCode: row.error_code,
      worker: row.worker,
    }));
  }

  list(filter: { queue?: string; status?: JobStatus; patientId?: string; limit?: number } = {}): JobView[] {
    return this.store
      .list({ ...filter, limit: filter.limit ?? 200 })
      .map((row) => toView(row, JSON.parse(row.payload) as unknown));
  }

  queueLabel(name: string): string {
    return this.queues.get(name)?.label ?? name;
  }

  counts(): QueueCounts[] {
    const byQueue = new Map<string, QueueCounts>();
    const entry = (name: string): QueueCounts => {
      let counts = byQueue.get(name);
      if (counts === undefined) {
        const queue = this.queues.get(name);
        counts = {
          queue: name,
          label: queue?.label ?? name,
          endpoint: queue?.endpoint ?? '',
          pending: 0,
          running: 0,
          retry_wait: 0,
          blocked: 0,
          dead: 0,
          done: 0,
        };
        byQueue.set(name, counts);
      }
      return counts;
    };
    for (const name of this.queues.keys()) entry(name);
    for (const row of this.store.counts.all()) {
      if (row.status === 'cancelled') continue;
      entry(row.queue)[row.status] += row.n;
    }
    return [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  }

  endpoints(): EndpointState[] {
    return this.endpointMonitor.states().map((state) => {
      // The endpoint's own queues say why it cannot be reached (billing without its library);
      // otherwise its address does (the host's check).
      const setups = [...this.queues.values()].filter((q) => q.endpoint === state.endpoint && q.endpointSetup !== undefined);
      if (setups.length === 0) return { ...state, configured: this.endpointConfigured(state.endpoint) };
      const hint = setups.map((q) => q.endpointSetup?.() ?? null).find((h) => h !== null);
      return hint === undefined ? { ...state, configured: true } : { ...state, configured: false, setupHint: hint };
    });
  }

  /** Counts, endpoints and the number of dead jobs (the top bar badge). */
  status(): EventPayload<'outbox.changed'> {
    const queues = this.counts();
    return { queues, endpoints: this.endpoints(), deadTotal: queues.reduce((sum, q) => sum + q.dead, 0) };
  }

  /** "Relancer maintenant": the job becomes due now with a fresh budget; its unknown-outcome flag is kept. */
  retry(id: string, actor: string): JobView {
    const row = this.requireRow(id);
    const changes = this.db
      .transaction(() => {
        const { changes: n } = this.store.retry.run({ id: row.id, now: this.clock.now() });
        if (n === 1) {
          this.audit({ actor, patientRef: row.patient_id, action: 'outbox.retry', details: { jobId: String(row.id), queue: row.queue, from: row.status } });
        }
        return n;
      })
      .immediate();
    if (changes !== 1) throw new AppError('OUTBOX_JOB_NOT_RETRYABLE', { id, status: row.status });
    this.changed();
    if (this.started) this.schedule(0);
    return this.get(id) as JobView;
  }

  /**
   * A patient record was merged into another (patients service): the unfinished jobs about it now
   * belong to the record kept, so the File d'envoi shows them there. Returns how many moved; the
   * caller runs it inside the merge transaction and writes the trace.
   */
  reassignPatient(fromPatientId: string, toPatientId: string): number {
    const moved = this.store.reassignPatient.run({ from: fromPatientId, to: toPatientId, now: this.clock.now() }).changes;
    if (moved > 0) this.changed();
    return moved;
  }

  /** Cancels a job that is not running; audited (the screen asks for confirmation first). */
  cancel(id: string, actor: string): JobView {
    const row = this.requireRow(id);
    const changes = this.db
      .transaction(() => {
        const { changes: n } = this.store.cancel.run({ id: row.id, now: this.clock.now() });
        if (n === 1) {
          this.audit({
            actor,
            patientRef: row.patient_id,
            action: 'outbox.cancel',
            details: { jobId: String(row.id), queue: row.queue, from: row.status, outcomeUnknown: row.outcome_unknown === 1 },
          });
        }
        return n;
      })
      .immediate();
    if (changes !== 1) throw new AppError('OUTBOX_JOB_NOT_CANCELLABLE', { id, status: row.status });
    this.changed();
    return this.get(id) as JobView;
  }

  // --- running ---------------------------------------------------------------------------------

  /** Starts the background loop: replays unfinished work (due jobs, expired leases) at once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.logger.info('outbox.started', { worker: this.workerId, queues: [...this.queues.keys()] });
    this.schedule(0);
  }

  /**
   * Stops taking jobs, lets running attempts finish for up to `graceMs`, then aborts the rest and
   * puts them back to `pending` with their outcome marked unknown (reconciled before resending).
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.started = false;
    this.stopping = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const running = [...this.inflight.values()];
    if (running.length > 0) {
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(running.map((a) => a.done)),
        new Promise<void>((resolve) => {
          graceTimer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(graceTimer);
    }
    for (const [id, attempt] of this.inflight) {
      attempt.released = true;
      const now = this.clock.now();
      // Compare-and-swap like any ending: an attempt whose own ending already committed is left alone.
      const released = this.db
        .transaction(() => {
          const { changes } = this.store.fail.run({
            id,
            token: attempt.token,
            now,
            status: 'pending',
            nextAt: now,
            code: 'OUTBOX_INTERRUPTED',
            message: messageFor('OUTBOX_INTERRUPTED'),
            unknown: 1,
            outcome: 'interrupted',
            attemptCode: 'OUTBOX_INTERRUPTED',
          });
          return changes === 1;
        })
        .immediate();
      attempt.abort.abort(new AppError('OUTBOX_INTERRUPTED'));
      if (released) this.logger.warn('outbox.released_at_shutdown', { id, queue: attempt.queue });
    }
    this.inflight.clear();
    if (this.changedTimer !== null) clearTimeout(this.changedTimer);
    this.changedTimer = null;
    this.logger.info('outbox.stopped', { worker: this.workerId });
  }

  /** "Synchroniser maintenant": probes the endpoints, makes waiting jobs due now, runs them. */
  async syncNow(): Promise<void> {
    await this.endpointMonitor.probeAllNow();
    const now = this.clock.now();
    for (const name of this.queues.keys()) this.store.hurry.run({ queue: name, now });
    await this.whenIdle();
  }

  /** Re-checks blocked jobs (a card was inserted, a PIN typed). */
  wake(reason: string): void {
    const { changes } = this.store.wake.run({ now: this.clock.now() });
    this.logger.info('outbox.wake', { reason, resumed: changes });
    if (changes > 0) {
      this.changed();
      if (this.started) this.schedule(0);
    }
  }

  /** Cheap reachability check of an endpoint, used while it is down instead of sending jobs. */
  setProbe(endpoint: string, probe: () => Promise<boolean>): void {
    this.endpointMonitor.setProbe(endpoint, probe);
  }

  /**
   * Commits `write` in the outbox's next group commit: one transaction (one fsync) with the job
   * completions of the same turn. For a queue's own bookkeeping at the end of a successful run
   * (the DMP's « envoyé »), queued without being awaited just before the run returns, so that it
   * is committed with the job's completion instead of paying a commit of its own.
   */
  commitWithCompletions<T>(write: () => T): Promise<T> {
    return this.groupCommit.commit(write);
  }

  /**
   * Runs due work in this process until nothing is running and nothing can be claimed now (jobs
   * waiting for their backoff, a person, or an endpoint that is down do not count).
   */
  async whenIdle(queue?: string): Promise<void> {
    const runningNow = (): Attempt[] => [...this.inflight.values()].filter((a) => queue === undefined || a.queue === queue);
    // While it drains, a completion's commit claims the next jobs as in a started outbox.
    this.driving.push(queue);
    try {
      // With attempts already running, the first pass waits for the first ending (which frees the
      // slot it would fill): one pass less on the way of a job just enqueued (issue 15).
      for (let first = true; ; first = false) {
        if (!first || runningNow().length === 0) this.pump();
        const running = runningNow();
        if (running.length === 0) return;
        await Promise.race(running.map((a) => a.done));
      }
    } finally {
      this.driving.splice(this.driving.indexOf(queue), 1);
    }
  }

  // --- engine ----------------------------------------------------------------------------------

  private schedule(delayMs: number): void {
    if (!this.started) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
    }, Math.max(0, delayMs));
    this.timer.unref();
  }

  private tick(): void {
    if (!this.started) return;
    try {
      this.pump();
    } catch (error) {
      this.logger.error('outbox.pump_failed', { error: describeError(error).code });
    }
    const now = this.clock.now();
    let next: number | null = null;
    for (const queue of this.queues.keys()) {
      const at = this.store.nextWake.get({ queue, now })?.at ?? null;
      if (at !== null && (next === null || at < next)) next = at;
    }
    let delay = this.pollMs;
    if (next !== null) delay = Math.min(delay, Math.max(next - now, 10));
    const probeIn = this.endpointMonitor.nextProbeDelay(now);
    if (probeIn !== null) delay = Math.min(delay, Math.max(probeIn, 10));
    this.schedule(delay);
  }

  /** Claims and launches every job that may run now, within each queue's concurrency. */
  private pump(): void {
    if (this.stopping) return;
    const now = this.clock.now();
    this.releaseLeasesOfDeadProcesses(now);
    for (const queue of this.queues.values()) this.refill(queue, now);
  }

  /** Claims and launches what this queue may start now, in one transaction (one fsync). */
  private refill(queue: AnyQueue, now: number): void {
    if (this.stopping) return;
    // A completion of this queue is on its way to the group commit, which claims the queue's next
    // jobs (claimAfterCompletions): claiming here as well would pay a commit (an fsync) of its own
    // for what that one does for nothing (issue 15, bulk sending). An attempt that fails claims
    // nothing: its end schedules a pass, which finds it no longer finishing.
    if (this.finishingIn(queue.name)) return;
    const free = this.freeSlots(queue, now);
    if (free <= 0) return;
    const due = this.dueIds(queue.name, now, free);
    if (due.length === 0) return;
    const claimed = this.inTransaction.immediate(() => {
      const rows: JobRow[] = [];
      for (const { id } of due) {
        const row = this.claim(id, now);
        if (row !== undefined) rows.push(row);
      }
      return rows;
    });
    for (const row of claimed) this.launch(queue, row);
  }

  /** The claims `pump` would make in this queue now, in the caller's transaction. */
  private claimDue(queue: AnyQueue, now: number): JobRow[] {
    const free = this.freeSlots(queue, now);
    if (free <= 0) return [];
    const rows: JobRow[] = [];
    for (const { id } of this.dueIds(queue.name, now, free)) {
      const row = this.claim(id, now);
      if (row !== undefined) rows.push(row);
    }
    return rows;
  }

  /** Jobs of the queue to claim now, oldest due first (the cheap probe first: mostly there are none). */
  private dueIds(queue: string, now: number, limit: number): Array<{ id: number }> {
    if (this.store.anyDue.get({ queue, now })?.any === 0) return [];
    return this.store.due.all({ queue, now, limit });
  }

  /** How many more attempts the queue may start now (its concurrency, its endpoint's state). */
  private freeSlots(queue: AnyQueue, now: number): number {
    const gate = this.endpointMonitor.gate(queue.endpoint, now);
    if (gate === 'paused') return 0;
    const free = queue.concurrency - this.runningIn(queue.name);
    return gate === 'one-at-a-time' ? Math.min(free, 1 - this.runningOnEndpoint(queue.endpoint)) : free;
  }

  /**
   * Leases held by a process that is certainly dead (killed, crashed, machine rebooted) expire now
   * rather than at the end of their lease: the jobs are taken over at once, as an unknown outcome.
   */
  private releaseLeasesOfDeadProcesses(now: number): void {
    // At most once a second (a liveness verdict is kept that long anyway): the pass runs after
    // every job in `whenIdle`, and its query per queue was most of a pass (issue 15).
    if (now - this.leasesCheckedAt < LEASE_CHECK_INTERVAL_MS) return;
    this.leasesCheckedAt = now;
    const owners = new Set<string>();
    for (const queue of this.queues.keys()) for (const { owner } of this.store.leaseHolders.all({ queue, me: this.leaseOwner, now })) owners.add(owner);
    for (const owner of owners) {
      if (this.holders.of(owner, now) !== 'dead') continue;
      const { changes } = this.store.releaseLeasesOf.run({ owner, now });
      if (changes > 0) this.logger.warn('outbox.dead_holder_released', { jobs: changes });
    }
  }

  /**
   * Deletes done jobs older than the retention period with their attempts, in small batches
   * (retention.ts: what is kept where, and why nothing else is purged). Audited once per run.
   */
  async purgeDone(options: PurgeOptions): Promise<PurgeReport> {
    const report = await purgeDoneJobs({ db: this.db, clock: this.clock, logger: this.logger, audit: this.audit }, options);
    if (report.jobs > 0) this.changed();
    return report;
  }

  /** Done jobs were purged by another connection (the host's worker thread): the counts change. */
  historyChanged(): void {
    this.changed();
  }

  /** Jobs not sent and why, for `pupitre queue sync` and the File d'envoi (issue 14, point 7). */
  unsent(limit = 200): UnsentReport {
    const now = this.clock.now();
    return unsentReport(
      {
        store: this.store,
        now,
        queueEndpoint: (queue) => this.queues.get(queue)?.endpoint,
        endpointOnline: (endpoint) => this.endpointMonitor.isOnline(endpoint),
        runningHere: (id) => this.inflight.has(id),
        holderLiveness: (owner) => (owner === null ? 'unknown' : owner === this.leaseOwner ? 'alive' : this.holders.of(owner, now)),
      },
      limit,
    );
  }

  /**
   * The compare-and-swap claim and the start of its attempt in the job row (the previous one goes
   * into the history); runs inside the caller's transaction.
   */
  private claim(id: number, now: number): JobRow | undefined {
    const row = this.store.claim.get({ id, now, worker: this.leaseOwner, leaseUntil: now + this.leaseMs });
    if (row === undefined) return undefined;
    this.store.closeOpenAttempts.run({ id, now });
    this.store.archiveAttempt.run({ id, now });
    this.store.startAttempt.run({ id, worker: this.workerId, now });
    return row;
  }

  /** Runs an attempt; `committed` (claims made with an enqueue) says whether its claim committed. */
  private launch(queue: AnyQueue, row: JobRow, committed?: Promise<boolean>): void {
    const attempt: Attempt = {
      queue: queue.name,
      endpoint: queue.endpoint,
      token: row.lease_token,
      abort: new AttemptAbort(),
      released: false,
      finishing: false,
      completed: false,
      done: Promise.resolve(),
    };
    this.inflight.set(row.id, attempt);
    this.changed();
    const run = committed === undefined ? this.runAttempt(queue, row, attempt) : committed.then((ok) => (ok && !attempt.released ? this.runAttempt(queue, row, attempt) : undefined));
    attempt.done = run
      .catch((error: unknown) => {
        this.logger.error('outbox.attempt_crashed', { id: row.id, queue: queue.name, error: describeError(error).code });
      })
      .finally(() => {
        if (this.inflight.get(row.id) === attempt) this.inflight.delete(row.id);
        this.progressAt.delete(row.id);
        this.changed();
        // A completion's commit claimed the queue's next jobs already (claimAfterCompletions);
        // any other ending may change when something is due next (a retry, an endpoint down).
        if (this.started && !attempt.completed) this.schedule(0);
      });
  }

  private async runAttempt(queue: AnyQueue, row: JobRow, attempt: Attempt): Promise<void> {
    const { abort } = attempt;
    const parsed = queue.payload.safeParse(JSON.parse(row.payload));
    if (!parsed.success) {
      await this.finishFailed(queue, row, attempt, new AppError('OUTBOX_PAYLOAD_INVALID', { queue: queue.name }), 'final', false);
      return;
    }
    const job = toView(row, parsed.data);
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      abort.abort(new AppError('OUTBOX_ATTEMPT_TIMEOUT'));
    }, queue.attemptTimeoutMs);
    const heartbeat = setInterval(() => {
      const { changes } = this.store.renew.run({ id: row.id, token: attempt.token, leaseUntil: this.clock.now() + this.leaseMs });
      if (changes === 0 && !attempt.released) {
        this.logger.warn('outbox.lease_lost', { id: row.id, queue: queue.name });
        abort.abort(new AppError('OUTBOX_LEASE_LOST'));
      }
    }, Math.max(Math.floor(this.leaseMs / 3), 10));
    // The unknown-outcome flag stays until this attempt learns the remote state (reconcile) or
    // sends again and knows the result.
    let unknown = row.outcome_unknown === 1;
    try {
      let credentials: unknown = undefined;
      if (queue.credentials !== undefined) {
        const obtained = await abort.guard(queue.credentials(job));
        const blocked = blockedReasonOf(obtained);
        if (blocked !== null) {
          await this.finishBlocked(queue, row, attempt, blocked, unknown);
          return;
        }
        credentials = obtained;
      }
      const context = {
        // Read by the queue's code when it needs it (made then: most jobs never read it).
        get signal(): AbortSignal {
          return abort.signal;
        },
        credentials,
        progress: (fraction: number, label?: string) => this.progress(row, fraction, label),
      };
      if (unknown && queue.reconcile !== undefined) {
        const remote = await abort.guard(queue.reconcile(job, context));
        if (remote === 'done') {
          await this.finishDone(queue, row, attempt, 'reconciled');
          return;
        }
        unknown = false;
      }
      await abort.guard(queue.run(job, context));
    } catch (error) {
      let errorClass: ErrorClass;
      let reported = error;
      if (timedOut) {
        // The attempt's own bound fired: unless the transport says nothing left, the request may have arrived.
        const certain = isCertainFailure(error);
        errorClass = certain ? 'retryable' : 'unknown-outcome';
        if (!certain) reported = new AppError('OUTBOX_ATTEMPT_TIMEOUT', { queue: queue.name });
      } else {
        errorClass = queue.classify?.(error) ?? classifyError(error);
      }
      clearTimeout(timeout);
      clearInterval(heartbeat);
      await this.finishFailed(queue, row, attempt, reported, errorClass, unknown);
      return;
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
    }
    await this.finishDone(queue, row, attempt, 'done');
  }

  private async finishDone(queue: AnyQueue, row: JobRow, attempt: Attempt, outcome: 'done' | 'reconciled'): Promise<void> {
    if (attempt.released) return;
    attempt.finishing = true;
    const now = this.clock.now();
    const ok = await this.groupCommit.commit(() => {
      if (attempt.released) return false;
      const { changes } = this.store.complete.run({ id: row.id, token: attempt.token, now, outcome });
      if (changes !== 1) return false;
      this.refills.add(queue);
      // The endpoint's health (written when it changes or every 5 s) commits with the completion
      // instead of paying a commit of its own after it.
      this.endpointMonitor.succeeded(queue.endpoint);
      return true;
    }, this.aloneInFlight(attempt));
    if (!ok) {
      this.logger.warn('outbox.lease_lost', { id: row.id, queue: queue.name, outcome });
      return;
    }
    attempt.completed = true;
    this.logger.debug('outbox.done', { id: row.id, queue: queue.name, outcome });
  }

  private async finishBlocked(queue: AnyQueue, row: JobRow, attempt: Attempt, reason: string, unknown: boolean): Promise<void> {
    if (attempt.released) return;
    attempt.finishing = true;
    const now = this.clock.now();
    await this.groupCommit.commit(() => {
      if (attempt.released) return;
      this.store.block.run({ id: row.id, token: attempt.token, now, reason, unknown: unknown ? 1 : 0 });
    });
    this.logger.info('outbox.blocked', { id: row.id, queue: queue.name });
  }

  private async finishFailed(
    queue: AnyQueue,
    row: JobRow,
    attempt: Attempt,
    error: unknown,
    errorClass: ErrorClass,
    unknownBefore: boolean,
  ): Promise<void> {
    if (attempt.released) return;
    attempt.finishing = true;
    const now = this.clock.now();
    const { code, message } = describeError(error);
    const unknown = unknownBefore || errorClass === 'unknown-outcome';
    let status: 'retry_wait' | 'dead' = 'retry_wait';
    let nextAt: number | null = null;
    let finalCode = code;
    let finalMessage = message;
    if (errorClass === 'final') {
      status = 'dead';
    } else {
      const delay = backoffDelay(row.attempts, this.backoff, this.random);
      const firstAttemptAt = row.first_attempt_at ?? now;
      if (row.attempts >= queue.maxAttempts || now + delay - firstAttemptAt > queue.timeBudgetMs) {
        status = 'dead';
        finalCode = 'OUTBOX_GAVE_UP';
        finalMessage = `${messageFor('OUTBOX_GAVE_UP')} Dernière erreur : ${message}`;
      } else {
        nextAt = now + delay;
      }
    }
    const ok = await this.groupCommit.commit(() => {
      if (attempt.released) return false;
      const { changes } = this.store.fail.run({
        id: row.id,
        token: attempt.token,
        now,
        status,
        nextAt,
        code: finalCode,
        message: finalMessage,
        unknown: unknown ? 1 : 0,
        outcome: errorClass,
        attemptCode: code,
      });
      return changes === 1;
    });
    if (!ok) {
      this.logger.warn('outbox.lease_lost', { id: row.id, queue: queue.name, code });
      return;
    }
    this.logger.info('outbox.attempt_failed', { id: row.id, queue: queue.name, code, errorClass, status, attempts: row.attempts });
    if (isEndpointFailure(error)) {
      this.endpointMonitor.failed(queue.endpoint, code);
      this.changed();
    }
    if (status === 'dead') {
      const subject = JSON.parse(row.subject) as { label: string; patientId?: string };
      this.notify('outbox.dead', {
        id: String(row.id),
        queue: queue.name,
        label: subject.label,
        ...(subject.patientId === undefined ? {} : { patientId: subject.patientId }),
        code: finalCode,
        message: finalMessage,
      });
    }
  }

  /** An endpoint is back: jobs of its queues that were waiting for it become due now. */
  private resume(endpoint: string): void {
    const now = this.clock.now();
    for (const queue of this.queues.values()) {
      if (queue.endpoint === endpoint) this.store.hurry.run({ queue: queue.name, now });
    }
    this.changed();
  }

  // --- helpers ---------------------------------------------------------------------------------

  /** At most one progress event per job every 100 ms (a DMP upload reports every chunk), and the last one. */
  private progress(row: JobRow, fraction: number, label?: string): void {
    const now = this.clock.now();
    const last = this.progressAt.get(row.id) ?? -Infinity;
    if (fraction < 1 && now - last < PROGRESS_INTERVAL_MS) return;
    this.progressAt.set(row.id, now);
    this.notify('outbox.progress', {
      id: String(row.id),
      queue: row.queue,
      fraction: Math.min(Math.max(Number.isFinite(fraction) ? fraction : 0, 0), 1),
      ...(label === undefined ? {} : { label }),
    });
  }

  private notify<E extends OutboxEventName>(event: E, payload: EventPayload<E>): void {
    if (this.notifyFn === undefined) return;
    try {
      this.notifyFn(event, payload);
    } catch (error) {
      this.logger.warn('outbox.notify_failed', { event, error: describeError(error).code });
    }
  }

  /** Groups state changes into one `outbox.changed` event. */
  private changed(): void {
    if (this.notifyFn === undefined || this.changedTimer !== null) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = null;
      try {
        this.notify('outbox.changed', this.status());
      } catch (error) {
        this.logger.warn('outbox.status_failed', { error: describeError(error).code });
      }
    }, this.throttleMs);
    this.changedTimer.unref();
  }

  /** Attempts of the queue that take a slot (those writing their ending no longer do). */
  private runningIn(queue: string): number {
    let n = 0;
    for (const attempt of this.inflight.values()) if (attempt.queue === queue && !attempt.finishing) n += 1;
    return n;
  }

  private finishingIn(queue: string): boolean {
    for (const attempt of this.inflight.values()) if (attempt.queue === queue && attempt.finishing && !attempt.completed) return true;
    return false;
  }

  private runningOnEndpoint(endpoint: string): number {
    let n = 0;
    for (const attempt of this.inflight.values()) if (attempt.endpoint === endpoint && !attempt.finishing) n += 1;
    return n;
  }

  /** No other attempt of this process could end in this turn (the group commit would wait for nothing). */
  private aloneInFlight(attempt: Attempt): boolean {
    for (const other of this.inflight.values()) if (other !== attempt && !other.finishing) return false;
    return true;
  }

  /**
   * Inside the commit of completions: claims the next jobs of their queues, so that starting them
   * costs no commit (fsync) of its own; they are launched once that commit is done.
   */
  private claimAfterCompletions(): (() => void) | undefined {
    if (this.refills.size === 0) return undefined;
    const queues = [...this.refills].filter((queue) => this.started || this.driving.includes(undefined) || this.driving.includes(queue.name));
    this.refills.clear();
    if (this.stopping) return undefined;
    const now = this.clock.now();
    const claimed = queues.map((queue) => [queue, this.claimDue(queue, now)] as const);
    return () => {
      for (const [queue, rows] of claimed) for (const row of rows) this.launch(queue, row);
    };
  }

  private queueOf(name: string): AnyQueue {
    const queue = this.queues.get(name);
    if (queue === undefined) throw new AppError('OUTBOX_QUEUE_UNKNOWN', { queue: name });
    return queue;
  }

  private rowOf(id: string): JobRow | undefined {
    const jobId = parseJobId(id);
    return jobId === null ? undefined : this.store.byId.get(jobId);
  }

  private requireRow(id: string): JobRow {
    const row = this.rowOf(id);
    if (row === undefined) throw new AppError('OUTBOX_JOB_NOT_FOUND', { id });
    return row;
  }
}

function blockedReasonOf(value: unknown): string | null {
  if (value === null) return DEFAULT_BLOCKED_REASON;
  if (typeof value === 'object' && 'blocked' in value && typeof (value as { blocked: unknown }).blocked === 'string') {
    return (value as { blocked: string }).blocked;
  }
  return null;
}

/** A transport error that says the request never left (connect/send phase). */
function isCertainFailure(error: unknown): boolean {
  const e = error as { outcomeUnknown?: unknown; retryable?: unknown } | null;
  return typeof e?.outcomeUnknown === 'boolean' && e.outcomeUnknown === false && e.retryable === true;
}
