import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostFrameSchema } from '../../electron/contract';
import { parseHostFrame } from './frames';

describe('parseHostFrame', () => {
  it('reads a successful response, an error response and an event', () => {
    expect(parseHostFrame('{"kind":"response","id":3,"ok":true,"result":{"a":1}}')).toEqual({ kind: 'response', id: 3, ok: true, result: { a: 1 } });
    expect(parseHostFrame('{"kind":"response","id":4,"ok":false,"error":{"code":"X","message":"Non."}}')).toEqual({
      kind: 'response',
      id: 4,
      ok: false,
      error: { code: 'X', message: 'Non.' },
    });
    expect(parseHostFrame('{"kind":"event","event":"cards.changed","payload":[1]}')).toEqual({ kind: 'event', event: 'cards.changed', payload: [1] });
  });

  it('refuses text that is not JSON, and frames of the wrong shape', () => {
    for (const text of ['', 'not json', '[]', 'null', '{"kind":"request","id":1,"method":"m"}', '{"kind":"response","id":1.5,"ok":true}', '{"kind":"response","id":1,"ok":false,"error":{"code":1,"message":"x"}}', '{"kind":"response","id":1,"ok":false,"error":{"code":"C","message":"m","details":[]}}', '{"kind":"event","payload":1}']) {
      expect(parseHostFrame(text), text).toBeNull();
    }
  });

  it('accepts and refuses exactly what the contract’s zod schema accepts and refuses', () => {
    const value = fc.oneof(fc.constant(undefined), fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.dictionary(fc.string(), fc.integer()));
    const error = fc.oneof(value, fc.record({ code: fc.oneof(fc.string(), value), message: fc.oneof(fc.string(), value), details: fc.oneof(fc.constant(undefined), value) }, { requiredKeys: ['code', 'message'] }));
    const frame = fc.record(
      {
        kind: fc.constantFrom('response', 'event', 'request', 'other'),
        id: fc.oneof(fc.integer({ min: -5, max: 1e9 }), fc.double(), fc.string()),
        ok: fc.oneof(fc.boolean(), value),
        result: value,
        error,
        event: fc.oneof(fc.string(), value),
        payload: value,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(frame, (candidate) => {
        const text = JSON.stringify(candidate);
        const oracle = hostFrameSchema.safeParse(JSON.parse(text));
        const ours = parseHostFrame(text);
        expect(ours !== null).toBe(oracle.success);
        if (oracle.success) expect(ours).toEqual(oracle.data);
      }),
      { numRuns: 2000 },
    );
  });
});
