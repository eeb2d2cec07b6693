/** The DMP benches' base: encrypted, on disk, with the DMP's, the outbox's and the audit trail's tables. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../electron/platform/db';
import { generateKeyHex } from '../electron/platform/db/key';
import { migrateForDmp } from '../fixtures/wiring/dmp';

export function freshDb() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dmp-'));
  const db = openDatabase({ path: join(dir, 'pupitre.db'), keyHex: generateKeyHex() });
  migrateForDmp(db, { outbox: true, audit: true });
  return { db, dir };
}
