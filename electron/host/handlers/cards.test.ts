import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';
import { createManualClock } from '../../platform/clock';
import { verifySignature } from '../../platform/crypto';
import { pinOnce, pkcs11SignerFactory } from './cards';
import { softhsmMissing } from '../../../fixtures/sim/pki/softhsm';

describe('cards handlers in a demo host (in-process virtual readers)', () => {
  let host: TestHost;
  const events: Array<{ event: string; payload: unknown }> = [];
  beforeEach(async () => {
    host = await createTestHost();
    host.cards.start();
    host.dispatcher.subscribe((event, payload) => events.push({ event, payload }));
  });
  afterEach(async () => {
    await host.close();
  });

  it('lists the demo profiles and the two virtual readers', async () => {
    const list = await host.dispatcher.invoke('demo.cards.list', {});
    expect(list.profiles.map((p) => p.id)).toEqual(expect.arrayContaining(['cps-praticien', 'cpe-secretaire', 'vitale-famille', 'vitale-1']));
    expect(list.readers.map((r) => r.inserted)).toEqual([null, null]);
    const readers = await host.dispatcher.invoke('cards.readers', {});
    expect(readers).toMatchObject({ service: 'up', readers: [{ state: 'empty' }, { state: 'empty' }] });
  });

  it('inserts a Vitale in the second reader and reads it through the contract', async () => {
    const { reader } = await host.dispatcher.invoke('demo.cards.insert', { profile: 'vitale-famille' });
    const list = await host.dispatcher.invoke('demo.cards.list', {});
    expect(list.readers[1]).toEqual({ name: reader, inserted: 'vitale-famille' });
    const vitale = await host.dispatcher.invoke('cards.readVitale', {});
    expect(vitale.beneficiaries).toHaveLength(4);
    expect(events).toContainEqual({ event: 'cards.changed', payload: { reason: 'card-inserted', reader } });
    const audit = await host.dispatcher.invoke('audit.list', { limit: 10 });
    expect(audit.entries.map((e) => e.action)).toContain('cards.vitale.read');
    await host.dispatcher.invoke('demo.cards.remove', { reader });
    await expect(host.dispatcher.invoke('cards.readVitale', {})).rejects.toMatchObject({ code: 'CARD_ABSENT' });
  });

  it('opens a practitioner session whose signer verifies with the card certificate, and names the actor', async () => {
    await host.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
    await expect(host.dispatcher.invoke('cards.session', {})).resolves.toBeNull();
    await expect(host.dispatcher.invoke('cards.verifyPin', { pin: '0000' })).resolves.toEqual({ ok: false, triesLeft: 2 });
    await expect(host.dispatcher.invoke('cards.verifyPin', { pin: '1234' })).resolves.toEqual({ ok: true, triesLeft: 3 });
    const session = await host.dispatcher.invoke('cards.session', {});
    expect(session).toMatchObject({ idNat: '899700123450', cardType: 'CPS', situation: { structureId: '10B9990001' } });
    const practitioner = host.cards.practitionerSession();
    // The demo signs with the SoftHSM2 token provisioned for the virtual CPS when SoftHSM2 is installed.
    expect(practitioner?.signer.kind).toBe(softhsmMissing() === null ? 'pkcs11' : 'pem');
    const data = new TextEncoder().encode('VIHF de démonstration');
    const signature = await practitioner!.signer.sign(data);
    const [certificate] = await practitioner!.signer.certificateChain();
    expect(verifySignature(certificate!, data, signature)).toBe(true);
    // The audit trail now names the professional.
    await host.dispatcher.invoke('patients.search', { query: 'dupont' });
    const audit = await host.dispatcher.invoke('audit.list', { limit: 5 });
    expect(audit.entries.some((e) => e.actor === '899700123450')).toBe(true);
    const { readers } = await host.dispatcher.invoke('demo.cards.list', {});
    await host.dispatcher.invoke('demo.cards.remove', { reader: readers[0]!.name });
    await vi.waitFor(async () => expect(await host.dispatcher.invoke('cards.session', {})).toBeNull());
  }, 120_000);

  it('refuses an unknown profile and a wrong reader with French messages', async () => {
    await expect(host.dispatcher.invoke('demo.cards.insert', { profile: 'nope' })).rejects.toMatchObject({ code: 'CARD_DEMO_UNKNOWN_PROFILE' });
    await expect(host.dispatcher.invoke('demo.cards.remove', { reader: 'nope' })).rejects.toMatchObject({ code: 'CARD_READER_NOT_FOUND' });
  });

  it('adds the readers to the diagnostic', async () => {
    await host.dispatcher.invoke('demo.cards.insert', { profile: 'vitale-1' });
    const { checks } = await host.dispatcher.invoke('diagnostic.run', {});
    const readers = checks.find((c) => c.id === 'card-readers');
    expect(readers?.status).toBe('ok');
    expect(readers?.detail).toContain('Carte Vitale 1');
  });
});

describe('production signer factory', () => {
  it('gives the PIN once, then asks for the card again', async () => {
    const provider = pinOnce('1234');
    await expect(provider()).resolves.toBe('1234');
    await expect(provider()).rejects.toMatchObject({ code: 'CARD_SESSION_REQUIRED' });
  });

  it('reports a missing PKCS#11 module with a typed error at PIN time', async () => {
    const factory = pkcs11SignerFactory(() => '/nonexistent/libcps3_pkcs11_lux.so', createManualClock());
    const error = await Promise.resolve()
      .then(() => factory({} as never, '1234'))
      .catch((e: unknown) => e);
    // native/pkcs11 looks for the file before loading it: the desk is told the module is missing, where.
    expect(error).toMatchObject({ code: 'CRYPTO_MODULE_NOT_FOUND', details: { modulePath: '/nonexistent/libcps3_pkcs11_lux.so' } });
  });
});
