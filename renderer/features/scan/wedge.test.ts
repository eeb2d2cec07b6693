import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FR_AZERTY, keyFor, US_QWERTY, type LayoutTable } from './keyboard-layouts';
import { decodeWedgeBurst, type KeyStroke } from './wedge-decode';
import { DEFAULT_WEDGE_OPTIONS, WedgeDetector, type StrokeKind } from './wedge-detector';

/** The presses a scanner set to `scannerLayout` makes for `text`, as a computer on `osLayout` reads them. */
function typed(text: string, scannerLayout: LayoutTable, osLayout: LayoutTable, start = 0, gapMs = 6): KeyStroke[] {
  return [...text].map((char, i) => {
    const at = start + i * gapMs;
    if (char === '\u001d') return { key: ']', code: 'BracketRight', shift: false, ctrl: true, altGraph: false, capsLock: false, at };
    const key = keyFor(scannerLayout, char);
    if (key === null) throw new Error(`no key for ${char}`);
    const entry = osLayout[key.code];
    return { key: entry ? entry[key.shift ? 1 : 0] : 'Unidentified', code: key.code, shift: key.shift, ctrl: false, altGraph: false, capsLock: false, at };
  });
}

const INS = 'IS010000000000000000000000S1258036311304224S21.2.250.1.213.1.4.11S3MARIE-HELENE LOUISE\u001dS4DUPONT\u001dS5FS612-03-1958S763113';

describe('keyboard wedge payload and the layout mix-up', () => {
  it('reads a scanner set to the computer’s own layout as it is', () => {
    const us = decodeWedgeBurst(typed('ABC-123/xyz', US_QWERTY, US_QWERTY));
    expect(us).toMatchObject({ text: 'ABC-123/xyz', trusted: true, corrected: false });
    const fr = decodeWedgeBurst(typed('4012345678901', FR_AZERTY, FR_AZERTY));
    expect(fr).toMatchObject({ text: '4012345678901', trusted: true, corrected: false });
  });

  it('corrects the QWERTY scanner on an AZERTY computer: &é"\'(-è_çà is 1234567890', () => {
    const strokes = typed('1234567890', US_QWERTY, FR_AZERTY);
    expect(strokes.map((s) => s.key).join('')).toBe('&é"\'(-è_çà');
    expect(decodeWedgeBurst(strokes)).toMatchObject({ text: '1234567890', trusted: true, corrected: true });
  });

  it('corrects the rest of the layout (A/Q, Z/W, M, punctuation, dead circumflex) with the digits’ evidence', () => {
    const text = 'QWAZ;M,[12]/3.4';
    const strokes = typed(text, US_QWERTY, FR_AZERTY);
    expect(strokes.map((s) => s.key)).toContain('Dead');
    expect(decodeWedgeBurst(strokes)).toMatchObject({ text, trusted: true, corrected: true });
  });

  it('rebuilds an INS datamatrix typed by a QWERTY scanner on AZERTY, GS as Ctrl+]', () => {
    expect(decodeWedgeBurst(typed(INS, US_QWERTY, FR_AZERTY))).toMatchObject({ text: INS, trusted: true, corrected: true });
  });

  it('says it cannot be trusted when only letters differ between the two readings, and gives the other reading', () => {
    const result = decodeWedgeBurst(typed('QWERTYAZ', US_QWERTY, FR_AZERTY));
    expect(result.trusted).toBe(false);
    expect(result.trustNote).toMatch(/^La disposition du clavier de la douchette ne peut pas être déterminée/);
    expect([result.text, Buffer.from(result.alternative ?? []).toString('latin1')].sort()).toEqual(['AZERTYQW', 'QWERTYAZ']);
  });

  it('trusts a scanner set to AZERTY on an AZERTY desk: digits come with Shift', () => {
    expect(decodeWedgeBurst(typed(INS, FR_AZERTY, FR_AZERTY))).toMatchObject({ text: INS, trusted: true, corrected: false });
    // A few digit-row keys without Shift are its own punctuation (the dashes of a date).
    expect(decodeWedgeBurst(typed('12-03-1958', FR_AZERTY, FR_AZERTY))).toMatchObject({ text: '12-03-1958', trusted: true });
  });

  it('says it cannot be trusted when AltGr was needed', () => {
    const strokes = typed('ABCD1234', US_QWERTY, US_QWERTY).map((s, i) => (i === 2 ? { ...s, altGraph: true, key: '€' } : s));
    expect(decodeWedgeBurst(strokes)).toMatchObject({ trusted: false });
  });

  it('takes off an AIM identifier the scanner puts in front', () => {
    expect(decodeWedgeBurst(typed(']Q1HELLO-42', US_QWERTY, US_QWERTY))).toMatchObject({ aim: ']Q1', text: 'HELLO-42' });
  });

  it('honours Caps Lock on letters only, as a US keyboard does', () => {
    const strokes = typed('abc123', US_QWERTY, US_QWERTY).map((s) => ({ ...s, capsLock: true, key: s.key.toUpperCase() }));
    expect(decodeWedgeBurst(strokes).text).toBe('ABC123');
  });

  it('never marks a wrong payload trusted on a French desk, whichever layout the scanner is set to, nor on a QWERTY one with a QWERTY scanner (property)', () => {
    // Code alphabets: letters, digits and the punctuation of URLs, dates, base64 and GS1.
    const code = fc.stringMatching(/^[A-Za-z0-9\-./:=+_ ]{8,80}$/);
    fc.assert(
      fc.property(code, fc.constantFrom(US_QWERTY, FR_AZERTY), fc.constantFrom(US_QWERTY, FR_AZERTY), (text, scanner, computer) => {
        // Known limit (wedge-decode.ts): an AZERTY scanner on a QWERTY computer is caught only by its digits (next test).
        fc.pre(!(scanner === FR_AZERTY && computer === US_QWERTY));
        const result = decodeWedgeBurst(typed(text, scanner, computer));
        if (result.trusted) expect(result.text).toBe(text);
        else expect([result.text, Buffer.from(result.alternative ?? []).toString('latin1')]).toContain(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('flags the mix-up the other way round (AZERTY scanner, QWERTY computer) by its digits typed with Shift', () => {
    const result = decodeWedgeBurst(typed('4012345678901', FR_AZERTY, US_QWERTY));
    expect(result).toMatchObject({ trusted: false, text: '$)!@#$%^&*()!' });
    expect(Buffer.from(result.alternative ?? []).toString('latin1')).toBe('4012345678901');
  });

  it('rebuilds and trusts typical codes: a QWERTY scanner on AZERTY whenever the code has a 0, 2, 7 or 9 (property)', () => {
    const withDigit = fc.tuple(fc.stringMatching(/^[A-Z0-9\-./:]{0,40}$/), fc.constantFrom('0', '2', '7', '9'), fc.stringMatching(/^[A-Z0-9]{0,20}$/));
    fc.assert(
      fc.property(withDigit, ([a, d, b]) => {
        expect(decodeWedgeBurst(typed(a + d + b, US_QWERTY, FR_AZERTY))).toMatchObject({ text: a + d + b, trusted: true });
      }),
    );
  });
});

/**
 * Drives the detector with a fake clock; returns what reached the page, the scans and how many
 * earlier releases each scan took back. A `tick` runs the page's timers up to a time without a key
 * (a loaded page whose timer fires before keys already typed reach it).
 */
function drive(presses: Array<{ kind: StrokeKind; stroke: KeyStroke } | { tick: number }>) {
  const timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  let now = 0;
  const page: string[] = [];
  const scans: string[] = [];
  const retracts: number[] = [];
  const detector = new WedgeDetector({
    release: (strokes) => page.push(...strokes.map((s) => s.key)),
    scan: (strokes, retract) => {
      scans.push(strokes.map((s) => s.key).join(''));
      retracts.push(retract);
    },
    schedule: (ms, fn) => {
      const timer = { at: now + ms, fn, live: true };
      timers.push(timer);
      return () => (timer.live = false);
    },
  });
  const runTimers = (until: number) => {
    for (const t of [...timers].sort((a, b) => a.at - b.at)) {
      if (t.live && t.at <= until) {
        t.live = false;
        now = t.at;
        t.fn();
      }
    }
    now = until;
  };
  for (const step of presses) {
    if ('tick' in step) {
      runTimers(step.tick);
      continue;
    }
    const { kind, stroke } = step;
    runTimers(Math.max(now, stroke.at));
    if (detector.keydown(kind, stroke) === 'pass') page.push(kind === 'enter' ? '⏎' : stroke.key);
  }
  runTimers(now + 1000);
  return { page: page.join(''), scans, retracts };
}

const press = (key: string, at: number): { kind: StrokeKind; stroke: KeyStroke } => ({
  kind: key === 'Enter' ? 'enter' : 'printable',
  stroke: { key, code: '', shift: false, ctrl: false, altGraph: false, capsLock: false, at },
});

describe('keyboard wedge timing: a scan, never a person typing', () => {
  it('takes a fast burst ending with Enter as a scan, and lets none of it reach the page', () => {
    const burst = [...'HELLO-WORLD-42'].map((c, i) => press(c, 1000 + i * 5));
    const { page, scans } = drive([...burst, press('Enter', 1000 + 14 * 5 + 3)]);
    expect(scans).toEqual(['HELLO-WORLD-42']);
    expect(page).toBe('');
  });

  it('never takes three quick keys + Enter for a scan (8 keys at least), and gives them to the page before the Enter', () => {
    // As a test tool or a fast hand types them in the beneficiary list: « 3 », « m », Entrée, 1 ms apart.
    expect(drive([press('3', 1000), press('m', 1001), press('x', 1002), press('Enter', 1003)])).toMatchObject({ page: '3mx⏎', scans: [] });
    // The same when the page's timer gave the first keys back before the last ones reached it.
    expect(drive([press('3', 1000), press('m', 1001), { tick: 1100 }, press('x', 1002), press('Enter', 1003)])).toMatchObject({ page: '3mx⏎', scans: [] });
    // Seven keys are not enough either; eight at a scanner's pace are a scan.
    const keys = (n: number) => [...'ABCDEFGH'.slice(0, n)].map((c, i) => press(c, 1000 + i * 5));
    expect(drive([...keys(7), press('Enter', 1000 + 7 * 5)])).toMatchObject({ page: 'ABCDEFG⏎', scans: [] });
    expect(drive([...keys(8), press('Enter', 1000 + 8 * 5)])).toMatchObject({ page: '', scans: ['ABCDEFGH'] });
  });

  it('takes a real scanner burst for a scan even when the page’s timer gave its first keys back too early', () => {
    // Key times are the events' own: a burst of 5 ms steps whose release timer fired early (loaded page).
    const burst = [...'IS0100000000'].map((c, i) => press(c, 1000 + i * 5));
    const { page, scans, retracts } = drive([...burst.slice(0, 4), { tick: 1100 }, ...burst.slice(4), press('Enter', 1000 + 12 * 5)]);
    expect(scans).toEqual(['IS0100000000']);
    // The four keys given back early are taken back from the page (one release to undo).
    expect(page).toBe('IS01');
    expect(retracts).toEqual([1]);
  });

  it('gives a person’s typing to the page, in order, Enter included', () => {
    const word = [...'dupont'].map((c, i) => press(c, 1000 + i * 140));
    const { page, scans } = drive([...word, press('Enter', 1000 + 6 * 140)]);
    expect(scans).toEqual([]);
    expect(page).toBe('dupont⏎');
  });

  it('never takes a person typing for a scan, even with fast rollovers (property)', () => {
    // Intervals of real typing: mostly 60–400 ms, with rollover pairs down to 5 ms, never six fast in a row.
    const gap = fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 60, max: 400 }) }, { weight: 2, arbitrary: fc.integer({ min: 5, max: 45 }) });
    const typing = fc.array(fc.tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 '), gap), { minLength: 1, maxLength: 40 }).filter((keys) => {
      let fastRun = 0;
      for (const [, g] of keys) {
        fastRun = g <= DEFAULT_WEDGE_OPTIONS.maxGapMs ? fastRun + 1 : 0;
        if (fastRun >= DEFAULT_WEDGE_OPTIONS.minLength - 1) return false;
      }
      return true;
    });
    fc.assert(
      fc.property(typing, fc.integer({ min: 5, max: 300 }), (keys, enterGap) => {
        let at = 1000;
        const presses = keys.map(([c, g]) => press(c, (at += g)));
        const { page, scans } = drive([...presses, press('Enter', at + enterGap)]);
        expect(scans).toEqual([]);
        expect(page).toBe(`${keys.map(([c]) => c).join('')}⏎`);
      }),
    );
  });

  it('gives back a fast burst without Enter as typing (a paste tool, a scanner without suffix)', () => {
    const burst = [...'ABCDEFGHIJ'].map((c, i) => press(c, 1000 + i * 5));
    expect(drive(burst)).toMatchObject({ page: 'ABCDEFGHIJ', scans: [] });
  });

  it('ignores Shift inside a burst and lets other keys cut it', () => {
    const shift = { kind: 'modifier' as const, stroke: { ...press('Shift', 1003).stroke } };
    const burst = [press('A', 1000), shift, ...[...'BCDEFGHIJ'].map((c, i) => press(c, 1005 + i * 5)), press('Enter', 1055)];
    expect(drive(burst).scans).toEqual(['ABCDEFGHIJ']);
    const cut = [press('A', 1000), press('B', 1005), { kind: 'other' as const, stroke: { ...press('Backspace', 1008).stroke } }, press('C', 1400)];
    expect(drive(cut).page).toBe('ABBackspaceC');
  });
});
