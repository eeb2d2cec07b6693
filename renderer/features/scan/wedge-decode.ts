/**
 * From the key presses of a keyboard-wedge burst to the payload, with the layout mix-up corrected
 * and a plain statement when the payload cannot be trusted.
 *
 * Two readings of the same presses: what the computer's layout made of them (`event.key`) and
 * what a scanner set to US QWERTY meant (the physical key, `event.code`, read on the US layout).
 * When they agree, nothing to correct. When they differ, only evidence that cannot come from the
 * other reading decides (the codes Pupitre reads are ASCII, mostly digits and capitals):
 * - the computer's reading has accented letters or a dead key (`&é"'(-è_çà` for `1234567890`: the
 *   classic QWERTY scanner on an AZERTY desk) and the US reading is plain ASCII → US reading;
 * - digits came with Shift (AZERTY types digits with Shift) far more often than digit-row keys
 *   without it → the scanner is set to the computer's layout → its reading.
 * Otherwise (letters only: `A`/`Q`, `Z`/`W`; `M`/`:`…) nothing decides: the likelier reading is sent
 * marked untrusted, with the other one, and the host keeps the one a recogniser claims, if only
 * one is claimed (services/scan receive-scan.ts). Known limits: a US scanner typing a code made
 * mostly of `!@#$%^&*()` would be read as digits; a scanner set to AZERTY on a QWERTY computer
 * typing letters only (no digit) cannot be told from a QWERTY one.
 */
import { controlCharFor, FR_AZERTY, US_QWERTY, type LayoutTable } from './keyboard-layouts';

export interface KeyStroke {
  key: string;
  code: string;
  shift: boolean;
  ctrl: boolean;
  altGraph: boolean;
  capsLock: boolean;
  /** `KeyboardEvent.timeStamp`, ms. */
  at: number;
}

export interface WedgePayload {
  text: string;
  /** The bytes to submit (Latin-1: every character the layouts produce fits). */
  bytes: Uint8Array;
  /** AIM identifier the scanner put in front (`]Q1`), removed from the text. */
  aim: string | null;
  trusted: boolean;
  /** French, when not trusted. */
  trustNote: string | null;
  /** True when the US reading was chosen over the computer's (layout mix-up corrected). */
  corrected: boolean;
  /** When untrusted, the other reading (bytes), for the host to try against the recognisers. */
  alternative: Uint8Array | null;
}

const ALNUM = /[A-Za-z0-9]/g;
const count = (text: string): number => text.match(ALNUM)?.length ?? 0;
const asciiOnly = (text: string): boolean => [...text].every((c) => c.charCodeAt(0) < 0x80);

/** The reading of a press on `layout` (US QWERTY by default); null when the key has no meaning there. */
export function usReading(stroke: KeyStroke, layout: LayoutTable = US_QWERTY): string | null {
  if (stroke.altGraph) return null;
  if (stroke.ctrl) return controlCharFor(stroke.code, stroke.shift);
  if (stroke.code === 'Tab') return '\t';
  const entry = layout[stroke.code];
  if (entry === undefined || entry[0] === 'Dead') return null;
  const isLetter = /^Key[A-Z]$/.test(stroke.code) || /^[a-z]$/.test(entry[0]);
  const upper = isLetter || layout === FR_AZERTY ? stroke.shift !== stroke.capsLock : stroke.shift;
  return upper ? entry[1] : entry[0];
}

/** What the computer's layout typed; null for a press that typed nothing itself (dead key). */
export function osReading(stroke: KeyStroke): string | null {
  if (stroke.ctrl) return controlCharFor(stroke.code, stroke.shift);
  if (stroke.key === 'Tab') return '\t';
  if (stroke.key === 'Dead' || stroke.key.length !== 1) return null;
  return stroke.key;
}

function join(readings: Array<string | null>): string | null {
  return readings.some((r) => r === null) ? null : readings.join('');
}

const UNTRUSTED_LAYOUT =
  'La disposition du clavier de la douchette ne peut pas être déterminée (lettres A/Q, Z/W…) : le contenu peut être faux. Réglez la douchette en clavier français (AZERTY) ou, mieux, en mode HID-POS.';
const UNTRUSTED_KEYS = 'Des touches envoyées par la douchette n’ont pas d’équivalent fiable (AltGr, touche morte) : le contenu peut être faux. Passez la douchette en mode HID-POS.';

const latin1 = (text: string): Uint8Array => Uint8Array.from([...text].map((c) => (c.charCodeAt(0) <= 0xff ? c.charCodeAt(0) : 0x3f)));

/** Removes an AIM identifier (`]Q1`) the scanner may put in front. */
function splitAim(text: string): { aim: string | null; text: string } {
  const prefix = /^\][A-Za-z][0-9A-Za-z]/.exec(text);
  return prefix !== null && text.length > 3 ? { aim: prefix[0], text: text.slice(3) } : { aim: null, text };
}

export function decodeWedgeBurst(strokes: readonly KeyStroke[]): WedgePayload {
  const os = join(strokes.map(osReading));
  const us = join(strokes.map((s) => usReading(s)));
  const digitRow = strokes.filter((s) => /^Digit\d$/.test(s.code) && !s.ctrl && !s.altGraph);
  const shifted = digitRow.filter((s) => s.shift !== s.capsLock).length;
  const unshifted = digitRow.length - shifted;

  let text: string;
  let other: string | null = null;
  let trusted = true;
  let note: string | null = null;
  let corrected = false;
  const digitShiftDominant = shifted >= 3 && unshifted * 4 <= shifted;
  if (os !== null && os === us) {
    text = os;
    if (shifted >= 1 && shifted >= unshifted) {
      // Digit-row keys mostly with Shift, read as symbols: a scanner set to AZERTY on a computer
      // that is not (the mix-up the other way round), or a code with more `!@#` than digits.
      // The AZERTY reading goes along.
      trusted = false;
      note = UNTRUSTED_LAYOUT;
      other = join(strokes.map((st) => usReading(st, FR_AZERTY)));
    }
  } else if (us === null) {
    // AltGr or a key the US layout has not: only the computer's reading exists.
    text = os ?? strokes.map((s) => osReading(s) ?? '').join('');
    trusted = os !== null && asciiOnly(os);
    note = trusted ? null : UNTRUSTED_KEYS;
  } else if ((os === null || !asciiOnly(os)) && asciiOnly(us)) {
    text = us;
    corrected = true;
  } else if (os !== null && digitShiftDominant) {
    text = os;
  } else {
    const [likely, unlikely] = count(us) > count(os ?? '') ? [us, os] : [os ?? us, us];
    text = likely;
    other = unlikely !== likely ? unlikely : null;
    corrected = likely === us;
    trusted = false;
    note = UNTRUSTED_LAYOUT;
  }
  const main = splitAim(text);
  const alternative = other === null ? null : splitAim(other).text;
  if (trusted && [...main.text].some((c) => c.charCodeAt(0) > 0xff)) {
    trusted = false;
    note = UNTRUSTED_KEYS;
  }
  return {
    text: main.text,
    bytes: latin1(main.text),
    aim: main.aim,
    trusted,
    trustNote: trusted ? null : note,
    corrected,
    alternative: trusted || alternative === null ? null : latin1(alternative),
  };
}
