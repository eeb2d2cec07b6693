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

/**
 * After 0.1.0 (issue 15): fewer pages written, and fsynced, per job. A job's commits wrote the job
 * row, its indexes, `sqlite_sequence` (AUTOINCREMENT) and an attempt row at the claim and again at
 * the ending; each page is encrypted and flushed, which made most of a job's latency.
 *
 * - Each job row carries its latest attempt (`attempt_*`; its lease token is the job's); a claim
 *   moves the previous one into `outbox_attempt` (as `interrupted` when it never ended: a crash)
 *   before starting the next. A job done at its first attempt writes no attempt row at all.
 *   `outbox_attempt_log` shows the whole history (the rows and each job's latest attempt).
 * - Ids without AUTOINCREMENT: a new id is above both the largest id present and
 *   `outbox_id_floor.last_id`, which the retention purge raises to every id it deletes (and which
 *   starts at the old `sqlite_sequence` value): an id is still never given twice, so a domain row
 *   can never point to another job after a purge.
 *
 * The table is rebuilt (SQLite cannot drop AUTOINCREMENT in place); ids, rows and attempts are
 * copied as they are. `outbox_attempt` is rebuilt too, so that its foreign key follows the new table
 * inside this transaction (foreign keys stay on).
 */
export const outboxMigrations3 = [
  {
    name: 'outbox: latest attempt in the job row, ids kept unique without sqlite_sequence',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE outbox_id_floor (
          id       INTEGER PRIMARY KEY CHECK (id = 1),
          last_id  INTEGER NOT NULL
        );
        INSERT INTO outbox_id_floor (id, last_id)
          VALUES (1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox_job'), 0));

        CREATE TABLE outbox_job_v3 (
          id                 INTEGER PRIMARY KEY,
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
          attempt_number     INTEGER,
          attempt_worker     TEXT,
          attempt_started_at INTEGER,
          attempt_ended_at   INTEGER,
          attempt_outcome    TEXT,
          attempt_error_code TEXT,
          UNIQUE (queue, idempotency_key)
        );
        INSERT INTO outbox_job_v3 (id, queue, idempotency_key, serial_key, payload, subject, patient_id, status, attempts,
                                   next_attempt_at, first_attempt_at, lease_owner, lease_expires_at, lease_token,
                                   last_error_code, last_error_message, outcome_unknown, blocked_reason, created_at, updated_at)
          SELECT id, queue, idempotency_key, serial_key, payload, subject, patient_id, status, attempts,
                 next_attempt_at, first_attempt_at, lease_owner, lease_expires_at, lease_token,
                 last_error_code, last_error_message, outcome_unknown, blocked_reason, created_at, updated_at
            FROM outbox_job;

        CREATE TABLE outbox_attempt_v3 (
          job_id      INTEGER NOT NULL REFERENCES outbox_job_v3(id),
          lease_token INTEGER NOT NULL,
          attempt     INTEGER NOT NULL,
          worker      TEXT    NOT NULL,
          started_at  INTEGER NOT NULL,
          ended_at    INTEGER,
          outcome     TEXT,
          error_code  TEXT,
          PRIMARY KEY (job_id, lease_token)
        ) WITHOUT ROWID;
        INSERT INTO outbox_attempt_v3 SELECT job_id, lease_token, attempt, worker, started_at, ended_at, outcome, error_code FROM outbox_attempt;

        DROP TABLE outbox_attempt;
        DROP TABLE outbox_job;
        ALTER TABLE outbox_job_v3 RENAME TO outbox_job;
        ALTER TABLE outbox_attempt_v3 RENAME TO outbox_attempt;
        CREATE INDEX outbox_job_due ON outbox_job(queue, status, next_attempt_at);
        CREATE INDEX outbox_job_serial ON outbox_job(queue, serial_key, id) WHERE serial_key IS NOT NULL;
        CREATE INDEX outbox_job_patient ON outbox_job(patient_id) WHERE patient_id IS NOT NULL;

        CREATE VIEW outbox_attempt_log AS
          SELECT job_id, lease_token, attempt, worker, started_at, ended_at, outcome, error_code FROM outbox_attempt
          UNION ALL
          SELECT id, lease_token, attempt_number, attempt_worker, attempt_started_at, attempt_ended_at, attempt_outcome, attempt_error_code
            FROM outbox_job WHERE attempt_started_at IS NOT NULL;
      `);
    },
  },
] as const;

/** Every outbox step in order, for tests and tools that build a base with the outbox alone. */
export const outboxSchema = [...outboxMigrations, ...outboxMigrations2, ...outboxMigrations3] as const;
