/** Messages between a WorkerPool and its worker (structured clone). */
import type { LogLevel } from '../log';

export type ToWorker = { kind: 'task'; id: number; task: string; input: unknown };

export type FromWorker =
  | { kind: 'progress'; id: number; value: unknown }
  | { kind: 'event'; id: number; event: string; payload: unknown }
  | { kind: 'log'; level: LogLevel; scope: string; event: string; fields?: Record<string, unknown> }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; code: string | null; details?: Record<string, unknown>; name: string };
