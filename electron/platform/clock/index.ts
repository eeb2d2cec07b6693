/** Time, injected everywhere so that tests control it (STYLE.md: never read the clock directly). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  set(ms: number): void;
  advance(ms: number): void;
}

export function createManualClock(startMs = Date.UTC(2026, 0, 15, 9, 0, 0)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

export function isoAt(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
