/**
 * The outbox retention purge in the background (issue 15; services/outbox/retention.ts): a first
 * run a few minutes after start-up (never on the start-up path), then every few hours, with the
 * period read from the settings at each run. Stopped at shutdown between two batches; what a
 * stopped run did is finished and audited by the next one.
 */
import { describeError } from '../../services/outbox';
import type { WiringContext } from './context';

export const RETENTION_FIRST_RUN_MS = 3 * 60_000;
export const RETENTION_INTERVAL_MS = 6 * 3600_000;

export interface RetentionSchedule {
  start(): void;
  stop(): Promise<void>;
  /** The run in progress, if any (tests). */
  running(): Promise<void> | null;
}

export function wireOutboxRetention(
  ctx: Pick<WiringContext, 'outbox' | 'settings' | 'logger'>,
  timing: { firstRunMs?: number; intervalMs?: number } = {},
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
    current = ctx.outbox
      .purgeDone({ retentionDays: ctx.settings.get().outbox.retentionDays, signal })
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
