import type { Db } from '../../platform/db';

/**
 * Tables of the ordonnance numérique (appended after the 0.1.0 steps, electron/host/migrations.ts):
 * - `erx_prescription`: prescriptions written here (the validated content, its PDF and eP-MED-DM),
 *   never deleted; its registration job and DMP copy are outbox jobs;
 * - `erx_received`: prescriptions fetched from the base by a pharmacist (the document as the base
 *   gave it, the status and the executions it reported), the local copy a dispensation starts from;
 * - `erx_dispensation`: dispensations recorded here, their execution job and optional eDISP-MED;
 * - `drug_*`: the drug list (BDPM), replaced as a whole by each import, with an FTS5 index of the
 *   folded words of names and substances (search as fast as the patient search).
 * Environment partitioning follows the patient base: demo and test prescriptions never mix with
 * production ones. Drug data is public reference data, not partitioned.
 */
export const eprescriptionMigrations: Array<{ name: string; up(db: Db): void }> = [
  {
    name: 'eprescription: prescriptions, received prescriptions, dispensations, drug list (BDPM) with FTS5',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE erx_prescription (
          number          TEXT PRIMARY KEY,
          environment     TEXT NOT NULL CHECK (environment IN ('demo', 'test', 'production')),
          patient_id      TEXT NOT NULL,
          created_at      TEXT NOT NULL,
          actor           TEXT NOT NULL,
          content         TEXT NOT NULL,
          cda_id          TEXT NOT NULL,
          cda             BLOB NOT NULL,
          pdf             BLOB NOT NULL,
          register_job_id TEXT,
          dmp_unique_id   TEXT,
          dmp_skipped     TEXT,
          registered_at   TEXT,
          base_status     TEXT,
          printed_at      TEXT
        );
        CREATE INDEX erx_prescription_patient ON erx_prescription(environment, patient_id, created_at);

        CREATE TABLE erx_received (
          number       TEXT NOT NULL,
          environment  TEXT NOT NULL CHECK (environment IN ('demo', 'test', 'production')),
          fetched_at   TEXT NOT NULL,
          status       TEXT NOT NULL,
          document     BLOB NOT NULL,
          executions   TEXT NOT NULL,
          PRIMARY KEY (environment, number)
        );

        CREATE TABLE erx_dispensation (
          id              TEXT PRIMARY KEY,
          number          TEXT NOT NULL,
          environment     TEXT NOT NULL CHECK (environment IN ('demo', 'test', 'production')),
          recorded_at     TEXT NOT NULL,
          actor           TEXT NOT NULL,
          pharmacist      TEXT NOT NULL,
          completeness    TEXT NOT NULL CHECK (completeness IN ('FFC', 'FFP', 'RFC', 'RFP')),
          lines           TEXT NOT NULL,
          patient_id      TEXT,
          execution_job_id TEXT,
          executed_at     TEXT,
          edisp_unique_id TEXT,
          edisp_skipped   TEXT
        );
        CREATE INDEX erx_dispensation_number ON erx_dispensation(environment, number, recorded_at);

        CREATE TABLE drug_specialty (
          cis            TEXT PRIMARY KEY,
          name           TEXT NOT NULL,
          sort_name      TEXT NOT NULL,
          form           TEXT NOT NULL,
          routes         TEXT NOT NULL,
          amm_status     TEXT NOT NULL,
          commercialised INTEGER NOT NULL,
          holder         TEXT NOT NULL,
          generic_group  TEXT,
          generic_label  TEXT,
          generic_type   INTEGER
        );
        CREATE INDEX drug_specialty_order ON drug_specialty(commercialised DESC, sort_name);
        CREATE INDEX drug_specialty_group ON drug_specialty(generic_group);

        CREATE TABLE drug_presentation (
          cip13          TEXT PRIMARY KEY,
          cip7           TEXT NOT NULL,
          cis            TEXT NOT NULL,
          label          TEXT NOT NULL,
          status         TEXT NOT NULL,
          commercialised INTEGER NOT NULL,
          reimbursement  TEXT NOT NULL
        );
        CREATE INDEX drug_presentation_cis ON drug_presentation(cis);
        CREATE INDEX drug_presentation_cip7 ON drug_presentation(cip7);

        CREATE TABLE drug_substance (
          cis       TEXT NOT NULL,
          code      TEXT NOT NULL,
          name      TEXT NOT NULL,
          dosage    TEXT NOT NULL,
          nature    TEXT NOT NULL
        );
        CREATE INDEX drug_substance_cis ON drug_substance(cis);

        -- rowid = drug_specialty.rowid; words folded by drugs/fold.ts.
        CREATE VIRTUAL TABLE drug_fts USING fts5(words, tokenize = 'unicode61', detail = 'column', prefix = '2 3 4');

        CREATE TABLE drug_list (
          id           INTEGER PRIMARY KEY CHECK (id = 1),
          imported_at  TEXT NOT NULL,
          actor        TEXT NOT NULL,
          source       TEXT NOT NULL,
          specialties  INTEGER NOT NULL,
          presentations INTEGER NOT NULL,
          compositions INTEGER NOT NULL,
          groups       INTEGER NOT NULL,
          rejected     TEXT NOT NULL
        );
      `);
    },
  },
];
