import { describe, expect, it } from 'vitest';
import { DEMO_QUAL_DATAMATRIX } from '../../../fixtures/hid/recordings';
import { AppError } from '../../contract';
import { scanEventSchema, type ScanEvent } from '../../contract/domains/scan';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { insDatamatrixRecogniser } from '../identity';
import { canonicalSymbology, ScanPipeline, symbologyFromAim, symbologyFromZxing, type ScanNotification, type ScanRecogniser } from '.';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));

/** Test doubles of the partners' recognisers (h10-apcv, h11-erx) until theirs land: agreed names, invented shapes. */
const fakeApcv: ScanRecogniser = {
  kind: 'apcv',
  recognise: (payload) => (Buffer.from(payload).toString('latin1').startsWith('APCVTEST:') ? { kind: 'apcv', summary: 'Appli carte Vitale (QR code).' } : null),
};
const fakeEprescription: ScanRecogniser = {
  kind: 'eprescription',
  recognise: (payload, symbology) =>
    symbology === 'qr' && /^[0-9A-Z]{18}$/.test(Buffer.from(payload).toString('latin1')) ? { kind: 'eprescription', summary: 'Ordonnance numérique.', details: { typed: false } } : null,
};

function setup(recognisers: ScanRecogniser[] = [insDatamatrixRecogniser, fakeApcv, fakeEprescription]) {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const notifications: ScanNotification[] = [];
  let n = 0;
  const pipeline = new ScanPipeline({ clock, logger, recognisers, notify: (x) => notifications.push(x), newId: () => `scan-${++n}` });
  return { clock, logger, notifications, pipeline };
}

describe('scan pipeline: one place for every source', () => {
  it('classifies an INS datamatrix and reads it back to the identity, without a trait in the event', () => {
    const { pipeline, notifications } = setup();
    const event = pipeline.receive({ source: 'hid', symbology: 'datamatrix', aim: ']d1', payload: bytes(DEMO_QUAL_DATAMATRIX), device: 'Honeywell' });
    expect(event).toMatchObject({ id: 'scan-1', kind: 'ins-datamatrix', source: 'hid', symbology: 'datamatrix', aim: ']d1', trusted: true, device: 'Honeywell' });
    expect(event.summary).toBe('Datamatrix INS lu (INS-NIR de démonstration).');
    expect(event.details).toEqual({ valid: true, oidKind: 'DEMO', birthPlace: true });
    expect(scanEventSchema.safeParse(event).success).toBe(true);
    const wire = JSON.stringify(notifications);
    expect(wire).not.toMatch(/DUPONT|MARIE|2580363113042|1958/);
    expect(notifications.map((x) => x.event)).toEqual(['scan.received']);
  });

  it('says plainly what it does not recognise, and never guesses', () => {
    const { pipeline } = setup();
    const url = pipeline.receive({ source: 'webcam', symbology: 'qr', payload: bytes('https://example.org/a') });
    expect(url.kind).toBe('unknown');
    expect(url.summary).toBe('QR Code non reconnu (21 caractères) : ni appli carte Vitale, ni ordonnance numérique, ni datamatrix INS.');
    const binary = pipeline.receive({ source: 'hid', symbology: 'unknown', payload: Uint8Array.of(0, 1, 2, 0xff) });
    expect(binary.summary).toMatch(/^Code non reconnu \(4 octets\)/);
    expect(binary.details).toEqual({ text: false });
  });

  it('says an INS datamatrix is invalid, naming the block but not its value', () => {
    const { pipeline } = setup();
    const broken = DEMO_QUAL_DATAMATRIX.replace(/S1(\d{13})(\d{2})/, (_m, n: string, key: string) => `S1${n}${String((Number(key) + 1) % 100).padStart(2, '0')}`);
    const event = pipeline.receive({ source: 'webcam', symbology: 'datamatrix', payload: bytes(broken) });
    expect(event).toMatchObject({ kind: 'ins-datamatrix', summary: 'Datamatrix INS illisible : bloc S1 invalide ou manquant.', details: { valid: false, block: 'S1' } });
  });

  it('tries the recognisers in the order the composition root gave, and the partners’ doubles classify', () => {
    const { pipeline } = setup();
    expect(pipeline.receive({ source: 'demo', symbology: 'qr', payload: bytes('APCVTEST:0123') }).kind).toBe('apcv');
    expect(pipeline.receive({ source: 'webcam', symbology: 'qr', payload: bytes('01S2TBPZ2JCNZZYGHZ') })).toMatchObject({ kind: 'eprescription', details: { typed: false } });
    // An INS datamatrix is a DataMatrix: the same text in a QR code is not one.
    expect(pipeline.receive({ source: 'webcam', symbology: 'qr', payload: bytes(DEMO_QUAL_DATAMATRIX) }).kind).toBe('unknown');
  });

  it('skips a recogniser that throws or claims another kind, and logs neither the payload nor the error text', () => {
    const throwing: ScanRecogniser = {
      kind: 'apcv',
      recognise: () => {
        throw new Error('secret APCVTEST:0123');
      },
    };
    const lying: ScanRecogniser = { kind: 'eprescription', recognise: () => ({ kind: 'apcv', summary: 'x' }) };
    const { pipeline, logger } = setup([throwing, lying, insDatamatrixRecogniser]);
    expect(pipeline.receive({ source: 'hid', symbology: 'datamatrix', payload: bytes(DEMO_QUAL_DATAMATRIX) }).kind).toBe('ins-datamatrix');
    const log = logger.lines.join('\n');
    expect(log).toContain('scan.recogniser_failed');
    expect(log).toContain('scan.recogniser_kind_mismatch');
    expect(log).not.toMatch(/secret|APCVTEST|DUPONT|2580363113042/);
    expect(log).toMatch(/"kind":"ins-datamatrix","bytes":\d+/);
  });

  it('refuses an empty payload and one longer than any QR code', () => {
    const { pipeline } = setup();
    expect(() => pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: new Uint8Array(0) })).toThrow(AppError);
    expect(() => pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: new Uint8Array(16 * 1024 + 1) })).toThrow(/trop long/);
  });

  it('marks what the keyboard wedge could not carry faithfully', () => {
    const { pipeline } = setup();
    const event = pipeline.receive({ source: 'wedge', symbology: 'unknown', aim: ']Q1', payload: bytes('&é"'), trusted: false, trustNote: 'Disposition du clavier incertaine.' });
    expect(event).toMatchObject({ trusted: false, trustNote: 'Disposition du clavier incertaine.', symbology: 'qr' });
  });
});

describe('keyboard wedge payload whose layout could not be decided', () => {
  const swapped = (text: string) => text.replace(/[AQZW]/g, (c) => ({ A: 'Q', Q: 'A', Z: 'W', W: 'Z' })[c] ?? c);

  it('keeps the reading a recogniser claims, and trusts it', () => {
    const { pipeline } = setup();
    const event = pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes(swapped('APCVTEST:QWAZ')), alternative: bytes('APCVTEST:QWAZ'), trusted: false, trustNote: 'incertain' });
    expect(event).toMatchObject({ kind: 'apcv', trusted: true, trustNote: null, details: { keyboardLayout: 'decided-by-recogniser' } });
    expect(Buffer.from(pipeline.takePayload(event.id).payload).toString()).toBe('APCVTEST:QWAZ');
  });

  it('stays untrusted when neither or both readings are claimed', () => {
    const { pipeline } = setup();
    expect(pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes('QWERTY'), alternative: bytes('AZERTY'), trusted: false, trustNote: 'incertain' })).toMatchObject({
      kind: 'unknown',
      trusted: false,
      trustNote: 'incertain',
    });
  });
});

describe('payloads in host memory only, handed once by scan id', () => {
  it('hands the bytes once, then forgets them', () => {
    const { pipeline } = setup();
    const { id } = pipeline.receive({ source: 'demo', symbology: 'qr', payload: bytes('APCVTEST:42') });
    const taken = pipeline.takePayload(id, { kind: 'apcv' });
    expect(Buffer.from(taken.payload).toString()).toBe('APCVTEST:42');
    expect(taken).toMatchObject({ scanId: id, kind: 'apcv', source: 'demo', trusted: true });
    expect(() => pipeline.takePayload(id)).toThrow(expect.objectContaining({ code: 'SCAN_NOT_FOUND' }));
  });

  it('keeps a scan asked for with the wrong kind or untrusted, for the screen that wants it', () => {
    const { pipeline } = setup();
    const { id } = pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes('APCVTEST:1'), trusted: false });
    expect(() => pipeline.takePayload(id, { kind: 'ins-datamatrix' })).toThrow(expect.objectContaining({ code: 'SCAN_WRONG_KIND' }));
    expect(() => pipeline.takePayload(id, { requireTrusted: true })).toThrow(expect.objectContaining({ code: 'SCAN_UNTRUSTED' }));
    expect(pipeline.takePayload(id).kind).toBe('apcv');
  });

  it('forgets a payload after the retention time', () => {
    const { pipeline, clock } = setup();
    const { id } = pipeline.receive({ source: 'demo', symbology: 'qr', payload: bytes('APCVTEST:1') });
    clock.advance(119_000);
    expect(pipeline.recent.peek(id)).not.toBeNull();
    clock.advance(1_000);
    expect(() => pipeline.takePayload(id)).toThrow(expect.objectContaining({ code: 'SCAN_NOT_FOUND' }));
    expect(pipeline.recent.size).toBe(0);
  });

  it('keeps at most 32 scans, dropping the oldest', () => {
    const { pipeline } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(pipeline.receive({ source: 'demo', symbology: 'qr', payload: bytes(`x${i}`) }).id);
    expect(pipeline.recent.size).toBe(32);
    expect(pipeline.recent.peek(ids[0] as string)).toBeNull();
    expect(pipeline.recent.peek(ids[39] as string)).not.toBeNull();
  });

  it('counts scans per source for the scanner status', () => {
    const { pipeline } = setup();
    pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes('abc'), trusted: false });
    const events: ScanEvent[] = [pipeline.receive({ source: 'wedge', symbology: 'unknown', payload: bytes(DEMO_QUAL_DATAMATRIX) })];
    expect(pipeline.registry.sourceStats()).toEqual([{ source: 'wedge', lastScanAt: events[0]?.receivedAt, lastScanKind: 'ins-datamatrix', lastTrusted: true, scans: 2 }]);
  });
});

describe('symbologies', () => {
  it('maps AIM identifiers (ISO/IEC 15424) and zxing format names to one name', () => {
    expect(symbologyFromAim(']Q1')).toBe('qr');
    expect(symbologyFromAim(']d2')).toBe('datamatrix');
    expect(symbologyFromAim(']C0')).toBe('code128');
    expect(symbologyFromAim('Q1')).toBeNull();
    expect(symbologyFromZxing('QRCode')).toBe('qr');
    expect(symbologyFromZxing('DataMatrix')).toBe('datamatrix');
    expect(canonicalSymbology('unknown', ']d1')).toBe('datamatrix');
    expect(canonicalSymbology('qr', ']d1')).toBe('qr');
  });
});
