import type { Db } from '../../platform/db';

/** History of backup runs (issue 14, point 4): when, why, the outcome and the file. */
export const backupMigrations = [
  {
    name: 'backup: history of backup runs',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE backup_run (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          started_at  INTEGER NOT NULL,
          ended_at    INTEGER NOT NULL,
          trigger     TEXT    NOT NULL CHECK (trigger IN ('scheduled','manual','cli')),
          ok          INTEGER NOT NULL,
          error_code  TEXT,
          file        TEXT,
          size_bytes  INTEGER
        );
      `);
    },
  },
] as const;
