/**
 * Group commit: writes queued in the same turn of the event loop are committed in one IMMEDIATE
 * transaction, i.e. one fsync under `synchronous=FULL`. Each caller learns its own result once the
 * transaction has committed; if the batch fails, each write is retried alone so that one bad
 * write does not take the others down.
 *
 * `withBatch` runs inside each batch's transaction after its writes (the outbox claims there the
 * jobs that the committed completions make room for: no commit of their own); what it returns
 * runs once the batch has committed. When a batch fails and its writes are retried alone,
 * `afterRetries` runs instead.
 */
import type { Db } from '../../platform/db';

/** A better-sqlite3 transaction function that runs the function it is given (built once: better-sqlite3 builds a wrapper per `db.transaction` call). */
export function runInTransaction(db: Db): { immediate<T>(fn: () => T): T } {
  const tx = db.transaction((fn: () => unknown): unknown => fn());
  return { immediate: <T>(fn: () => T): T => tx.immediate(fn) as T };
}

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommitHooks {
  withBatch?(): (() => void) | undefined;
  afterRetries?(): void;
}

export class GroupCommit {
  private readonly pending: Pending[] = [];

  private readonly run: { immediate<T>(fn: () => T): T };

  constructor(
    db: Db,
    private readonly hooks: GroupCommitHooks = {},
  ) {
    this.run = runInTransaction(db);
  }

  /**
   * Queues `write` for the next group commit. `alone`: the caller knows that no other write can
   * join this turn (no other attempt in flight); with nothing queued either, the write commits at
   * once, so that grouping never adds a turn of the event loop to a lone write.
   */
  commit<T>(write: () => T, alone = false): Promise<T> {
    if (alone && this.pending.length === 0) {
      let committed: readonly [T, (() => void) | undefined];
      try {
        committed = this.run.immediate(() => [write(), this.hooks.withBatch?.()] as const);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      // Committed: whatever runs after it can no longer turn this write into a failure.
      committed[1]?.();
      return Promise.resolve(committed[0]);
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    let committed: readonly [unknown[], (() => void) | undefined];
    try {
      committed = this.run.immediate(() => [batch.map((p) => p.write()), this.hooks.withBatch?.()] as const);
    } catch {
      for (const p of batch) {
        try {
          p.resolve(this.run.immediate(p.write));
        } catch (error) {
          p.reject(error);
        }
      }
      this.hooks.afterRetries?.();
      return;
    }
    // Committed: the callers learn their results before anything runs after the batch, and
    // nothing that runs after it can send the batch's writes to a second try.
    batch.forEach((p, index) => p.resolve(committed[0][index]));
    committed[1]?.();
  }
}
