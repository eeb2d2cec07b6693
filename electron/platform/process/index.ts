/**
 * Who a process is, durably enough to tell later whether it is still running: pid, host name,
 * boot, and the process's start time. A pid alone is not enough (pids are reused), nor is a
 * random id (it says nothing once the process is gone). Used by the outbox to recognise the
 * leases of a process that was killed (issue 14, point 7).
 *
 * Linux: boot id from /proc/sys/kernel/random/boot_id, start time from field 22 of
 * /proc/<pid>/stat (proc(5)). Elsewhere: boot time from the uptime, and `kill(pid, 0)`, which
 * cannot detect a reused pid — such a process is reported alive, the safe side.
 */
import { readFileSync } from 'node:fs';
import { hostname, uptime } from 'node:os';

export interface ProcessIdentity {
  pid: number;
  host: string;
  /** Linux boot id, or `t<boot time in seconds>` elsewhere. */
  boot: string;
  /** Start time of the process since boot (Linux clock ticks), or null where unknown. */
  start: string | null;
}

export type Liveness = 'alive' | 'dead' | 'unknown';

let cached: ProcessIdentity | undefined;

export function currentProcessIdentity(): ProcessIdentity {
  cached ??= identityOf(process.pid);
  return cached;
}

/** The identity of a process running now on this machine (a child, in tests). */
export function identityOf(pid: number): ProcessIdentity {
  return { pid, host: hostname(), boot: bootId(), start: startTicks(pid) };
}

/**
 * Whether the process `other` still runs, seen from this process: `dead` only when certain (same
 * machine and boot, and the pid is gone or now belongs to a process started at another time; or
 * the machine rebooted since); `unknown` for another machine.
 */
export function livenessOf(other: ProcessIdentity, self: ProcessIdentity = currentProcessIdentity()): Liveness {
  if (other.host !== self.host) return 'unknown';
  if (!sameBoot(other.boot, self.boot)) return 'dead';
  if (other.pid === self.pid && other.start === self.start) return 'alive';
  if (process.platform === 'linux' && other.start !== null) {
    const now = startTicks(other.pid);
    // A pid now held by a process started at another time was reused: the owner is gone.
    if (now !== null) return now === other.start ? 'alive' : 'dead';
  }
  try {
    process.kill(other.pid, 0);
    return 'alive';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive';
  }
}

function bootId(): string {
  if (process.platform === 'linux') {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      // fall through to the boot time
    }
  }
  return `t${Math.round(Date.now() / 1000 - uptime())}`;
}

/** Boot times computed from the uptime drift by a second or so: 60 s apart means another boot. */
function sameBoot(a: string, b: string): boolean {
  if (a.startsWith('t') && b.startsWith('t')) return Math.abs(Number(a.slice(1)) - Number(b.slice(1))) < 60;
  return a === b;
}

/** Field 22 (starttime) of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
function startTicks(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
