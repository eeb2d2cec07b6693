/**
 * Leases that carry the identity of the process holding them (issue 14, point 7). The lease owner
 * column stores `{ w: workerId, pid, host, boot, start }`: after a crash, the next process sees
 * that the holder is dead (same machine and boot, pid gone or reused) and releases its leases at
 * once — the jobs are then taken over like an expired lease (unknown outcome, reconcile first) —
 * instead of waiting out the lease. A holder on another machine, or whose liveness cannot be
 * known, keeps its lease until it expires, as before.
 */
import type { Liveness, ProcessIdentity } from '../../platform/process';

export interface LeaseOwner extends ProcessIdentity {
  /** The worker id shown in the attempt history. */
  w: string;
}

export function encodeLeaseOwner(workerId: string, identity: ProcessIdentity): string {
  const owner: LeaseOwner = { w: workerId, pid: identity.pid, host: identity.host, boot: identity.boot, start: identity.start };
  return JSON.stringify(owner);
}

/** The holder's identity, or null for a lease written without one (an older version). */
export function decodeLeaseOwner(text: string | null): LeaseOwner | null {
  if (text === null || !text.startsWith('{')) return null;
  try {
    const value = JSON.parse(text) as Partial<LeaseOwner>;
    if (typeof value.w !== 'string' || typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.boot !== 'string') return null;
    return { w: value.w, pid: value.pid, host: value.host, boot: value.boot, start: typeof value.start === 'string' ? value.start : null };
  } catch {
    return null;
  }
}

/** Remembers recent verdicts so that a busy pump does not read /proc for every job. */
export class LivenessCache {
  private readonly verdicts = new Map<string, { liveness: Liveness; at: number }>();

  constructor(
    private readonly probe: (identity: ProcessIdentity) => Liveness,
    private readonly ttlMs = 1_000,
  ) {}

  of(owner: string, now: number): Liveness {
    const cached = this.verdicts.get(owner);
    // A dead process stays dead; other verdicts are checked again after a while.
    if (cached !== undefined && (cached.liveness === 'dead' || now - cached.at < this.ttlMs)) return cached.liveness;
    const identity = decodeLeaseOwner(owner);
    const liveness = identity === null ? 'unknown' : this.probe(identity);
    this.verdicts.set(owner, { liveness, at: now });
    return liveness;
  }
}
