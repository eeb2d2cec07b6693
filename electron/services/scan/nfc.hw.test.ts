/**
 * Hardware tier: a phone laid on a contactless reader, through a real pcscd with Debian's vpcd
 * and the contactless phone emulator of fixtures/cards (ISO 14443-4 pseudo-ATR, modelled ApCV
 * application). Starts pcscd when none runs, and stops only that one.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ensurePcscd, pcscdMissing, PhoneCard, VPCD_READERS, VpcdSlots, type PcscdHandle } from '../../../fixtures/cards';
import { PcscliteBackend, PcscSupervisor } from '../../../native/pcsc';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import type { ScanEvent, ScannersChange } from '../../contract/domains/scan';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { APCV_NFC_APPLICATION, attachNfcSource, ScanPipeline, type ScanRecogniser } from '.';

const [SLOT0] = VPCD_READERS;
/** Test double of h10-apcv's recogniser until it lands (agreed name, this test's payload shape). */
const fakeApcv: ScanRecogniser = { kind: 'apcv', recognise: (p) => (Buffer.from(p).toString('latin1').startsWith('APCV-NFC:') ? { kind: 'apcv', summary: 'Appli carte Vitale (NFC).' } : null) };

describeWithPrerequisites('hardware', pcscdMissing, 'a phone on a contactless reader through pcscd + vpcd', () => {
  let pcscd: PcscdHandle;
  let supervisor: PcscSupervisor;
  let detach: () => void;
  const slots = new VpcdSlots();
  const received: ScanEvent[] = [];
  const changes: ScannersChange[] = [];
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const pipeline = new ScanPipeline({
    clock,
    logger,
    recognisers: [fakeApcv],
    notify: (n) => (n.event === 'scan.received' ? received.push(n.payload) : changes.push(n.payload)),
  });

  beforeAll(async () => {
    pcscd = await ensurePcscd();
    supervisor = new PcscSupervisor({ createBackend: () => new PcscliteBackend(), logger, apduTimeoutMs: 5_000, backoff: { initialMs: 100, maxMs: 1_000 } });
    detach = attachNfcSource(pipeline, supervisor, { applications: [APCV_NFC_APPLICATION] });
    supervisor.start();
    await vi.waitFor(() => expect(supervisor.readers().map((r) => r.name)).toContain(SLOT0), { timeout: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await slots.removeAll();
    detach?.();
    supervisor?.stop();
    await pcscd?.stop();
  });

  it('reads the appli carte Vitale payload of a phone laid on the reader', async () => {
    const payload = `APCV-NFC:${'8'.repeat(700)}`;
    await slots.insert(0, new PhoneCard(Buffer.from(payload)));
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 15_000 });
    expect(received[0]).toMatchObject({ source: 'nfc', symbology: 'nfc', kind: 'apcv', device: SLOT0, length: payload.length });
    expect(Buffer.from(pipeline.takePayload(received[0]?.id ?? '').payload).toString()).toBe(payload);
    expect(pipeline.registry.list()).toMatchObject([{ id: `nfc:${SLOT0}`, source: 'nfc', scans: 1 }]);
    await slots.remove(0);
  });

  it('says so when the phone does not answer the application', async () => {
    await slots.insert(0, new PhoneCard(null));
    await vi.waitFor(() => expect(changes.some((c) => c.reason === 'scan-lost')).toBe(true), { timeout: 15_000 });
    expect(changes.find((c) => c.reason === 'scan-lost')?.message).toContain('l’appli carte Vitale n’a pas répondu');
    await slots.remove(0);
  });

  it('says so when the phone is taken away mid-read', async () => {
    changes.length = 0;
    const before = received.length;
    const phone = new PhoneCard(Buffer.from(`APCV-NFC:${'2'.repeat(900)}`));
    phone.faults.removeAfterApdus = 2;
    await slots.insert(0, phone);
    await vi.waitFor(() => expect(changes.some((c) => c.reason === 'scan-lost')).toBe(true), { timeout: 20_000 });
    expect(changes.find((c) => c.reason === 'scan-lost')?.message).toBe(`Le téléphone a été retiré du lecteur « ${SLOT0} » avant la fin de la lecture : reposez-le et gardez-le immobile une seconde.`);
    expect(received).toHaveLength(before);
  });
});
