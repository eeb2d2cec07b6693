/**
 * Scanner input for Chromium, through the DevTools protocol's Input domain (real key events in
 * the browser's input pipeline, as a USB keyboard produces them):
 * - `scannerBurst`: a keyboard-wedge scanner set to `scannerLayout` typing `text` then Enter, read by
 *   a computer on `osLayout` (the QWERTY scanner on an AZERTY desk is `US_QWERTY` on `FR_AZERTY`).
 *   The events are sent back to back, the last one now, with timestamps `gapMs` apart as a scanner
 *   types them (a few ms a key), whatever the load of the test machine; GS (0x1D) is Ctrl+], as
 *   scanners send it.
 */
import type { Page } from 'playwright-core';
import { keyFor, US_QWERTY, type LayoutTable } from '../../renderer/features/scan/keyboard-layouts';

const OEM: Record<string, number> = {
  Minus: 0xbd, Equal: 0xbb, BracketLeft: 0xdb, BracketRight: 0xdd, Backslash: 0xdc, Semicolon: 0xba, Quote: 0xde,
  Backquote: 0xc0, Comma: 0xbc, Period: 0xbe, Slash: 0xbf, Space: 0x20, Enter: 0x0d, IntlBackslash: 0xe2,
};

export function virtualKeyCode(code: string): number {
  const digit = /^Digit(\d)$/.exec(code)?.[1];
  if (digit !== undefined) return 0x30 + Number(digit);
  const letter = /^Key([A-Z])$/.exec(code)?.[1];
  if (letter !== undefined) return letter.charCodeAt(0);
  return OEM[code] ?? 0;
}

interface KeyEvent {
  type: 'keyDown' | 'rawKeyDown' | 'keyUp';
  key: string;
  code: string;
  text?: string;
  unmodifiedText?: string;
  windowsVirtualKeyCode: number;
  modifiers: number;
  timestamp: number;
}

const SHIFT = 8;
const CTRL = 2;

export async function scannerBurst(
  page: Page,
  text: string,
  options: { scannerLayout?: LayoutTable; osLayout?: LayoutTable; gapMs?: number; enter?: boolean } = {},
): Promise<{ inputMs: number }> {
  const scannerLayout = options.scannerLayout ?? US_QWERTY;
  const osLayout = options.osLayout ?? US_QWERTY;
  const gap = (options.gapMs ?? 5) / 1000;
  const events: KeyEvent[] = [];
  let t = 0;
  const push = (event: Omit<KeyEvent, 'timestamp'>) => events.push({ ...event, timestamp: (t += gap / 4) });
  for (const char of text) {
    if (char === '\u001d') {
      const key = osLayout.BracketRight?.[0] ?? ']';
      push({ type: 'rawKeyDown', key: 'Control', code: 'ControlLeft', windowsVirtualKeyCode: 0x11, modifiers: CTRL });
      push({ type: 'rawKeyDown', key, code: 'BracketRight', windowsVirtualKeyCode: 0xdd, modifiers: CTRL });
      push({ type: 'keyUp', key, code: 'BracketRight', windowsVirtualKeyCode: 0xdd, modifiers: CTRL });
      push({ type: 'keyUp', key: 'Control', code: 'ControlLeft', windowsVirtualKeyCode: 0x11, modifiers: 0 });
      continue;
    }
    const press = keyFor(scannerLayout, char);
    if (press === null) throw new Error(`the scanner layout has no key for ${JSON.stringify(char)}`);
    const typed = osLayout[press.code]?.[press.shift ? 1 : 0] ?? 'Unidentified';
    const vk = virtualKeyCode(press.code);
    const modifiers = press.shift ? SHIFT : 0;
    if (press.shift) push({ type: 'rawKeyDown', key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 0x10, modifiers: SHIFT });
    if (typed.length === 1) push({ type: 'keyDown', key: typed, code: press.code, text: typed, unmodifiedText: typed, windowsVirtualKeyCode: vk, modifiers });
    else push({ type: 'rawKeyDown', key: typed, code: press.code, windowsVirtualKeyCode: vk, modifiers });
    push({ type: 'keyUp', key: typed, code: press.code, windowsVirtualKeyCode: vk, modifiers });
    if (press.shift) push({ type: 'keyUp', key: 'Shift', code: 'ShiftLeft', windowsVirtualKeyCode: 0x10, modifiers: 0 });
  }
  if (options.enter ?? true) {
    push({ type: 'keyDown', key: 'Enter', code: 'Enter', text: '\r', unmodifiedText: '\r', windowsVirtualKeyCode: 0x0d, modifiers: 0 });
    push({ type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 0x0d, modifiers: 0 });
  }
  // The burst ends now: its keys carry the times a scanner would have typed them at.
  const end = Date.now() / 1000;
  const span = events.at(-1)?.timestamp ?? 0;
  for (const event of events) event.timestamp = end - span + event.timestamp;
  const first = events[0]?.timestamp ?? 0;
  const last = events.at(-1)?.timestamp ?? 0;
  const session = await page.context().newCDPSession(page);
  try {
    await Promise.all(events.map((event) => session.send('Input.dispatchKeyEvent', event)));
  } finally {
    await session.detach();
  }
  return { inputMs: (last - first) * 1000 };
}
