import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../contract';
import { createTestHost } from '../../fixtures/testing/host';
import { acquireHostLock, currentLockOwner, LOCK_FILE } from './instance-lock';

const dir = () => mkdtempSync(join(tmpdir(), 'pupitre-lock-'));

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

describe('one desk per data directory', () => {
  it('refuses a second desk on the same directory, naming the first one in French', () => {
    const dataDir = dir();
    const first = acquireHostLock(dataDir, 'pupitre serve', new Date('2026-03-12T20:40:00Z'));
    let refused: unknown;
    try {
      acquireHostLock(dataDir, 'application Pupitre');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AppError);
    const error = refused as AppError;
    expect(error.code).toBe('HOST_ALREADY_RUNNING');
    expect(error.message).toContain('déjà ouvert sur ce dossier de données');
    expect(error.message).toContain(`pupitre serve, processus ${process.pid}`);
    expect(error.message).not.toContain('{');
    first.release();
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
    acquireHostLock(dataDir, 'application Pupitre').release();
  });

  it('takes over the lock a crashed desk left behind', () => {
    const dataDir = dir();
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ pid: deadPid(), program: 'pupitre serve', startedAt: new Date().toISOString(), hostname: hostname() }));
    expect(currentLockOwner(dataDir)).toBeNull();
    const lock = acquireHostLock(dataDir, 'pupitre serve');
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it('never removes a lock that another desk took since', () => {
    const dataDir = dir();
    const mine = acquireHostLock(dataDir, 'pupitre serve');
    const other = { pid: process.pid, program: 'pupitre serve', startedAt: '2000-01-01T00:00:00.000Z', hostname: hostname() };
    writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(other));
    mine.release();
    expect(JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'))).toEqual(other);
  });

  it('lets CLI (in-process) hosts share the directory of a running desk', async () => {
    const dataDir = dir();
    const desk = acquireHostLock(dataDir, 'pupitre serve');
    const cli = await createTestHost({ dataDir });
    expect(cli.patients.count()).toBeGreaterThan(0);
    await cli.close();
    expect(currentLockOwner(dataDir)?.pid).toBe(process.pid);
    desk.release();
  });
});
