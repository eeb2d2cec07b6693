/**
 * Billing tables (owned by services/billing). Times are epoch milliseconds; civil dates (care,
 * deadlines, sending day) are `YYYY-MM-DD` in Europe/Paris. Nothing is deleted: a cancelled
 * invoice and an abandoned number stay as rows; the 90-day purge empties the electronic double
 * (`encoded`, signatures, return payloads) and keeps the accounting row (ARCHITECTURE.md §4).
 *
 * - `billing_counter`: the last invoice and lot number given per practitioner (billing number);
 *   bumped in the same transaction as the row that uses it, so a number is never given twice.
 * - `billing_invoice.state`: `reserved` (number taken, signature running), `validated` (signed
 *   and stored), `abandoned` (a reservation whose process died: the number is not reused),
 *   `cancelled` (before any lot). Where an invoice stands in transmission comes from its lot.
 * - `billing_emission`: each transmission of a lot (1 = émission, 2 = réémission) with its outbox
 *   job and its ARL.
 * - `billing_return`: acknowledgements and payment returns as fetched, keyed by the remote id so
 *   that fetching twice changes nothing.
 */
import type { Db } from '../../platform/db';

export const billingMigrations = [
  {
    name: 'billing: sessions, invoices with per-practitioner numbering, lots, emissions, returns',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE billing_counter (
          practitioner TEXT    NOT NULL,
          kind         TEXT    NOT NULL CHECK (kind IN ('invoice', 'lot')),
          last         INTEGER NOT NULL,
          PRIMARY KEY (practitioner, kind)
        ) WITHOUT ROWID;

        CREATE TABLE billing_session (
          id                TEXT    PRIMARY KEY,
          practitioner      TEXT    NOT NULL,
          id_nat            TEXT    NOT NULL,
          practitioner_name TEXT    NOT NULL,
          specialty         TEXT    NOT NULL,
          convention_sector TEXT    NOT NULL,
          mode              TEXT    NOT NULL CHECK (mode IN ('online', 'offline')),
          place             TEXT    NOT NULL CHECK (place IN ('cabinet', 'domicile', 'centre')),
          status            TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
          session_date      TEXT    NOT NULL,
          opened_at         INTEGER NOT NULL,
          closed_at         INTEGER
        );
        CREATE UNIQUE INDEX billing_session_one_open ON billing_session(id_nat) WHERE status = 'open';
        CREATE INDEX billing_session_opened ON billing_session(opened_at);

        CREATE TABLE billing_lot (
          id             TEXT    PRIMARY KEY,
          practitioner   TEXT    NOT NULL,
          number         INTEGER NOT NULL,
          session_id     TEXT    REFERENCES billing_session(id),
          regime         TEXT    NOT NULL,
          caisse         TEXT    NOT NULL,
          centre         TEXT    NOT NULL,
          kind           TEXT    NOT NULL CHECK (kind IN ('fse', 'fse-degradee')),
          state          TEXT    NOT NULL CHECK (state IN ('to_send', 'sent', 'acknowledged', 'refused', 'resent', 'paper_duplicate')),
          invoice_count  INTEGER NOT NULL,
          total_cents    INTEGER NOT NULL,
          deadline       TEXT    NOT NULL,
          created_at     INTEGER NOT NULL,
          first_sent_on  TEXT,
          acknowledged_on TEXT,
          updated_at     INTEGER NOT NULL,
          UNIQUE (practitioner, number)
        );
        CREATE INDEX billing_lot_state ON billing_lot(state);

        CREATE TABLE billing_invoice (
          id                TEXT    PRIMARY KEY,
          practitioner      TEXT    NOT NULL,
          number            INTEGER NOT NULL,
          session_id        TEXT    NOT NULL REFERENCES billing_session(id),
          state             TEXT    NOT NULL CHECK (state IN ('reserved', 'abandoned', 'validated', 'cancelled')),
          reserved_at       INTEGER NOT NULL,
          reserved_by       TEXT    NOT NULL,
          created_at        INTEGER,
          patient_id        TEXT,
          care_date         TEXT,
          first_care_date   TEXT,
          securing          TEXT CHECK (securing IN ('vitale', 'apcv', 'degradee')),
          mode              TEXT CHECK (mode IN ('direct', 'tiers-payant')),
          coverage          TEXT,
          kind              TEXT CHECK (kind IN ('fse', 'fse-degradee')),
          regime            TEXT,
          caisse            TEXT,
          centre            TEXT,
          deadline          TEXT,
          total_cents       INTEGER,
          amo_cents         INTEGER,
          patient_cents     INTEGER,
          content           TEXT,
          encoded           BLOB,
          encoding          TEXT,
          cps_signature     BLOB,
          cps_certificate   TEXT,
          vitale_signature  BLOB,
          vitale_kind       TEXT,
          lot_id            TEXT REFERENCES billing_lot(id),
          paper_duplicate_at      INTEGER,
          paper_duplicate_sent_at INTEGER,
          payment_status    TEXT CHECK (payment_status IN ('P', 'C', 'R', 'A')),
          payment_label     TEXT,
          payment_cents     INTEGER,
          payment_at        INTEGER,
          retention_until   TEXT,
          purged_at         INTEGER,
          UNIQUE (practitioner, number)
        );
        CREATE INDEX billing_invoice_session ON billing_invoice(session_id, number);
        CREATE INDEX billing_invoice_lot ON billing_invoice(lot_id);
        CREATE INDEX billing_invoice_unlotted ON billing_invoice(session_id) WHERE state = 'validated' AND lot_id IS NULL;

        CREATE TABLE billing_emission (
          lot_id        TEXT    NOT NULL REFERENCES billing_lot(id),
          emission      INTEGER NOT NULL CHECK (emission IN (1, 2)),
          job_id        TEXT,
          queued_at     INTEGER NOT NULL,
          sent_at       INTEGER,
          sent_on       TEXT,
          arl_positive  INTEGER,
          arl_at        INTEGER,
          arl_label     TEXT,
          arl_return_id TEXT,
          PRIMARY KEY (lot_id, emission)
        ) WITHOUT ROWID;

        CREATE TABLE billing_return (
          id             TEXT    PRIMARY KEY,
          practitioner   TEXT    NOT NULL,
          kind           TEXT    NOT NULL CHECK (kind IN ('arl', 'payment', 'unreadable')),
          lot_number     INTEGER,
          invoice_number INTEGER,
          received_at    INTEGER NOT NULL,
          payload        TEXT,
          matched        INTEGER NOT NULL,
          retention_until TEXT,
          purged_at      INTEGER
        );

        CREATE TABLE billing_mailbox (
          practitioner TEXT PRIMARY KEY,
          cursor       TEXT,
          fetched_at   INTEGER,
          error_code   TEXT
        );
      `);
    },
  },
] as const;
