/**
 * Append-only audit trail: who did what, when, on which patient. Every access to patient data is
 * written here by the service that performs it. Each row carries the SHA-256 of the previous row
 * so that an edit made outside Pupitre (the triggers forbid it inside) is detected by `verify`.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';

export { auditMigrations } from './schema';

export interface AuditInput {
  actor: string;
  /** Local patient id or another non-identifying reference; never a name or a NIR. */
  patientRef: string | null;
  action: string;
  details: Record<string, unknown>;
}

export interface AuditRow extends AuditInput {
  id: number;
  at: string;
}

/** The function shape services receive to write the trail. */
export type AuditWriter = (entry: AuditInput) => void;

interface StoredRow {
  id: number;
  at: string;
  actor: string;
  patient_ref: string | null;
  action: string;
  details: string;
  prev_hash: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

export class AuditTrail {
  private readonly insertRow;
  private readonly lastHash;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.insertRow = db.prepare(
      `INSERT INTO audit_log (at, actor, patient_ref, action, details, prev_hash, hash)
       VALUES (@at, @actor, @patientRef, @action, @details, @prevHash, @hash)`,
    );
    this.lastHash = db.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').pluck();
  }

  /**
   * Appends one entry; runs inside the caller's transaction when there is one (it holds the write
   * lock: inTransaction is BEGIN IMMEDIATE), otherwise in its own immediate transaction, so that
   * reading the last hash and appending stay one step even when another connection (the host's
   * worker thread) writes the trail too.
   */
  readonly write: AuditWriter = (entry) => {
    const append = (): void => {
      const at = new Date(this.clock.now()).toISOString();
      const details = JSON.stringify(entry.details);
      const prevHash = (this.lastHash.get() as string | undefined) ?? GENESIS;
      const hash = chainHash(prevHash, at, entry.actor, entry.patientRef, entry.action, details);
      this.insertRow.run({ at, actor: entry.actor, patientRef: entry.patientRef, action: entry.action, details, prevHash, hash });
    };
    if (this.db.inTransaction) append();
    else this.db.transaction(append).immediate();
  };

  list(options: { limit: number; patientRef?: string }): AuditRow[] {
    const rows = (
      options.patientRef === undefined
        ? this.db.prepare('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?').all(options.limit)
        : this.db
            .prepare('SELECT * FROM audit_log WHERE patient_ref = ? ORDER BY id DESC LIMIT ?')
            .all(options.patientRef, options.limit)
    ) as StoredRow[];
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      patientRef: row.patient_ref,
      action: row.action,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }

  /** Recomputes the chain; returns the first row whose hash does not match. */
  verify(): { ok: boolean; checked: number; brokenAt: number | null } {
    let prev = GENESIS;
    let checked = 0;
    for (const row of this.db.prepare('SELECT * FROM audit_log ORDER BY id').iterate() as Iterable<StoredRow>) {
      const expected = chainHash(prev, row.at, row.actor, row.patient_ref, row.action, row.details);
      if (row.prev_hash !== prev || row.hash !== expected) return { ok: false, checked, brokenAt: row.id };
      prev = row.hash;
      checked += 1;
    }
    return { ok: true, checked, brokenAt: null };
  }
}

function chainHash(...parts: Array<string | null>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(part ?? '\u0000');
    hash.update('\u001f');
  }
  return hash.digest('hex');
}
