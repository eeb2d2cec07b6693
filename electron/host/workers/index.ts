/**
 * The host's worker thread (platform/worker, tasks.ts): where its entry is, and the import runner
 * the patients handlers use so that a CSV import never blocks the event loop.
 */
import { join } from 'node:path';
import type { Environment } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/log';
import { WorkerPool } from '../../platform/worker';
import type { ImportCommit, ImportPreview } from '../../services/patients';
import type { ImportMapping } from '../../contract/domains/patients';
import type { ImportTaskInput } from './tasks';

/**
 * The worker's entry: beside the bundle in the packaged app (dist/electron/worker.cjs next to
 * host.cjs, whose URL `import.meta.url` is there), the tsx bootstrap when running from sources.
 */
export function workerEntry(): URL {
  const here = import.meta.url;
  return here.endsWith('.cjs') ? new URL('./worker.cjs', here) : new URL('./entry.mjs', here);
}

export function createHostWorkers(options: { dataDir: string; keyHex: string; logger: Logger }): WorkerPool {
  return new WorkerPool({
    entry: workerEntry(),
    workerData: { databasePath: join(options.dataDir, 'pupitre.db'), keyHex: options.keyHex },
    logger: options.logger,
  });
}

export interface ImportRunner {
  preview(bytes: Uint8Array, mapping: ImportMapping | undefined, actor: string): Promise<ImportPreview>;
  commit(bytes: Uint8Array, mapping: ImportMapping, actor: string): Promise<ImportCommit>;
}

const PROGRESS_INTERVAL_MS = 250;

/** CSV imports in the worker; their progress and the patients' events are published here. */
export function workerImportRunner(
  pool: WorkerPool,
  deps: {
    environment: () => Environment;
    clock: Clock;
    emit: (event: 'patients.import.progress' | 'patients.imported', payload: never) => void;
  },
): ImportRunner {
  const run = <T>(task: string, bytes: Uint8Array, mapping: ImportMapping | undefined, actor: string): Promise<T> => {
    const input: ImportTaskInput = { bytes, actor, environment: deps.environment(), now: deps.clock.now(), ...(mapping === undefined ? {} : { mapping }) };
    // A few progress events a second are enough for a progress bar.
    let last = { phase: '', at: 0 };
    return pool.run<T>(task, input, {
      transfer: bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : [],
      onProgress: (value) => {
        const progress = value as { phase: string; done: number; total: number };
        const now = Date.now();
        if (progress.phase === last.phase && progress.done < progress.total && now - last.at < PROGRESS_INTERVAL_MS) return;
        last = { phase: progress.phase, at: now };
        deps.emit('patients.import.progress', progress as never);
      },
      onEvent: (event, payload) => {
        if (event === 'patients.imported') deps.emit('patients.imported', payload as never);
      },
    });
  };
  return {
    preview: (bytes, mapping, actor) => run<ImportPreview>('patients.import.preview', bytes, mapping, actor),
    commit: (bytes, mapping, actor) => run<ImportCommit>('patients.import.commit', bytes, mapping, actor),
  };
}
