/**
 * The background integrity check of a long-running host (issue 14, point 3). Opening the base
 * proves its first page and schema; the rest is read by `quick_check` on a worker thread once the
 * host serves, so that the desk starts at once. A base found damaged stops being used: background
 * work stops, every method but the vault's answers DB_DAMAGED, and the desk — or, in Electron,
 * the main process — shows the message with the next step (restore the last backup).
 */
import { AppError, type MethodName } from '../contract';
import { checkIntegrityInBackground } from '../platform/db';
import type { Logger } from '../platform/log';
import type { RpcDispatcher } from './rpc';

export interface Halt {
  code: string;
  message: string;
}

const OPEN_WHEN_HALTED: ReadonlySet<MethodName> = new Set<MethodName>(['vault.status', 'app.info', 'diagnostic.run']);

export interface IntegrityWatchOptions {
  path: string;
  keyHex: string;
  dispatcher: RpcDispatcher;
  logger: Logger;
  /** Stops what writes in the background (outbox, backups). */
  stopWork(): Promise<void>;
  onHalt?(error: AppError): void;
}

export function watchIntegrity(options: IntegrityWatchOptions): { halted(): Halt | null; done: Promise<void> } {
  let halted: Halt | null = null;
  const done = checkIntegrityInBackground(options.path, options.keyHex)
    .then(async (report) => {
      if (report.ok) {
        options.logger.info('db.integrity_ok', {});
        return;
      }
      const error = new AppError('DB_DAMAGED', { reason: 'quick_check', problems: report.problems.length });
      halted = { code: error.code, message: error.message };
      options.dispatcher.setGate((method) => (OPEN_WHEN_HALTED.has(method) ? null : error));
      options.logger.error('db.integrity_failed', { problems: report.problems.length });
      await options.stopWork().catch(() => undefined);
      options.dispatcher.emit('vault.halted', halted);
      options.onHalt?.(error);
    })
    .catch((error: unknown) => options.logger.warn('db.integrity_unchecked', { error: (error as Error).message }));
  return { halted: () => halted, done };
}
