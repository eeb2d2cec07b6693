import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { systemClock } from '../electron/platform/clock';
import { migrate, openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { createLogger } from '../electron/platform/log';
import { Outbox, outboxMigrations, outboxMigrations2 } from '../electron/services/outbox';
const silent = createLogger({ clock: systemClock, level: 'error', sink: () => undefined });
const dir = mkdtempSync('/var/tmp/h15o-');
const db = openDatabase({ path: join(dir, 'p.db'), keyHex: generateKeyHex() });
migrate(db, [...outboxMigrations, ...(process.env.NOIDX ? [] : outboxMigrations2)].map((m, i) => ({ ...m, version: i + 1 })));
const outbox = new Outbox({ db, clock: systemClock, logger: silent, audit: () => undefined });
outbox.register({ name: 'bench', label: 'B', endpoint: 'bench', payload: z.object({ n: z.number() }), concurrency: 4, attemptTimeoutMs: 60000, timeBudgetMs: 3600000, maxAttempts: 3, run: async () => undefined });
outbox.start();
const M = Number(process.env.M ?? 1000);
const lat: number[] = [];
for (let i = 0; i < M; i++) {
  const t0 = performance.now();
  outbox.enqueue('bench', { idempotencyKey: `k${i}`, payload: { n: i }, subject: { label: 'b' } });
  await outbox.whenIdle();
  lat.push(performance.now() - t0);
}
lat.sort((a, b) => a - b);
console.log('p50', lat[M >> 1]?.toFixed(3), 'p90', lat[Math.floor(M * 0.9)]?.toFixed(3));
await outbox.stop(100);
