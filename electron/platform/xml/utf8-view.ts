/**
 * The Latin-1 view of UTF-8 bytes: one character per byte, made by a copy (no decoder), a one-byte
 * string half the size of the decoded text. The markup of XML is ASCII and a byte of a multi-byte
 * UTF-8 sequence is never ASCII (RFC 3629 §3), so the markup reader (scan.ts) finds the same `<`,
 * quotes, names and ends on the view as on the text; only the pieces it hands out are turned back
 * into text (`fromUtf8View`), and only those that hold a byte above 0x7F. Used where a document is
 * long and mostly ASCII: the streaming canonical digest (c14n-stream.ts) and the records of a list
 * answer (parse.ts `parseXmlWithRecords`: an ITI-18 answer of 13 MB with a « — » in every title).
 */
import { isAscii, isUtf8 } from 'node:buffer';

/** A character of the view above ASCII: the piece holds part of a multi-byte sequence. */
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * U+FFFE and U+FFFF are valid UTF-8 (EF BF BE, EF BF BF) but not XML characters (XML 1.0 §2.2); the
 * view's pieces are checked as ASCII, so these two are looked for in the bytes.
 */
export const NON_CHARACTERS = [Buffer.from([0xef, 0xbf, 0xbe]), Buffer.from([0xef, 0xbf, 0xbf])];

/** A piece of a view as the text it stands for (a piece never cuts a sequence: it ends at ASCII). */
export function fromUtf8View(piece: string): string {
  return NON_ASCII.test(piece) ? Buffer.from(piece, 'latin1').toString('utf8') : piece;
}

export type Utf8View =
  /** The bytes are ASCII: the view is the text itself. */
  | { kind: 'ascii'; view: string }
  /** Valid UTF-8 without U+FFFE/U+FFFF: pieces go through `fromUtf8View`. */
  | { kind: 'utf8'; view: string }
  /** Not valid UTF-8, or holding a non-character: read it another way (which refuses it). */
  | { kind: 'refused' };

export function utf8View(bytes: Uint8Array): Utf8View {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return { kind: 'ascii', view: buffer.toString('latin1') };
  if (!isUtf8(buffer) || NON_CHARACTERS.some((c) => buffer.includes(c))) return { kind: 'refused' };
  return { kind: 'utf8', view: buffer.toString('latin1') };
}
