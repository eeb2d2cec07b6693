import type { Db } from '../../platform/db';

/**
 * Outbox tables (ARCHITECTURE.md §5). Times are milliseconds since the epoch so that "due" and
 * "lease expired" are integer comparisons; views turn them into ISO strings. Jobs are never
 * deleted: done and cancelled jobs stay as history (ARCHITECTURE.md §4).
 */
export const outboxMigrations = [
  {
    name: 'outbox: durable jobs, attempt history and endpoint health',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE outbox_job (
          id                 INTEGER PRIMARY KEY AUTOINCREMENT,
          queue              TEXT    NOT NULL,
          idempotency_key    TEXT    NOT NULL,
          serial_key         TEXT,
          payload            TEXT    NOT NULL,
          subject            TEXT    NOT NULL,
          patient_id         TEXT,
          status             TEXT    NOT NULL CHECK (status IN
                               ('pending','running','retry_wait','blocked','done','dead','cancelled')),
          attempts           INTEGER NOT NULL DEFAULT 0,
          next_attempt_at    INTEGER,
          first_attempt_at   INTEGER,
          lease_owner        TEXT,
          lease_expires_at   INTEGER,
          lease_token        INTEGER NOT NULL DEFAULT 0,
          last_error_code    TEXT,
          last_error_message TEXT,
          outcome_unknown    INTEGER NOT NULL DEFAULT 0,
          blocked_reason     TEXT,
          created_at         INTEGER NOT NULL,
          updated_at         INTEGER NOT NULL,
          UNIQUE (queue, idempotency_key)
        );
        CREATE INDEX outbox_job_due ON outbox_job(queue, status, next_attempt_at);
        CREATE INDEX outbox_job_serial ON outbox_job(queue, serial_key, id) WHERE serial_key IS NOT NULL;
        CREATE INDEX outbox_job_patient ON outbox_job(patient_id) WHERE patient_id IS NOT NULL;

        CREATE TABLE outbox_attempt (
          job_id      INTEGER NOT NULL REFERENCES outbox_job(id),
          lease_token INTEGER NOT NULL,
          attempt     INTEGER NOT NULL,
          worker      TEXT    NOT NULL,
          started_at  INTEGER NOT NULL,
          ended_at    INTEGER,
          outcome     TEXT,
          error_code  TEXT,
          PRIMARY KEY (job_id, lease_token)
        ) WITHOUT ROWID;

        CREATE TABLE outbox_endpoint (
          endpoint        TEXT PRIMARY KEY,
          online          INTEGER NOT NULL,
          last_success_at INTEGER,
          last_failure_at INTEGER,
          last_error_code TEXT
        );
      `);
    },
  },
] as const;

/**
 * After 0.1.0 (issue 15): the retention purge's run in progress. Each batch commits its deletions
 * and the counts so far together, so a purge stopped by a crash is resumed, and audited once, by
 * the next run (services/outbox/retention.ts). No new index on jobs: every commit of a job would
 * write one more page (and fsync it); the engine's and the purge's queries search the existing
 * index outbox_job_due (queue, status, time) queue by queue instead.
 */
export const outboxMigrations2 = [
  {
    name: 'outbox: retention purge in progress',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE outbox_purge_run (
          id          INTEGER PRIMARY KEY CHECK (id = 1),
          started_at  INTEGER NOT NULL,
          cutoff      INTEGER NOT NULL,
          jobs        INTEGER NOT NULL,
          attempts    INTEGER NOT NULL
        );
      `);
    },
  },
] as const;
