/**
 * Retention of the outbox's technical history (issue 15). A `done` job keeps a copy of its
 * payload and its attempt log; what the law asks to keep lives in each domain's own tables, never
 * here: the DMP sendings (`dmp_outgoing`, with their sent date), the prescriptions and
 * dispensations (`erx_*`, with their registration and execution dates), the billing lots and their
 * acknowledgements (`billing_*`, purged by billing itself 90 days after the ARL). So once a job is
 * done and older than the retention period (Paramètres, default 30 days), its row and its attempts
 * go. Nothing else is ever purged: pending, running, waiting, blocked, dead and cancelled jobs stay
 * until a person or the engine settles them. A purged id is never given to a new job
 * (`outbox_id_floor`, raised in the same transaction), so a domain row keeping a job id can
 * never be taken for another job.
 *
 * The purge runs in small batches, each its own transaction, yielding to the event loop between
 * them, so the desk keeps answering (bench/outbox.bench.ts measures the longest block). Each batch
 * commits its deletions together with the counts so far (`outbox_purge_run`): a purge stopped by a
 * crash or a shutdown leaves whole jobs (a job and its attempts go together) and is resumed by the
 * next run, which writes the single audit entry with the counts of both. The host runs it in its
 * worker thread (own connection: the commits and WAL checkpoints of the purge never block the
 * desk's event loop), a few batches per task so that other tasks of that thread take turns.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { OUTBOX_RETENTION_DAYS } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import type { AuditWriter } from '../audit';

/**
 * Default one month: long enough for support to read what happened to a sending, short enough to
 * keep the base small. At least a week (the File d'envoi must not forget a sending before anyone
 * looks at it, and an idempotency key is honoured at least that long); at most ten years.
 */
export const DEFAULT_RETENTION_DAYS: number = OUTBOX_RETENTION_DAYS.default;
export const MIN_RETENTION_DAYS: number = OUTBOX_RETENTION_DAYS.min;
export const MAX_RETENTION_DAYS: number = OUTBOX_RETENTION_DAYS.max;
export const DEFAULT_PURGE_BATCH = 200;
/** Who the audit trail names for the automatic purge. */
export const RETENTION_ACTOR = 'Pupitre (conservation automatique)';

const DAY_MS = 86_400_000;

export interface PurgeReport {
  /** Done jobs deleted by this run, with those of an interrupted run it resumed. */
  jobs: number;
  attempts: number;
  /** Jobs done before this moment were purged. */
  cutoff: string;
  batches: number;
  /** When the run began (earlier than this call when it resumes a run stopped mid-way). */
  startedAt: string;
  /** False when stopped (shutdown, `maxBatches`) before the end: the next call goes on and audits the whole. */
  finished: boolean;
}

export interface PurgeDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
}

export interface PurgeOptions {
  retentionDays: number;
  batchSize?: number;
  signal?: AbortSignal;
  /** At most this many batches in this call (a worker thread shared with other tasks takes turns). */
  maxBatches?: number;
  /** Between two batches; defaults to one turn of the event loop. */
  pause?: () => Promise<void>;
}

interface ProgressRow {
  started_at: number;
  cutoff: number;
  jobs: number;
  attempts: number;
}

export function retentionStatements(db: Db) {
  return {
    progress: db.prepare<[], ProgressRow>('SELECT started_at, cutoff, jobs, attempts FROM outbox_purge_run WHERE id = 1'),
    saveProgress: db.prepare<{ startedAt: number; cutoff: number; jobs: number; attempts: number }>(
      `INSERT INTO outbox_purge_run (id, started_at, cutoff, jobs, attempts) VALUES (1, @startedAt, @cutoff, @jobs, @attempts)
       ON CONFLICT (id) DO UPDATE SET cutoff = @cutoff, jobs = @jobs, attempts = @attempts`,
    ),
    clearProgress: db.prepare('DELETE FROM outbox_purge_run WHERE id = 1'),
    /**
     * Done jobs past the cutoff, queue by queue, oldest first: the queues are found by skipping
     * through the unique index (queue, idempotency key), and each queue's done jobs are a range of
     * outbox_job_due (queue, 'done', NULL, id), where the oldest come first.
     */
    expired: db.prepare<{ cutoff: number; limit: number }, { id: number }>(
      `WITH RECURSIVE queues(name) AS (
         SELECT min(queue) FROM outbox_job
         UNION ALL SELECT (SELECT min(queue) FROM outbox_job WHERE queue > queues.name) FROM queues WHERE queues.name IS NOT NULL)
       SELECT j.id FROM queues JOIN outbox_job j ON j.queue = queues.name AND j.status = 'done'
        WHERE j.updated_at < @cutoff
        LIMIT @limit`,
    ),
    deleteAttempts: db.prepare<{ ids: string }>(
      `DELETE FROM outbox_attempt WHERE job_id IN (SELECT value FROM json_each(@ids))`,
    ),
    /** Each job deleted, and whether its row carried its latest attempt (outboxMigrations3). */
    deleteJobs: db.prepare<{ ids: string }, { attempt: number }>(
      `DELETE FROM outbox_job WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'done'
       RETURNING attempt_started_at IS NOT NULL AS attempt`,
    ),
    /** No id is given again once deleted: new ids start above this floor (store.ts). */
    raiseIdFloor: db.prepare<{ ids: string }>(
      `UPDATE outbox_id_floor SET last_id = max(last_id, (SELECT coalesce(max(value), 0) FROM json_each(@ids))) WHERE id = 1`,
    ),
  };
}

export function checkRetentionDays(days: number): void {
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
    throw new RangeError(`outbox retention must be ${MIN_RETENTION_DAYS}–${MAX_RETENTION_DAYS} days, got ${days}`);
  }
}

/** Deletes done jobs older than the retention period and their attempts, batch by batch. */
export async function purgeDoneJobs(deps: PurgeDeps, options: PurgeOptions): Promise<PurgeReport> {
  checkRetentionDays(options.retentionDays);
  const sql = retentionStatements(deps.db);
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_PURGE_BATCH);
  const pause = options.pause ?? (() => yieldToLoop());
  const now = deps.clock.now();
  const cutoff = now - options.retentionDays * DAY_MS;
  const previous = sql.progress.get();
  const startedAt = previous?.started_at ?? now;
  let jobs = previous?.jobs ?? 0;
  let attempts = previous?.attempts ?? 0;
  let batches = 0;
  const report = (finished: boolean): PurgeReport => ({
    jobs,
    attempts,
    cutoff: new Date(cutoff).toISOString(),
    batches,
    startedAt: new Date(startedAt).toISOString(),
    finished,
  });

  for (;;) {
    if (options.signal?.aborted === true || batches >= (options.maxBatches ?? Infinity)) return report(false);
    // Totals after this batch; kept only once it has committed.
    const after = deps.db
      .transaction((): { jobs: number; attempts: number } | null => {
        const ids = sql.expired.all({ cutoff, limit: batchSize }).map((row) => row.id);
        if (ids.length === 0) {
          // The end of the run: the audit entry and the end of the progress row commit together.
          if (jobs > 0) {
            deps.audit({
              actor: RETENTION_ACTOR,
              patientRef: null,
              action: 'outbox.purge',
              details: { jobs, attempts, retentionDays: options.retentionDays, doneBefore: new Date(cutoff).toISOString(), startedAt: new Date(startedAt).toISOString() },
            });
          }
          sql.clearProgress.run();
          return null;
        }
        const list = JSON.stringify(ids);
        const archived = sql.deleteAttempts.run({ ids: list }).changes;
        const deleted = sql.deleteJobs.all({ ids: list });
        sql.raiseIdFloor.run({ ids: list });
        const latest = deleted.filter((row) => row.attempt === 1).length;
        const totals = { attempts: attempts + archived + latest, jobs: jobs + deleted.length };
        sql.saveProgress.run({ startedAt, cutoff, ...totals });
        return totals;
      })
      .immediate();
    if (after === null) break;
    ({ jobs, attempts } = after);
    // The batch's pages are copied into the base by this connection now, a batch at a time: left
    // to the automatic checkpoint, a commit of the desk would copy the purge's whole WAL at once.
    deps.db.pragma('wal_checkpoint(PASSIVE)');
    batches += 1;
    if (batches < (options.maxBatches ?? Infinity)) await pause();
  }
  if (jobs > 0) deps.logger.info('outbox.purged', { jobs, attempts, batches, retentionDays: options.retentionDays });
  return report(true);
}
