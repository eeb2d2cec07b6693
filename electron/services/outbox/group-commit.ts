/**
 * Group commit: writes queued in the same turn of the event loop are committed in one IMMEDIATE
 * transaction, i.e. one fsync under `synchronous=FULL`. Each caller learns its own result once the
 * transaction has committed; if the batch fails, each write is retried alone so that one bad
 * write does not take the others down.
 */
import type { Db } from '../../platform/db';

interface Pending {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private readonly pending: Pending[] = [];

  constructor(private readonly db: Db) {}

  commit<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    try {
      const results = this.db.transaction(() => batch.map((p) => p.write())).immediate();
      batch.forEach((p, index) => p.resolve(results[index]));
    } catch {
      for (const p of batch) {
        try {
          p.resolve(this.db.transaction(p.write).immediate());
        } catch (error) {
          p.reject(error);
        }
      }
    }
  }
}
