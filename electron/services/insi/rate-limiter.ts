/**
 * Spaces INSi calls of the worklist to at most `perSecond` starts per second (0: no limit), across
 * all concurrent jobs: each call takes the next free slot and waits for it. The rate may be a
 * function, read at each call: a change in Paramètres applies to the next calls of a running
 * worklist. Time is measured with `now` and waited with `sleep` (both real time by default: pacing
 * is about the remote service).
 */
export class RateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly perSecond: number | (() => number),
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = abortableSleep,
  ) {}

  async take(signal?: AbortSignal): Promise<void> {
    const perSecond = typeof this.perSecond === 'function' ? this.perSecond() : this.perSecond;
    if (perSecond <= 0) return;
    const interval = 1000 / perSecond;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.sleep(slot - now, signal);
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
