/**
 * Append-only audit trail: who did what, when, on which patient. Every access to patient data is
 * written here by the service that performs it. Each row carries the SHA-256 of the previous row
 * so that an edit made outside Pupitre (the triggers forbid it inside) is detected by `verify`.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../platform/clock';
import type { Db } from '../../platform/db';

export { auditMigrations, auditMigrations2 } from './schema';
export { recordAfterRollback } from './after-rollback';

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

/** What the audit screen filters on; every criterion optional. */
export interface AuditFilter {
  limit: number;
  patientRef?: string | undefined;
  /** Entries about one of these patients (a name typed on the screen, resolved by the patients service). */
  patientRefs?: readonly string[] | undefined;
  actor?: string | undefined;
  /** One action, or a family of them with a trailing dot (« dmp. »). */
  action?: string | undefined;
  /** ISO instants, inclusive lower bound and exclusive upper bound. */
  from?: string | undefined;
  to?: string | undefined;
}

export interface KnownPerson {
  actor: string;
  name: string;
  cardType: string | null;
  lastSeen: string;
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

  list(options: AuditFilter): AuditRow[] {
    // Fixed SQL: each criterion is a bound parameter that is either set or null.
    const rows = this.db
      .prepare(
        `SELECT * FROM audit_log
         WHERE (@patientRef IS NULL OR patient_ref = @patientRef)
           AND (@patientRefs IS NULL OR patient_ref IN (SELECT value FROM json_each(@patientRefs)))
           AND (@actor IS NULL OR actor = @actor)
           AND (@action IS NULL OR action = @action OR (substr(@action, -1) = '.' AND substr(action, 1, length(@action)) = @action))
           AND (@from IS NULL OR at >= @from)
           AND (@to IS NULL OR at < @to)
         ORDER BY id DESC LIMIT @limit`,
      )
      .all({
        patientRef: options.patientRef ?? null,
        patientRefs: options.patientRefs === undefined ? null : JSON.stringify(options.patientRefs),
        actor: options.actor ?? null,
        action: options.action ?? null,
        from: options.from ?? null,
        to: options.to ?? null,
        limit: options.limit,
      }) as StoredRow[];
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor,
      patientRef: row.patient_ref,
      action: row.action,
      details: JSON.parse(row.details) as Record<string, unknown>,
    }));
  }

  /** Remembers who holds a card that opened a session here (upserted at every session). */
  rememberPerson(person: { actor: string; name: string; cardType: string | null }): void {
    const at = new Date(this.clock.now()).toISOString();
    this.db
      .prepare(
        `INSERT INTO audit_people (actor, display_name, card_type, first_seen, last_seen) VALUES (@actor, @name, @cardType, @at, @at)
         ON CONFLICT (actor) DO UPDATE SET display_name = excluded.display_name, card_type = excluded.card_type, last_seen = excluded.last_seen`,
      )
      .run({ ...person, at });
  }

  people(): KnownPerson[] {
    return (this.db.prepare('SELECT actor, display_name, card_type, last_seen FROM audit_people ORDER BY display_name').all() as Array<{ actor: string; display_name: string; card_type: string | null; last_seen: string }>).map(
      (row) => ({ actor: row.actor, name: row.display_name, cardType: row.card_type, lastSeen: row.last_seen }),
    );
  }

  /** Every action recorded so far (for the screen's filter). */
  actions(): string[] {
    return this.db.prepare('SELECT DISTINCT action FROM audit_log ORDER BY action').pluck().all() as string[];
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
