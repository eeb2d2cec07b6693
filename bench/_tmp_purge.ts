import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrate, openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { outboxMigrations, outboxMigrations2 } from '../electron/services/outbox';
import { retentionStatements } from '../electron/services/outbox/retention';
const N = 30000;
for (const batch of (process.env.B ?? '50,200').split(',').map(Number)) {
  const db = openDatabase({ path: join(mkdtempSync('/var/tmp/h15o-purge-'), 'p.db'), keyHex: generateKeyHex() });
  migrate(db, [...outboxMigrations, ...outboxMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const old = Date.now() - 60 * 86_400_000;
  const insertJob = db.prepare(`INSERT INTO outbox_job (queue, idempotency_key, serial_key, payload, subject, patient_id, status, attempts, lease_token, created_at, updated_at) VALUES ('dmp.send', ?, ?, ?, ?, ?, 'done', 1, 1, ?, ?)`);
  const insertAttempt = db.prepare(`INSERT INTO outbox_attempt (job_id, lease_token, attempt, worker, started_at, ended_at, outcome) VALUES (?, 1, 1, 'worker-bench', ?, ?, 'done')`);
  db.transaction(() => { for (let n = 0; n < N; n++) { const uid = `1.2.250.1.213.1.1.9.${n}.${'7'.repeat(20)}`; const id = insertJob.run(uid, `dmp:patient-${n % 5000}`, JSON.stringify({ uniqueId: uid }), JSON.stringify({ patientId: `patient-${n % 5000}`, label: `« Compte rendu ${n} » au DMP (CDA, 1,2 Mio)`, ref: uid }), `patient-${n % 5000}`, old + n, old + n).lastInsertRowid; insertAttempt.run(id, old + n, old + n + 40); } })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sql = retentionStatements(db);
  const times: number[] = []; const parts = { sel: 0, att: 0, job: 0, commit: 0 };
  for (;;) {
    const t0 = performance.now();
    db.exec('BEGIN IMMEDIATE');
    const ids = sql.expired.all({ cutoff: Date.now(), limit: batch }).map((r) => r.id);
    const t1 = performance.now();
    if (ids.length === 0) { db.exec('COMMIT'); break; }
    const list = JSON.stringify(ids);
    sql.deleteAttempts.run({ ids: list });
    const t2 = performance.now();
    sql.deleteJobs.run({ ids: list });
    const t3 = performance.now();
    db.exec('COMMIT');
    const t4 = performance.now();
    parts.sel += t1 - t0; parts.att += t2 - t1; parts.job += t3 - t2; parts.commit += t4 - t3;
    times.push(t4 - t0);
  }
  times.sort((a, b) => a - b);
  const n = times.length;
  console.log(`batch ${batch}: n=${n} p50 ${times[n >> 1]?.toFixed(2)} p99 ${times[Math.floor(n * 0.99)]?.toFixed(2)} max ${times[n - 1]?.toFixed(2)} per-job ${(times.reduce((a, b) => a + b, 0) / N).toFixed(3)} ms; parts/batch sel ${(parts.sel / n).toFixed(2)} att ${(parts.att / n).toFixed(2)} job ${(parts.job / n).toFixed(2)} commit ${(parts.commit / n).toFixed(2)}`);
  db.close();
}
