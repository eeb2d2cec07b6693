/**
 * Recent payloads, in the host's memory only: never written to disk or logs, overwritten when
 * taken or expired. A domain takes a payload once, by scan id, within the retention time
 * (2 minutes by default: long enough to pick a beneficiary, short enough not to keep a patient's
 * code lying around). At most `capacity` scans are kept; the oldest go first.
 */
import type { Clock } from '../../platform/clock';
import type { TakenScan } from './types';

interface Entry extends TakenScan {
  expiresAt: number;
}

export const DEFAULT_RETENTION_MS = 120_000;

export class RecentScans {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly clock: Clock,
    readonly retentionMs = DEFAULT_RETENTION_MS,
    private readonly capacity = 32,
  ) {}

  remember(scan: TakenScan): void {
    this.sweep();
    while (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    this.entries.set(scan.scanId, { ...scan, payload: Uint8Array.from(scan.payload), expiresAt: this.clock.now() + this.retentionMs });
    this.scheduleSweep();
  }

  /** The scan's bytes (a copy), once; null when unknown, already taken or expired. */
  take(scanId: string): TakenScan | null {
    this.sweep();
    const entry = this.entries.get(scanId);
    if (entry === undefined) return null;
    const { expiresAt: _expiresAt, ...scan } = entry;
    const taken = { ...scan, payload: Uint8Array.from(entry.payload) };
    this.forget(scanId);
    return taken;
  }

  /** What is known of a held scan, without its bytes; null when not held. */
  peek(scanId: string): Omit<TakenScan, 'payload'> | null {
    this.sweep();
    const entry = this.entries.get(scanId);
    if (entry === undefined) return null;
    const { payload: _payload, expiresAt: _expiresAt, ...meta } = entry;
    return meta;
  }

  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  /** Forgets expired scans (also run by a timer, so bytes do not outlive their time). */
  sweep(): void {
    const now = this.clock.now();
    for (const [id, entry] of this.entries) if (entry.expiresAt <= now) this.forget(id);
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private forget(scanId: string): void {
    const entry = this.entries.get(scanId);
    entry?.payload.fill(0);
    this.entries.delete(scanId);
  }

  private scheduleSweep(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.sweep();
      if (this.entries.size > 0) this.scheduleSweep();
    }, this.retentionMs + 50);
    this.timer.unref?.();
  }
}
