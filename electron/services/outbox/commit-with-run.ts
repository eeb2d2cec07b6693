/**
 * A queue's bookkeeping at the end of a successful run (the DMP's « envoyé », a prescription's
 * registration) with its audit entry, committed with the job's completion when there is an outbox:
 * one transaction (one synchronous=FULL commit), both or neither. Not awaited by `run`: the
 * completion joins the same group commit when `run` returns in this turn. Should the process stop
 * first, the job's outcome is unknown at restart and its reconciliation writes both.
 *
 * Without an outbox (a service used alone, in tests or tools), `write` commits at once in a
 * transaction of its own, and a failure throws to the caller as it would have inline.
 */
import { inTransaction, type Db } from '../../platform/db';
import type { Outbox } from './outbox';

export function commitWithRunCompletion<T>(outbox: Outbox | undefined, db: Db, write: () => T): Promise<T> {
  if (outbox === undefined) return Promise.resolve(inTransaction(db, write));
  return outbox.commitWithCompletions(write);
}
