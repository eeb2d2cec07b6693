/**
 * What page encryption costs the desk's base, scheme by scheme (issue 15: the outbox's p50 against
 * an unencrypted peer). Every scheme SQLite3MultipleCiphers builds in, on the same machine in the
 * same run, against the baseline of the same work on an unencrypted base:
 *
 * - a write loop shaped like an outbox job (insert a row with its unique and due indexes, then
 *   update it), WAL with `synchronous=OFF` so that no fsync hides the CPU of the pages;
 * - a cold scan of the whole table (page cache off): every page read is decrypted and authenticated.
 *
 * Pupitre ships the SQLCipher v4 scheme (AES-256-CBC + HMAC-SHA512, platform/db/index.ts); the
 * others are measured for the decision recorded in README « Design ».
 *
 * Prints a markdown section on stdout (collected into bench/README.md by scripts/bench.mjs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateKeyHex } from '../electron/platform/db/key';
import { openSqlite, type SqliteDatabase } from '../native/sqlite';

const JOBS = Number(process.env.BENCH_CIPHER_JOBS ?? 10_000);
const SCANS = Number(process.env.BENCH_RUNS ?? 5);
const BASE = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'pupitre-bench-cipher-'));
const keyHex = generateKeyHex();

interface Scheme {
  name: string;
  note: string;
  /** Pragmas before the key (none: an unencrypted base). */
  pragmas: string[] | null;
}

const SCHEMES: Scheme[] = [
  { name: 'none (baseline)', note: 'unencrypted', pragmas: null },
  { name: 'SQLCipher v4 — shipped', note: 'AES-256-CBC + HMAC-SHA512 a page', pragmas: ["cipher='sqlcipher'", 'legacy=4'] },
  { name: 'AEGIS-256', note: 'AEAD on the AES round (hardware AES when the CPU has it)', pragmas: ["cipher='aegis'", "algorithm='aegis-256'"] },
  { name: 'ChaCha20-Poly1305 (sqleet)', note: 'AEAD in software', pragmas: ["cipher='chacha20'"] },
  { name: 'AES-256-CBC (wxSQLite3)', note: 'no authentication of the page', pragmas: ["cipher='aes256cbc'"] },
];

function open(path: string, scheme: Scheme): SqliteDatabase {
  const db = openSqlite(path);
  if (scheme.pragmas !== null) {
    for (const pragma of scheme.pragmas) db.pragma(pragma);
    db.pragma(`key="x'${keyHex}'"`);
  }
  return db;
}

function measure(scheme: Scheme, index: number): { writeUs: number; scanUsPerPage: number } {
  const path = join(BASE, `base-${index}.db`);
  const db = open(path, scheme);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.exec(`CREATE TABLE job (id INTEGER PRIMARY KEY, queue TEXT NOT NULL, idem TEXT NOT NULL, status INTEGER NOT NULL, payload BLOB NOT NULL);
           CREATE UNIQUE INDEX job_idem ON job (queue, idem);
           CREATE INDEX job_due ON job (status, id);`);
  const insert = db.prepare<[string, string, number, Buffer]>('INSERT INTO job (queue, idem, status, payload) VALUES (?, ?, ?, ?)');
  const done = db.prepare<[number | bigint]>('UPDATE job SET status = 1 WHERE id = ?');
  const payload = Buffer.alloc(200, 7);
  const job = (i: number): void => {
    const { lastInsertRowid } = insert.run('q', `k${i}`, 0, payload);
    done.run(lastInsertRowid);
  };
  // Warm-up: the same burst for every scheme, then the measured loop.
  for (let i = 0; i < Math.min(2_000, JOBS); i++) job(i);
  const started = performance.now();
  for (let i = 0; i < JOBS; i++) job(2_000 + i);
  const writeUs = ((performance.now() - started) * 1000) / JOBS;
  db.close();

  const cold = open(path, scheme);
  cold.pragma('cache_size = 0');
  const pages = cold.pragma('page_count', { simple: true }) as number;
  const scan = cold.prepare('SELECT sum(length(payload)) FROM job');
  scan.get();
  const t = performance.now();
  for (let i = 0; i < SCANS; i++) scan.get();
  const scanUsPerPage = ((performance.now() - t) * 1000) / SCANS / pages;
  cold.close();
  return { writeUs, scanUsPerPage };
}

try {
  const results = SCHEMES.map((scheme, index) => ({ scheme, ...measure(scheme, index) }));
  const baseline = results[0]!;
  const [one] = loadavg();
  process.stdout.write(
    [
      '## Page encryption of the base, scheme by scheme (bench/cipher.bench.ts)',
      '',
      `${JOBS} outbox-shaped jobs (insert with two indexes, then update; WAL, \`synchronous=OFF\`: CPU only) and a cold scan of the table (${SCANS} pass${SCANS === 1 ? '' : 'es'}, page cache off), each scheme on its own base with the same 256-bit raw key; load average ${one?.toFixed(1)}. Baseline: the same work unencrypted, same run.`,
      '',
      '| scheme | a job (insert + update) | vs unencrypted | a page read cold | vs unencrypted | note |',
      '|---|---|---|---|---|---|',
      ...results.map(
        (r) =>
          `| ${r.scheme.name} | ${r.writeUs.toFixed(1)} µs | ${(r.writeUs / baseline.writeUs).toFixed(2)} × | ${r.scanUsPerPage.toFixed(2)} µs | ${(r.scanUsPerPage / baseline.scanUsPerPage).toFixed(2)} × | ${r.scheme.note} |`,
      ),
      '',
    ].join('\n'),
  );
} finally {
  rmSync(BASE, { recursive: true, force: true });
}
