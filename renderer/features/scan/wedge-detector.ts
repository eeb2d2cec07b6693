/**
 * Tells a keyboard-wedge scanner from a person typing, by timing alone: a scanner types its whole
 * payload much faster than anyone can (a USB keyboard report every 1–8 ms: one character every
 * 2–16 ms), then Enter. A person types a key every 80–250 ms; two keys rolled over can be 20 ms
 * apart, never six in a row.
 *
 * To keep a scan out of whatever field has the focus, the detector holds each printable key for
 * at most `maxGapMs` (the time the next key of a burst has to arrive): when the next one does not
 * come, the held keys are released to the field as typed; when a burst of at least `minLength`
 * keys ends with Enter, it is a scan and nothing reaches the field. A person's keys therefore
 * arrive at most `maxGapMs` later, in order.
 */
import type { KeyStroke } from './wedge-decode';

export interface WedgeOptions {
  /** Longest gap between two keys of a burst (and before its Enter: twice this). */
  maxGapMs: number;
  /** Fewest characters of a scan (the codes Pupitre reads are far longer). */
  minLength: number;
}

export const DEFAULT_WEDGE_OPTIONS: WedgeOptions = { maxGapMs: 40, minLength: 8 };

export interface WedgeCallbacks {
  /** Held keys turned out to be typing: give them to the page, in order. */
  release(strokes: KeyStroke[]): void;
  /** A burst ended with Enter: a scan. */
  scan(strokes: KeyStroke[]): void;
  /** Runs `fn` after `ms` (setTimeout in the page); returns the cancel function. */
  schedule(ms: number, fn: () => void): () => void;
}

export type StrokeKind = 'printable' | 'dead' | 'tab' | 'enter' | 'modifier' | 'other';

export class WedgeDetector {
  private held: KeyStroke[] = [];
  private cancelTimer: (() => void) | null = null;

  constructor(
    private readonly callbacks: WedgeCallbacks,
    private readonly options: WedgeOptions = DEFAULT_WEDGE_OPTIONS,
  ) {}

  get holding(): number {
    return this.held.length;
  }

  /**
   * One keydown; returns whether the page must not see it (`hold`: held or part of a scan) or
   * may (`pass`, after anything held was released).
   */
  keydown(kind: StrokeKind, stroke: KeyStroke): 'hold' | 'pass' {
    if (kind === 'modifier') return this.held.length > 0 ? 'hold' : 'pass';
    const last = this.held.at(-1);
    const gap = last === undefined ? Infinity : stroke.at - last.at;
    if (kind === 'enter') {
      if (this.held.length >= this.options.minLength && gap <= 2 * this.options.maxGapMs && this.isBurst()) {
        const strokes = this.take();
        this.callbacks.scan(strokes);
        return 'hold';
      }
      this.flush();
      return 'pass';
    }
    const continues = kind !== 'other' && last !== undefined && gap <= this.options.maxGapMs;
    if (!continues) this.flush();
    if (kind === 'other' || ((kind === 'dead' || kind === 'tab') && !continues)) {
      // Dead keys and Tab start no burst: a person's accent or field change goes through at once.
      return 'pass';
    }
    this.held.push(stroke);
    this.arm();
    return 'hold';
  }

  /** The page is going away or the focus moved: give back what is held. */
  flush(): void {
    const strokes = this.take();
    if (strokes.length > 0) this.callbacks.release(strokes);
  }

  private isBurst(): boolean {
    for (let i = 1; i < this.held.length; i++) {
      const a = this.held[i - 1] as KeyStroke;
      const b = this.held[i] as KeyStroke;
      if (b.at - a.at > this.options.maxGapMs) return false;
    }
    return true;
  }

  private arm(): void {
    this.cancelTimer?.();
    // A burst long enough to be a scan waits for its Enter a little longer.
    const wait = this.held.length >= this.options.minLength ? 2 * this.options.maxGapMs : this.options.maxGapMs;
    this.cancelTimer = this.callbacks.schedule(wait + 5, () => {
      this.cancelTimer = null;
      this.flush();
    });
  }

  private take(): KeyStroke[] {
    this.cancelTimer?.();
    this.cancelTimer = null;
    const strokes = this.held;
    this.held = [];
    return strokes;
  }
}
