/**
 * The keyboard wedge in the page: one capture listener on the window sees every keydown before
 * any field or screen does, feeds the WedgeDetector, and either holds the key (possible scan) or
 * lets it through. Held keys that turn out to be typing are given back: inserted in the focused
 * field as typed text (`insertText`: input events, undo history), or dispatched again to the
 * element that had them. Password fields and elements marked `data-no-wedge` are left alone (a
 * password manager types fast too).
 */
import { useEffect, useRef } from 'react';
import { flushSync } from 'react-dom';
import { decodeWedgeBurst, type KeyStroke, type WedgePayload } from './wedge-decode';
import { DEFAULT_WEDGE_OPTIONS, WedgeDetector, type StrokeKind, type WedgeOptions } from './wedge-detector';

const MODIFIERS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock', 'NumLock', 'OS']);

export function strokeKind(event: KeyboardEvent): StrokeKind {
  if (MODIFIERS.has(event.key)) return 'modifier';
  if (event.key === 'Enter') return 'enter';
  if (event.key === 'Tab' && !event.ctrlKey && !event.altKey && !event.metaKey) return 'tab';
  if (event.key === 'Dead') return 'dead';
  if (event.metaKey || (event.altKey && !event.getModifierState('AltGraph'))) return 'other';
  // Ctrl+letter/bracket: a control character (GS is Ctrl+]) — only inside a burst (detector).
  if (event.ctrlKey && !event.getModifierState('AltGraph')) return /^(Key[A-Z]|BracketLeft|BracketRight|Backslash)$/.test(event.code) ? 'printable' : 'other';
  return event.key.length === 1 ? 'printable' : 'other';
}

export function toStroke(event: KeyboardEvent): KeyStroke {
  return {
    key: event.key,
    code: event.code,
    shift: event.shiftKey,
    ctrl: event.ctrlKey && !event.getModifierState('AltGraph'),
    altGraph: event.getModifierState('AltGraph'),
    capsLock: event.getModifierState('CapsLock'),
    at: event.timeStamp,
  };
}

function editable(element: Element | null): element is HTMLInputElement | HTMLTextAreaElement | HTMLElement {
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  if (element instanceof HTMLInputElement) return !element.readOnly && !element.disabled && !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'range', 'color'].includes(element.type);
  return element instanceof HTMLElement && element.isContentEditable;
}

function excluded(element: Element | null): boolean {
  return (element instanceof HTMLInputElement && element.type === 'password') || (element?.closest('[data-no-wedge]') ?? null) !== null;
}

/** Events this module dispatched again: the listener lets them through. */
const replayed = new WeakSet<Event>();

/** Text given back to a field, to take it back if it turns out to be the start of a scan. */
interface Release {
  element: HTMLInputElement | HTMLTextAreaElement | null;
  text: string;
}

function giveBack(strokes: KeyStroke[], target: EventTarget | null): Release {
  const focused = document.activeElement;
  // Control characters (a lone Ctrl+key) are shortcuts, not text: dispatched, never inserted.
  if (editable(focused) && strokes.every((s) => !s.ctrl && s.key.length === 1)) {
    const text = strokes.map((s) => s.key).join('');
    flushSync(() => document.execCommand('insertText', false, text));
    return { element: focused instanceof HTMLInputElement || focused instanceof HTMLTextAreaElement ? focused : null, text };
  }
  const to = target ?? focused ?? document.body;
  for (const s of strokes) {
    const event = new KeyboardEvent('keydown', { key: s.key, code: s.code, shiftKey: s.shift, ctrlKey: s.ctrl, bubbles: true, cancelable: true, composed: true });
    replayed.add(event);
    // Rendered before the next key: a handler of the next one (the Entrée that made the wedge
    // give them back comes right after, in the same task) sees what this one changed.
    flushSync(() => to.dispatchEvent(event));
  }
  return { element: null, text: '' };
}

/** Takes back text given to a field too early (the burst was a scan): undo, if still just there. */
function takeBack(release: Release): void {
  const field = release.element;
  if (field === null || release.text === '' || document.activeElement !== field) return;
  const end = field.selectionStart ?? field.value.length;
  if (field.value.slice(end - release.text.length, end) !== release.text) return;
  if (!document.execCommand('undo')) {
    field.setRangeText('', end - release.text.length, end, 'end');
    field.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

export function useKeyboardWedge(onScan: (payload: WedgePayload, strokes: KeyStroke[]) => void, options: WedgeOptions = DEFAULT_WEDGE_OPTIONS): void {
  const callback = useRef(onScan);
  callback.current = onScan;
  useEffect(() => {
    let heldTarget: EventTarget | null = null;
    let releases: Release[] = [];
    const detector = new WedgeDetector(
      {
        release: (strokes) => {
          releases = [...releases.slice(-15), giveBack(strokes, heldTarget)];
        },
        scan: (strokes, retract) => {
          for (const release of releases.slice(releases.length - retract).reverse()) takeBack(release);
          releases = [];
          callback.current(decodeWedgeBurst(strokes), strokes);
        },
        schedule: (ms, fn) => {
          const timer = window.setTimeout(fn, ms);
          return () => window.clearTimeout(timer);
        },
      },
      options,
    );
    const onKeyDown = (event: KeyboardEvent) => {
      if (replayed.has(event) || !event.isTrusted || event.isComposing || event.repeat) return;
      if (excluded(document.activeElement)) {
        detector.flush();
        return;
      }
      if (detector.holding === 0) heldTarget = event.target;
      if (detector.keydown(strokeKind(event), toStroke(event)) === 'hold') {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    };
    const onBlur = () => detector.flush();
    window.addEventListener('keydown', onKeyDown, { capture: true });
    window.addEventListener('blur', onBlur);
    return () => {
      window.removeEventListener('keydown', onKeyDown, { capture: true });
      window.removeEventListener('blur', onBlur);
      detector.flush();
    };
  }, [options]);
}
