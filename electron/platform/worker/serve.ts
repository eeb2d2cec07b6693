/** The worker side: answers the pool's tasks with the handlers it is given. */
import { parentPort } from 'node:worker_threads';
import { isAppError } from '../../contract/errors';
import type { Clock } from '../clock';
import { createLogger, type Logger } from '../log';
import type { FromWorker, ToWorker } from './protocol';

export interface TaskContext {
  /** Reports progress to the caller (`TaskOptions.onProgress`). */
  progress(value: unknown): void;
  /** Forwards an event for the caller to publish (`TaskOptions.onEvent`). */
  event(event: string, payload: unknown): void;
  /** Logs through the host's logger (redacted here, as every log line). */
  logger: Logger;
}

export type TaskHandler = (input: never, context: TaskContext) => unknown;

/** Serves tasks on this worker thread's port until the pool terminates it. */
export function serveTasks(handlers: Record<string, TaskHandler>, clock: Clock): void {
  const port = parentPort;
  if (port === null) throw new Error('serveTasks runs in a worker thread');
  const post = (message: FromWorker): void => port.postMessage(message);
  const logger = createLogger({
    clock,
    level: 'debug',
    scope: 'task',
    sink: (_line, record) => post({ kind: 'log', level: record.level, scope: record.scope, event: record.event, ...(record.fields === undefined ? {} : { fields: record.fields }) }),
  });
  port.on('message', (message: ToWorker) => {
    void (async () => {
      const handler = handlers[message.task];
      const context: TaskContext = {
        progress: (value) => post({ kind: 'progress', id: message.id, value }),
        event: (event, payload) => post({ kind: 'event', id: message.id, event, payload }),
        logger,
      };
      try {
        if (handler === undefined) throw new Error(`unknown task ${message.task}`);
        const value = await handler(message.input as never, context);
        post({ kind: 'result', id: message.id, value });
      } catch (error) {
        post(
          isAppError(error)
            ? { kind: 'error', id: message.id, code: error.code, ...(error.details === undefined ? {} : { details: error.details }), name: error.name }
            : { kind: 'error', id: message.id, code: null, name: error instanceof Error ? error.name : 'unknown' },
        );
      }
    })();
  });
}
