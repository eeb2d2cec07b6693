/**
 * Where the user's keyboard is (prompts.ts `isTyping`): the time of the last key pressed outside a
 * dialog, and what holds the focus. One window listener per component that asks.
 */
import { useEffect, useMemo, useRef } from 'react';

export interface TypingTracker {
  lastKeyAt(): number;
  focused(): { editable: boolean; hasText: boolean; inDialog: boolean } | null;
}

export function useTypingTracker(): TypingTracker {
  const last = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target instanceof Element ? event.target : null;
      if (target?.closest('dialog') === null || target === null) last.current = performance.now();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, []);
  return useMemo(
    () => ({
      lastKeyAt: () => last.current,
      focused: () => {
        const active = document.activeElement;
        if (!(active instanceof HTMLElement) || active === document.body) return null;
        const text = active instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'file'].includes(active.type);
        const editable = text || active instanceof HTMLTextAreaElement || active.isContentEditable;
        const value = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement ? active.value : (active.textContent ?? '');
        return { editable, hasText: value.length > 0, inDialog: active.closest('dialog') !== null };
      },
    }),
    [],
  );
}
