/**
 * From the key presses of a keyboard-wedge burst to the payload, with the layout mix-up corrected
 * and a plain statement when the payload cannot be trusted.
 *
 * Two readings of the same presses: what the computer's layout made of them (`event.key`) and
 * what a scanner set to US QWERTY meant (the physical key, `event.code`, read on the US layout).
 * When they agree, nothing to correct. When they differ, the codes Pupitre reads (appli carte
 * Vitale, ordonnance numérique, INS datamatrix) are ASCII letters and digits: the reading with
 * more of them wins — `&é"'(-è_çà` for `1234567890` is the classic QWERTY scanner on an AZERTY
 * computer. A tie (letters only: `A`/`Q`, `Z`/`W` swapped, digits identical) cannot be decided:
 * the payload is marked untrusted and the user is told how to set the scanner.
 */
import { controlCharFor, US_QWERTY } from './keyboard-layouts';

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
}

const ALNUM = /[A-Za-z0-9]/g;
const count = (text: string): number => text.match(ALNUM)?.length ?? 0;
const asciiOnly = (text: string): boolean => [...text].every((c) => c.charCodeAt(0) < 0x80);

/** The US QWERTY reading of a press; null when the key has no US meaning (AltGr, unknown code). */
export function usReading(stroke: KeyStroke): string | null {
  if (stroke.altGraph) return null;
  if (stroke.ctrl) return controlCharFor(stroke.code, stroke.shift);
  if (stroke.code === 'Tab') return '\t';
  const entry = US_QWERTY[stroke.code];
  if (entry === undefined) return null;
  const isLetter = /^Key[A-Z]$/.test(stroke.code);
  const upper = isLetter ? stroke.shift !== stroke.capsLock : stroke.shift;
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

export function decodeWedgeBurst(strokes: readonly KeyStroke[]): WedgePayload {
  const os = join(strokes.map(osReading));
  const us = join(strokes.map(usReading));
  let text: string;
  let trusted = true;
  let note: string | null = null;
  let corrected = false;
  if (os !== null && os === us) text = os;
  else if (os === null && us === null) {
    text = strokes.map((s) => osReading(s) ?? usReading(s) ?? '').join('');
    trusted = false;
    note = UNTRUSTED_KEYS;
  } else if (os === null) {
    // A dead key swallowed a character on the computer's layout: only the US reading is whole.
    text = us as string;
    corrected = true;
    if (!asciiOnly(text)) {
      trusted = false;
      note = UNTRUSTED_KEYS;
    }
  } else if (us === null) {
    text = os;
    if (!asciiOnly(os)) {
      trusted = false;
      note = UNTRUSTED_KEYS;
    }
  } else {
    const osScore = count(os) - (asciiOnly(os) ? 0 : 1000);
    const usScore = count(us);
    if (usScore > osScore) {
      text = us;
      corrected = true;
    } else if (osScore > usScore) text = os;
    else {
      text = os;
      trusted = false;
      note = UNTRUSTED_LAYOUT;
    }
  }
  let aim: string | null = null;
  const prefix = /^\][A-Za-z][0-9A-Za-z]/.exec(text);
  if (prefix !== null && text.length > 3) {
    aim = prefix[0];
    text = text.slice(3);
  }
  const bytes = Uint8Array.from([...text].map((c) => (c.charCodeAt(0) <= 0xff ? c.charCodeAt(0) : 0x3f)));
  if (trusted && [...text].some((c) => c.charCodeAt(0) > 0xff)) {
    trusted = false;
    note = UNTRUSTED_KEYS;
  }
  return { text, bytes, aim, trusted, trustNote: trusted ? null : note, corrected };
}
