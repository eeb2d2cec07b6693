/**
 * Issue 14, point 3 — no silent data loss. A database that existed and is gone, emptied or damaged
 * stops the host with its own code and the next step; the key is never regenerated over an
 * existing database; « clé invalide » only when the key is wrong; files are private (0600).
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestHost } from '../../fixtures/testing/host';
import { createManualClock } from '../platform/clock';
import { generateKeyHex } from '../platform/db/key';
import { createMemoryLogger } from '../platform/log';
import { composeHost } from './compose';
import { main } from './cli/main';
import { databaseCheck } from './doctor';
import { openSqlite } from '../../native/sqlite';

const tempDir = () => mkdtempSync(join(tmpdir(), 'pupitre-storage-'));

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

/** An installation that was used: the demo base is seeded, then the host is closed cleanly. */
async function usedInstallation(): Promise<{ dataDir: string; keyHex: string }> {
  const dataDir = tempDir();
  const keyHex = generateKeyHex();
  const host = await createTestHost({ dataDir, keyHex });
  const { results } = await host.dispatcher.invoke('patients.search', { query: 'ma' });
  expect(results.length).toBeGreaterThan(0);
  await host.close();
  return { dataDir, keyHex };
}

/** Overwrites bytes of the database file at an offset (simulates a damaged sector). */
function damage(path: string, offset: number, length: number): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(length, 0x5a), 0, length, offset);
  } finally {
    closeSync(fd);
  }
}

describe('a database that existed is never silently replaced', () => {
  it('refuses to start on an emptied pupitre.db, and leaves it as it is', async () => {
    const { dataDir, keyHex } = await usedInstallation();
    const dbPath = join(dataDir, 'pupitre.db');
    writeFileSync(dbPath, '');
    await expect(createTestHost({ dataDir, keyHex })).rejects.toMatchObject({ code: 'DB_MISSING', details: { reason: 'empty' } });
    expect(statSync(dbPath).size).toBe(0);
  });

  it('refuses to start when pupitre.db is gone, and creates nothing in its place', async () => {
    const { dataDir, keyHex } = await usedInstallation();
    const dbPath = join(dataDir, 'pupitre.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
    await expect(createTestHost({ dataDir, keyHex })).rejects.toMatchObject({ code: 'DB_MISSING', details: { reason: 'absent' } });
    expect(() => statSync(dbPath)).toThrow(/ENOENT/);
  });

  it('says the message tells the user to restore the last backup', async () => {
    const { dataDir, keyHex } = await usedInstallation();
    writeFileSync(join(dataDir, 'pupitre.db'), '');
    const error = await createTestHost({ dataDir, keyHex }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/sauvegarde/);
    expect((error as Error).message).toMatch(/pupitre restore/);
  });

  it('tells a damaged first page from a wrong key', async () => {
    const { dataDir, keyHex } = await usedInstallation();
    await expect(createTestHost({ dataDir, keyHex: generateKeyHex() })).rejects.toMatchObject({ code: 'DB_KEY_INVALID' });
    damage(join(dataDir, 'pupitre.db'), 100, 200);
    await expect(createTestHost({ dataDir, keyHex })).rejects.toMatchObject({ code: 'DB_DAMAGED' });
  });

  it('creates the database file, its WAL and its key readable by their owner only', async () => {
    if (process.platform === 'win32') return;
    const dataDir = tempDir();
    const out = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], out.io)).toBe(0);
    expect(statSync(join(dataDir, 'pupitre.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'db.key')).mode & 0o777).toBe(0o600);
    const host = await createTestHost({ dataDir, keyHex: readFileSync(join(dataDir, 'db.key'), 'utf8').trim() });
    try {
      expect(statSync(join(dataDir, 'pupitre.db-wal')).mode & 0o777).toBe(0o600);
    } finally {
      await host.close();
    }
  });
});

describe('the key file', () => {
  it('is never regenerated when the database exists without it', async () => {
    const dataDir = tempDir();
    const first = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], first.io)).toBe(0);
    rmSync(join(dataDir, 'db.key'));
    const second = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], second.io)).toBe(1);
    expect(JSON.parse(second.out.join(''))).toMatchObject({ error: { code: 'DB_KEY_MISSING' } });
    expect(() => statSync(join(dataDir, 'db.key'))).toThrow(/ENOENT/);
  });

  it('left empty by an interrupted first start is replaced, since nothing was encrypted with it', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'db.key'), '', { mode: 0o600 });
    const out = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], out.io)).toBe(0);
    expect(readFileSync(join(dataDir, 'db.key'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('empty next to an existing database is reported as a damaged key file, not as a wrong key', async () => {
    const dataDir = tempDir();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], capture().io)).toBe(0);
    writeFileSync(join(dataDir, 'db.key'), '');
    const out = capture();
    expect(await main(['settings', 'get', '--json', '--data-dir', dataDir], out.io)).toBe(1);
    expect(JSON.parse(out.out.join(''))).toMatchObject({ error: { code: 'DB_KEY_FILE_DAMAGED' } });
    expect(readFileSync(join(dataDir, 'db.key'), 'utf8')).toBe('');
  });
});

describe('pupitre doctor checks the database for real', () => {
  it('reports page corruption that a plain open does not see (quick_check)', async () => {
    const { dataDir, keyHex } = await usedInstallation();
    const dbPath = join(dataDir, 'pupitre.db');
    // A page far from the first one: the schema still reads, the patients' pages do not.
    const size = statSync(dbPath).size;
    expect(size).toBeGreaterThan(64 * 4096);
    damage(dbPath, size - 8 * 4096 + 300, 512);
    writeFileSync(join(dataDir, 'db.key'), `${keyHex}\n`, { mode: 0o600 });
    const out = capture();
    expect(await main(['doctor', '--json', '--data-dir', dataDir], out.io)).toBe(1);
    const report = JSON.parse(out.out.join('')) as { checks: Array<{ id: string; status: string; detail: string; next?: string }> };
    const database = report.checks.find((c) => c.id === 'database');
    expect(database).toMatchObject({ status: 'error' });
    expect(database?.next).toMatch(/sauvegarde/);
  });

  it('checks that the file cannot be read without the key', async () => {
    const dataDir = tempDir();
    expect(await main(['settings', 'get', '--data-dir', dataDir], capture().io)).toBe(0);
    const out = capture();
    await main(['doctor', '--json', '--data-dir', dataDir], out.io);
    const report = JSON.parse(out.out.join('')) as { checks: Array<{ id: string; status: string; detail: string }> };
    const database = report.checks.find((c) => c.id === 'database');
    expect(database?.status).toBe('ok');
    expect(database?.detail).toMatch(/illisible sans la clé/);
    expect(database?.detail).toMatch(/intégrité vérifiée/);
  });
});

describe('pupitre doctor and a base that is not encrypted', () => {
  it('says the file reads without the key, and what to do, even when it is otherwise sound', async () => {
    // A plain SQLite file where the base should be (copied from another tool, or written before
    // encryption): it opens and passes quick_check, and must still be reported.
    const path = join(tempDir(), 'pupitre.db');
    const plain = openSqlite(path);
    plain.exec("CREATE TABLE patients (id TEXT); INSERT INTO patients VALUES ('p1')");
    try {
      const result = await databaseCheck(plain, path).run();
      expect(result).toMatchObject({ status: 'error', detail: 'le fichier de la base se lit sans la clé : il n’est pas chiffré' });
      expect(result.next).toMatch(/sauvegarde chiffrée/);
    } finally {
      plain.close();
    }
  });
});

describe('a base damaged beyond what opening reads', () => {
  it('is found by the background check of a long-running host, which then stops using it', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const keyHex = generateKeyHex();
    const first = await createTestHost({ dataDir, keyHex });
    // Pages that nothing reads at start-up (an archive table), at the end of the file.
    first.db.exec('CREATE TABLE archive_test (x TEXT)');
    const insert = first.db.prepare('INSERT INTO archive_test VALUES (?)');
    first.db.transaction(() => {
      for (let i = 0; i < 2000; i += 1) insert.run('x'.repeat(1000));
    })();
    first.db.pragma('wal_checkpoint(TRUNCATE)');
    await first.close();
    const size = statSync(join(dataDir, 'pupitre.db')).size;
    damage(join(dataDir, 'pupitre.db'), size - 40 * 4096 + 200, 300);

    const clock = createManualClock();
    const halts: string[] = [];
    const host = await composeHost({ dataDir, keyHex, clock, logger: createMemoryLogger(clock), transport: 'websocket', onHalt: (e) => halts.push(e.code) });
    const events: string[] = [];
    host.dispatcher.subscribe((event) => events.push(event));
    try {
      // Open and served first…
      await expect.poll(() => halts, { timeout: 30_000 }).toEqual(['DB_DAMAGED']);
      // …then stopped: every method but the vault's answers the damage, with the next step.
      await expect(host.dispatcher.invoke('patients.search', { query: 'ma' })).rejects.toMatchObject({ code: 'DB_DAMAGED' });
      const status = await host.dispatcher.invoke('vault.status', {});
      expect(status.halted).toMatchObject({ code: 'DB_DAMAGED' });
      expect(status.halted?.message).toMatch(/sauvegarde/);
      expect(events).toContain('vault.halted');
    } finally {
      await host.close();
    }
  });

  it('leaves a sound base alone', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const clock = createManualClock();
    const logger = createMemoryLogger(clock);
    const host = await composeHost({ dataDir, keyHex: generateKeyHex(), clock, logger, transport: 'websocket' });
    // close() waits for the background check to finish.
    await host.close();
    expect(host.halted()).toBeNull();
    expect(logger.lines.some((line) => line.includes('db.integrity_ok'))).toBe(true);
  });
});
