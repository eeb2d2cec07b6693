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
 *
 * Key times are the events' own timestamps, the release timer is the page's clock: on a loaded
 * computer the keys of one burst may reach the page further apart than they were typed, and the
 * timer gives some back too early. Those keys stay candidates while the burst goes on (their
 * timestamps still say « burst »); when its Enter makes it a scan, the page is asked to take back
 * the keys it was given (`retract`: the number of releases to undo).
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
  /** A burst ended with Enter: a scan; `retract` earlier releases of its keys must be undone. */
  scan(strokes: KeyStroke[], retract: number): void;
  /** Runs `fn` after `ms` (setTimeout in the page); returns the cancel function. */
  schedule(ms: number, fn: () => void): () => void;
}

export type StrokeKind = 'printable' | 'dead' | 'tab' | 'enter' | 'modifier' | 'other';

/** A scan is at most a few kilobytes: a longer « tail » is a person typing. */
const MAX_TAIL = 4096;

function isBurst(strokes: readonly KeyStroke[], maxGapMs: number): boolean {
  for (let i = 1; i < strokes.length; i++) {
    if ((strokes[i] as KeyStroke).at - (strokes[i - 1] as KeyStroke).at > maxGapMs) return false;
  }
  return true;
}

export class WedgeDetector {
  private held: KeyStroke[] = [];
  /** Keys the timer released that may still belong to a burst going on. */
  private tail: KeyStroke[] = [];
  private tailReleases = 0;
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
    const last = this.held.at(-1) ?? this.tail.at(-1);
    const gap = last === undefined ? Infinity : stroke.at - last.at;
    if (kind === 'enter') {
      const candidate = [...this.tail, ...this.held];
      if (candidate.length >= this.options.minLength && gap <= 2 * this.options.maxGapMs && isBurst(candidate, this.options.maxGapMs)) {
        const retract = this.tailReleases;
        this.take();
        this.forgetTail();
        this.callbacks.scan(candidate, retract);
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

  /** A person's key, the focus moved or the page goes away: give back what is held. */
  flush(): void {
    this.forgetTail();
    const strokes = this.take();
    if (strokes.length > 0) this.callbacks.release(strokes);
  }

  private forgetTail(): void {
    this.tail = [];
    this.tailReleases = 0;
  }

  private arm(): void {
    this.cancelTimer?.();
    // A burst long enough to be a scan waits for its Enter a little longer.
    const wait = this.held.length >= this.options.minLength ? 2 * this.options.maxGapMs : this.options.maxGapMs;
    this.cancelTimer = this.callbacks.schedule(wait + 5, () => {
      this.cancelTimer = null;
      const strokes = this.take();
      if (strokes.length === 0) return;
      if (this.tail.length + strokes.length <= MAX_TAIL) {
        this.tail.push(...strokes);
        this.tailReleases += 1;
      } else this.forgetTail();
      this.callbacks.release(strokes);
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
