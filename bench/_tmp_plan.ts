import { migrate, openDatabase } from '../electron/platform/db';
import { outboxMigrations, outboxMigrations2 } from '../electron/services/outbox';
const db = openDatabase({ path: ':memory:' });
migrate(db, [...outboxMigrations, ...outboxMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
db.exec('ANALYZE');
const OPEN = "('pending','running','retry_wait','blocked')";
import { createStore } from '../electron/services/outbox/store';
const st = createStore(db) as unknown as { due: { source: string } };
const qs: Record<string, string> = {
  dueNew: st.due.source,
  due: `SELECT j.id FROM outbox_job j WHERE j.queue = @queue AND ((j.status IN ('pending','retry_wait') AND j.next_attempt_at <= @now) OR (j.status = 'running' AND j.lease_expires_at <= @now)) AND (j.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox_job e WHERE e.queue = j.queue AND e.serial_key = j.serial_key AND e.id < j.id AND e.status IN ${OPEN})) ORDER BY j.next_attempt_at, j.id LIMIT @limit`,
  nextWake: `SELECT min(t) AS at FROM (SELECT min(next_attempt_at) AS t FROM outbox_job WHERE status IN ('pending','retry_wait') AND next_attempt_at > @now UNION ALL SELECT min(lease_expires_at) FROM outbox_job WHERE status = 'running' AND lease_expires_at > @now)`,
  leaseHolders: `SELECT DISTINCT lease_owner AS owner FROM outbox_job WHERE status = 'running' AND lease_expires_at > @now AND lease_owner IS NOT NULL AND lease_owner <> @me`,
};
for (const [k, q] of Object.entries(qs)) { console.log('--', k); for (const r of db.prepare(`EXPLAIN QUERY PLAN ${q}`).all({ queue: 'q', now: 1, limit: 4, me: 'x' }) as Array<{ detail: string }>) console.log('  ', r.detail); }
import { retentionStatements } from '../electron/services/outbox/retention';
const r = retentionStatements(db) as unknown as { expired: { source: string } };
for (const row of db.prepare(`EXPLAIN QUERY PLAN ${r.expired.source}`).all({ cutoff: 1, limit: 3 }) as Array<{ detail: string }>) console.log('  exp', row.detail);
const st2 = createStore(db) as unknown as { nextWake: { source: string }; leaseHolders: { source: string } };
for (const q of [st2.nextWake.source, st2.leaseHolders.source]) for (const row of db.prepare(`EXPLAIN QUERY PLAN ${q}`).all({ queue: 'q', now: 1, me: 'x' }) as Array<{ detail: string }>) console.log('  q', row.detail);
