/**
 * SQL of the outbox tables, as named prepared statements (STYLE.md). Every state change of a
 * running job is a compare-and-swap on (id, lease_token, status = 'running'): a worker whose
 * lease expired, or was released at shutdown, cannot complete the job any more.
 */
import type { Db } from '../../platform/db';
import type { JobStatus, JobSubject, JobView } from './types';

export interface JobRow {
  id: number;
  queue: string;
  idempotency_key: string;
  serial_key: string | null;
  payload: string;
  subject: string;
  patient_id: string | null;
  status: JobStatus;
  attempts: number;
  next_attempt_at: number | null;
  first_attempt_at: number | null;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_token: number;
  last_error_code: string | null;
  last_error_message: string | null;
  outcome_unknown: number;
  blocked_reason: string | null;
  created_at: number;
  updated_at: number;
  /** The job's latest attempt (outboxMigrations3); null before its first one. */
  attempt_number: number | null;
  attempt_worker: string | null;
  attempt_started_at: number | null;
  attempt_ended_at: number | null;
  attempt_outcome: string | null;
  attempt_error_code: string | null;
}

export interface AttemptRow {
  job_id: number;
  lease_token: number;
  attempt: number;
  worker: string;
  started_at: number;
  ended_at: number | null;
  outcome: string | null;
  error_code: string | null;
}

export interface EndpointRow {
  endpoint: string;
  online: number;
  last_success_at: number | null;
  last_failure_at: number | null;
  last_error_code: string | null;
}

/** Statuses that hold back later jobs of the same serialisation key. */
const OPEN = `('pending','running','retry_wait','blocked')`;

/**
 * The jobs of the queue in one state (`condition` on `j`) that may start now, in (time, id) order
 * from the index, at most `@limit`: a job may start only when no older open job of its queue has
 * its serialisation key.
 */
const dueIn = (condition: string): string =>
  `SELECT * FROM (SELECT j.id, j.next_attempt_at AS t FROM outbox_job j
    WHERE j.queue = @queue AND ${condition}
      AND (j.serial_key IS NULL OR NOT EXISTS (
            SELECT 1 FROM outbox_job e WHERE e.queue = j.queue AND e.serial_key = j.serial_key AND e.id < j.id AND e.status IN ${OPEN}))
    ORDER BY j.next_attempt_at, j.id LIMIT @limit)`;

/**
 * The id of a new job: above the largest id present and above every id the retention purge
 * deleted (`outbox_id_floor`), so that no id is ever given twice (schema.ts, outboxMigrations3).
 */
const NEW_ID = `(SELECT max(coalesce((SELECT max(id) FROM outbox_job), 0), last_id) + 1 FROM outbox_id_floor WHERE id = 1)`;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toView<P>(row: JobRow, payload: P): JobView<P> {
  return {
    id: String(row.id),
    queue: row.queue,
    idempotencyKey: row.idempotency_key,
    serialKey: row.serial_key,
    payload,
    subject: JSON.parse(row.subject) as JobSubject,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' || row.status === 'retry_wait' ? iso(row.next_attempt_at) : null,
    lastErrorCode: row.last_error_code,
    lastErrorMessage: row.last_error_message,
    outcomeUnknown: row.outcome_unknown === 1,
    blockedReason: row.blocked_reason,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function parseJobId(id: string): number | null {
  return /^[1-9][0-9]{0,15}$/.test(id) ? Number(id) : null;
}

/** A job as `enqueue` writes it. */
export interface NewJob {
  queue: string;
  key: string;
  serialKey: string | null;
  payload: string;
  subject: string;
  patientId: string | null;
  nextAt: number;
  now: number;
}

export type OutboxStore = ReturnType<typeof createStore>;

export function createStore(db: Db) {
  return {
    /** A new pending job; nothing when the queue already has this idempotency key. */
    insert: db.prepare<NewJob, JobRow>(
      `INSERT INTO outbox_job (id, queue, idempotency_key, serial_key, payload, subject, patient_id, status, next_attempt_at, created_at, updated_at)
       VALUES (${NEW_ID}, @queue, @key, @serialKey, @payload, @subject, @patientId, 'pending', @nextAt, @now, @now)
       ON CONFLICT (queue, idempotency_key) DO NOTHING
       RETURNING *`,
    ),
    /**
     * A new job claimed by this worker as it is written: the row `insert` + `claim` would leave,
     * in one statement (the enqueue's fast path, when nothing else of the queue is due).
     */
    insertClaimed: db.prepare<NewJob & { owner: string; worker: string; leaseUntil: number }, JobRow>(
      `INSERT INTO outbox_job (id, queue, idempotency_key, serial_key, payload, subject, patient_id, status, next_attempt_at,
                               attempts, first_attempt_at, lease_owner, lease_expires_at, lease_token, created_at, updated_at,
                               attempt_number, attempt_worker, attempt_started_at)
       VALUES (${NEW_ID}, @queue, @key, @serialKey, @payload, @subject, @patientId, 'running', @nextAt,
               1, @now, @owner, @leaseUntil, 1, @now, @now,
               1, @worker, @now)
       ON CONFLICT (queue, idempotency_key) DO NOTHING
       RETURNING *`,
    ),
    byKey: db.prepare<[string, string], JobRow>('SELECT * FROM outbox_job WHERE queue = ? AND idempotency_key = ?'),
    byId: db.prepare<[number], JobRow>('SELECT * FROM outbox_job WHERE id = ?'),
    /** A patient record merged into another: its unfinished jobs follow (done/cancelled ones stay as history). */
    reassignPatient: db.prepare<{ from: string; to: string; now: number }>(
      `UPDATE outbox_job SET patient_id = @to, subject = json_set(subject, '$.patientId', @to), updated_at = @now
        WHERE patient_id = @from AND status NOT IN ('done', 'cancelled')`,
    ),

    /**
     * Whether anything of the queue may be claimable now (due, or running under an expired lease),
     * serialisation keys aside: two index probes, a few microseconds. The engine asks it before
     * `due` (three index searches and their merge, several times more), which it would mostly run for nothing.
     */
    anyDue: db.prepare<{ queue: string; now: number }, { any: number }>(
      `SELECT EXISTS (SELECT 1 FROM outbox_job WHERE queue = @queue AND status IN ('pending','retry_wait') AND next_attempt_at <= @now)
           OR EXISTS (SELECT 1 FROM outbox_job WHERE queue = @queue AND status = 'running' AND lease_expires_at <= @now) AS any`,
    ),
    /** An open job of the queue holds this serialisation key (a new job with it must wait its turn). */
    serialOpen: db.prepare<{ queue: string; serialKey: string }, { open: number }>(
      `SELECT EXISTS (SELECT 1 FROM outbox_job WHERE queue = @queue AND serial_key = @serialKey AND status IN ${OPEN}) AS open`,
    ),
    /**
     * Candidates for a claim: due, or running under an expired lease (a crashed or stalled
     * worker), and first of their serialisation key among the open jobs of the queue.
     */
    due: db.prepare<{ queue: string; now: number; limit: number }, { id: number }>(
      // One index search per state (outbox_job_due: queue, status, time — and the id, the rowid
      // every index ends with), each already in (time, id) order and stopped at the limit: the
      // outer sort sees at most three times the limit, not every pending job (with 1 000 documents
      // queued for the DMP, sorting them all for each claim made bulk sending quadratic; issue 15).
      // Not one pass over the queue's history either: with `OR` across the states SQLite scanned
      // every job of the queue, done ones included.
      `SELECT id FROM (
         ${dueIn("j.status = 'pending' AND j.next_attempt_at <= @now")}
         UNION ALL
         ${dueIn("j.status = 'retry_wait' AND j.next_attempt_at <= @now")}
         UNION ALL
         ${dueIn("j.status = 'running' AND j.lease_expires_at <= @now")})
        ORDER BY t, id
        LIMIT @limit`,
    ),
    /**
     * The compare-and-swap claim. Taking over a running job whose lease expired means the previous
     * attempt's outcome is unknown: the flag makes the next attempt reconcile first.
     */
    claim: db.prepare<{ id: number; now: number; worker: string; leaseUntil: number }, JobRow>(
      `UPDATE outbox_job
          SET outcome_unknown = CASE WHEN status = 'running' THEN 1 ELSE outcome_unknown END,
              last_error_code = CASE WHEN status = 'running' THEN 'OUTBOX_INTERRUPTED' ELSE last_error_code END,
              status = 'running', lease_owner = @worker, lease_expires_at = @leaseUntil,
              lease_token = lease_token + 1, attempts = attempts + 1,
              first_attempt_at = coalesce(first_attempt_at, @now), blocked_reason = NULL, updated_at = @now
        WHERE id = @id
          AND ((status IN ('pending','retry_wait') AND next_attempt_at <= @now)
               OR (status = 'running' AND lease_expires_at <= @now))
          AND (serial_key IS NULL OR NOT EXISTS (
                SELECT 1 FROM outbox_job e
                 WHERE e.queue = outbox_job.queue AND e.serial_key = outbox_job.serial_key
                   AND e.id < outbox_job.id AND e.status IN ${OPEN}))
        RETURNING *`,
    ),
    /** The job is still running under this claim (it committed and nobody took it over). */
    isClaimedBy: db.prepare<{ id: number; token: number; worker: string }, { id: number }>(
      `SELECT id FROM outbox_job WHERE id = @id AND lease_token = @token AND lease_owner = @worker AND status = 'running'`,
    ),
    /** An attempt row left open by a version that wrote it at the claim (before outboxMigrations3): interrupted. */
    closeOpenAttempts: db.prepare<{ id: number; now: number }>(
      `UPDATE outbox_attempt SET ended_at = @now, outcome = 'interrupted', error_code = 'OUTBOX_INTERRUPTED'
        WHERE job_id = @id AND ended_at IS NULL`,
    ),
    /**
     * Right after a claim (which added one to the lease token): the job's previous attempt goes
     * into the history, as interrupted if it never ended (its worker died or lost the lease).
     */
    archiveAttempt: db.prepare<{ id: number; now: number }>(
      `INSERT INTO outbox_attempt (job_id, lease_token, attempt, worker, started_at, ended_at, outcome, error_code)
       SELECT id, lease_token - 1, attempt_number, attempt_worker, attempt_started_at,
              coalesce(attempt_ended_at, @now),
              CASE WHEN attempt_ended_at IS NULL THEN 'interrupted' ELSE attempt_outcome END,
              CASE WHEN attempt_ended_at IS NULL THEN 'OUTBOX_INTERRUPTED' ELSE attempt_error_code END
         FROM outbox_job WHERE id = @id AND attempt_started_at IS NOT NULL
       ON CONFLICT (job_id, lease_token) DO NOTHING`,
    ),
    /** The claimed job's new latest attempt. */
    startAttempt: db.prepare<{ id: number; worker: string; now: number }>(
      `UPDATE outbox_job
          SET attempt_number = attempts, attempt_worker = @worker, attempt_started_at = @now,
              attempt_ended_at = NULL, attempt_outcome = NULL, attempt_error_code = NULL
        WHERE id = @id`,
    ),
    /** The history of a job, oldest first: earlier attempts and its latest one. */
    attempts: db.prepare<[number], AttemptRow>('SELECT * FROM outbox_attempt_log WHERE job_id = ? ORDER BY lease_token'),
    renew: db.prepare<{ id: number; token: number; leaseUntil: number }>(
      `UPDATE outbox_job SET lease_expires_at = @leaseUntil WHERE id = @id AND lease_token = @token AND status = 'running'`,
    ),
    complete: db.prepare<{ id: number; token: number; now: number; outcome: 'done' | 'reconciled' }>(
      `UPDATE outbox_job
          SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL,
              outcome_unknown = 0, last_error_code = NULL, last_error_message = NULL, updated_at = @now,
              attempt_ended_at = @now, attempt_outcome = @outcome, attempt_error_code = NULL
        WHERE id = @id AND lease_token = @token AND status = 'running'`,
    ),
    /** retry_wait, dead or pending (released at shutdown) after a failed or interrupted attempt. */
    fail: db.prepare<{
      id: number;
      token: number;
      now: number;
      status: 'retry_wait' | 'dead' | 'pending';
      nextAt: number | null;
      code: string;
      message: string;
      unknown: number;
      /** The attempt's own ending (its error class, or interrupted) and error code. */
      outcome: string;
      attemptCode: string;
    }>(
      `UPDATE outbox_job
          SET status = @status, lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = @nextAt,
              last_error_code = @code, last_error_message = @message, outcome_unknown = @unknown, updated_at = @now,
              attempt_ended_at = @now, attempt_outcome = @outcome, attempt_error_code = @attemptCode
        WHERE id = @id AND lease_token = @token AND status = 'running'`,
    ),
    /** Waiting for a person (card, PIN): the attempt does not count. */
    block: db.prepare<{ id: number; token: number; now: number; reason: string; unknown: number }>(
      `UPDATE outbox_job
          SET status = 'blocked', lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = NULL,
              attempts = attempts - 1, blocked_reason = @reason, outcome_unknown = @unknown, updated_at = @now,
              attempt_ended_at = @now, attempt_outcome = 'blocked', attempt_error_code = NULL
        WHERE id = @id AND lease_token = @token AND status = 'running'`,
    ),
    wake: db.prepare<{ now: number }>(
      `UPDATE outbox_job SET status = 'pending', next_attempt_at = @now, updated_at = @now WHERE status = 'blocked'`,
    ),
    /** "Synchroniser maintenant", or an endpoint back online: waiting jobs become due now. */
    hurry: db.prepare<{ queue: string; now: number }>(
      `UPDATE outbox_job SET next_attempt_at = @now, updated_at = @now
        WHERE queue = @queue AND status = 'retry_wait' AND next_attempt_at > @now`,
    ),
    retry: db.prepare<{ id: number; now: number }>(
      `UPDATE outbox_job
          SET status = 'pending', next_attempt_at = @now, attempts = 0, first_attempt_at = NULL,
              blocked_reason = NULL, updated_at = @now
        WHERE id = @id AND status IN ('dead','retry_wait','blocked','cancelled','pending')`,
    ),
    cancel: db.prepare<{ id: number; now: number }>(
      `UPDATE outbox_job SET status = 'cancelled', next_attempt_at = NULL, updated_at = @now
        WHERE id = @id AND status IN ('pending','retry_wait','blocked','dead')`,
    ),
    counts: db.prepare<[], { queue: string; status: JobStatus; n: number }>(
      'SELECT queue, status, count(*) AS n FROM outbox_job GROUP BY queue, status',
    ),
    /**
     * Next future moment something may become claimable (a job's time, a lease's expiry). Jobs
     * already due but held back (serialisation key, endpoint down, unregistered queue) are
     * re-examined when something changes, not in a busy loop.
     */
    nextWake: db.prepare<{ queue: string; now: number }, { at: number | null }>(
      // Per queue, so that both halves search the index outbox_job_due (queue, status, time).
      `SELECT min(t) AS at FROM (
         SELECT min(next_attempt_at) AS t FROM outbox_job WHERE queue = @queue AND status IN ('pending','retry_wait') AND next_attempt_at > @now
         UNION ALL SELECT min(lease_expires_at) FROM outbox_job WHERE queue = @queue AND status = 'running' AND lease_expires_at > @now)`,
    ),
    /** Holders of running jobs of a queue whose lease has not expired yet, other than this worker. */
    leaseHolders: db.prepare<{ queue: string; me: string; now: number }, { owner: string }>(
      // No DISTINCT (its temporary b-tree cost more than the query): the caller keeps a set.
      `SELECT lease_owner AS owner FROM outbox_job
        WHERE queue = @queue AND status = 'running' AND lease_expires_at > @now AND lease_owner IS NOT NULL AND lease_owner <> @me`,
    ),
    /** The holder is dead: its leases expire now, so the jobs are taken over (unknown outcome). */
    releaseLeasesOf: db.prepare<{ owner: string; now: number }>(
      `UPDATE outbox_job SET lease_expires_at = @now
        WHERE status = 'running' AND lease_owner = @owner AND lease_expires_at > @now`,
    ),
    /** Jobs not sent (yet): open ones and those waiting for a person, oldest first. */
    unsent: db.prepare<{ limit: number }, JobRow>(
      `SELECT * FROM outbox_job WHERE status IN ('pending','running','retry_wait','blocked','dead') ORDER BY id LIMIT @limit`,
    ),
    unsentCount: db.prepare<[], { n: number }>(
      `SELECT count(*) AS n FROM outbox_job WHERE status IN ('pending','running','retry_wait','blocked','dead')`,
    ),
    /** An earlier open job of the same queue and serialisation key holds this one back. */
    heldBack: db.prepare<{ id: number }, { id: number }>(
      `SELECT e.id FROM outbox_job j JOIN outbox_job e
          ON e.queue = j.queue AND e.serial_key = j.serial_key AND e.id < j.id AND e.status IN ${OPEN}
        WHERE j.id = @id LIMIT 1`,
    ),
    endpoints: db.prepare<[], EndpointRow>('SELECT * FROM outbox_endpoint ORDER BY endpoint'),
    endpointSuccess: db.prepare<{ endpoint: string; now: number }>(
      `INSERT INTO outbox_endpoint (endpoint, online, last_success_at) VALUES (@endpoint, 1, @now)
       ON CONFLICT (endpoint) DO UPDATE SET online = 1, last_success_at = @now`,
    ),
    endpointFailure: db.prepare<{ endpoint: string; now: number; code: string }>(
      `INSERT INTO outbox_endpoint (endpoint, online, last_failure_at, last_error_code) VALUES (@endpoint, 0, @now, @code)
       ON CONFLICT (endpoint) DO UPDATE SET online = 0, last_failure_at = @now, last_error_code = @code`,
    ),
    list(filter: { queue?: string; status?: JobStatus; patientId?: string; limit: number }): JobRow[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: filter.limit };
      if (filter.queue !== undefined) {
        where.push('queue = @queue');
        params.queue = filter.queue;
      }
      if (filter.status !== undefined) {
        where.push('status = @status');
        params.status = filter.status;
      }
      if (filter.patientId !== undefined) {
        where.push('patient_id = @patientId');
        params.patientId = filter.patientId;
      }
      // The clauses are fixed strings chosen above; values are bound parameters.
      const sql = `SELECT * FROM outbox_job ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
      return db.prepare<Record<string, unknown>, JobRow>(sql).all(params);
    },
  };
}
