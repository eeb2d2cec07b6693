import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import { tlv, type TlvNode } from '../../../fixtures/cards';
import { berTotalLength } from './drivers/cps';
import { childText, findTlv, parseTlv, type Tlv } from './tlv';

/** Primitive tags (bit 6 clear), one byte, not 00/FF (padding) and not 1F (multi-byte marker). */
const primitiveTag = fc.integer({ min: 0x01, max: 0xfe }).filter((t) => (t & 0x20) === 0 && (t & 0x1f) !== 0x1f);
const constructedTag = fc.constantFrom(0x65, 0x66, 0x67, 0x70, 0xa0, 0xe0, 0x61);
const value = fc.uint8Array({ maxLength: 300 });

const tree: fc.Arbitrary<TlvNode[]> = fc.letrec<{ nodes: TlvNode[]; node: TlvNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(primitiveTag, value).map(([t, v]) => [t, v] as TlvNode),
    fc.tuple(constructedTag, tie('nodes')).map(([t, c]) => [t, c] as TlvNode),
  ),
  nodes: fc.array(tie('node'), { maxLength: 4 }),
})).nodes;

function encode(nodes: TlvNode[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(nodes.map(([t, v]) => Buffer.from(tlv(t, v)))));
}

function shape(nodes: Tlv[]): unknown[] {
  return nodes.map((n) => (n.constructed ? [n.tag, shape(n.children)] : [n.tag, Buffer.from(n.value).toString('hex')]));
}

function expected(nodes: TlvNode[]): unknown[] {
  return nodes.map(([t, v]) => (Array.isArray(v) ? [t, expected(v)] : [t, Buffer.from(v as Uint8Array).toString('hex')]));
}

describe('BER-TLV parser', () => {
  it('parses back whatever the encoder wrote (random trees, short and long lengths)', () => {
    fc.assert(
      fc.property(tree, (nodes) => {
        expect(shape(parseTlv(encode(nodes)))).toEqual(expected(nodes));
      }),
    );
  });

  it('never reads out of range: truncated input is CARD_DATA_INVALID or a shorter valid prefix', () => {
    fc.assert(
      fc.property(tree, fc.nat(), (nodes, cut) => {
        const bytes = encode(nodes);
        if (bytes.length === 0) return;
        const truncated = bytes.slice(0, cut % bytes.length);
        try {
          const parsed = parseTlv(truncated);
          expect(Array.isArray(parsed)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).code).toBe('CARD_DATA_INVALID');
        }
      }),
    );
  });

  it('throws only CARD_DATA_INVALID on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseTlv(bytes);
        } catch (error) {
          expect((error as AppError).code).toBe('CARD_DATA_INVALID');
        }
      }),
    );
  });

  it('reads three-byte tags and finds nested values', () => {
    const nodes = parseTlv(tlv(0x70, [[0xbf8101, [[0xa0, [[0x9a, Uint8Array.of(3)], [0x9b, Uint8Array.of(2)]]]]]]));
    expect(findTlv(nodes, 0xbf8101)?.constructed).toBe(true);
    expect(findTlv(nodes, 0x9b)?.value).toEqual(Uint8Array.of(2));
    expect(childText(parseTlv(tlv(0x65, [[0x80, ' DUPONT ']]))[0] as Tlv, 0x80)).toBe('DUPONT');
  });

  it('skips padding and refuses indefinite lengths', () => {
    expect(parseTlv(Uint8Array.of(0x00, 0xff, 0x80, 0x01, 0x41, 0x00))).toHaveLength(1);
    expect(() => parseTlv(Uint8Array.of(0x65, 0x80, 0x00, 0x00))).toThrow(AppError);
  });

  it('gives the total BER length of the first object, as used to size certificate reads', () => {
    fc.assert(
      fc.property(primitiveTag, value, (tag, v) => {
        const bytes = tlv(tag, v);
        expect(berTotalLength(bytes)).toBe(bytes.length);
      }),
    );
    expect(berTotalLength(Uint8Array.of(0x30))).toBeNull();
  });
});
