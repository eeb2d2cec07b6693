/**
 * One HID-POS input report of a bar code scanner (USB HID usage page 0x8C, « HID Point of Sale
 * Usage Tables » v1.02, usage 0x02 Bar Code Scanner), as node-hid hands it over: report ID first.
 *
 * Layout of the 64-byte « scanned data » report, report ID 0x02, as documented by the scanner
 * makers (Access-IS ATR110/LSR116 product manuals, appendix « HID reports — receive data »;
 * research cards.md §6 after `NielsLeenheer/WebHidBarcodeScanner`, which counts without the ID):
 *
 * | byte  | content                                                            |
 * |-------|--------------------------------------------------------------------|
 * | 0     | report ID = 0x02                                                   |
 * | 1     | length of the data field in this report (≤ 56)                     |
 * | 2–4   | AIM symbology identifier (ISO/IEC 15424): `]`, code, modifier      |
 * | 5–60  | data (up to 56 bytes), zero padded                                 |
 * | 61    | maker's own symbology identifier (Honeywell: 0x73 QR, 0x77 DataMatrix) |
 * | 62    | reserved                                                           |
 * | 63    | bit 0: « data continued » — more reports of the same scan follow   |
 *
 * Some makers leave the AIM identifier out (Newland FM430 / Quio QU-R-302 manuals: data from
 * byte 2 to 57, symbology or 0x00 at byte 62, « decoded data continued » at byte 63): when byte 2
 * is not `]`, the data starts at byte 2 and is at most 56 bytes. The layout is decided on the
 * first report of a scan and kept for its continuations (reassembler.ts); a scanner without AIM
 * identifier whose code starts with `]` cannot be told apart, so such scanners should be set to
 * send the AIM identifier (every maker's configuration guide has the code for it).
 */

export const HID_POS_USAGE_PAGE = 0x8c;
/** Usages of the Bar Code Scanner page that are scanners (01 badge reader … 05 cradle). */
export const HID_POS_SCANNER_USAGES: ReadonlySet<number> = new Set([0x01, 0x02, 0x03, 0x04, 0x05]);
export const SCANNED_DATA_REPORT_ID = 0x02;
const MAX_DATA = 56;
const AIM_FLAG = 0x5d; // ']'

export interface HidPosReport {
  /** `]Q1`, `]d1`…; null when the scanner sends none. */
  aim: string | null;
  data: Uint8Array;
  /** More reports of the same scan follow. */
  continued: boolean;
  /** Maker's symbology byte (Honeywell code id), 0 when absent. */
  makerCode: number;
}

export type ReportParse = { ok: true; report: HidPosReport } | { ok: false; reason: 'other-report' | 'too-short' | 'bad-length' };

/**
 * Parses one input report. Reports other than « scanned data » (status, feature echoes) are
 * `other-report` and ignored by the caller. A report shorter than its length byte says is
 * refused rather than read past its end.
 */
export function parseHidPosReport(raw: Uint8Array, layout?: 'aim' | 'plain'): ReportParse {
  if (raw.length < 2) return { ok: false, reason: 'too-short' };
  if (raw[0] !== SCANNED_DATA_REPORT_ID) return { ok: false, reason: 'other-report' };
  const length = raw[1] ?? 0;
  if (length > MAX_DATA) return { ok: false, reason: 'bad-length' };
  const withAim = layout === undefined ? raw[2] === AIM_FLAG : layout === 'aim';
  const start = withAim ? 5 : 2;
  if (raw.length < start + length) return { ok: false, reason: 'too-short' };
  const aim = withAim ? String.fromCharCode(raw[2] ?? 0, raw[3] ?? 0, raw[4] ?? 0) : null;
  return {
    ok: true,
    report: {
      aim,
      data: raw.slice(start, start + length),
      continued: ((raw[63] ?? 0) & 0x01) !== 0,
      makerCode: withAim ? (raw[61] ?? 0) : (raw[62] ?? 0),
    },
  };
}

/**
 * Builds the report sequence a scanner sends for `payload` (Access-IS layout above): used by the
 * demo's virtual scanner and to write recordings. Each report repeats the AIM identifier, as in
 * the manual's two-report example.
 */
export function encodeHidPosReports(payload: Uint8Array, options: { aim?: string | null; makerCode?: number } = {}): Uint8Array[] {
  const aim = options.aim === undefined ? ']Q1' : options.aim;
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < payload.length || chunks.length === 0; at += MAX_DATA) chunks.push(payload.slice(at, at + MAX_DATA));
  return chunks.map((chunk, index) => {
    const report = new Uint8Array(64);
    report[0] = SCANNED_DATA_REPORT_ID;
    report[1] = chunk.length;
    const start = aim === null ? 2 : 5;
    if (aim !== null) for (let i = 0; i < 3; i++) report[2 + i] = aim.charCodeAt(i) & 0xff;
    report.set(chunk, start);
    if (aim !== null) report[61] = options.makerCode ?? 0;
    else report[62] = options.makerCode ?? 0;
    report[63] = index < chunks.length - 1 ? 0x01 : 0x00;
    return report;
  });
}
