import type { Db } from '../../platform/db';

/** The audit trail is append-only: triggers refuse any UPDATE or DELETE (ARCHITECTURE.md §4). */
export const auditMigrations = [
  {
    name: 'audit: append-only audit trail with hash chain',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE audit_log (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          at          TEXT    NOT NULL,
          actor       TEXT    NOT NULL,
          patient_ref TEXT,
          action      TEXT    NOT NULL,
          details     TEXT    NOT NULL,
          prev_hash   TEXT    NOT NULL,
          hash        TEXT    NOT NULL
        );
        CREATE INDEX audit_log_patient ON audit_log(patient_ref, id);
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
          BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      `);
    },
  },
] as const;

/**
 * After 0.1.0: the people known to this desk (card holders), so that the audit screen and the
 * identity history name them instead of showing an IdNat. A professional's name is not health data.
 */
export const auditMigrations2 = [
  {
    name: 'audit: people who acted on this desk (card holders)',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE audit_people (
          actor        TEXT PRIMARY KEY,
          display_name TEXT NOT NULL,
          card_type    TEXT,
          first_seen   TEXT NOT NULL,
          last_seen    TEXT NOT NULL
        );
      `);
    },
  },
] as const;
