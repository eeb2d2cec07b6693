import type { Db } from '../../platform/db';

/**
 * Tables of the local patient base. Strict traits are stored in their INSi lexical form, used
 * traits as typed; `search_terms` feeds the FTS5 index (folded A–Z words); `patient_terms` is the
 * vocabulary of those words with a trigram index, for tolerant matching. The identity history is
 * append-only, like the audit trail (ARCHITECTURE.md §4: nothing is deleted silently).
 */
export const patientsMigrations: Array<{ name: string; up(db: Db): void }> = [
  {
    name: 'patients: identities, identity status history, imports, FTS5 search index',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE patient_imports (
          id             INTEGER PRIMARY KEY AUTOINCREMENT,
          environment    TEXT    NOT NULL,
          fingerprint    TEXT    NOT NULL,
          imported_at    TEXT    NOT NULL,
          actor          TEXT    NOT NULL,
          encoding       TEXT    NOT NULL,
          separator      TEXT    NOT NULL,
          mapping        TEXT    NOT NULL,
          line_count     INTEGER NOT NULL,
          created_count  INTEGER NOT NULL,
          existing_count INTEGER NOT NULL,
          UNIQUE (environment, fingerprint)
        );

        CREATE TABLE patients (
          seq                  INTEGER PRIMARY KEY,
          id                   TEXT    NOT NULL UNIQUE,
          -- démo / test / production at creation: each environment sees only its own patients, so
          -- test and demo identities never mix with production (even in one database file).
          environment          TEXT    NOT NULL CHECK (environment IN ('demo', 'test', 'production')),
          version              INTEGER NOT NULL DEFAULT 1,
          created_at           TEXT    NOT NULL,
          updated_at           TEXT    NOT NULL,
          birth_name           TEXT    NOT NULL,
          birth_given_names    TEXT    NOT NULL,
          first_given_name     TEXT    NOT NULL,
          birth_year           INTEGER NOT NULL,
          birth_month          INTEGER,
          birth_day            INTEGER,
          birth_date           TEXT    NOT NULL,
          birth_date_estimated INTEGER NOT NULL,
          sex                  TEXT    NOT NULL CHECK (sex IN ('M', 'F')),
          birth_place_code     TEXT,
          used_name            TEXT,
          used_given_name      TEXT,
          identity_status      TEXT    NOT NULL CHECK (identity_status IN ('PROV', 'RECUP', 'VALI', 'QUAL')),
          attr_homonyme        INTEGER NOT NULL DEFAULT 0,
          attr_douteuse        INTEGER NOT NULL DEFAULT 0,
          attr_fictive         INTEGER NOT NULL DEFAULT 0,
          ins_matricule        TEXT,
          ins_oid              TEXT,
          ins_nir              TEXT GENERATED ALWAYS AS (substr(ins_matricule, 1, 13)) VIRTUAL,
          insi_confirmed_at    TEXT,
          document_check       TEXT,
          declared_nir         TEXT,
          external_id          TEXT,
          strict_key           TEXT    NOT NULL,
          sort_name            TEXT    NOT NULL,
          import_id            INTEGER REFERENCES patient_imports(id)
        );
        CREATE INDEX patients_strict_key ON patients(environment, strict_key);
        CREATE INDEX patients_birth_date ON patients(environment, birth_date, sort_name);
        CREATE INDEX patients_birth_year ON patients(environment, birth_year, sort_name);
        CREATE INDEX patients_ins_nir ON patients(environment, ins_nir);
        CREATE INDEX patients_declared_nir ON patients(environment, declared_nir);
        CREATE INDEX patients_external_id ON patients(environment, external_id);
        -- Covering the search summary: a search walking names in order reads this index only.
        CREATE INDEX patients_sort_name ON patients(environment, sort_name, seq, id, birth_name, used_name, first_given_name,
          used_given_name, birth_year, birth_month, birth_day, birth_date, birth_date_estimated, sex, identity_status,
          attr_homonyme, attr_douteuse, attr_fictive);

        CREATE TABLE patient_identity_history (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          patient_id  TEXT    NOT NULL REFERENCES patients(id),
          at          TEXT    NOT NULL,
          actor       TEXT    NOT NULL,
          event       TEXT    NOT NULL,
          from_status TEXT    NOT NULL,
          to_status   TEXT    NOT NULL,
          details     TEXT    NOT NULL
        );
        CREATE INDEX patient_identity_history_patient ON patient_identity_history(patient_id, id);
        CREATE TRIGGER patient_identity_history_no_update BEFORE UPDATE ON patient_identity_history
          BEGIN SELECT RAISE(ABORT, 'patient_identity_history is append-only'); END;
        CREATE TRIGGER patient_identity_history_no_delete BEFORE DELETE ON patient_identity_history
          BEGIN SELECT RAISE(ABORT, 'patient_identity_history is append-only'); END;
        CREATE TRIGGER patients_no_delete BEFORE DELETE ON patients
          BEGIN SELECT RAISE(ABORT, 'patients are never deleted'); END;

        -- One row per patient (rowid = patients.seq): folded words of the birth and used names and
        -- first names, plus the joined form of compound words (D'ARTAGNAN → D ARTAGNAN DARTAGNAN).
        -- Query words match as prefixes, served by the 2- and 3-letter prefix indexes.
        CREATE VIRTUAL TABLE patients_fts USING fts5(terms, tokenize = 'ascii', prefix = '2 3', detail = 'none');

        -- Vocabulary of those words, for tolerant matching: each word with its delete-neighbourhood
        -- (the word minus one letter, every way), so that a word one typo away (substitution,
        -- insertion, deletion, transposition) shares a token with it; and its trigrams, for two
        -- typos in long words.
        CREATE TABLE patient_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
        CREATE VIRTUAL TABLE patient_terms_fts USING fts5(term, neighbours, tokenize = 'ascii', detail = 'column');
        CREATE VIRTUAL TABLE patient_terms_trigram USING fts5(term, tokenize = 'trigram', detail = 'none');
      `);
    },
  },
];

/**
 * After 0.1.0 (issue 13, identity safety):
 * - one INS, one patient: a unique index on (environment, INS) — test/demo/production keep their
 *   own spaces. Records that already share an INS keep it on one record only: the one qualified
 *   first (QUAL, then the earliest INSi confirmation, then the oldest record); the others lose the
 *   INS and the INSi confirmation (their status goes down: VALI if a high-trust document was
 *   checked, else PROV), with an entry in their identity history, and each pair is listed as a
 *   « doublon potentiel » for a person to merge or to mark as distinct. Nothing is deleted.
 * - merged records stay (never deleted) with the record they were merged into;
 * - probable duplicates (same INS, or alike by name, first names, birth date and sex) and the pairs
 *   a person declared distinct, so that they are not proposed again.
 */
export const patientsMigrations2: Array<{ name: string; up(db: Db): void }> = [
  {
    name: 'patients: one INS per patient and environment, duplicate pairs, merged records',
    up(db: Db): void {
      db.exec(`
        ALTER TABLE patients ADD COLUMN merged_into TEXT;
        ALTER TABLE patients ADD COLUMN merged_at TEXT;

        CREATE TABLE patient_duplicate_pairs (
          environment   TEXT NOT NULL,
          -- the pair in id order, so that (a, b) and (b, a) are one row
          id_low        TEXT NOT NULL REFERENCES patients(id),
          id_high       TEXT NOT NULL REFERENCES patients(id),
          reason        TEXT NOT NULL CHECK (reason IN ('same-ins', 'likeness')),
          source        TEXT NOT NULL,
          detected_at   TEXT NOT NULL,
          detected_by   TEXT NOT NULL,
          status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'distinct')),
          resolved_at   TEXT,
          resolved_by   TEXT,
          resolution    TEXT,
          PRIMARY KEY (environment, id_low, id_high)
        ) WITHOUT ROWID;
        CREATE INDEX patient_duplicate_pairs_open ON patient_duplicate_pairs(environment, status, detected_at);
      `);
      const now = new Date().toISOString();
      const groups = db
        .prepare(
          `SELECT environment, ins_nir FROM patients WHERE ins_matricule IS NOT NULL
           GROUP BY environment, ins_nir HAVING COUNT(*) > 1`,
        )
        .all() as Array<{ environment: string; ins_nir: string }>;
      const members = db.prepare(
        `SELECT id, identity_status, document_check FROM patients WHERE environment = ? AND ins_nir = ? AND ins_matricule IS NOT NULL
         ORDER BY (identity_status = 'QUAL') DESC, insi_confirmed_at IS NULL, insi_confirmed_at, seq`,
      );
      const detach = db.prepare(
        `UPDATE patients SET ins_matricule = NULL, ins_oid = NULL, insi_confirmed_at = NULL, identity_status = @status,
           version = version + 1, updated_at = @now WHERE id = @id`,
      );
      const history = db.prepare(
        `INSERT INTO patient_identity_history (patient_id, at, actor, event, from_status, to_status, details)
         VALUES (@id, @now, 'système (mise à jour de la base)', 'ins.detached', @from, @to, @details)`,
      );
      const pair = db.prepare(
        `INSERT OR IGNORE INTO patient_duplicate_pairs (environment, id_low, id_high, reason, source, detected_at, detected_by)
         VALUES (@environment, @low, @high, 'same-ins', 'migration', @now, 'système (mise à jour de la base)')`,
      );
      for (const group of groups) {
        const rows = members.all(group.environment, group.ins_nir) as Array<{ id: string; identity_status: string; document_check: string | null }>;
        const [kept, ...others] = rows;
        if (kept === undefined) continue;
        for (const other of others) {
          const highTrust = other.document_check !== null && (JSON.parse(other.document_check) as { highTrust?: boolean }).highTrust === true;
          const status = highTrust ? 'VALI' : 'PROV';
          detach.run({ id: other.id, status, now });
          history.run({
            id: other.id,
            now,
            from: other.identity_status,
            to: status,
            details: JSON.stringify({ reason: 'same-ins', keptOn: kept.id }),
          });
          const [low, high] = kept.id < other.id ? [kept.id, other.id] : [other.id, kept.id];
          pair.run({ environment: group.environment, low, high, now });
        }
      }
      db.exec(`CREATE UNIQUE INDEX patients_one_ins ON patients(environment, ins_nir) WHERE ins_matricule IS NOT NULL;`);
    },
  },
];
