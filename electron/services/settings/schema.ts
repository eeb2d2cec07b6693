import type { Db } from '../../platform/db';

export const settingsMigrations = [
  {
    name: 'settings: key/value settings',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE settings (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL,
          updated_at TEXT NOT NULL
        );
      `);
    },
  },
] as const;
