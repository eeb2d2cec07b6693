import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildRecordings, DEMO_QUAL_DATAMATRIX, HONEYWELL_1400G, NEWLAND_FM430, RECORDINGS_DIR, SIXTY_BYTES, URL_QR } from '../../fixtures/hid/recordings';
import { createManualClock, createMemoryLogger } from '../../fixtures/hid/testing';
import { HidPosWatcher, openFailureReason, parseRecording, ReplayHidBackend, type HidPosEvent, type HidRecording } from '.';

const recording = (name: string): HidRecording => parseRecording(JSON.parse(readFileSync(join(RECORDINGS_DIR, `${name}.json`), 'utf8')));
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

function setup(options: { continuationTimeoutMs?: number } = {}) {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const backend = new ReplayHidBackend();
  const watcher = new HidPosWatcher({ backend, logger, now: clock.now, pollMs: 60_000, ...options });
  const events: HidPosEvent[] = [];
  watcher.on((e) => events.push(e));
  // Replays advance the manual clock instead of waiting: deterministic, instant.
  const play = (rec: HidRecording) =>
    backend.play(rec, {
      wait: async (ms) => {
        clock.advance(ms);
        await watcher.refresh();
      },
    });
  return { clock, logger, backend, watcher, events, play };
}

describe('HID-POS watcher on recorded report sequences', () => {
  it('keeps the JSON recordings equal to their generator', () => {
    for (const [name, rec] of Object.entries(buildRecordings())) expect(recording(name)).toEqual(parseRecording(JSON.parse(JSON.stringify(rec))));
  });

  it('reassembles the manual’s two-report example (AIM ]Q0)', async () => {
    const { watcher, events, play } = setup();
    await watcher.start();
    await play(recording('access-is-two-reports'));
    await watcher.refresh();
    const scans = events.filter((e) => e.type === 'scan');
    expect(scans).toHaveLength(1);
    const [scan] = scans;
    if (scan?.type !== 'scan') throw new Error('no scan');
    expect(text(scan.scan.payload)).toBe(SIXTY_BYTES);
    expect(scan.scan).toMatchObject({ aim: ']Q0', reports: 2, makerCode: 0x73 });
    expect(scan.scanner).toMatchObject({ label: 'Access IS LSR116', state: 'ready', modeSwitch: null });
    await watcher.stop();
  });

  it('reads an INS datamatrix in three reports, with its GS separators, and switches a Honeywell to HID-POS', async () => {
    const { watcher, events, play, backend, logger } = setup();
    await watcher.start();
    await play(recording('honeywell-ins-datamatrix'));
    const scan = events.find((e) => e.type === 'scan');
    if (scan?.type !== 'scan') throw new Error('no scan');
    expect(text(scan.scan.payload)).toBe(DEMO_QUAL_DATAMATRIX);
    expect(text(scan.scan.payload)).toContain('\u001d');
    expect(scan.scan).toMatchObject({ aim: ']d1', reports: 3, makerCode: 0x77 });
    expect(backend.featureReports).toEqual([{ path: HONEYWELL_1400G.path, report: Uint8Array.of(0xfe, 0x01) }]);
    expect(scan.scanner.modeSwitch).toBe(true);
    // Never a payload in the logs.
    expect(logger.lines.join('\n')).not.toMatch(/DUPONT|2580363113042|IS0100/);
    expect(logger.lines.some((l) => l.includes('hid.scan'))).toBe(true);
    await watcher.stop();
  });

  it('picks up a scanner plugged in while running (hot-plug signal)', async () => {
    const { watcher, events, play } = setup();
    await watcher.start();
    expect(watcher.list()).toEqual([]);
    await play(recording('honeywell-hotplug-qr'));
    expect(events.map((e) => e.type)).toEqual(['added', 'scan', 'scan']);
    const scans = events.filter((e) => e.type === 'scan').map((e) => (e.type === 'scan' ? text(e.scan.payload) : ''));
    expect(scans).toEqual([URL_QR, `${URL_QR}|${URL_QR}|${URL_QR.slice(0, 20)}`]);
    expect(watcher.list()).toMatchObject([{ label: 'Honeywell Voyager 1400g', state: 'ready' }]);
    await watcher.stop();
  });

  it('picks up a scanner by polling when the backend gives no change signal', async () => {
    vi.useFakeTimers();
    try {
      const clock = createManualClock();
      const replay = new ReplayHidBackend();
      const backend = { kind: 'replay' as const, devices: () => replay.devices(), open: (p: string) => replay.open(p) };
      const watcher = new HidPosWatcher({ backend, logger: createMemoryLogger(clock), now: clock.now, pollMs: 1_000 });
      await watcher.start();
      replay.plug(HONEYWELL_1400G);
      expect(watcher.list()).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_100);
      expect(watcher.list().map((s) => s.state)).toEqual(['ready']);
      await watcher.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports the scan lost when the scanner is unplugged between two reports', async () => {
    const { watcher, events, play } = setup();
    await watcher.start();
    await play(recording('honeywell-removed-mid-scan'));
    await watcher.refresh();
    expect(events.map((e) => e.type)).toEqual(['added', 'scan-lost', 'removed']);
    expect(events[1]).toMatchObject({ reason: 'removed', reports: 1 });
    expect(watcher.list()).toEqual([]);
    await watcher.stop();
  });

  it('drops a scan whose continuation never comes, after the timeout', async () => {
    vi.useFakeTimers();
    try {
      const { watcher, events, backend, clock } = setup({ continuationTimeoutMs: 300 });
      await watcher.start();
      backend.plug(HONEYWELL_1400G);
      await watcher.refresh();
      const first = recording('honeywell-ins-datamatrix').events.find((e) => e.type === 'report');
      if (first?.type !== 'report') throw new Error('no report');
      backend.send(HONEYWELL_1400G.path, Uint8Array.from(Buffer.from(first.hex, 'hex')));
      clock.advance(400);
      await vi.advanceTimersByTimeAsync(400);
      expect(events.map((e) => e.type)).toEqual(['added', 'scan-lost']);
      expect(events[1]).toMatchObject({ reason: 'timeout' });
      await watcher.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads the layout without AIM identifier', async () => {
    const { watcher, events, play } = setup();
    await watcher.start();
    await play(recording('newland-no-aim'));
    const scan = events.find((e) => e.type === 'scan');
    if (scan?.type !== 'scan') throw new Error('no scan');
    expect(text(scan.scan.payload)).toBe(SIXTY_BYTES);
    expect(scan.scan.aim).toBeNull();
    expect(scan.scanner.label).toBe(`${NEWLAND_FM430.manufacturer} ${NEWLAND_FM430.product}`);
    await watcher.stop();
  });

  it('lists a scanner it may not open as permission-denied, once, and opens it when the rule is installed', async () => {
    const { watcher, events, play, backend, logger } = setup();
    await watcher.start();
    await play(recording('permission-denied'));
    await watcher.refresh();
    await watcher.refresh();
    expect(watcher.list()).toMatchObject([{ state: 'permission-denied' }]);
    expect(events.map((e) => e.type)).toEqual(['added']);
    expect(logger.lines.filter((l) => l.includes('hid.open_failed'))).toHaveLength(1);
    // udev rule installed, scanner replugged: same path, now readable.
    backend.plug(HONEYWELL_1400G);
    await watcher.refresh();
    expect(watcher.list()).toMatchObject([{ state: 'ready' }]);
    expect(events.map((e) => e.type)).toEqual(['added', 'state']);
    await watcher.stop();
  });

  it('goes on when the maker refuses the HID-POS feature report', async () => {
    const { watcher, backend } = setup();
    await watcher.start();
    backend.plug({ ...HONEYWELL_1400G, featureReport: 'refuse' });
    await watcher.refresh();
    expect(watcher.list()).toMatchObject([{ state: 'ready', modeSwitch: false }]);
    await watcher.stop();
  });

  it('ignores HID devices that are not on the bar code scanner page', async () => {
    const { watcher, backend } = setup();
    await watcher.start();
    backend.plug({ ...HONEYWELL_1400G, path: '/dev/hidraw-kbd', usagePage: 0x01, usage: 0x06 });
    await watcher.refresh();
    expect(watcher.list()).toEqual([]);
    await watcher.stop();
  });
});

describe('why a hidraw node cannot be opened', () => {
  const failing = (code: string) => () => {
    throw Object.assign(new Error(code), { code });
  };
  it('tells the missing udev rule (EACCES) from a device gone or busy', () => {
    expect(openFailureReason('/dev/hidraw3', failing('EACCES'))).toBe('permission');
    expect(openFailureReason('/dev/hidraw3', failing('ENOENT'))).toBe('gone');
    expect(openFailureReason('/dev/hidraw3', () => undefined)).toBe('busy');
    expect(openFailureReason('\\\\?\\hid#vid_0c2e', failing('EACCES'))).toBe('other');
  });
});
