/**
 * The outbox retention purge in the background (issue 15; services/outbox/retention.ts): a first
 * run a few minutes after start-up (never on the start-up path), then every few hours, with the
 * period read from the settings at each run. Stopped at shutdown between two batches; what a
 * stopped run did is finished and audited by the next one.
 */
import { describeError, type PurgeReport } from '../../services/outbox';
import type { PurgeTaskInput } from '../workers/tasks';
import type { WiringContext } from './context';

export const RETENTION_FIRST_RUN_MS = 3 * 60_000;
export const RETENTION_INTERVAL_MS = 6 * 3600_000;
/** Batches per worker task: the thread's other tasks (a document's metadata for a DMP sending) wait at most that. */
export const RETENTION_BATCHES_PER_TASK = 10;

export interface RetentionSchedule {
  start(): void;
  stop(): Promise<void>;
  /** The run in progress, if any (tests). */
  running(): Promise<void> | null;
}

export function wireOutboxRetention(
  ctx: Pick<WiringContext, 'outbox' | 'settings' | 'logger' | 'clock' | 'workers'>,
  timing: { firstRunMs?: number; intervalMs?: number; batchSize?: number } = {},
): RetentionSchedule {
  const logger = ctx.logger.child('outbox-retention');
  let timer: NodeJS.Timeout | null = null;
  let controller: AbortController | null = null;
  let current: Promise<void> | null = null;
  let started = false;

  const schedule = (delayMs: number): void => {
    if (!started) return;
    timer = setTimeout(run, delayMs);
    timer.unref();
  };
  const run = (): void => {
    timer = null;
    controller = new AbortController();
    const signal = controller.signal;
    const retentionDays = ctx.settings.get().outbox.retentionDays;
    // In the worker thread when the host has one (its own connection), a few batches per task.
    const chunk = (): Promise<PurgeReport> => {
      const workers = ctx.workers;
      const batch = timing.batchSize === undefined ? {} : { batchSize: timing.batchSize };
      if (workers === undefined) return ctx.outbox.purgeDone({ retentionDays, signal, ...batch });
      const input: PurgeTaskInput = { retentionDays, now: ctx.clock.now(), maxBatches: RETENTION_BATCHES_PER_TASK, ...batch };
      return workers.run<PurgeReport>('outbox.purge', input);
    };
    const purge = async (): Promise<void> => {
      for (;;) {
        const report = await chunk();
        if (report.finished) {
          if (report.jobs > 0) ctx.outbox.historyChanged();
          return;
        }
        if (signal.aborted) return;
      }
    };
    current = purge()
      .then(
        () => undefined,
        (error: unknown) => logger.error('outbox.purge_failed', { error: describeError(error).code }),
      )
      .finally(() => {
        current = null;
        controller = null;
        schedule(timing.intervalMs ?? RETENTION_INTERVAL_MS);
      });
  };

  return {
    start() {
      if (started) return;
      started = true;
      schedule(timing.firstRunMs ?? RETENTION_FIRST_RUN_MS);
    },
    async stop() {
      started = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      controller?.abort();
      await current;
    },
    running: () => current,
  };
}
