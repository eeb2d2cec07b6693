/**
 * XML 1.0 §2.2 on ASCII bytes: does a run hold a control character other than tab, line feed and
 * carriage return (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F)? The canonical digest of a CDA
 * (c14n-stream.ts) asks it of a megabyte of base64 for each document it verifies; a regular
 * expression needs a string of it first (a copy), and then looks at one character at a time.
 * Here a tiny WebAssembly function looks at 16 bytes at a time (128-bit SIMD), on 64 KB pieces
 * copied into its memory.
 *
 * The module is assembled below from its instructions (WebAssembly Core Specification 2.0 §5,
 * binary format; SIMD opcodes §5.4.8). Its text form:
 *
 *   (func (export "check") (param $n i32) (result i32)   ;; $n: a multiple of 16
 *     (local $i i32) (local $v v128) (local $c20 v128) (local $c9 v128) (local $c10 v128) (local $c13 v128)
 *     ;; $c20 … $c13 = i8x16.splat of 0x20, 9, 10, 13
 *     (block (loop
 *       (br_if 1 (i32.ge_u (local.get $i) (local.get $n)))
 *       (local.set $v (v128.load (local.get $i)))
 *       (if (v128.any_true (v128.andnot (i8x16.lt_u $v $c20)
 *                                       (v128.or (v128.or (i8x16.eq $v $c9) (i8x16.eq $v $c10)) (i8x16.eq $v $c13))))
 *         (then (return (i32.const 1))))
 *       (local.set $i (i32.add (local.get $i) (i32.const 16)))
 *       (br 0)))
 *     (i32.const 0))
 *
 * Where WebAssembly SIMD is not available the same answer comes from the regular expression.
 */
import { CONTROL_CHAR } from './lite';

/** Bytes copied into the module's memory at a time (its memory has 2 pages of 64 KiB). */
const PIECE_BYTES = 64 * 1024;

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  return: [0x0f],
  localGet: (index: number) => [0x20, index],
  localSet: (index: number) => [0x21, index],
  /** i32.const for 0 ≤ value < 64 (one byte of signed LEB128). */
  i32Const: (value: number) => [0x41, value],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  v128Load: [0xfd, 0x00, 0x00, 0x00],
  i8x16Splat: [0xfd, 0x0f],
  i8x16Eq: [0xfd, 0x23],
  i8x16LtU: [0xfd, 0x26],
  v128AndNot: [0xfd, 0x4f],
  v128Or: [0xfd, 0x50],
  v128AnyTrue: [0xfd, 0x53],
};

const [N, I, V, C20, C9, C10, C13] = [0, 1, 2, 3, 4, 5, 6];

const body = [
  // locals: 1 × i32 ($i), 5 × v128
  0x02, 0x01, I32, 0x05, V128,
  ...op.i32Const(0x20), ...op.i8x16Splat, ...op.localSet(C20),
  ...op.i32Const(9), ...op.i8x16Splat, ...op.localSet(C9),
  ...op.i32Const(10), ...op.i8x16Splat, ...op.localSet(C10),
  ...op.i32Const(13), ...op.i8x16Splat, ...op.localSet(C13),
  ...op.block, ...op.loop,
  ...op.localGet(I), ...op.localGet(N), ...op.i32GeU, ...op.brIf(1),
  ...op.localGet(I), ...op.v128Load, ...op.localSet(V),
  ...op.localGet(V), ...op.localGet(C20), ...op.i8x16LtU,
  ...op.localGet(V), ...op.localGet(C9), ...op.i8x16Eq,
  ...op.localGet(V), ...op.localGet(C10), ...op.i8x16Eq,
  ...op.v128Or,
  ...op.localGet(V), ...op.localGet(C13), ...op.i8x16Eq,
  ...op.v128Or,
  ...op.v128AndNot, ...op.v128AnyTrue,
  ...op.if, ...op.i32Const(1), ...op.return, ...op.end,
  ...op.localGet(I), ...op.i32Const(16), ...op.i32Add, ...op.localSet(I),
  ...op.br(0),
  ...op.end, ...op.end,
  ...op.i32Const(0),
  ...op.end,
];

const section = (id: number, content: number[]): number[] => [id, content.length, ...content];
const name = (text: string): number[] => [text.length, ...Buffer.from(text, 'ascii')];

const MODULE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x01, 0x60, 0x01, I32, 0x01, I32]), // type 0: (i32) → i32
  ...section(3, [0x01, 0x00]), // function 0 has type 0
  ...section(5, [0x01, 0x00, 0x02]), // one memory, 2 pages
  ...section(7, [0x02, ...name('m'), 0x02, 0x00, ...name('check'), 0x00, 0x00]),
  ...section(10, [0x01, body.length, ...body]),
]);

interface Checker {
  memory: Uint8Array;
  check: (length: number) => number;
}

function instantiate(): Checker | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE));
    const memory = instance.exports.m as WebAssembly.Memory;
    return { memory: new Uint8Array(memory.buffer), check: instance.exports.check as (length: number) => number };
  } catch {
    return null;
  }
}

const checker = instantiate();

/** Whether SIMD WebAssembly does the work here (false: the regular expression does). */
export const asciiControlsBySimd = checker !== null;

/** True when the ASCII bytes hold a character XML 1.0 forbids (a C0 control other than tab, LF, CR). */
export function hasForbiddenAsciiControl(bytes: Uint8Array): boolean {
  if (checker === null) return CONTROL_CHAR.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  for (let from = 0; from < bytes.length; from += PIECE_BYTES) {
    const piece = bytes.subarray(from, Math.min(from + PIECE_BYTES, bytes.length));
    checker.memory.set(piece);
    // Padded with spaces to whole 16-byte vectors.
    const padded = (piece.length + 15) & ~15;
    checker.memory.fill(0x20, piece.length, padded);
    if (checker.check(padded) !== 0) return true;
  }
  return false;
}
