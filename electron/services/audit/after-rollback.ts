import { inTransaction, type Db } from '../../platform/db';
import type { AuditInput, AuditWriter } from '.';

/**
 * The entries of exchanges that happened, written alone after the transaction that carried them
 * with their consequences was rolled back (an unexpected error): a DMP opening's TD0.2 and TD3.1,
 * an INSi lookup of the worklist. One transaction, all or none. Should the base refuse that too,
 * nothing more can be done here: the first error, which the caller rethrows, says why.
 */
export function recordAfterRollback(db: Db, audit: AuditWriter, entries: readonly AuditInput[]): void {
  try {
    inTransaction(db, () => {
      for (const entry of entries) audit(entry);
    });
  } catch {
    // The base refuses writes: the caller's error says why.
  }
}
