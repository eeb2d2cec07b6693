/**
 * Tables of the INSi worklist (owned by services/insi): one row per worklist, one per patient in it.
 * Items keep only ids, result codes and French reasons: no traits, no INS (those live in patients).
 */
import { inTransaction, type Db } from '../../platform/db';
import type { IdentityStatus } from '../identity';

export const insiMigrations = [
  {
    name: 'insi: worklists and their items',
    up(db: Db): void {
      db.exec(`
        CREATE TABLE insi_worklists (
          id          TEXT PRIMARY KEY,
          environment TEXT NOT NULL,
          created_at  TEXT NOT NULL,
          actor       TEXT NOT NULL,
          selection   TEXT NOT NULL,
          total       INTEGER NOT NULL
        );
        CREATE TABLE insi_worklist_items (
          worklist_id  TEXT NOT NULL REFERENCES insi_worklists(id),
          patient_id   TEXT NOT NULL,
          seq          INTEGER NOT NULL,
          status       TEXT NOT NULL CHECK (status IN ('pending', 'found', 'not-found', 'several', 'error', 'skipped')),
          reason       TEXT,
          status_after TEXT,
          updated_at   TEXT NOT NULL,
          PRIMARY KEY (worklist_id, patient_id)
        ) WITHOUT ROWID;
        CREATE INDEX insi_worklist_items_status ON insi_worklist_items(worklist_id, status, seq);
        CREATE INDEX insi_worklist_items_patient ON insi_worklist_items(patient_id, status);
      `);
    },
  },
] as const;

/**
 * After 0.1.0: the stable error code of a failed look-up, kept apart from the French reason (the
 * reason is what people read; the code is for support, in the report's last column).
 */
export const insiMigrations2 = [
  {
    name: 'insi: error code of worklist items apart from the reason',
    up(db: Db): void {
      db.exec('ALTER TABLE insi_worklist_items ADD COLUMN error_code TEXT');
    },
  },
] as const;

export interface WorklistRow {
  id: string;
  environment: string;
  created_at: string;
  actor: string;
  selection: string;
  total: number;
}

export interface ItemRow {
  patient_id: string;
  status: string;
  reason: string | null;
  error_code: string | null;
  status_after: string | null;
  updated_at: string;
}

export interface CountsRow {
  pending: number;
  found: number;
  not_found: number;
  several: number;
  error: number;
  skipped: number;
  last_update: string | null;
}

export class WorklistStore {
  private readonly statements;

  constructor(private readonly db: Db) {
    this.statements = {
      insertWorklist: db.prepare('INSERT INTO insi_worklists (id, environment, created_at, actor, selection, total) VALUES (?, ?, ?, ?, ?, ?)'),
      insertItem: db.prepare(
        "INSERT OR IGNORE INTO insi_worklist_items (worklist_id, patient_id, seq, status, updated_at) VALUES (?, ?, ?, 'pending', ?)",
      ),
      worklist: db.prepare('SELECT * FROM insi_worklists WHERE id = ?'),
      worklists: db.prepare('SELECT * FROM insi_worklists WHERE environment = ? ORDER BY created_at DESC LIMIT 50'),
      counts: db.prepare(`
        SELECT
          COALESCE(SUM(status = 'pending'), 0)   AS pending,
          COALESCE(SUM(status = 'found'), 0)     AS found,
          COALESCE(SUM(status = 'not-found'), 0) AS not_found,
          COALESCE(SUM(status = 'several'), 0)   AS several,
          COALESCE(SUM(status = 'error'), 0)     AS error,
          COALESCE(SUM(status = 'skipped'), 0)   AS skipped,
          MAX(CASE WHEN status <> 'pending' THEN updated_at END) AS last_update
        FROM insi_worklist_items WHERE worklist_id = ?`),
      setItem: db.prepare('UPDATE insi_worklist_items SET status = ?, reason = ?, error_code = ?, status_after = ?, updated_at = ? WHERE worklist_id = ? AND patient_id = ?'),
      item: db.prepare('SELECT patient_id, status, reason, error_code, status_after, updated_at FROM insi_worklist_items WHERE worklist_id = ? AND patient_id = ?'),
      items: db.prepare('SELECT patient_id, status, reason, error_code, status_after, updated_at FROM insi_worklist_items WHERE worklist_id = ? ORDER BY seq LIMIT ?'),
      itemsByStatus: db.prepare(
        'SELECT patient_id, status, reason, error_code, status_after, updated_at FROM insi_worklist_items WHERE worklist_id = ? AND status = ? ORDER BY seq LIMIT ?',
      ),
    };
  }

  createWorklist(row: WorklistRow, patientIds: readonly string[]): void {
    this.statements.insertWorklist.run(row.id, row.environment, row.created_at, row.actor, row.selection, row.total);
    patientIds.forEach((id, seq) => this.statements.insertItem.run(row.id, id, seq, row.created_at));
  }

  worklist(id: string): WorklistRow | null {
    return (this.statements.worklist.get(id) as WorklistRow | undefined) ?? null;
  }

  worklists(environment: string): WorklistRow[] {
    return this.statements.worklists.all(environment) as WorklistRow[];
  }

  counts(id: string): CountsRow {
    return this.statements.counts.get(id) as CountsRow;
  }

  item(worklistId: string, patientId: string): ItemRow | null {
    return (this.statements.item.get(worklistId, patientId) as ItemRow | undefined) ?? null;
  }

  setItem(worklistId: string, patientId: string, status: string, reason: string | null, statusAfter: IdentityStatus | null, at: string, errorCode: string | null = null): void {
    this.statements.setItem.run(status, reason, errorCode, statusAfter, at, worklistId, patientId);
  }

  items(worklistId: string, status: string | undefined, limit: number): ItemRow[] {
    return (status === undefined ? this.statements.items.all(worklistId, limit) : this.statements.itemsByStatus.all(worklistId, status, limit)) as ItemRow[];
  }


  transaction<T>(run: () => T): T {
    return inTransaction(this.db, run);
  }
}
