/**
 * Demo mode through a real pcscd (hardware tier): with vpcd reachable, the Démo panel's methods
 * insert the virtual cards into vpcd's readers and the whole card layer runs over pcsclite, and the
 * virtual CPS signs on its SoftHSM2 token. The demo falls back to in-process readers and PEM keys on
 * a machine without them: here both environment branches are checked, so that a broken pcscd or
 * SoftHSM path cannot pass unnoticed through the fallback.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { ensurePcscd, pcscdMissing, VPCD_READERS, type PcscdHandle } from '../../fixtures/cards';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';
import { softhsmMissing } from '../../fixtures/sim/pki/softhsm';
import { describeWithPrerequisites } from '../../fixtures/testing/tier';

describeWithPrerequisites('hardware', () => pcscdMissing() ?? softhsmMissing(), 'demo cards through pcscd + vpcd, signing on SoftHSM2', () => {
  let pcscd: PcscdHandle;
  let host: TestHost;

  beforeAll(async () => {
    pcscd = await ensurePcscd();
    // The system's pcscd readers (an in-process host gets private ones by default, instance-lock.ts).
    host = await createTestHost({ demoReaders: 'system' });
    host.cards.start();
  }, 120_000);

  afterAll(async () => {
    await host?.close();
    await pcscd?.stop();
  });

  it('inserts the virtual CPS and Vitale into vpcd, opens the session and reads the beneficiaries', async () => {
    const list = await host.dispatcher.invoke('demo.cards.list', {});
    expect(list.readers.map((r) => r.name)).toEqual([...VPCD_READERS]);
    await host.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
    await host.dispatcher.invoke('demo.cards.insert', { profile: 'vitale-famille' });
    await vi.waitFor(async () => expect((await host.dispatcher.invoke('cards.readers', {})).readers.map((r) => r.cardKind)).toEqual(['CPS3', 'VITALE_2']), { timeout: 15_000, interval: 100 });
    await expect(host.dispatcher.invoke('cards.verifyPin', { pin: '1234' })).resolves.toEqual({ ok: true, triesLeft: 3 });
    await expect(host.dispatcher.invoke('cards.session', {})).resolves.toMatchObject({ reader: VPCD_READERS[0], idNat: '899700123450' });
    // The SoftHSM2 token, not the PEM fallback the demo uses where SoftHSM2 is missing.
    expect(host.cards.practitionerSession()?.signer.kind).toBe('pkcs11');
    const vitale = await host.dispatcher.invoke('cards.readVitale', {});
    expect(vitale.beneficiaries).toHaveLength(4);
    await host.dispatcher.invoke('demo.cards.remove', { reader: VPCD_READERS[0] });
    await vi.waitFor(async () => expect(await host.dispatcher.invoke('cards.session', {})).toBeNull(), { timeout: 15_000, interval: 100 });
    await host.dispatcher.invoke('demo.cards.remove', { reader: VPCD_READERS[1] });
  });
});
