/**
 * Backups and integrity checks of the encrypted base (issue 14, points 3 and 4), on a base of
 * BENCH_BACKUP_MB (default 100) megabytes on a real disk:
 *
 * - online encrypted backup (SQLite backup API, 256 pages per step, then the copy's quick_check and
 *   SHA-256 as `pupitre backup` does) against the baseline of a plain file copy (no consistency,
 *   no check) and `VACUUM INTO` (consistent, encrypted, but one blocking call);
 * - the longest the event loop was blocked meanwhile (a 1 ms timer measures the lag): what the desk
 *   feels while a scheduled backup runs (the backup's last step, where SQLite commits and syncs the
 *   copy, is its longest: about a quarter of a second per 100 Mo here);
 * - `quick_check` on the host's thread against the same check on a worker thread (the background
 *   check at start-up), with the event-loop lag of each.
 *
 * Prints a markdown section on stdout (collected into bench/README.md by scripts/bench.mjs).
 */
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { backupDatabase, checkIntegrity, checkIntegrityInBackground, migrate, openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';

const TARGET_MB = Number(process.env.BENCH_BACKUP_MB ?? 100);
const BASE = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'pupitre-bench-backup-'));
const keyHex = generateKeyHex();
const path = join(BASE, 'pupitre.db');

/** Runs `fn` while a 1 ms timer records how late it fires: the worst lag is the longest block. */
async function withLag<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; lagMs: number }> {
  let worst = 0;
  let expected = performance.now() + 1;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - expected);
    expected = now + 1;
  }, 1);
  const started = performance.now();
  await new Promise((resolve) => setImmediate(resolve));
  const value = await fn();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(timer);
  return { value, ms, lagMs: worst };
}

const db = openDatabase({ path, keyHex });
migrate(db, [{ version: 1, name: 'documents', up: (d) => d.exec('CREATE TABLE documents (id INTEGER PRIMARY KEY, patient TEXT, body BLOB); CREATE INDEX documents_patient ON documents(patient)') }]);
const insert = db.prepare('INSERT INTO documents (patient, body) VALUES (?, randomblob(?))');
let n = 0;
while (statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0) < TARGET_MB * 1e6) {
  db.transaction(() => {
    for (let i = 0; i < 500; i += 1) insert.run(`patient-${(n += 1) % 5000}`, 2000 + (n % 3000));
  })();
}
db.pragma('wal_checkpoint(TRUNCATE)');
const sizeMb = statSync(path).size / 1e6;

const copy = await withLag(() => copyFileSync(path, join(BASE, 'copy.db')));
const vacuum = await withLag(() => db.prepare('VACUUM INTO ?').run(join(BASE, 'vacuum.db')));
const online = await withLag(() => backupDatabase(db, { folder: join(BASE, 'sauvegardes'), keyHex, now: new Date() }));
const mainCheck = await withLag(() => checkIntegrity(db));
const workerCheck = await withLag(() => checkIntegrityInBackground(path, keyHex));
db.close();
if (!mainCheck.value.ok || !workerCheck.value.ok) throw new Error('quick_check failed on a sound base');
rmSync(BASE, { recursive: true, force: true });

const mbps = (ms: number) => (sizeMb / (ms / 1000)).toFixed(0);
const row = (name: string, r: { ms: number; lagMs: number }, note: string) =>
  `| ${name} | ${r.ms.toFixed(0)} ms | ${mbps(r.ms)} Mo/s | ${(r.ms / copy.ms).toFixed(1)} × | ${r.lagMs.toFixed(0)} ms | ${note} |`;
const [one] = loadavg();
process.stdout.write(
  [
    '## Backup and integrity check of the encrypted base',
    '',
    `Base of ${sizeMb.toFixed(0)} Mo (SQLCipher scheme), on a real disk; load average ${one?.toFixed(1)} during the run (the machine is shared).`,
    '',
    '| operation | time | throughput | vs plain copy | longest event-loop block | note |',
    '|---|---|---|---|---|---|',
    row('plain file copy (baseline)', copy, 'no consistency, no check'),
    row('`VACUUM INTO` (encrypted)', vacuum, 'consistent, one blocking call'),
    row('`pupitre backup`: online backup API + quick_check + SHA-256', online, 'consistent, verified, steps of 256 pages'),
    row('`quick_check` on the host thread', mainCheck, 'what `pupitre doctor` does'),
    row('`quick_check` on a worker thread', workerCheck, 'background check of a running host'),
    '',
  ].join('\n'),
);
