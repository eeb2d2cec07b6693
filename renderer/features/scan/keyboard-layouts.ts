/**
 * What a key press gives on a layout, by physical key (`KeyboardEvent.code`, UI Events KeyboardEvent
 * code values, W3C). A keyboard-wedge scanner types its payload as key presses for the layout it
 * is set to (US QWERTY out of the box); the computer reads them with its own layout (AZERTY on a
 * French desk). The physical key is the same on both sides, so the payload can be rebuilt.
 *
 * US: ANSI US layout. FR: the French AZERTY layout of Windows and Linux (xkb `fr`), dead
 * circumflex/diaeresis on `BracketLeft`.
 */

export type LayoutTable = Readonly<Record<string, readonly [normal: string, shifted: string]>>;

const letters = (swap: Record<string, string> = {}): Record<string, [string, string]> => {
  const out: Record<string, [string, string]> = {};
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    const letter = swap[c] ?? c;
    out[`Key${c}`] = [letter.toLowerCase(), letter.toUpperCase()];
  }
  return out;
};

const numpad: Record<string, [string, string]> = {
  ...Object.fromEntries([...'0123456789'].map((d) => [`Numpad${d}`, [d, d] as [string, string]])),
  NumpadDecimal: ['.', '.'],
  NumpadAdd: ['+', '+'],
  NumpadSubtract: ['-', '-'],
  NumpadMultiply: ['*', '*'],
  NumpadDivide: ['/', '/'],
};

export const US_QWERTY: LayoutTable = {
  ...letters(),
  Digit1: ['1', '!'],
  Digit2: ['2', '@'],
  Digit3: ['3', '#'],
  Digit4: ['4', '$'],
  Digit5: ['5', '%'],
  Digit6: ['6', '^'],
  Digit7: ['7', '&'],
  Digit8: ['8', '*'],
  Digit9: ['9', '('],
  Digit0: ['0', ')'],
  Minus: ['-', '_'],
  Equal: ['=', '+'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  Backquote: ['`', '~'],
  Comma: [',', '<'],
  Period: ['.', '>'],
  Slash: ['/', '?'],
  Space: [' ', ' '],
  ...numpad,
};

/** `Dead` stands for the dead circumflex (¨ shifted) of `BracketLeft`. */
export const FR_AZERTY: LayoutTable = {
  ...letters({ Q: 'A', A: 'Q', W: 'Z', Z: 'W' }),
  KeyM: [',', '?'],
  Digit1: ['&', '1'],
  Digit2: ['é', '2'],
  Digit3: ['"', '3'],
  Digit4: ["'", '4'],
  Digit5: ['(', '5'],
  Digit6: ['-', '6'],
  Digit7: ['è', '7'],
  Digit8: ['_', '8'],
  Digit9: ['ç', '9'],
  Digit0: ['à', '0'],
  Minus: [')', '°'],
  Equal: ['=', '+'],
  BracketLeft: ['Dead', 'Dead'],
  BracketRight: ['$', '£'],
  Backslash: ['*', 'µ'],
  Semicolon: ['m', 'M'],
  Quote: ['ù', '%'],
  Backquote: ['²', '²'],
  Comma: [';', '.'],
  Period: [':', '/'],
  Slash: ['!', '§'],
  IntlBackslash: ['<', '>'],
  Space: [' ', ' '],
  ...numpad,
};

/** The key (physical code, shift) that types `char` on `layout`; null when it has none. */
export function keyFor(layout: LayoutTable, char: string): { code: string; shift: boolean } | null {
  for (const [code, [normal, shifted]] of Object.entries(layout)) {
    if (code.startsWith('Numpad')) continue;
    if (normal === char) return { code, shift: false };
    if (shifted === char) return { code, shift: true };
  }
  return null;
}

/**
 * ASCII control characters a scanner sends as Ctrl + key (US): Ctrl+A…Z = 0x01…0x1A, Ctrl+[ ESC,
 * Ctrl+\ FS, Ctrl+] GS (the INS datamatrix separator), Ctrl+^ RS, Ctrl+_ US.
 */
export function controlCharFor(code: string, shift: boolean): string | null {
  const letter = /^Key([A-Z])$/.exec(code)?.[1];
  if (letter !== undefined) return String.fromCharCode(letter.charCodeAt(0) - 0x40);
  if (code === 'BracketLeft') return '\u001b';
  if (code === 'Backslash') return '\u001c';
  if (code === 'BracketRight') return '\u001d';
  if (code === 'Digit6' && shift) return '\u001e';
  if (code === 'Minus' && shift) return '\u001f';
  return null;
}
