/** The outbox's public face (ARCHITECTURE.md §5): other services and the host import only this. */
export { commitWithRunCompletion } from './commit-with-run';
export { Outbox, type OutboxOptions, type OutboxNotify, type OutboxEventName, type JobAttemptView } from './outbox';
export { outboxMigrations, outboxMigrations2, outboxMigrations3, outboxSchema } from './schema';
export { DEFAULT_RETENTION_DAYS, MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, purgeDoneJobs, type PurgeOptions, type PurgeReport } from './retention';
export type { UnsentJob, UnsentReason, UnsentReport } from './unsent';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
export { classifyError, describeError } from './classify';
export type {
  EndpointState,
  EnqueueInput,
  ErrorClass,
  JobRunContext,
  JobStatus,
  JobSubject,
  JobView,
  QueueCounts,
  QueueDefinition,
} from './types';
