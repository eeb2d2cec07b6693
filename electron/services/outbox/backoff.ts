/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * min(max, base·2^(n-1)), so retries from many workstations spread out without ever retrying
 * immediately.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10 * 60_000 };

/** Delay before the retry that follows failed attempt number `attempt` (1-based). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 52);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(cap / 2 + (r * cap) / 2);
}
