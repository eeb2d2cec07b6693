/**
 * One desk per data directory (issue 13: « a second process on the same data directory is handled
 * explicitly »).
 *
 * - A *desk* host — the Electron app or `pupitre serve` — runs the outbox loop, watches the card
 *   readers and owns the demo's virtual cards: two of them on one data directory would fight over
 *   the readers and show two diverging screens. The second one is refused at start, with the
 *   program, process id and start time of the first (HOST_ALREADY_RUNNING).
 * - CLI commands share the directory safely with a running desk: SQLite in WAL mode with a busy
 *   timeout, outbox jobs claimed under leases (a job runs in one process only), migrations in one
 *   `BEGIN IMMEDIATE` transaction. They do not take the lock; `pupitre doctor` names the desk that
 *   holds it.
 *
 * The lock is a small JSON file created with O_EXCL (atomic on local file systems). A lock left by a
 * process that no longer exists (crash, kill -9) is taken over: `process.kill(pid, 0)` tells
 * whether the pid lives on this machine.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../contract';

export const LOCK_FILE = 'pupitre.lock';

export interface LockOwner {
  pid: number;
  /** What holds it, in French for the messages: « pupitre serve », « application Pupitre ». */
  program: string;
  startedAt: string;
  hostname: string;
}

export interface HostLock {
  owner: LockOwner;
  release(): void;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The desk holding the data directory, or null (no lock, or a stale one). */
export function currentLockOwner(dataDir: string): LockOwner | null {
  let owner: LockOwner;
  try {
    owner = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8')) as LockOwner;
  } catch {
    return null;
  }
  if (typeof owner.pid !== 'number') return null;
  // A lock written on another machine (shared folder) cannot be checked: it counts as held.
  if (owner.hostname === hostname() && !pidAlive(owner.pid)) return null;
  return owner;
}

/** « 21:40 » today, « 12/03/2026 21:40 » another day. */
export function frenchSince(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  return at.toDateString() === now.toDateString() ? time : `${at.toLocaleDateString('fr-FR')} ${time}`;
}

/** Takes the desk lock of `dataDir`, or throws HOST_ALREADY_RUNNING naming the holder. */
export function acquireHostLock(dataDir: string, program: string, now: Date = new Date()): HostLock {
  const path = join(dataDir, LOCK_FILE);
  const owner: LockOwner = { pid: process.pid, program, startedAt: now.toISOString(), hostname: hostname() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = currentLockOwner(dataDir);
      if (holder !== null) {
        throw new AppError('HOST_ALREADY_RUNNING', { program: holder.program, pid: holder.pid, since: frenchSince(holder.startedAt, now) });
      }
      // Stale: its process is gone. Remove it and try once more (another starter may win the race).
      try {
        unlinkSync(path);
      } catch {
        /* already removed by the other starter */
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(owner));
    } finally {
      closeSync(fd);
    }
    return {
      owner,
      release: () => {
        try {
          const current = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
          if (current.pid === owner.pid && current.startedAt === owner.startedAt) unlinkSync(path);
        } catch {
          /* gone already */
        }
      },
    };
  }
  const holder = currentLockOwner(dataDir);
  throw new AppError('HOST_ALREADY_RUNNING', { program: holder?.program ?? 'Pupitre', pid: holder?.pid ?? '?', since: holder === null ? '?' : frenchSince(holder.startedAt, now) });
}
