import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessIsReport, SIXTY_BYTES } from '../../fixtures/hid/recordings';
import { HidPosReassembler, stripTrailingCr } from './reassembler';
import { encodeHidPosReports, parseHidPosReport } from './report';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const bytesOf = (s: string) => [...Buffer.from(s, 'latin1')];

describe('HID-POS report layout (Access-IS manual appendix « HID reports »)', () => {
  it('reads length, AIM identifier, data, maker symbology and the continuation bit', () => {
    const parsed = parseHidPosReport(hex(accessIsReport(bytesOf(SIXTY_BYTES.slice(0, 56)), { aim: ']Q0', continued: true, symbology: 0x73 })));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.report.aim).toBe(']Q0');
    expect(text(parsed.report.data)).toBe(SIXTY_BYTES.slice(0, 56));
    expect(parsed.report.continued).toBe(true);
    expect(parsed.report.makerCode).toBe(0x73);
  });

  it('reads the layout without AIM identifier (Newland: data from byte 2)', () => {
    const parsed = parseHidPosReport(hex(accessIsReport(bytesOf('ABC123'), { aim: null, continued: false })));
    expect(parsed).toMatchObject({ ok: true, report: { aim: null, continued: false } });
    if (parsed.ok) expect(text(parsed.report.data)).toBe('ABC123');
  });

  it('ignores other reports and refuses a length the report cannot hold', () => {
    expect(parseHidPosReport(Uint8Array.of(0x04, 0x01, 0x00))).toEqual({ ok: false, reason: 'other-report' });
    const liar = hex(accessIsReport(bytesOf('AB'), { aim: ']Q1', continued: false }));
    liar[1] = 57;
    expect(parseHidPosReport(liar)).toEqual({ ok: false, reason: 'bad-length' });
    expect(parseHidPosReport(Uint8Array.of(0x02, 0x10, 0x5d, 0x51, 0x31, 0x41))).toEqual({ ok: false, reason: 'too-short' });
    expect(parseHidPosReport(Uint8Array.of(0x02))).toEqual({ ok: false, reason: 'too-short' });
  });

  it('encodes the same bytes as the hand-laid manual layout', () => {
    const [first, second] = encodeHidPosReports(Buffer.from(SIXTY_BYTES, 'latin1'), { aim: ']Q0', makerCode: 0x73 });
    expect(Buffer.from(first as Uint8Array).toString('hex')).toBe(accessIsReport(bytesOf(SIXTY_BYTES.slice(0, 56)), { aim: ']Q0', continued: true, symbology: 0x73 }));
    expect(Buffer.from(second as Uint8Array).toString('hex')).toBe(accessIsReport(bytesOf(SIXTY_BYTES.slice(56)), { aim: ']Q0', continued: false, symbology: 0x73 }));
  });
});

describe('report reassembly', () => {
  const clock = { t: 0, now: () => clock.t };

  it('joins a multi-report payload and strips the trailing CR', () => {
    const r = new HidPosReassembler({ now: clock.now });
    const payload = `${'x'.repeat(130)}\r`;
    const reports = encodeHidPosReports(Buffer.from(payload), { aim: ']d1' });
    expect(reports).toHaveLength(3);
    expect(r.push(reports[0] as Uint8Array)).toEqual([]);
    expect(r.push(reports[1] as Uint8Array)).toEqual([]);
    expect(r.pending).toBe(true);
    const [done] = r.push(reports[2] as Uint8Array);
    expect(done).toMatchObject({ type: 'scan', scan: { aim: ']d1', reports: 3 } });
    if (done?.type === 'scan') expect(text(done.scan.payload)).toBe('x'.repeat(130));
    expect(r.pending).toBe(false);
  });

  it('keeps binary bytes and a CR that is not the last byte', () => {
    expect([...stripTrailingCr(Uint8Array.of(0x00, 0x0d, 0xff))]).toEqual([0x00, 0x0d, 0xff]);
    expect([...stripTrailingCr(Uint8Array.of(0x41, 0x0d, 0x0a))]).toEqual([0x41]);
    expect([...stripTrailingCr(Uint8Array.of(0x41, 0x0d))]).toEqual([0x41]);
  });

  it('drops a scan whose next report never comes, and one cut by another symbology', () => {
    const r = new HidPosReassembler({ now: clock.now, continuationTimeoutMs: 500 });
    const [first] = encodeHidPosReports(Buffer.from('y'.repeat(100)), { aim: ']Q1' });
    r.push(first as Uint8Array);
    clock.t += 499;
    expect(r.expire()).toEqual([]);
    clock.t += 2;
    expect(r.expire()).toEqual([{ type: 'incomplete', reports: 1, reason: 'timeout' }]);

    r.push(first as Uint8Array);
    const events = r.push(encodeHidPosReports(Buffer.from('OTHER'), { aim: ']C0' })[0] as Uint8Array);
    expect(events.map((e) => e.type)).toEqual(['incomplete', 'scan']);
    expect(events[0]).toMatchObject({ reason: 'interrupted' });
  });

  it('reports the scan in progress as lost when the device goes away', () => {
    const r = new HidPosReassembler({ now: clock.now });
    expect(r.removed()).toEqual([]);
    r.push(encodeHidPosReports(Buffer.from('z'.repeat(70)))[0] as Uint8Array);
    expect(r.removed()).toEqual([{ type: 'incomplete', reports: 1, reason: 'removed' }]);
  });

  it('refuses a payload longer than any QR code or DataMatrix', () => {
    const r = new HidPosReassembler({ now: clock.now, maxPayloadBytes: 100 });
    const reports = encodeHidPosReports(Buffer.alloc(200, 0x41));
    const events = reports.flatMap((report) => r.push(report));
    expect(events[0]).toMatchObject({ type: 'incomplete', reason: 'too-long' });
  });

  it('gives back any payload byte for byte (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 3000 }), fc.constantFrom(']Q1', ']d1', null), (payload, aim) => {
        fc.pre(payload[payload.length - 1] !== 0x0d);
        // Without AIM identifier a code starting with `]` is ambiguous (report.ts).
        fc.pre(aim !== null || payload[0] !== 0x5d);
        const r = new HidPosReassembler({ now: clock.now, maxPayloadBytes: 4096 });
        const events = encodeHidPosReports(payload, { aim }).flatMap((report) => r.push(report));
        expect(events).toHaveLength(1);
        const [event] = events;
        expect(event?.type).toBe('scan');
        if (event?.type === 'scan') {
          expect(Buffer.from(event.scan.payload).equals(Buffer.from(payload))).toBe(true);
          expect(event.scan.aim).toBe(aim);
        }
      }),
    );
  });
});
