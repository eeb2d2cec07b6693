import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../../native/sqlite';
import { checkIntegrity, inTransaction, isUnreadableWithoutKey, migrate, openDatabase, type Migration } from '.';
import { writeFileAtomic } from './files';
import { generateKeyHex, loadOrCreateKeyFile } from './key';

const tempDir = () => mkdtempSync(join(tmpdir(), 'pupitre-db-'));

const createNotes: Migration = {
  version: 1,
  name: 'notes',
  up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)'),
};

describe('encrypted database', () => {
  it('writes a file that is not readable as plain SQLite', () => {
    const path = join(tempDir(), 'p.db');
    const db = openDatabase({ path, keyHex: generateKeyHex() });
    migrate(db, [createNotes]);
    db.prepare('INSERT INTO notes (text) VALUES (?)').run('DUPONT Jean 1 80 01 75 123 456 78');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();

    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 16).toString('latin1')).not.toBe('SQLite format 3\u0000');
    expect(bytes.includes(Buffer.from('DUPONT'))).toBe(false);
    const plain = openSqlite(path);
    expect(() => plain.prepare('SELECT * FROM sqlite_master').all()).toThrow(/not a database/);
    plain.close();
  });

  it('refuses to open with a wrong key, with a stable code', () => {
    const path = join(tempDir(), 'p.db');
    openDatabase({ path, keyHex: generateKeyHex() }).close();
    expect(() => openDatabase({ path, keyHex: generateKeyHex() })).toThrow(expect.objectContaining({ code: 'DB_KEY_INVALID' }));
  });

  it('refuses a key that is not 64 hex characters and a file database without key', () => {
    const path = join(tempDir(), 'p.db');
    expect(() => openDatabase({ path, keyHex: 'motdepasse' })).toThrow(expect.objectContaining({ code: 'DB_KEY_INVALID' }));
    expect(() => openDatabase({ path })).toThrow(expect.objectContaining({ code: 'DB_KEY_INVALID' }));
  });

  it('runs in WAL mode with foreign keys and full synchronous writes', () => {
    const db = openDatabase({ path: join(tempDir(), 'p.db'), keyHex: generateKeyHex() });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });
});

describe('migrations', () => {
  it('applies pending steps and records user_version', () => {
    const db = openDatabase({ path: ':memory:' });
    const report = migrate(db, [createNotes]);
    expect(report).toEqual({ from: 0, to: 1, applied: ['notes'] });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(migrate(db, [createNotes]).applied).toEqual([]);
  });

  it('rolls back every step when one fails, leaving the version unchanged', () => {
    const db = openDatabase({ path: ':memory:' });
    const broken: Migration = { version: 2, name: 'broken', up: (d) => d.exec('CREATE TABLE half (x); SELECT * FROM missing_table') };
    expect(() => migrate(db, [createNotes, broken])).toThrow(expect.objectContaining({ code: 'DB_MIGRATION_FAILED' }));
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual([]);
  });

  it('refuses a database created by a newer version and leaves the file untouched', () => {
    const path = join(tempDir(), 'p.db');
    const keyHex = generateKeyHex();
    const db = openDatabase({ path, keyHex });
    migrate(db, [createNotes, { version: 2, name: 'future', up: (d) => d.exec('CREATE TABLE future (x)') }]);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const mtime = statSync(path).mtimeMs;

    const older = openDatabase({ path, keyHex, readonly: true });
    expect(() => migrate(older, [createNotes])).toThrow(expect.objectContaining({ code: 'DB_NEWER_SCHEMA', details: { databaseVersion: 2, supportedVersion: 1 } }));
    older.close();
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
    expect(statSync(path).mtimeMs).toBe(mtime);
  });

  it('rejects a list whose versions are out of order', () => {
    const db = openDatabase({ path: ':memory:' });
    expect(() => migrate(db, [{ ...createNotes, version: 2 }])).toThrow(/out of order/);
  });
});

describe('transactions', () => {
  it('commits all or nothing', () => {
    const db = openDatabase({ path: ':memory:' });
    migrate(db, [createNotes]);
    expect(() =>
      inTransaction(db, () => {
        db.prepare('INSERT INTO notes (text) VALUES (?)').run('a');
        throw new Error('abort');
      }),
    ).toThrow('abort');
    expect(db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(0);
  });
});

describe('key file', () => {
  it('is created once, with mode 0600, and reused', () => {
    const dir = tempDir();
    const first = loadOrCreateKeyFile(dir);
    expect(first.created).toBe(true);
    expect(first.keyHex).toMatch(/^[0-9a-f]{64}$/);
    if (process.platform !== 'win32') expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateKeyFile(dir);
    expect(second).toMatchObject({ created: false, keyHex: first.keyHex });
  });
});

describe('integrity and encryption checks', () => {
  it('quick_check finds a damaged page that a plain open does not notice', () => {
    const path = join(tempDir(), 'p.db');
    const keyHex = generateKeyHex();
    const db = openDatabase({ path, keyHex });
    migrate(db, [createNotes]);
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i += 1) insert.run(`note ${i} ${'x'.repeat(200)}`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(checkIntegrity(db)).toEqual({ ok: true, problems: [] });
    db.close();

    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(64, 0x5a), 0, 64, size - 20 * 4096 + 1000);
    closeSync(fd);

    const reopened = openDatabase({ path, keyHex });
    expect(reopened.prepare('SELECT count(*) FROM sqlite_master').pluck().get()).toBe(1);
    const report = checkIntegrity(reopened);
    expect(report.ok).toBe(false);
    expect(report.problems.length).toBeGreaterThan(0);
    reopened.close();
  });

  it('tells an encrypted file from a plain SQLite one', () => {
    const dir = tempDir();
    const encrypted = openDatabase({ path: join(dir, 'e.db'), keyHex: generateKeyHex() });
    migrate(encrypted, [createNotes]);
    encrypted.close();
    expect(isUnreadableWithoutKey(join(dir, 'e.db'))).toBe(true);

    const plain = openSqlite(join(dir, 'plain.db'));
    plain.exec('CREATE TABLE t (x)');
    plain.close();
    expect(isUnreadableWithoutKey(join(dir, 'plain.db'))).toBe(false);
  });
});

describe('atomic files', () => {
  it('replaces a file in one step and leaves no temporary file', () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, 'f'), 'one');
    writeFileAtomic(join(dir, 'f'), 'two');
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe('two');
    expect(readdirSync(dir)).toEqual(['f']);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'f')).mode & 0o777).toBe(0o600);
  });

  it('never replaces an existing file in exclusive mode, and cleans up after a failure', () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, 'key'), 'first', { exclusive: true });
    expect(() => writeFileAtomic(join(dir, 'key'), 'second', { exclusive: true })).toThrow(/EEXIST/);
    expect(readFileSync(join(dir, 'key'), 'utf8')).toBe('first');
    mkdirSync(join(dir, 'a-directory'));
    expect(() => writeFileAtomic(join(dir, 'a-directory'), 'x')).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['a-directory', 'key']);
  });
});

describe('storage error codes', () => {
  it('names the cause: full disk, read-only disk, rights, damage; and leaves other errors alone', async () => {
    const { storageErrorOf } = await import('.');
    const fsError = (code: string) => Object.assign(new Error(code), { code });
    expect(storageErrorOf(fsError('ENOSPC'))?.code).toBe('DB_DISK_FULL');
    expect(storageErrorOf(fsError('EROFS'))?.code).toBe('DB_READ_ONLY');
    expect(storageErrorOf(fsError('EACCES'))?.code).toBe('DB_PERMISSION_DENIED');
    expect(storageErrorOf(fsError('SQLITE_FULL'))?.code).toBe('DB_DISK_FULL');
    expect(storageErrorOf(fsError('SQLITE_CORRUPT'))?.code).toBe('DB_DAMAGED');
    expect(storageErrorOf(fsError('SQLITE_CONSTRAINT_UNIQUE'))).toBeNull();
    expect(storageErrorOf(new Error('bug'))).toBeNull();
    // Outside the store, a file the user chose that cannot be read is not the data directory's fault.
    expect(storageErrorOf(fsError('EACCES'), undefined, { sqliteOnly: true })).toBeNull();
    expect(storageErrorOf(fsError('SQLITE_FULL'), undefined, { sqliteOnly: true })?.code).toBe('DB_DISK_FULL');
  });
});
