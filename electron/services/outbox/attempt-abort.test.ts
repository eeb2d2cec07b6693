import { describe, expect, it } from 'vitest';
import { AttemptAbort } from './attempt-abort';

describe('AttemptAbort', () => {
  it('rejects the guarded step with the reason, even when the queue code ignores its signal', async () => {
    const abort = new AttemptAbort();
    const ignoring = new Promise<string>(() => undefined);
    const step = abort.guard(ignoring);
    const reason = new Error('timeout');
    abort.abort(reason);
    await expect(step).rejects.toBe(reason);
  });

  it('lets a step that settles first through, and a step started after the abort fails at once', async () => {
    const abort = new AttemptAbort();
    await expect(abort.guard(Promise.resolve('sent'))).resolves.toBe('sent');
    await expect(abort.guard(Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    const reason = new Error('lease lost');
    abort.abort(reason);
    await expect(abort.guard(Promise.resolve('late'))).rejects.toBe(reason);
  });

  it('makes the signal when it is first read, aborted with the first reason whenever it is read', () => {
    const before = new AttemptAbort();
    const signal = before.signal;
    expect(signal.aborted).toBe(false);
    expect(before.signal).toBe(signal);
    let heard: unknown = null;
    signal.addEventListener('abort', () => {
      heard = signal.reason;
    });
    const first = new Error('first');
    before.abort(first);
    before.abort(new Error('second'));
    expect(before.aborted).toBe(true);
    expect(heard).toBe(first);
    expect(signal.reason).toBe(first);

    const after = new AttemptAbort();
    after.abort(first);
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe(first);
  });

  it('an abort while no step is awaited is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      new AttemptAbort().abort(new Error('stopped'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
