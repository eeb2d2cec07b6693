/**
 * Puts the reports of one scan back together (report.ts): data of every report is appended until
 * a report without the « continued » bit; the scanner's trailing CR (or CR LF) suffix is removed.
 *
 * A scan whose next report never comes (device pulled, report lost) is dropped after
 * `continuationTimeoutMs`, never delivered half: the caller says a scan was lost. A report whose
 * AIM identifier differs from the first one's starts a new scan (the previous one was incomplete).
 */
import { parseHidPosReport } from './report';

export interface AssembledScan {
  aim: string | null;
  makerCode: number;
  payload: Uint8Array;
  reports: number;
  /** Time of the first report (the scanner's « trigger »), ms. */
  startedAt: number;
  completedAt: number;
}

export type ReassemblyEvent =
  | { type: 'scan'; scan: AssembledScan }
  | { type: 'incomplete'; reports: number; reason: 'timeout' | 'interrupted' | 'removed' | 'too-long' };

export interface ReassemblerOptions {
  now: () => number;
  /** A continued scan whose next report takes longer than this is dropped (default 500 ms). */
  continuationTimeoutMs?: number;
  /** Longest payload accepted (default 16 KiB: a QR code holds at most 2 953 bytes). */
  maxPayloadBytes?: number;
}

export class HidPosReassembler {
  private parts: Uint8Array[] = [];
  private size = 0;
  private aim: string | null = null;
  private makerCode = 0;
  private startedAt = 0;
  private lastAt = 0;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: ReassemblerOptions) {
    this.timeoutMs = options.continuationTimeoutMs ?? 500;
    this.maxBytes = options.maxPayloadBytes ?? 16 * 1024;
  }

  /** A scan is in progress (a report with the « continued » bit came last). */
  get pending(): boolean {
    return this.parts.length > 0;
  }

  /** Feeds one raw input report; returns what it completed or broke. */
  push(raw: Uint8Array): ReassemblyEvent[] {
    const now = this.options.now();
    const events: ReassemblyEvent[] = [...this.expire(now)];
    // Continuations keep the layout of the scan's first report (report.ts).
    let parsed = parseHidPosReport(raw, this.pending ? (this.aim === null ? 'plain' : 'aim') : undefined);
    if (parsed.ok && this.pending && parsed.report.aim !== this.aim) {
      events.push(this.drop('interrupted'));
      parsed = parseHidPosReport(raw);
    }
    if (!parsed.ok) return events;
    const { report } = parsed;
    if (!this.pending) {
      this.aim = report.aim;
      this.makerCode = report.makerCode;
      this.startedAt = now;
    }
    this.parts.push(report.data);
    this.size += report.data.length;
    this.lastAt = now;
    if (this.size > this.maxBytes) {
      events.push(this.drop('too-long'));
      return events;
    }
    if (report.continued) return events;
    events.push({ type: 'scan', scan: this.complete(now) });
    return events;
  }

  /** Drops a scan whose continuation is overdue (called by a timer and before each report). */
  expire(now = this.options.now()): ReassemblyEvent[] {
    if (this.pending && now - this.lastAt > this.timeoutMs) return [this.drop('timeout')];
    return [];
  }

  /** The device went away: a scan in progress is lost. */
  removed(): ReassemblyEvent[] {
    return this.pending ? [this.drop('removed')] : [];
  }

  private complete(now: number): AssembledScan {
    const payload = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      payload.set(part, at);
      at += part.length;
    }
    const scan: AssembledScan = {
      aim: this.aim,
      makerCode: this.makerCode,
      payload: stripTrailingCr(payload),
      reports: this.parts.length,
      startedAt: this.startedAt,
      completedAt: now,
    };
    this.reset();
    return scan;
  }

  private drop(reason: 'timeout' | 'interrupted' | 'removed' | 'too-long'): ReassemblyEvent {
    const event: ReassemblyEvent = { type: 'incomplete', reports: this.parts.length, reason };
    this.reset();
    return event;
  }

  private reset(): void {
    // The parts hold payload bytes (health data): overwrite them before letting them go.
    for (const part of this.parts) part.fill(0);
    this.parts = [];
    this.size = 0;
    this.aim = null;
    this.makerCode = 0;
  }
}

/** Scanners are usually set to end a scan with CR (or CR LF): that suffix is not data. */
export function stripTrailingCr(payload: Uint8Array): Uint8Array {
  let end = payload.length;
  if (end > 0 && payload[end - 1] === 0x0a && payload[end - 2] === 0x0d) end -= 2;
  else if (end > 0 && payload[end - 1] === 0x0d) end -= 1;
  return end === payload.length ? payload : payload.slice(0, end);
}
