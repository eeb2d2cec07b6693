/**
 * BER-TLV parsing of card data (ISO/IEC 7816-4 §5.2 / ISO 8825-1): tags of one to three bytes,
 * definite lengths up to 0x82 (65 535). Card data is untrusted: every length is checked against
 * what remains, nesting is bounded, and any inconsistency is CARD_DATA_INVALID — never an
 * out-of-range read.
 */
import { AppError } from '../../contract';

export interface Tlv {
  tag: number;
  /** Constructed (bit 6 of the first tag byte): `children` holds the parsed content. */
  constructed: boolean;
  value: Uint8Array;
  children: Tlv[];
}

const MAX_DEPTH = 8;

function invalid(reason: string, offset: number): AppError {
  return new AppError('CARD_DATA_INVALID', { reason, offset });
}

/**
 * Parses a sequence of TLV objects. Padding bytes 00 and FF between objects are skipped
 * (ISO 7816-4 §5.2: "before, between or after BER-TLV data objects").
 */
export function parseTlv(bytes: Uint8Array, depth = 0): Tlv[] {
  if (depth > MAX_DEPTH) throw invalid('too-deep', 0);
  const out: Tlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    const first = bytes[i] as number;
    if (first === 0x00 || first === 0xff) {
      i++;
      continue;
    }
    const start = i;
    let tag = first;
    i++;
    if ((first & 0x1f) === 0x1f) {
      // Subsequent tag bytes while bit 8 is set; at most two more (three-byte tags, e.g. BF8101).
      let more = 0;
      for (;;) {
        if (i >= bytes.length) throw invalid('truncated-tag', start);
        const b = bytes[i] as number;
        tag = (tag << 8) | b;
        i++;
        if ((b & 0x80) === 0) break;
        if (++more >= 2) throw invalid('tag-too-long', start);
      }
    }
    if (i >= bytes.length) throw invalid('truncated-length', start);
    let length = bytes[i] as number;
    i++;
    if (length === 0x81) {
      if (i + 1 > bytes.length) throw invalid('truncated-length', start);
      length = bytes[i] as number;
      i += 1;
    } else if (length === 0x82) {
      if (i + 2 > bytes.length) throw invalid('truncated-length', start);
      length = ((bytes[i] as number) << 8) | (bytes[i + 1] as number);
      i += 2;
    } else if (length > 0x80) {
      throw invalid('unsupported-length', start);
    } else if (length === 0x80) {
      throw invalid('indefinite-length', start);
    }
    if (i + length > bytes.length) throw invalid('truncated-value', start);
    const value = bytes.slice(i, i + length);
    i += length;
    const constructed = (first & 0x20) !== 0;
    out.push({ tag, constructed, value, children: constructed ? parseTlv(value, depth + 1) : [] });
  }
  return out;
}

/** First object with `tag` among `nodes`, searching depth-first. */
export function findTlv(nodes: readonly Tlv[], tag: number): Tlv | undefined {
  for (const node of nodes) {
    if (node.tag === tag) return node;
    const inner = findTlv(node.children, tag);
    if (inner) return inner;
  }
  return undefined;
}

/** Direct child value as text; Latin-1 unless `utf8`. */
export function childText(node: Tlv, tag: number, encoding: 'latin1' | 'utf8' = 'latin1'): string | null {
  const child = node.children.find((c) => c.tag === tag);
  return child === undefined ? null : Buffer.from(child.value).toString(encoding).trim();
}
