/**
 * Command and response APDUs (ISO/IEC 7816-4 §5.1), short form only: every command the card
 * drivers send fits (Lc ≤ 255, Le ≤ 256).
 */

export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data?: Uint8Array;
  /** Expected length; 0 means 256 (ISO 7816-4 short Le). Absent: no Le (case 1 or 3). */
  le?: number;
  /** Short name used in logs and error details (`SELECT`, `READ BINARY`…), never data. */
  name: string;
}

export interface ResponseApdu {
  data: Uint8Array;
  sw: number;
}

export function encodeApdu(command: CommandApdu): Uint8Array {
  const data = command.data ?? new Uint8Array(0);
  if (data.length > 255) throw new RangeError('command data longer than a short APDU');
  const bytes = [command.cla, command.ins, command.p1, command.p2];
  if (data.length > 0) bytes.push(data.length, ...data);
  if (command.le !== undefined) bytes.push(command.le & 0xff);
  return Uint8Array.from(bytes);
}

/** Splits a raw response into data and SW1 SW2; null when shorter than two bytes. */
export function decodeResponse(raw: Uint8Array): ResponseApdu | null {
  if (raw.length < 2) return null;
  const n = raw.length;
  return { data: raw.slice(0, n - 2), sw: ((raw[n - 2] ?? 0) << 8) | (raw[n - 1] ?? 0) };
}

export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/[\s:]/g, ''), 'hex'));

/** SELECT by DF name (AID), ISO 7816-4 §11.2.2; P2 04 asks for the FCP, 0C for nothing. */
export function selectAid(aid: Uint8Array, p2 = 0x00): CommandApdu {
  return { cla: 0x00, ins: 0xa4, p1: 0x04, p2, data: aid, ...(p2 === 0x0c ? {} : { le: 0 }), name: 'SELECT' };
}

/** SELECT by file identifier (P1 00: MF/DF/EF under the current DF; 02: EF under the current DF). */
export function selectFile(fid: number, p1 = 0x00, p2 = 0x0c): CommandApdu {
  return { cla: 0x00, ins: 0xa4, p1, p2, data: Uint8Array.of(fid >> 8, fid & 0xff), ...(p2 === 0x0c ? {} : { le: 0 }), name: 'SELECT' };
}

/** READ BINARY of the current EF at `offset` (≤ 0x7FFF), ISO 7816-4 §11.3.3. */
export function readBinary(offset: number, le: number): CommandApdu {
  return { cla: 0x00, ins: 0xb0, p1: (offset >> 8) & 0x7f, p2: offset & 0xff, le, name: 'READ BINARY' };
}

/** READ BINARY of the EF with short identifier `sfi` (P1 = 100xxxxx), offset 0. */
export function readBinarySfi(sfi: number, le = 0): CommandApdu {
  return { cla: 0x00, ins: 0xb0, p1: 0x80 | (sfi & 0x1f), p2: 0x00, le, name: 'READ BINARY' };
}
