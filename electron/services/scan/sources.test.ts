import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cardProfile, createCard, PhoneCard } from '../../../fixtures/cards';
import { DEMO_QUAL_DATAMATRIX, HONEYWELL_1400G, RECORDINGS_DIR } from '../../../fixtures/hid/recordings';
import { HidPosWatcher, parseRecording, ReplayHidBackend, type HidRecording } from '../../../native/hid';
import { InProcessBackend, PcscSupervisor } from '../../../native/pcsc';
import type { ScanEvent, ScannersChange } from '../../contract/domains/scan';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { insDatamatrixRecogniser } from '../identity';
import { APCV_NFC_APPLICATION, attachHidSource, attachNfcSource, isContactlessPart4Atr, looksContactless, ScanPipeline, type ScanRecogniser } from '.';

const recording = (name: string): HidRecording => parseRecording(JSON.parse(readFileSync(join(RECORDINGS_DIR, `${name}.json`), 'utf8')));
/** Test double of h10-apcv's recogniser (agreed name; the payload shape is this test's own). */
const fakeApcv: ScanRecogniser = {
  kind: 'apcv',
  recognise: (payload) => (Buffer.from(payload).toString('latin1').startsWith('APCV-NFC:') ? { kind: 'apcv', summary: 'Appli carte Vitale (NFC).' } : null),
};

function pipelineWithEvents() {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const received: ScanEvent[] = [];
  const changes: ScannersChange[] = [];
  const pipeline = new ScanPipeline({
    clock,
    logger,
    recognisers: [insDatamatrixRecogniser, fakeApcv],
    notify: (n) => (n.event === 'scan.received' ? received.push(n.payload) : changes.push(n.payload)),
  });
  return { clock, logger, pipeline, received, changes };
}

describe('HID-POS scanners into the pipeline', () => {
  const udev = { rule: '/opt/Pupitre/resources/udev/70-pupitre-hidpos.rules', helper: '/opt/Pupitre/resources/udev/pupitre-hidpos-check', installed: false };

  async function withWatcher(run: (ctx: ReturnType<typeof pipelineWithEvents> & { backend: ReplayHidBackend; watcher: HidPosWatcher; play(r: HidRecording): Promise<void> }) => Promise<void>) {
    const ctx = pipelineWithEvents();
    const backend = new ReplayHidBackend();
    const watcher = new HidPosWatcher({ backend, logger: ctx.logger, now: ctx.clock.now, pollMs: 60_000 });
    const detach = attachHidSource(ctx.pipeline, watcher, { udev: () => udev });
    await watcher.start();
    const play = async (r: HidRecording) => {
      await backend.play(r, {
        wait: async (ms) => {
          ctx.clock.advance(ms);
          await watcher.refresh();
        },
      });
      await watcher.refresh();
    };
    try {
      await run({ ...ctx, backend, watcher, play });
    } finally {
      detach();
      await watcher.stop();
    }
  }

  it('delivers a scan with its symbology from the AIM identifier, and counts it on the scanner', () =>
    withWatcher(async ({ play, received, pipeline, changes }) => {
      await play(recording('honeywell-ins-datamatrix'));
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ source: 'hid', symbology: 'datamatrix', aim: ']d1', kind: 'ins-datamatrix', device: 'Honeywell Voyager 1400g', length: DEMO_QUAL_DATAMATRIX.length });
      expect(pipeline.takePayload(received[0]?.id ?? '').payload).toEqual(Uint8Array.from(Buffer.from(DEMO_QUAL_DATAMATRIX, 'latin1')));
      const [scanner] = pipeline.registry.list();
      expect(scanner).toMatchObject({ source: 'hid', mode: 'HID-POS (mode activé par Pupitre)', state: 'ready', scans: 1, lastScanKind: 'ins-datamatrix' });
      expect(changes.map((c) => c.reason)).toEqual(['added', 'scan']);
    }));

  it('gives the udev rule to install when Linux refuses the scanner', () =>
    withWatcher(async ({ play, pipeline }) => {
      await play(recording('permission-denied'));
      const [scanner] = pipeline.registry.list();
      expect(scanner?.state).toBe('permission-denied');
      expect(scanner?.detail).toBe('Linux refuse à Pupitre l’accès à cette douchette (droits du périphérique hidraw).');
      expect(scanner?.next).toContain(`sudo install -m 0644 ${udev.rule} /etc/udev/rules.d/70-pupitre-hidpos.rules`);
      expect(scanner?.next).toContain('/usr/lib/udev/pupitre-hidpos-check');
      expect(scanner?.next).not.toMatch(/Error|at .*\.ts/);
    }));

  it('says a scan was lost when the scanner is pulled out mid-scan, and drops the scanner', () =>
    withWatcher(async ({ play, received, changes, pipeline, watcher }) => {
      await play(recording('honeywell-removed-mid-scan'));
      await watcher.refresh();
      expect(received).toEqual([]);
      const lost = changes.find((c) => c.reason === 'scan-lost');
      expect(lost?.message).toBe('La douchette « Honeywell Voyager 1400g » a été débranchée pendant la lecture : rebranchez-la et scannez de nouveau le code.');
      expect(changes.at(-1)?.reason).toBe('removed');
      expect(pipeline.registry.list()).toEqual([]);
    }));

  it('follows a scanner plugged in while running', () =>
    withWatcher(async ({ backend, watcher, pipeline }) => {
      expect(pipeline.registry.list()).toEqual([]);
      backend.plug(HONEYWELL_1400G);
      await watcher.refresh();
      expect(pipeline.registry.list().map((s) => s.label)).toEqual(['Honeywell Voyager 1400g']);
    }));
});

describe('a phone on a contactless reader (NFC) into the pipeline', () => {
  const READER = 'ACS ACR1252 Dual Reader PICC 00 00';

  async function withReader(run: (ctx: ReturnType<typeof pipelineWithEvents> & { backend: InProcessBackend }) => Promise<void>) {
    const ctx = pipelineWithEvents();
    const backend = new InProcessBackend([READER, 'Lecteur contact 01']);
    const supervisor = new PcscSupervisor({ createBackend: () => backend, logger: ctx.logger, apduTimeoutMs: 500 });
    supervisor.start();
    const detach = attachNfcSource(ctx.pipeline, supervisor, { applications: [APCV_NFC_APPLICATION] });
    try {
      await run({ ...ctx, backend });
    } finally {
      detach();
      supervisor.stop();
    }
  }

  it('recognises the PC/SC pseudo-ATR of an ISO 14443-4 card and contactless reader names', () => {
    expect(isContactlessPart4Atr('3B8080010101'.slice(0, 10))).toBe(true);
    expect(isContactlessPart4Atr('3B8F80010031B86404B0ECC1739401808290000E')).toBe(true);
    expect(isContactlessPart4Atr('3B751300004409EA9000')).toBe(false);
    expect(looksContactless(READER)).toBe(true);
    expect(looksContactless('Identiv uTrust 3700 F CL Reader [CL] 00 00')).toBe(true);
    expect(looksContactless('Gemalto PC Twin Reader 00 00')).toBe(false);
  });

  it('reads the (modelled) ApCV application of a phone laid on the reader, in several READ BINARY', () =>
    withReader(async ({ backend, received, pipeline }) => {
      expect(pipeline.registry.list()).toMatchObject([{ source: 'nfc', label: READER, mode: 'Sans contact (PC/SC, ISO 14443-4)', state: 'ready' }]);
      const payload = `APCV-NFC:${'7'.repeat(600)}`;
      backend.insert(READER, new PhoneCard(Buffer.from(payload)));
      await vi.waitFor(() => expect(received).toHaveLength(1));
      expect(received[0]).toMatchObject({ source: 'nfc', symbology: 'nfc', kind: 'apcv', device: READER, length: payload.length });
      expect(Buffer.from(pipeline.takePayload(received[0]?.id ?? '').payload).toString()).toBe(payload);
      expect(pipeline.registry.list()[0]?.scans).toBe(1);
    }));

  it('says so when the phone does not answer the application (app closed, iPhone)', () =>
    withReader(async ({ backend, received, changes }) => {
      backend.insert(READER, new PhoneCard(null));
      await vi.waitFor(() => expect(changes.some((c) => c.reason === 'scan-lost')).toBe(true));
      expect(received).toEqual([]);
      expect(changes.find((c) => c.reason === 'scan-lost')?.message).toContain('l’appli carte Vitale n’a pas répondu');
    }));

  it('says so when the phone is taken away mid-read', () =>
    withReader(async ({ backend, received, changes }) => {
      const phone = new PhoneCard(Buffer.from(`APCV-NFC:${'1'.repeat(900)}`));
      phone.faults.removeAfterApdus = 2;
      phone.onRemoveRequest = () => backend.remove(READER);
      backend.insert(READER, phone);
      await vi.waitFor(() => expect(changes.some((c) => c.reason === 'scan-lost')).toBe(true), { timeout: 3_000 });
      expect(received).toEqual([]);
      expect(changes.find((c) => c.reason === 'scan-lost')?.message).toBe(
        `Le téléphone a été retiré du lecteur « ${READER} » avant la fin de la lecture : reposez-le et gardez-le immobile une seconde.`,
      );
    }));

  it('leaves the cards the card layer knows alone (Vitale, CPS)', () =>
    withReader(async ({ backend, received, changes }) => {
      const vitale = createCard(cardProfile('vitale-famille') ?? (() => { throw new Error('profile'); })(), null);
      const transmit = vi.spyOn(vitale, 'transmit');
      backend.insert('Lecteur contact 01', vitale);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(transmit).not.toHaveBeenCalled();
      expect(received).toEqual([]);
      expect(changes).toEqual([]);
    }));
});
