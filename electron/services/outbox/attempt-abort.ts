/**
 * How the engine aborts an attempt (its time bound, a lease lost, the outbox stopping). The queue's
 * code gets an AbortSignal, made when it first reads it: a job that never reads it costs no
 * AbortController. The engine's own wait on each step of the attempt (credentials, reconcile, run)
 * races one promise that rejects on abort, instead of an abort listener added and removed around
 * each step. Less code runs between the two fsynced commits of a job, and on this path code runs
 * several times slower than in a warm loop (issue 15, bench/outbox.bench.ts).
 */
export class AttemptAbort {
  private controller: AbortController | null = null;
  private reason: unknown = undefined;
  private isAborted = false;
  private rejectAborted: (reason: unknown) => void = () => undefined;
  /** Rejects with the abort's reason; never resolves. */
  private readonly whenAborted: Promise<never>;

  constructor() {
    this.whenAborted = new Promise<never>((_resolve, reject) => {
      this.rejectAborted = reject;
    });
    // Observed through `guard` only: an abort while no step is awaited is not an unhandled rejection.
    this.whenAborted.catch(() => undefined);
  }

  /** The signal given to the queue's code; already aborted (with the reason) when read after the abort. */
  get signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.isAborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.isAborted;
  }

  /** Aborts once; later calls keep the first reason (as AbortController does). */
  abort(reason: unknown): void {
    if (this.isAborted) return;
    this.isAborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    this.rejectAborted(reason);
  }

  /** `promise`, or a rejection with the abort's reason as soon as the attempt is aborted, even if the queue's code ignores its signal. */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.isAborted) return Promise.reject(this.reason as Error);
    return Promise.race([promise, this.whenAborted]);
  }
}
