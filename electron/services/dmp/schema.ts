import type { Db } from '../../platform/db';

/**
 * Tables of the DMP service:
 * - `dmp_patient_state`: last TD0.2 answer and `dateAppelDMP` (last documents call, UTC) per
 *   patient — the "sans clic" procedure searches only what changed since then (ANS "Exemples
 *   d'usages DMP", dmp.md §6);
 * - `dmp_documents`: the local list of DMP document entries (`localDocumentsDMP{entryUUID,
 *   logicalId, uniqueId}`), deduplicated by uniqueId, with when Pupitre first saw each one (the
 *   "nouveau" badge until the user opens the list);
 * - `dmp_outgoing`: documents to send, stored with their metadata in the same transaction as their
 *   outbox job (ARCHITECTURE.md §5). Never deleted: the history of what was sent stays.
 */
export const dmpMigrations: Array<{ name: string; up(db: Db): void }> = [
  {
    name: 'dmp: patient state, document list, outgoing documents',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE dmp_patient_state (
          patient_id   TEXT PRIMARY KEY,
          status_json  TEXT,
          checked_at   TEXT,
          last_call_at TEXT
        );

        CREATE TABLE dmp_documents (
          patient_id     TEXT NOT NULL,
          unique_id      TEXT NOT NULL,
          entry_uuid     TEXT NOT NULL,
          logical_id     TEXT NOT NULL,
          entry_json     TEXT NOT NULL,
          first_seen_at  TEXT NOT NULL,
          updated_at     TEXT NOT NULL,
          seen           INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (patient_id, unique_id)
        );
        CREATE INDEX dmp_documents_logical ON dmp_documents (patient_id, logical_id);

        CREATE TABLE dmp_outgoing (
          unique_id     TEXT PRIMARY KEY,
          patient_id    TEXT NOT NULL,
          created_at    TEXT NOT NULL,
          actor         TEXT NOT NULL,
          metadata_json TEXT NOT NULL,
          replaces      TEXT,
          job_id        TEXT,
          sent_at       TEXT
        );
        CREATE INDEX dmp_outgoing_patient ON dmp_outgoing (patient_id, created_at);

        -- The document bytes apart: updating a row rewrites it whole, blob included (SQLite file
        -- format §2.3), so the state columns above stay cheap to change.
        CREATE TABLE dmp_outgoing_content (
          unique_id TEXT PRIMARY KEY REFERENCES dmp_outgoing (unique_id),
          content   BLOB NOT NULL
        );
      `);
    },
  },
];

/**
 * Issue 15 (bulk sending):
 * - `canonical_digest`: `sha256:<base64>` of the document's Canonical XML form, computed once when
 *   it was queued (a CDA built by Pupitre is written canonical): the XAdES manifest uses it as is;
 * - `dmp_outgoing_file`: documents queued from now on are kept in sealed files beside the database
 *   (platform/db/sealed-files.ts), each under its own key kept here. `dmp_outgoing_content` keeps
 *   the documents queued before, and those of a service given no folder.
 */
export const dmpMigrations2: Array<{ name: string; up(db: Db): void }> = [
  {
    name: 'dmp: canonical digest and sealed files of outgoing documents',
    up(db: Db): void {
      db.exec(`
        ALTER TABLE dmp_outgoing ADD COLUMN canonical_digest TEXT;
        CREATE TABLE dmp_outgoing_file (
          unique_id TEXT PRIMARY KEY REFERENCES dmp_outgoing (unique_id),
          file      TEXT NOT NULL UNIQUE,
          file_key  BLOB NOT NULL,
          size      INTEGER NOT NULL
        );
      `);
    },
  },
];

/**
 * Identity safety: the list kept here is the DMP of one INS. `ins_key` (matricule|OID, see
 * patients/qualified-ins.ts) says which; the patients service drops the list when the record's
 * qualified INS changes. Lists kept before this step have no `ins_key`: they are not shown, and the
 * next opening searches again from the start (the documents found again keep their « vu » marks).
 */
export const dmpMigrations3: Array<{ name: string; up(db: Db): void }> = [
  {
    name: 'dmp: the INS the local document list was fetched under',
    up(db: Db): void {
      db.exec('ALTER TABLE dmp_patient_state ADD COLUMN ins_key TEXT');
    },
  },
];
