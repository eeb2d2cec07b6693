/**
 * Which card dialog opens by itself, and when (issue 13, « card dialogs »):
 * - only for a card inserted while the desk is open (a `cards.changed` insertion), never for the
 *   cards already there when the page loads or reloads;
 * - one dialog at a time: the others wait in a queue (code porteur first, then the Vitale);
 * - never while the user is typing somewhere else: their keystrokes must not land in a dialog they
 *   did not open (a PIN field that eats a patient name blocks the card). The card then waits in the
 *   top bar, one click or shortcut away.
 */
export type PromptKind = 'pin' | 'vitale';

export interface Prompt {
  kind: PromptKind;
  reader: string;
}

export interface ReaderLike {
  name: string;
  state: string;
  cardKind: string | null;
}

const CPS_KINDS = new Set(['CPS3', 'CPS4', 'CPS2TER', 'CPS3_CL']);

/** The dialog a freshly inserted card asks for, or null (Vitale 1, unknown card, session already open). */
export function promptFor(reader: ReaderLike | undefined, sessionOpen: boolean): Prompt | null | 'wait' {
  if (reader === undefined || reader.state === 'empty') return 'wait';
  if (reader.state !== 'present') return null;
  if (reader.cardKind !== null && CPS_KINDS.has(reader.cardKind)) return sessionOpen ? null : { kind: 'pin', reader: reader.name };
  if (reader.cardKind === 'VITALE_2') return { kind: 'vitale', reader: reader.name };
  return null;
}

/**
 * Adds a prompt. The dialog on screen (first) stays on screen — a new card of the same kind only
 * takes its place; behind it, one prompt per kind, the code porteur before the Vitale.
 */
export function enqueue(queue: readonly Prompt[], prompt: Prompt): Prompt[] {
  const [shown, ...waiting] = queue;
  if (shown === undefined) return [prompt];
  if (shown.kind === prompt.kind) return [prompt, ...waiting];
  const next = [...waiting.filter((p) => p.kind !== prompt.kind), prompt];
  next.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'pin' ? -1 : 1));
  return [shown, ...next];
}

/** Drops the prompts of a reader whose card left. */
export function withoutReader(queue: readonly Prompt[], reader: string): Prompt[] {
  return queue.filter((p) => p.reader !== reader);
}

/** How long after a keystroke outside any dialog the user counts as typing. */
export const TYPING_GRACE_MS = 2_000;

/**
 * Whether the user is typing outside a dialog: a key pressed there within the grace period, or the
 * focus in a text field that already holds text. `lastKeyAt` and `now` in ms; `focused` describes
 * document.activeElement.
 */
export function isTyping(lastKeyAt: number, now: number, focused: { editable: boolean; hasText: boolean; inDialog: boolean } | null): boolean {
  if (now - lastKeyAt < TYPING_GRACE_MS) return true;
  return focused !== null && focused.editable && focused.hasText && !focused.inDialog;
}
