/** The host side: one worker thread, started when first needed, tasks run one after another. */
import { Worker, type ResourceLimits, type Transferable } from 'node:worker_threads';
import { AppError, errorCatalog, type ErrorCode } from '../../contract/errors';
import type { Logger } from '../log';
import type { FromWorker, ToWorker } from './protocol';

export interface WorkerPoolOptions {
  /** The worker's entry module (it calls `serveTasks`). */
  entry: URL;
  /** Given to the worker as `workerData` (e.g. where the database is and its key). */
  workerData?: unknown;
  /** Default: 1 GiB of old generation, what the largest accepted input needs (10 × 20 MB, twice). */
  resourceLimits?: ResourceLimits;
  logger: Logger;
}

export interface TaskOptions {
  onProgress?: (value: unknown) => void;
  onEvent?: (event: string, payload: unknown) => void;
  /** Buffers moved to the worker instead of copied (the input's bytes). */
  transfer?: readonly Transferable[];
}

interface Pending {
  id: number;
  task: string;
  input: unknown;
  options: TaskOptions;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class WorkerPool {
  private worker: Worker | null = null;
  private readonly queue: Pending[] = [];
  private running: Pending | null = null;
  private nextId = 1;
  private closed = false;
  private readonly logger: Logger;

  constructor(private readonly options: WorkerPoolOptions) {
    this.logger = options.logger.child('worker');
  }

  /** Runs `task` in the worker; resolves with its result or rejects with an AppError. */
  run<T>(task: string, input: unknown, options: TaskOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new AppError('WORKER_FAILED', { task, reason: 'closed' }));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, input, options, resolve: resolve as (value: unknown) => void, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running !== null) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.running = next;
    const message: ToWorker = { kind: 'task', id: next.id, task: next.task, input: next.input };
    this.start().postMessage(message, next.options.transfer ?? []);
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(this.options.entry, {
      workerData: this.options.workerData,
      resourceLimits: this.options.resourceLimits ?? { maxOldGenerationSizeMb: 1024 },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => {
      // An uncaught error or an out-of-memory: the running task fails, the next gets a new worker.
      this.logger.error('worker.failed', { error: { name: error.name, code: (error as { code?: string }).code ?? null } });
      this.fail(new AppError('WORKER_FAILED', { task: this.running?.task ?? null, reason: (error as { code?: string }).code ?? error.name }));
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      if (this.running !== null) this.fail(new AppError('WORKER_FAILED', { task: this.running.task, reason: `exit ${code}` }));
    });
    // The worker must not keep a CLI process alive once its work is done.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private fail(error: AppError): void {
    const running = this.running;
    this.running = null;
    if (this.worker !== null) {
      void this.worker.terminate();
      this.worker = null;
    }
    running?.reject(error);
    this.pump();
  }

  private receive(message: FromWorker): void {
    if (message.kind === 'log') {
      const scoped = this.logger.child(message.scope);
      scoped[message.level](message.event, message.fields);
      return;
    }
    const running = this.running;
    if (running === null || message.id !== running.id) return;
    switch (message.kind) {
      case 'progress':
        running.options.onProgress?.(message.value);
        return;
      case 'event':
        running.options.onEvent?.(message.event, message.payload);
        return;
      case 'result':
        this.running = null;
        running.resolve(message.value);
        this.pump();
        return;
      case 'error': {
        this.running = null;
        const code = message.code !== null && Object.hasOwn(errorCatalog, message.code) ? (message.code as ErrorCode) : null;
        if (code === null) this.logger.error('worker.task_failed', { task: running.task, name: message.name });
        running.reject(code === null ? new AppError('INTERNAL', { task: running.task }) : new AppError(code, message.details));
        this.pump();
        return;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new AppError('WORKER_FAILED', { task: pending.task, reason: 'closed' }));
    const worker = this.worker;
    this.worker = null;
    if (worker !== null) await worker.terminate();
  }
}
