/**
 * What runs in the host's worker thread (platform/worker): CSV imports and large document
 * parsing, off the event loop that serves the desk, the outbox and the connector. The worker
 * opens its own connection to the encrypted database (WAL: it reads while the host reads, and
 * writes in short transactions between the host's; every multi-statement write on either side is
 * a BEGIN IMMEDIATE transaction, and the audit trail's chained append is atomic).
 */
import { workerData } from 'node:worker_threads';
import type { Environment } from '../../contract';
import type { Clock } from '../../platform/clock';
import { openDatabase, type Db } from '../../platform/db';
import { serveTasks, type TaskContext } from '../../platform/worker';
import { AuditTrail } from '../../services/audit';
import { extractXdsMetadata } from '../../services/cda';
import { purgeDoneJobs, type PurgeReport } from '../../services/outbox';
import { PatientsService } from '../../services/patients';
import type { ImportMapping } from '../../contract/domains/patients';

export interface WorkerSetup {
  /** The database file and its key (the host's own). */
  databasePath: string;
  keyHex: string;
}

export interface ImportTaskInput {
  bytes: Uint8Array;
  mapping?: ImportMapping;
  actor: string;
  environment: Environment;
  /** The host clock's time when the task was sent (tests drive a manual clock). */
  now: number;
}

/** Time in the worker: the host's at the start of the task, moving with the real clock. */
function clockFrom(now: number): Clock {
  const started = Date.now();
  return { now: () => now + (Date.now() - started) };
}

const setup = workerData as WorkerSetup;
let db: Db | null = null;
const database = (): Db => (db ??= openDatabase({ path: setup.databasePath, keyHex: setup.keyHex }));

/**
 * The import's batches, written here through this thread's connection: 100 patients a transaction
 * (~10 ms of write lock on a quiet machine), then a pause long enough for a writer of the host
 * waiting on the lock (its busy handler retries every 1 to 25 ms) to get it. The host's own
 * thread only ever waits for one batch, and its event loop never runs the import.
 */
export const WORKER_BATCH_SIZE = 100;
const BETWEEN_BATCHES_MS = 20;

export interface PurgeTaskInput {
  retentionDays: number;
  /** The host clock's time when the task was sent. */
  now: number;
  maxBatches: number;
  batchSize?: number;
}

/**
 * The outbox retention purge (services/outbox/retention.ts) on this thread's connection: its
 * commits and the WAL checkpoints they trigger cost the host's event loop nothing; between two
 * batches, the same pause as imports lets a writer of the host take the lock.
 */
function purgeOutbox(input: PurgeTaskInput, context: TaskContext): Promise<PurgeReport> {
  const clock = clockFrom(input.now);
  const audit = new AuditTrail(database(), clock);
  return purgeDoneJobs(
    { db: database(), clock, logger: context.logger, audit: audit.write },
    { retentionDays: input.retentionDays, maxBatches: input.maxBatches, ...(input.batchSize === undefined ? {} : { batchSize: input.batchSize }), pause: () => new Promise((resolve) => setTimeout(resolve, BETWEEN_BATCHES_MS)) },
  );
}

function patients(input: ImportTaskInput, context: TaskContext): PatientsService {
  const clock = clockFrom(input.now);
  const audit = new AuditTrail(database(), clock);
  return new PatientsService({
    db: database(),
    clock,
    logger: context.logger,
    audit: audit.write,
    environment: () => input.environment,
    notify: (notification) => context.event(notification.event, notification.payload),
  });
}

serveTasks(
  {
    'patients.import.preview': (input: ImportTaskInput, context) =>
      patients(input, context).importPreview({ bytes: input.bytes, mapping: input.mapping }, input.actor, (progress) => context.progress(progress)),
    'patients.import.commit': (input: ImportTaskInput & { mapping: ImportMapping }, context) =>
      patients(input, context).importCommit({ bytes: input.bytes, mapping: input.mapping }, input.actor, {
        progress: (progress) => context.progress(progress),
        batchSize: WORKER_BATCH_SIZE,
        pause: () => new Promise((resolve) => setTimeout(resolve, BETWEEN_BATCHES_MS)),
      }),
    'outbox.purge': (input: PurgeTaskInput, context) => purgeOutbox(input, context),
    'cda.metadata': (input: { bytes: Uint8Array; extraConfidentiality: string[] }) => extractXdsMetadata(input.bytes, { extraConfidentiality: input.extraConfidentiality }),
  },
  { now: () => Date.now() },
);
