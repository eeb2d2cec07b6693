/**
 * Outbox: enqueue + claim + complete, against `liteque` and `plainjob` (npm) in the same run, on
 * the same disk, with a no-op job so that only the queue is measured.
 *
 * - throughput: N jobs enqueued one by one (one commit each, as the app enqueues them) while 4
 *   workers drain the queue; jobs per second from the first enqueue to the last completion;
 * - latency: a closed loop of M jobs: enqueue one, wait until its completion is committed; p50/p99.
 *
 * Each library runs with its durability as shipped, and also forced to `synchronous = FULL` so
 * that the comparison is made at equal durability (Pupitre ships FULL). liteque and plainjob poll
 * the database; their poll interval is set to 1 ms (their best case for latency).
 *
 * Prints a markdown section on stdout (collected into bench/README.md by scripts/bench.mjs).
 */
import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import { spawnSync } from 'node:child_process';
import { existsSync, fsyncSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { buildDBClient, Runner, SqliteQueue } from 'liteque';
import { better, defineQueue, defineWorker } from 'plainjob';
import { z } from 'zod';
import { systemClock } from '../electron/platform/clock';
import { migrate, openDatabase, PAGE_CACHE_KIB, type Db } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { createLogger } from '../electron/platform/log';
import { migrations as hostMigrations } from '../electron/host/migrations';
import { wireOutboxRetention } from '../electron/host/wiring/outbox-retention';
import { createHostWorkers } from '../electron/host/workers';
import { AuditTrail } from '../electron/services/audit';
import { DEFAULT_PURGE_BATCH } from '../electron/services/outbox/retention';
import { SettingsService } from '../electron/services/settings';
import { Outbox, outboxSchema } from '../electron/services/outbox';
import { createStore, type JobRow } from '../electron/services/outbox/store';

// liteque and plainjob are built on plain better-sqlite3 (unencrypted), loaded as they load it.
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => BetterSqlite3.Database;

const N = Number(process.env.BENCH_OUTBOX_JOBS ?? 1_000);
const M = Number(process.env.BENCH_OUTBOX_LOOP ?? 200);
const CONCURRENCY = 4;
// A real disk, not a tmpfs: fsync must cost what it costs.
const BASE = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'pupitre-bench-outbox-'));
const silent = createLogger({ clock: systemClock, level: 'error', sink: () => undefined });

interface System {
  name: string;
  durability: string;
  /** Enqueues one job (its own commit). */
  enqueue(n: number): void;
  /** Resolves when every enqueued job's completion is committed. */
  drain(): Promise<void>;
  /** Completions reported again for a job already completed (a job run twice). */
  duplicates(): number;
  /** When the last job's own code started (Pupitre only: splits the latency into stages). */
  lastRunAt?(): number;
  close(): Promise<void>;
}

/**
 * Completion tracking for the libraries that report one job at a time, by job id: a job counts
 * once however often it is reported (a second completion of the same job is counted apart, as a
 * duplicate run), and `drain` waits for every job enqueued so far.
 */
function tracker() {
  const waiting = new Set<number>();
  const completed = new Set<number>();
  let duplicates = 0;
  let wake: (() => void) | null = null;
  return {
    enqueued: (id: number | bigint) => {
      if (!completed.has(Number(id))) waiting.add(Number(id));
    },
    completed: (id: number | bigint) => {
      const key = Number(id);
      if (completed.has(key)) duplicates += 1;
      completed.add(key);
      waiting.delete(key);
      if (waiting.size === 0) wake?.();
    },
    duplicates: () => duplicates,
    drain: () =>
      waiting.size === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            wake = resolve;
          }),
  };
}

/**
 * Pupitre as shipped (`full`), and two variants never shipped, only to split its latency:
 * - `cpu-only`: the same engine with `synchronous = OFF` (no fsync at all): what its code and
 *   SQLCipher cost without waiting for the disk;
 * - `unencrypted`: the same engine, `synchronous = FULL`, on plain better-sqlite3 (the build
 *   plainjob uses, no cipher): what encrypting each page costs.
 */
type PupitreMode = 'full' | 'cpu-only' | 'unencrypted';
async function pupitre(dir: string, mode: PupitreMode = 'full'): Promise<System> {
  const path = join(dir, 'pupitre.db');
  const db = mode === 'unencrypted' ? openUnencrypted(path) : openDatabase({ path, keyHex: generateKeyHex() });
  if (mode === 'cpu-only') db.pragma('synchronous = OFF');
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  let ranAt = NaN;
  const outbox = new Outbox({ db, clock: systemClock, logger: silent, audit: () => undefined });
  outbox.register({
    name: 'bench',
    label: 'Bench',
    endpoint: 'bench',
    payload: z.object({ n: z.number() }),
    concurrency: CONCURRENCY,
    attemptTimeoutMs: 60_000,
    timeBudgetMs: 3_600_000,
    maxAttempts: 3,
    run: async () => {
      ranAt = performance.now();
    },
  });
  outbox.start();
  return {
    name: PUPITRE_NAMES[mode],
    durability: {
      full: 'WAL, `synchronous=FULL` (fsync du WAL à chaque commit), chiffrée (SQLCipher)',
      'cpu-only': 'aucune (pas de fsync : jamais livré)',
      unencrypted: 'WAL, `synchronous=FULL`, non chiffrée (jamais livré)',
    }[mode],
    lastRunAt: () => ranAt,
    enqueue(n) {
      outbox.enqueue('bench', { idempotencyKey: `k${n}`, payload: { n }, subject: { label: 'bench' } });
    },
    // whenIdle resolves once no job is due or running: every completion has been committed.
    drain: () => outbox.whenIdle(),
    // The outbox's compare-and-swap completion: a job completes once (outbox.property.test.ts).
    duplicates: () => 0,
    async close() {
      await outbox.stop(1_000);
      db.close();
    },
  };
}

const PUPITRE_NAMES: Record<PupitreMode, string> = {
  full: 'Pupitre outbox',
  'cpu-only': '_Pupitre outbox, `synchronous=OFF` (CPU only, for the breakdown)_',
  unencrypted: '_Pupitre outbox on plain better-sqlite3, unencrypted (for the breakdown)_',
};

/** Plain better-sqlite3 (no cipher) with the pragmas `openDatabase` sets: WAL, FULL, foreign keys, the same page cache. */
function openUnencrypted(path: string): Db {
  const db = new Database(path) as unknown as Db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  return db;
}

/**
 * `encrypted`: plainjob on Pupitre's own SQLite (better-sqlite3-multiple-ciphers, SQLCipher scheme,
 * opened by `openDatabase` with a key): the same queue with each page encrypted as Pupitre's are.
 */
async function plainjob(dir: string, full: boolean, encrypted = false): Promise<System> {
  const path = join(dir, 'plainjob.db');
  const sqlite = encrypted ? (openDatabase({ path, keyHex: generateKeyHex() }) as unknown as BetterSqlite3.Database) : new Database(path);
  const connection = better(sqlite);
  const quiet = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
  const queue = defineQueue({ connection, logger: quiet });
  // defineQueue sets WAL + synchronous=1 (NORMAL); the equal-durability run raises it afterwards.
  if (full) sqlite.pragma('synchronous = FULL');
  const t = tracker();
  const workers = Array.from({ length: CONCURRENCY }, () =>
    defineWorker('bench', async () => undefined, { queue, logger: quiet, pollIntervall: 1, onCompleted: (job: { id: number }) => t.completed(job.id) }),
  );
  for (const worker of workers) void worker.start();
  return {
    name: `plainjob 0.0.14${full ? ' (forcé FULL)' : ''}${encrypted ? ', chiffrée comme Pupitre' : ''}`,
    durability: `${full ? 'WAL, `synchronous=FULL` (forcé pour ce banc)' : 'WAL, `synchronous=NORMAL` (tel que livré : pas de fsync par commit)'}, ${encrypted ? 'chiffrée (SQLCipher, la base de Pupitre)' : 'non chiffrée'}`,
    enqueue(n) {
      t.enqueued(queue.add('bench', { n }).id);
    },
    drain: () => t.drain(),
    duplicates: () => t.duplicates(),
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      queue.close();
    },
  };
}

async function liteque(dir: string, full: boolean): Promise<System> {
  const db = buildDBClient(join(dir, 'liteque.db'), { runMigrations: true });
  // buildDBClient sets WAL + synchronous=NORMAL; reach the better-sqlite3 handle to raise it.
  const client = (db as unknown as { $client?: BetterSqlite3.Database; session?: { client: BetterSqlite3.Database } }).$client ??
    (db as unknown as { session: { client: BetterSqlite3.Database } }).session.client;
  if (full) client.pragma('synchronous = FULL');
  allowAsyncTransactions(client);
  const queue = new SqliteQueue<{ n: number }>('bench', db, { defaultJobArgs: { numRetries: 2 }, keepFailedJobs: true });
  const t = tracker();
  // liteque calls onComplete before committing the completion: count after finalize instead.
  const finalize = queue.finalize.bind(queue);
  queue.finalize = async (...args: Parameters<typeof finalize>) => {
    await finalize(...args);
    if (args[2] === 'completed') t.completed(args[0]);
  };
  const runner = new Runner<{ n: number }>(queue, { run: async () => undefined }, { concurrency: CONCURRENCY, pollIntervalMs: 1, timeoutSecs: 60 });
  const running = runner.run();
  const pending: Array<Promise<unknown>> = [];
  return {
    name: `liteque 0.8.0${full ? ' (forcé FULL)' : ''}`,
    durability: full ? 'WAL, `synchronous=FULL` (forcé pour ce banc), non chiffrée' : 'WAL, `synchronous=NORMAL` (tel que livré : pas de fsync par commit), non chiffrée',
    enqueue(n) {
      pending.push(queue.enqueue({ n }, { idempotencyKey: `k${n}` }).then((job) => job !== undefined && t.enqueued(job.id)));
    },
    async drain() {
      await Promise.all(pending.splice(0));
      await t.drain();
    },
    duplicates: () => t.duplicates(),
    async close() {
      runner.stop();
      await running;
      client.close();
    },
  };
}

/**
 * liteque 0.8.0 passes an async function to drizzle's transaction, which better-sqlite3 12 refuses
 * ("Transaction function cannot return a promise": every dequeue fails). Older better-sqlite3
 * committed as soon as the function returned its promise, i.e. after the synchronous part (the
 * SELECT); liteque's compare-and-swap on allocationId then guards the UPDATE. This restores that
 * behaviour for the bench, which is what liteque was written against.
 */
function allowAsyncTransactions(client: BetterSqlite3.Database): void {
  const wrap = (mode: 'DEFERRED' | 'IMMEDIATE' | 'EXCLUSIVE', fn: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      client.exec(`BEGIN ${mode}`);
      try {
        const result = fn(...args);
        client.exec('COMMIT');
        return result;
      } catch (error) {
        if (client.inTransaction) client.exec('ROLLBACK');
        throw error;
      }
    };
  (client as unknown as { transaction: unknown }).transaction = (fn: (...args: unknown[]) => unknown) =>
    Object.assign(wrap('DEFERRED', fn), { deferred: wrap('DEFERRED', fn), immediate: wrap('IMMEDIATE', fn), exclusive: wrap('EXCLUSIVE', fn) });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Result {
  name: string;
  durability: string;
  perSecond: number;
  p50: number;
  p99: number;
  duplicates: number;
  latencies: number[];
  /** Pupitre: per job, enqueue (its commit included), enqueue → the job's code, the job's code → completion committed. */
  stages?: { enqueue: number[]; toRun: number[]; toDone: number[] };
}

/** The rounds of one system together: pooled latencies, median throughput. */
function pool(results: Result[]): Result {
  const first = results[0] as Result;
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const perSecond = results.map((r) => r.perSecond).sort((a, b) => a - b)[Math.floor(results.length / 2)] as number;
  const stage = (key: 'enqueue' | 'toRun' | 'toDone') => results.flatMap((r) => r.stages?.[key] ?? []).sort((a, b) => a - b);
  const stages = first.stages === undefined ? {} : { stages: { enqueue: stage('enqueue'), toRun: stage('toRun'), toDone: stage('toDone') } };
  return { ...first, ...stages, perSecond, latencies, p50: percentile(latencies, 50), p99: percentile(latencies, 99), duplicates: results.reduce((n, r) => n + r.duplicates, 0) };
}

async function measure(make: (dir: string) => Promise<System>, label: string): Promise<Result> {
  const dir = mkdtempSync(join(BASE, `${label}-`));
  const system = await make(dir);
  try {
    // Throughput: enqueue one job per commit while the workers drain.
    const started = performance.now();
    for (let n = 0; n < N; n += 1) {
      system.enqueue(n);
      if (n % 8 === 7) await yieldToLoop();
    }
    await system.drain();
    const perSecond = N / ((performance.now() - started) / 1_000);
    // Latency: closed loop, one job at a time.
    const latencies: number[] = [];
    const stages = { enqueue: [] as number[], toRun: [] as number[], toDone: [] as number[] };
    for (let i = 0; i < M; i += 1) {
      const t0 = performance.now();
      system.enqueue(N + i);
      const t1 = performance.now();
      await system.drain();
      const t3 = performance.now();
      latencies.push(t3 - t0);
      const ran = system.lastRunAt?.();
      if (ran !== undefined) {
        stages.enqueue.push(t1 - t0);
        stages.toRun.push(ran - t1);
        stages.toDone.push(t3 - ran);
      }
    }
    latencies.sort((a, b) => a - b);
    return {
      name: system.name,
      durability: system.durability,
      perSecond,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      duplicates: system.duplicates(),
      latencies,
      ...(system.lastRunAt === undefined ? {} : { stages }),
    };
  } finally {
    await system.close();
  }
}

const PURGE_JOBS = Number(process.env.BENCH_OUTBOX_PURGE_JOBS ?? 100_000);

interface PurgeResult {
  where: string;
  jobs: number;
  attempts: number;
  seconds: number;
  longestBlockMs: number;
  p99BlockMs: number;
  /** A desk write (an enqueue on the host's connection) every 20 ms during the purge. */
  writeP50Ms: number;
  writeMaxMs: number;
}

/**
 * Retention purge on a large history: PURGE_JOBS done jobs older than the period (each with one
 * attempt, a DMP-like payload and subject) in the encrypted base on disk, purged as the host does
 * it (wiring/outbox-retention.ts: in its worker thread, own connection, 10 batches per task), and,
 * for comparison, on the host's own event loop. Meanwhile the event loop's delay is sampled every
 * millisecond and the desk enqueues a job every 20 ms (its duration includes any wait for the
 * write lock). The longest block is what a click on the desk could wait at worst.
 */
async function measurePurge(mode: 'worker' | 'host' | 'none'): Promise<PurgeResult> {
  const inWorker = mode === 'worker';
  const dataDir = mkdtempSync(join(BASE, 'purge-'));
  const keyHex = generateKeyHex();
  const db = openDatabase({ path: join(dataDir, 'pupitre.db'), keyHex });
  migrate(db, hostMigrations);
  const old = Date.now() - 60 * 86_400_000;
  const insertJob = db.prepare(
    `INSERT INTO outbox_job (queue, idempotency_key, serial_key, payload, subject, patient_id, status, attempts, lease_token, created_at, updated_at)
     VALUES ('dmp.send', ?, ?, ?, ?, ?, 'done', 1, 1, ?, ?)`,
  );
  const insertAttempt = db.prepare(`INSERT INTO outbox_attempt (job_id, lease_token, attempt, worker, started_at, ended_at, outcome) VALUES (?, 1, 1, 'worker-bench', ?, ?, 'done')`);
  db.transaction(() => {
    for (let n = 0; n < PURGE_JOBS; n += 1) {
      const uid = `1.2.250.1.213.1.1.9.${n}.${'7'.repeat(20)}`;
      const id = insertJob.run(uid, `dmp:patient-${n % 5000}`, JSON.stringify({ uniqueId: uid }), JSON.stringify({ patientId: `patient-${n % 5000}`, label: `« Compte rendu ${n} » au DMP (CDA, 1,2 Mio)`, ref: uid }), `patient-${n % 5000}`, old + n, old + n).lastInsertRowid;
      insertAttempt.run(id, old + n, old + n + 40);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const audit = new AuditTrail(db, systemClock);
  const settings = new SettingsService(db, systemClock, { name: 'Pupitre', version: 'bench' }, audit.write);
  const outbox = new Outbox({ db, clock: systemClock, logger: silent, audit: audit.write });
  outbox.register({ name: 'desk', label: 'Desk', endpoint: 'desk', payload: z.object({ n: z.number() }), concurrency: 1, attemptTimeoutMs: 60_000, timeBudgetMs: 3_600_000, maxAttempts: 3, run: async () => undefined });
  const workers = inWorker ? createHostWorkers({ dataDir, keyHex, logger: silent }) : undefined;
  const schedule = wireOutboxRetention({ outbox, settings, logger: silent, clock: systemClock, ...(workers === undefined ? {} : { workers }) }, { firstRunMs: 0, intervalMs: 3_600_000, ...(process.env.BENCH_PURGE_BATCH === undefined ? {} : { batchSize: Number(process.env.BENCH_PURGE_BATCH) }) });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const writes: number[] = [];
  const t0 = performance.now();
  histogram.enable();
  let purging = true;
  if (mode === 'none') {
    // Baseline: the same desk writes and sampling for 3 s, nothing purged.
    setTimeout(() => (purging = false), 3_000);
  } else {
    schedule.start();
    while (schedule.running() === null) await new Promise((resolve) => setTimeout(resolve, 1));
    void schedule.running()?.finally(() => (purging = false));
  }
  for (let n = 0; purging; n += 1) {
    const w0 = performance.now();
    outbox.enqueue('desk', { idempotencyKey: `d${n}`, payload: { n }, subject: { label: 'desk' } });
    writes.push(performance.now() - w0);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  histogram.disable();
  const seconds = (performance.now() - t0) / 1_000;
  await schedule.stop();
  const entry = audit.list({ limit: 10 }).find((e) => e.action === 'outbox.purge');
  await workers?.close();
  db.close();
  writes.sort((x, y) => x - y);
  const details = (entry?.details ?? {}) as { jobs?: number; attempts?: number };
  return {
    where: mode === 'worker' ? 'worker thread (as the host runs it)' : mode === 'host' ? 'host event loop (no worker, for comparison)' : '_no purge (baseline: the desk writes alone, 3 s)_',
    jobs: details.jobs ?? 0,
    attempts: details.attempts ?? 0,
    seconds,
    longestBlockMs: histogram.max / 1e6,
    p99BlockMs: histogram.percentile(99) / 1e6,
    writeP50Ms: percentile(writes, 50),
    writeMaxMs: writes[writes.length - 1] ?? NaN,
  };
}

/**
 * Pupitre's two commits of a job with the engine's own statements and nothing else (no JS around
 * them, no event loop): the enqueue (claim probe + the job written claimed) and the completion
 * (+ the next-job probe), on the encrypted base, FULL. What the engine adds on top is its code.
 */
function pupitreCommitsFloor(): number {
  const db = openDatabase({ path: join(mkdtempSync(join(BASE, 'commits-')), 'pupitre.db'), keyHex: generateKeyHex() });
  migrate(db, outboxSchema.map((m, i) => ({ ...m, version: i + 1 })));
  const store = createStore(db);
  const tx = db.transaction((fn: () => unknown): unknown => fn());
  const times: number[] = [];
  for (let i = 0; i < N + M; i += 1) {
    const now = Date.now();
    const t0 = performance.now();
    const row = tx.immediate(() => {
      store.anyDue.get({ queue: 'bench', now });
      return store.insertClaimed.get({ queue: 'bench', key: `k${i}`, serialKey: null, payload: '{"n":1}', subject: '{"label":"bench"}', patientId: null, nextAt: now, now, owner: 'w', worker: 'w', leaseUntil: now + 60_000 });
    }) as JobRow;
    tx.immediate(() => {
      store.complete.run({ id: row.id, token: row.lease_token, now, outcome: 'done' });
      store.anyDue.get({ queue: 'bench', now });
    });
    // The first N jobs grow the WAL to its working size, as the throughput phase does for the queues.
    if (i >= N) times.push(performance.now() - t0);
  }
  db.close();
  return percentile(times.sort((a, b) => a - b), 50);
}

/** One `synchronous = FULL` commit of a small row on this disk (plain SQLite): the unit the queues pay per commit. */
function commitFloor(): number {
  const db = new Database(join(mkdtempSync(join(BASE, 'floor-')), 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const times: number[] = [];
  for (let i = 0; i < M; i += 1) {
    const t0 = performance.now();
    insert.run('x'.repeat(200));
    times.push(performance.now() - t0);
  }
  db.close();
  return percentile(times.sort((a, b) => a - b), 50);
}

const SYSTEMS = {
  pupitre: (dir: string) => pupitre(dir),
  'pupitre-cpu': (dir: string) => pupitre(dir, 'cpu-only'),
  'pupitre-unencrypted': (dir: string) => pupitre(dir, 'unencrypted'),
  plainjob: (dir: string) => plainjob(dir, false),
  liteque: (dir: string) => liteque(dir, false),
  'plainjob-full': (dir: string) => plainjob(dir, true),
  'plainjob-full-encrypted': (dir: string) => plainjob(dir, true, true),
  'liteque-full': (dir: string) => liteque(dir, true),
} as const;
type SystemLabel = keyof typeof SYSTEMS;
const LABELS = Object.keys(SYSTEMS) as SystemLabel[];
// Rounds are interleaved (A/B/C…/A/B/C…) so that a slow minute of the shared machine falls on
// every system alike; latencies are pooled over the rounds, throughput is the median round.
const ROUNDS = Number(process.env.BENCH_OUTBOX_ROUNDS ?? 3);

/**
 * Child mode (`BENCH_OUTBOX_FSYNC=label`): one system's closed loop, run under strace by the parent
 * to see what each job costs the disk. The system first runs the same burst of N jobs as the
 * measured rounds, so that its WAL has reached its working size as in the measured loop (a WAL
 * still growing makes every fsync also write the file's inode: ext4 here has no journal, and
 * that write costs about as much as the flush itself).
 */
async function fsyncChild(label: SystemLabel, newWal: boolean): Promise<void> {
  const system = await SYSTEMS[label](mkdtempSync(join(BASE, `fsync-${label}-`)));
  for (let n = 0; n < (newWal ? 0 : N); n += 1) {
    system.enqueue(n);
    if (n % 8 === 7) await yieldToLoop();
  }
  await system.drain();
  // The counted jobs, marked in the trace by a failing fsync of /dev/null before and after.
  // A new WAL: a few jobs first (schema, first commits), then the counted ones, still growing it.
  for (let i = 0; i < (newWal ? 5 : 0); i += 1) {
    system.enqueue(N + FSYNC_JOBS + i);
    await system.drain();
  }
  markTrace();
  for (let i = 0; i < FSYNC_JOBS; i += 1) {
    system.enqueue(N + i);
    await system.drain();
  }
  markTrace();
  await system.close();
}
const FSYNC_JOBS = 100;
let markerFd: number | null = null;
/** fsync of /dev/null (EINVAL): a line in the trace that marks where the counted loop starts and ends. */
function markTrace(): void {
  markerFd ??= openSync('/dev/null', 'r');
  try {
    fsyncSync(markerFd);
  } catch {
    // EINVAL: the marker itself.
  }
}

interface SyncCost {
  /** fsync + fdatasync calls per job: of the WAL, and of the database file (checkpoints). */
  walSyncs: number;
  dbSyncs: number;
  /** Bytes written (WAL frames and their headers, checkpoints) per job. */
  bytes: number;
  /** Median duration of one fsync of the WAL (strace -T; strace slows every call a little). */
  fsyncMs: number;
  /** fsyncs of the WAL after a write that made the file longer (the inode written too). */
  grew: number;
}

/** fsyncs, bytes written and fsync time per job of each system, from strace; null when strace is missing. */
function countFsyncs(label: SystemLabel, newWal = false): SyncCost | null {
  const out = join(mkdtempSync(join(BASE, 'strace-')), 'trace');
  const result = spawnSync('strace', ['-f', '-qq', '-T', '-y', '-e', 'trace=fsync,fdatasync,pwrite64', '-o', out, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_OUTBOX_FSYNC: label, BENCH_OUTBOX_FSYNC_NEW_WAL: newWal ? '1' : '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (result.error !== undefined || result.status !== 0 || !existsSync(out)) return null;
  const lines = readFileSync(out, 'utf8').split('\n').filter((line) => !/resumed|unfinished/.test(line));
  const marks = lines.flatMap((line, i) => (/fsync\(\d+<\/dev\/null>\)\s+= -1 EINVAL/.test(line) ? [i] : []));
  if (marks.length < 2) return null;
  const first = marks[0] as number;
  const last = marks[marks.length - 1] as number;
  // The WAL's size before the loop: the end of the furthest write so far.
  const walWrite = /pwrite64\(\d+<[^>]*-wal>, .*, (\d+), (\d+)\)\s+=\s+\d+/;
  let walSize = 0;
  for (const line of lines.slice(0, first)) {
    const m = walWrite.exec(line);
    if (m !== null) walSize = Math.max(walSize, Number(m[1]) + Number(m[2]));
  }
  let walSyncs = 0;
  let dbSyncs = 0;
  let bytes = 0;
  let grew = 0;
  let extended = false;
  const durations: number[] = [];
  for (const line of lines.slice(first + 1, last)) {
    const write = walWrite.exec(line);
    if (write !== null && Number(write[1]) + Number(write[2]) > walSize) {
      walSize = Number(write[1]) + Number(write[2]);
      extended = true;
    }
    if (/\bpwrite64\(/.test(line)) bytes += Number(/=\s+(\d+)\s+<[^>]*>\s*$/.exec(line)?.[1] ?? 0);
    if (!/\b(fsync|fdatasync)\(\d+/.test(line)) continue;
    if (/-wal>\)/.test(line)) {
      walSyncs += 1;
      durations.push(Number(/<([0-9.]+)>\s*$/.exec(line)?.[1] ?? NaN) * 1_000);
      if (extended) grew += 1;
      extended = false;
    } else {
      dbSyncs += 1;
    }
  }
  const finite = durations.filter(Number.isFinite).sort((x, y) => x - y);
  return { walSyncs: walSyncs / FSYNC_JOBS, dbSyncs: dbSyncs / FSYNC_JOBS, bytes: bytes / FSYNC_JOBS, fsyncMs: percentile(finite, 50), grew };
}

const only = process.env.BENCH_OUTBOX_FSYNC as SystemLabel | undefined;
if (only !== undefined) {
  await fsyncChild(only, process.env.BENCH_OUTBOX_FSYNC_NEW_WAL === '1');
  process.exit(0);
}

const chosen = (process.env.BENCH_OUTBOX_SYSTEMS?.split(',') as SystemLabel[] | undefined) ?? LABELS;
const loadAtStart = loadavg()[0] ?? 0;
const floorBefore = commitFloor();
const pupitreFloor = chosen.includes('pupitre') ? pupitreCommitsFloor() : NaN;
const rounds = new Map<SystemLabel, Result[]>(chosen.map((label) => [label, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const label of chosen) {
    process.stderr.write(`bench outbox: round ${round + 1}/${ROUNDS} ${label}\n`);
    rounds.get(label)?.push(await measure(SYSTEMS[label], label));
  }
}
const results: Result[] = chosen.map((label) => pool(rounds.get(label) ?? []));
const fsyncs = new Map<string, SyncCost | null>(chosen.map((label, i) => [results[i]?.name ?? label, countFsyncs(label)]));
// The same loop on a WAL that grows at each commit (no burst first), for the two systems compared.
const newWal = new Map<SystemLabel, SyncCost | null>((['pupitre', 'plainjob-full'] as const).filter((label) => chosen.includes(label)).map((label) => [label, countFsyncs(label, true)]));
const purges = process.env.BENCH_OUTBOX_PURGE === '0' ? [] : [await measurePurge('none'), await measurePurge('worker'), await measurePurge('host')];
const floor = (floorBefore + commitFloor()) / 2;
const loadAtEnd = loadavg()[0] ?? 0;
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const byLabel = (label: SystemLabel) => results[chosen.indexOf(label)];
const ours = byLabel('pupitre') ?? (results[0] as Result);
const full = [byLabel('plainjob-full'), byLabel('liteque-full')].filter((r): r is Result => r !== undefined);
if (full.length === 0) full.push(ours);
const fsyncText = (r: Result) => {
  const cost = fsyncs.get(r.name);
  if (cost === null || cost === undefined) return 'n/a (no strace)';
  const median = Number.isFinite(cost.fsyncMs) ? `, one fsync of the WAL: median ${cost.fsyncMs.toFixed(2)} ms` : '';
  return `${(cost.walSyncs + cost.dbSyncs).toFixed(2)} (WAL ${cost.walSyncs.toFixed(2)}, database file ${cost.dbSyncs.toFixed(2)}: checkpoints; ${(cost.bytes / 1024).toFixed(1)} KiB written${median})`;
};
const fastestFull = full.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
const quickestFull = full.reduce((a, b) => (b.p50 < a.p50 ? b : a));
/**
 * What bounds Pupitre's p50 against plainjob-FULL: the disk (per-fsync figures from strace, both
 * in the steady state), the encryption of each page (the unencrypted and encrypted variants of
 * both engines) and the code between the fsyncs.
 */
function boundsText(): string {
  const plain = byLabel('plainjob-full');
  const plainEncrypted = byLabel('plainjob-full-encrypted');
  const unencrypted = byLabel('pupitre-unencrypted');
  const ourSyncs = fsyncs.get(ours.name);
  const theirSyncs = plain === undefined ? undefined : fsyncs.get(plain.name);
  const parts: string[] = ['**What bounds it now:**'];
  if (ourSyncs !== null && ourSyncs !== undefined && theirSyncs !== null && theirSyncs !== undefined) {
    const ourNew = newWal.get('pupitre');
    const theirNew = newWal.get('plainjob-full');
    const growth =
      ourNew === null || ourNew === undefined || theirNew === null || theirNew === undefined
        ? ''
        : ` (the same ${FSYNC_JOBS} jobs on a new WAL, growing at each commit: median ${ourNew.fsyncMs.toFixed(2)} ms an fsync for Pupitre, ${theirNew.fsyncMs.toFixed(2)} ms for plainjob; the bench's earlier per-fsync figures were taken there)`;
    parts.push(
      `(1) the disk: ${ourSyncs.walSyncs.toFixed(0)} fsyncs of the WAL a job for Pupitre, ${theirSyncs.walSyncs.toFixed(0)} for plainjob; in this steady state (each system first ran the same ${N}-job burst) both WALs are overwritten in place (fsyncs after a write that made the WAL longer: ${ourSyncs.grew} and ${theirSyncs.grew} of ${FSYNC_JOBS} jobs), and one fsync costs both about the same: median ${ourSyncs.fsyncMs.toFixed(2)} ms for Pupitre, ${theirSyncs.fsyncMs.toFixed(2)} ms for plainjob (strace adds its own time to each call). A WAL that grows costs more: ext4 here has no journal and writes the file's inode at each fsync when the size changed${growth}. Checkpoints (one per 1 000 frames of WAL, each with an fsync of the database file): ${ourSyncs.dbSyncs.toFixed(2)} a job for Pupitre, ${theirSyncs.dbSyncs.toFixed(2)} for plainjob: not at the p50.`,
    );
  }
  if (unencrypted !== undefined) {
    const perPage = (ours.p50 - unencrypted.p50) / 5;
    const equal = plainEncrypted === undefined || plain === undefined
      ? ''
      : ` plainjob on Pupitre's encrypted base (same build, same cipher, 7 pages a job): ${fmt(plainEncrypted.p50)} ms against ${fmt(plain.p50)} ms unencrypted. **At equal durability and equal encryption, Pupitre's p50 is ${(ours.p50 / plainEncrypted.p50).toFixed(2)}× plainjob's; unencrypted, the two engines are at ${(unencrypted.p50 / plain.p50).toFixed(2)}×.**`;
    parts.push(
      `(2) encryption: each page written is encrypted (AES-256-CBC) and authenticated (HMAC-SHA512) in software by SQLite3MultipleCiphers (better-sqlite3-multiple-ciphers builds it without its AES hardware path; SHA-512 is most of it in a profile). The same engine on plain better-sqlite3 takes ${fmt(unencrypted.p50)} ms: ${fmt(perPage * 1000)} µs a page for the 5 pages of a job.${equal}`,
    );
  }
  const cpu = byLabel('pupitre-cpu');
  const codeFigures =
    cpu === undefined || !Number.isFinite(pupitreFloor)
      ? ''
      : ` (with fsyncs, the engine's code adds ${fmt(ours.p50 - pupitreFloor)} ms to its two commits; without fsync, the whole loop, commits and encryption included, takes ${fmt(cpu.p50)} ms)`;
  parts.push(
    `(3) the code between the fsyncs runs several times slower than in a loop without fsync${codeFigures}: the process sleeps during each flush and the code after it starts cold on this shared virtual machine; plainjob runs less code between its commits. A cheaper cipher or a smaller page would change the database format (SQLCipher v4 scheme) and was not done; \`synchronous\` stays FULL and both commits stay fsynced.`,
  );
  return parts.join(' ');
}

/** Where Pupitre's latency goes, stage by stage (medians), with the CPU-only run to tell code from disk. */
function latencyText(): string {
  const cpu = byLabel('pupitre-cpu');
  const median = (values: number[] | undefined) => percentile(values ?? [], 50);
  const stage = (key: 'enqueue' | 'toRun' | 'toDone') => {
    const withDisk = median(ours.stages?.[key]);
    const withoutDisk = median(cpu?.stages?.[key]);
    return cpu === undefined ? `${fmt(withDisk)} ms` : `${fmt(withDisk)} ms (${fmt(withoutDisk)} ms of it without fsync)`;
  };
  const cpuTotal = cpu === undefined ? '' : ` With \`synchronous=OFF\` (no fsync; the second Pupitre line, never shipped) the same loop takes ${fmt(cpu.p50)} ms: the other ${fmt(ours.p50 - cpu.p50)} ms are the two fsyncs and the slower code after each (below; compare the floor, one FULL commit of a small row).`;
  const floorText = Number.isFinite(pupitreFloor)
    ? ` The same two commits with the engine's statements alone (no JS around them, same pages) take ${fmt(pupitreFloor)} ms; the engine's code around them adds ${fmt(ours.p50 - pupitreFloor)} ms${cpu === undefined ? '' : `, whereas the whole loop costs ${fmt(cpu.p50)} ms without fsync`}.`
    : '';
  return [
    `Where Pupitre's latency goes (p50 of each stage, ${M} × ${ROUNDS} jobs): **enqueue** ${stage('enqueue')} — one IMMEDIATE transaction writes the job already claimed by this worker (status, lease and first attempt in the row, when nothing else of the queue is due and its serialisation key is free) and commits it: 3 encrypted pages (the job row, the unique (queue, idempotency key) index, the due index); `,
    `**enqueue → the job's code** ${stage('toRun')} — a microtask: no timer, no pass of the engine, no query to confirm the claim; `,
    `**the job's code → completion committed** ${stage('toDone')} — the completion (2 pages: the job row with its attempt's end, the due index) and, in the same commit, the claim of the queue's next due job; committed at once when no other attempt could join the group commit.${cpuTotal}${floorText} `,
    `${boundsText()} `,
    `Before (issue 15, first pass): 8 pages per job (\`sqlite_sequence\` for AUTOINCREMENT and an attempt row in both commits), a sorting query before each claim and a turn of the event loop before the completion's commit. Ids are still never given twice (a floor raised by the purge), and every attempt is still in the history (\`outbox_attempt_log\`). `,
    'plainjob and liteque commit the add, the claim and the completion separately (three fsyncs) and poll for work (1 ms here).',
  ].join('');
}

const lines = [
  '## Outbox: enqueue + claim + complete (bench/outbox.bench.ts)',
  '',
  `${N} jobs (one commit per enqueue, ${CONCURRENCY} workers, no-op job) for throughput; a closed loop of ${M} jobs for latency (enqueue → completion committed, each job followed by its id), ${ROUNDS} interleaved rounds (every system once per round, latencies pooled, median throughput). fsyncs per job: ${FSYNC_JOBS} closed-loop jobs of each system under \`strace -f -T -y -e trace=fsync,fdatasync,pwrite64\`, after the same ${N}-job burst as the measured rounds (the WAL at its working size). Same run, same disk (ext4). Machine load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end.`,
  '',
  '| queue | durability | fsyncs per job (strace: of the WAL and of the database file, bytes written per job, one fsync\'s median time) | jobs/s | p50 latency | p99 latency | jobs run twice |',
  '|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${r.durability} | ${fsyncText(r)} | ${Math.round(r.perSecond)} | ${fmt(r.p50)} ms | ${fmt(r.p99)} ms | ${r.duplicates} |`),
  `| _one FULL commit of a small row, plain SQLite, same disk (floor)_ | | 1 | | ${fmt(floor)} ms | | |`,
  '',
  `**At equal durability (FULL): p50 latency ${fmt(ours.p50)} ms vs ${fmt(quickestFull.p50)} ms for ${quickestFull.name} (ratio ${(ours.p50 / quickestFull.p50).toFixed(2)}, target ≤ 1); throughput ${(ours.perSecond / fastestFull.perSecond).toFixed(2)}× the faster library (${fastestFull.name}).** p99 ${fmt(ours.p99)} ms vs ${fmt(quickestFull.p99)} ms.`,
  '',
  latencyText(),
  '',
  `**Retention purge** (issue 15): ${PURGE_JOBS} done jobs past the period, one attempt each, in the encrypted base on disk, batches of ${DEFAULT_PURGE_BATCH} (one transaction each); the desk enqueues a job every 20 ms meanwhile.`,
  '',
  '| where the purge runs | jobs / attempts deleted (audit entry) | time | longest event-loop block | p99 block | desk enqueue p50 / max |',
  '|---|---|---|---|---|---|',
  ...purges.map((p) => `| ${p.where} | ${p.jobs} / ${p.attempts} | ${p.seconds.toFixed(1)} s | **${fmt(p.longestBlockMs)} ms** | ${fmt(p.p99BlockMs)} ms | ${fmt(p.writeP50Ms)} / ${fmt(p.writeMaxMs)} ms |`),
  '',
  'On the host\'s event loop, each batch\'s commit (an fsync) and its checkpoint block the desk; in the worker thread they run on its own connection, and the desk waits at most for the write lock of one batch (longer only when the worker holding it is descheduled on a loaded machine). Each batch is checkpointed by the purging connection itself: left to the automatic checkpoint (1 000 pages), a commit of the desk had to copy the whole WAL the purge had written (357 ms on this machine before the change).',
  '',
  'liteque 0.8.0 fails every dequeue with better-sqlite3 12 (async function in a transaction); the bench restores the pre-12 commit behaviour it relies on (see `allowAsyncTransactions`).',
  'As shipped, liteque and plainjob use `synchronous=NORMAL` in WAL mode: a commit survives a crash of the process but not a power cut or an OS crash (the WAL is fsynced only at checkpoints). Pupitre ships `synchronous=FULL` on an encrypted database: a job acknowledged to the caller survives a power cut. liteque deletes completed jobs; plainjob and Pupitre keep them (Pupitre also keeps the attempt history).',
];
process.stdout.write(`${lines.join('\n')}\n`);
