import { describe, expect, it } from 'vitest';
import { enqueue, isTyping, promptFor, withoutReader, type Prompt } from './prompts';

const cps = { name: 'A', state: 'present', cardKind: 'CPS3' };
const vitale = { name: 'B', state: 'present', cardKind: 'VITALE_2' };

describe('card dialogs that open by themselves', () => {
  it('asks the code of a CPS/CPE without session, the beneficiaries of a Vitale 2, nothing for a Vitale 1', () => {
    expect(promptFor(cps, false)).toEqual({ kind: 'pin', reader: 'A' });
    expect(promptFor(cps, true)).toBeNull();
    expect(promptFor(vitale, false)).toEqual({ kind: 'vitale', reader: 'B' });
    expect(promptFor({ name: 'B', state: 'present', cardKind: 'VITALE_1' }, false)).toBeNull();
    expect(promptFor({ name: 'B', state: 'mute', cardKind: null }, false)).toBeNull();
    expect(promptFor(undefined, false)).toBe('wait');
  });

  it('shows one dialog at a time: the code porteur first, the Vitale after, never twice the same', () => {
    let queue: Prompt[] = [];
    queue = enqueue(queue, { kind: 'vitale', reader: 'B' });
    expect(queue).toEqual([{ kind: 'vitale', reader: 'B' }]);
    // The Vitale picker is on screen: the code waits behind it, it does not pop on top.
    queue = enqueue(queue, { kind: 'pin', reader: 'A' });
    expect(queue.map((p) => p.kind)).toEqual(['vitale', 'pin']);
    queue = enqueue(queue, { kind: 'pin', reader: 'A' });
    expect(queue).toHaveLength(2);
    // Nothing on screen: the code comes first.
    expect(enqueue([], { kind: 'pin', reader: 'A' })).toHaveLength(1);
    expect(withoutReader(queue, 'B')).toEqual([{ kind: 'pin', reader: 'A' }]);
  });

  it('counts as typing a recent keystroke, or the focus in a field holding text outside a dialog', () => {
    expect(isTyping(10_000, 11_000, null)).toBe(true);
    expect(isTyping(0, 10_000, null)).toBe(false);
    expect(isTyping(0, 10_000, { editable: true, hasText: true, inDialog: false })).toBe(true);
    expect(isTyping(0, 10_000, { editable: true, hasText: false, inDialog: false })).toBe(false);
    expect(isTyping(0, 10_000, { editable: true, hasText: true, inDialog: true })).toBe(false);
  });
});
