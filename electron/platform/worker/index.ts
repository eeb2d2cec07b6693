/**
 * Heavy work off the host's event loop (issue 14 point 5: a 65 536-line import froze every other
 * call for 22 s). A `WorkerPool` runs named tasks in a worker thread of the host process, one at a
 * time, with progress and log lines coming back while they run; `serveTasks` is the worker's side.
 * Errors cross as `{ code, details }` and become AppErrors again (their French message comes from
 * the catalogue); anything else is INTERNAL, without its message (it could quote data).
 *
 * The worker's heap is bounded (`resourceLimits`): a task that would exceed it ends the worker, the
 * task fails with WORKER_FAILED, and the next task gets a fresh worker — the host stays up.
 */
export { WorkerPool, type WorkerPoolOptions, type TaskOptions } from './pool';
export { serveTasks, type TaskContext, type TaskHandler } from './serve';
