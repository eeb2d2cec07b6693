/**
 * Reads one frame sent by `pupitre serve`. The host validates every frame it sends against the
 * contract's zod schemas (`hostFrameSchema`); this check only keeps a malformed frame from
 * reaching the UI. It is written by hand so that zod and the contract's schemas stay out of the
 * renderer's start-up bundle (bench/startup.bench.ts); `frames.test.ts` holds it to the zod schema.
 */
import type { HostFrame, WireError } from '../../electron/contract';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function isWireError(value: unknown): value is WireError {
  return (
    isObject(value) &&
    typeof value.code === 'string' &&
    typeof value.message === 'string' &&
    (value.details === undefined || isObject(value.details))
  );
}

/** The frame, or null when the text is not a well-formed response or event frame. */
export function parseHostFrame(text: string): HostFrame | null {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(frame)) return null;
  if (frame.kind === 'event') {
    // As the zod schema: `payload` and `result` must be present, even when their value is free.
    return typeof frame.event === 'string' && 'payload' in frame ? { kind: 'event', event: frame.event, payload: frame.payload } : null;
  }
  if (frame.kind !== 'response' || !Number.isSafeInteger(frame.id)) return null;
  const id = frame.id as number;
  if (frame.ok === true) return 'result' in frame ? { kind: 'response', id, ok: true, result: frame.result } : null;
  if (frame.ok === false && isWireError(frame.error)) {
    const { code, message, details } = frame.error;
    return { kind: 'response', id, ok: false, error: details === undefined ? { code, message } : { code, message, details } };
  }
  return null;
}
