/**
 * When the next scheduled backup is due: one interval after the last success; after a failure,
 * again within the hour (a disk plugged back in, space freed); at once when none ever succeeded.
 */
export const RETRY_AFTER_FAILURE_MS = 60 * 60_000;

export interface LastRuns {
  lastRunAt: number | null;
  lastRunOk: boolean | null;
  lastSuccessAt: number | null;
}

export function nextBackupDue(last: LastRuns, intervalMs: number): number {
  if (last.lastRunAt !== null && last.lastRunOk === false) {
    const retry = last.lastRunAt + Math.min(intervalMs, RETRY_AFTER_FAILURE_MS);
    return last.lastSuccessAt === null ? retry : Math.min(retry, last.lastSuccessAt + intervalMs);
  }
  return last.lastSuccessAt === null ? 0 : last.lastSuccessAt + intervalMs;
}
