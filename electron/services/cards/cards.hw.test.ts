/**
 * Hardware tier: the card layer against a real pcscd with Debian's vpcd and the emulators of
 * fixtures/cards (research cards.md §5.2). Starts pcscd when none runs, and stops only that one.
 * Killing pcscd is tested on a private one: pcscd-recovery.hw.test.ts.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import type { Signer } from '../../platform/crypto';
import { PcscliteBackend, PcscSupervisor, type PcscEvent } from '../../../native/pcsc';
import { cardProfile, createCard, ensurePcscd, pcscdMissing, VPCD_READERS, VpcdSlots, type IsoCard, type PcscdHandle } from '../../../fixtures/cards';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import type { CardsChange } from '../../contract/domains/cards';
import { CardsService } from '.';

const [SLOT0, SLOT1] = VPCD_READERS;

describeWithPrerequisites('hardware', pcscdMissing, 'cards over a real pcscd with vpcd', () => {
  let pki: DemoPki;
  let pcscd: PcscdHandle;
  let supervisor: PcscSupervisor;
  let service: CardsService;
  const slots = new VpcdSlots();
  const events: PcscEvent[] = [];
  const changes: CardsChange[] = [];
  const clock = createManualClock();
  const closed: string[] = [];
  const signer: Signer = {
    kind: 'pkcs11',
    algorithm: { digest: 'sha256', name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', jwa: 'RS256', oid: '1.2.840.113549.1.1.11', xmlDsig: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256' },
    sign: async () => new Uint8Array(0),
    // The card's signature certificate: the service refuses a signer of another holder.
    certificateChain: async () => [pki.practitioner.signature.certificatePem],
    close: async () => {
      closed.push('signer');
    },
  };

  const card = (id: string): IsoCard => {
    const profile = cardProfile(id);
    if (!profile) throw new Error(id);
    return createCard(profile, pki);
  };
  const presentIn = async (reader: string, present: boolean) =>
    vi.waitFor(() => expect(service.readers().find((r) => r.name === reader)?.state ?? 'gone').toBe(present ? 'present' : 'empty'), { timeout: 10_000, interval: 50 });

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    pcscd = await ensurePcscd();
    const logger = createMemoryLogger(clock);
    supervisor = new PcscSupervisor({ createBackend: () => new PcscliteBackend(), logger, apduTimeoutMs: 5_000, backoff: { initialMs: 100, maxMs: 1_000 } });
    supervisor.on((e) => events.push(e));
    service = new CardsService({ pcsc: supervisor, clock, logger, audit: () => undefined, notify: (c) => changes.push(c), signerFactory: () => ({ signer }) });
    service.start();
    await vi.waitFor(() => expect(service.readers().map((r) => r.name)).toEqual(expect.arrayContaining([SLOT0, SLOT1])), { timeout: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await slots.removeAll();
    await service?.stop();
    await pcscd?.stop();
  });

  it('sees insertion and removal as card events', async () => {
    await slots.insert(0, card('vitale-famille'));
    await presentIn(SLOT0, true);
    expect(service.readers().find((r) => r.name === SLOT0)).toMatchObject({ cardKind: 'VITALE_2', atr: '3B751300004409EA9000' });
    await slots.remove(0);
    await presentIn(SLOT0, false);
    expect(events.filter((e) => e.type === 'card-inserted' || e.type === 'card-removed').map((e) => e.type)).toEqual(['card-inserted', 'card-removed']);
  });

  it('reads a Vitale card with several beneficiaries (Vitale files beyond EF 2001 modelled)', async () => {
    await slots.insert(1, card('vitale-famille'));
    await presentIn(SLOT1, true);
    const vitale = await service.readBeneficiaries(SLOT1);
    expect(vitale.beneficiaries.map((b) => `${b.givenName}/${b.birthRank}`)).toEqual(['JULIEN/1', 'AMELIE/1', 'HUGO/1', 'LEA/2']);
    expect(vitale.beneficiaries[0]?.nir).toBe('185047505612372');
  });

  it('reads the CPS holder and handles PIN wrong, right and blocked, with a CPS and a Vitale at once (CPS business files and VERIFY modelled)', async () => {
    await slots.insert(0, card('cps-praticien'));
    await presentIn(SLOT0, true);
    await expect(service.readHolder()).resolves.toMatchObject({ idNat: '899700123450', cardType: 'CPS', situationsLocked: true });
    await expect(service.verifyPin('9999')).resolves.toEqual({ ok: false, triesLeft: 2 });
    await expect(service.verifyPin('1234')).resolves.toEqual({ ok: true, triesLeft: 3 });
    expect(service.practitionerSession()?.holder.situations).toHaveLength(2);
    // Both readers in use: the Vitale is still readable (from the cache after the first read).
    await expect(service.readBeneficiaries()).resolves.toMatchObject({ generation: 2 });
    await slots.remove(0);
    await vi.waitFor(() => expect(service.practitionerSession()).toBeNull(), { timeout: 10_000 });
    expect(closed).toContain('signer');
    await slots.insert(0, card('cps-bloquee'));
    await presentIn(SLOT0, true);
    await expect(service.verifyPin('1234', SLOT0)).rejects.toMatchObject({ code: 'CARD_PIN_BLOCKED' });
    await slots.remove(0);
    await presentIn(SLOT0, false);
  });

  it('gives a clean typed error when the card is pulled mid-read, and the next read works', async () => {
    await slots.remove(1);
    await presentIn(SLOT1, false);
    const pulled = card('vitale-famille');
    pulled.faults.removeAfterApdus = 3;
    await slots.insert(1, pulled);
    await presentIn(SLOT1, true);
    const error = await service.readBeneficiaries(SLOT1).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('CARD_REMOVED');
    await presentIn(SLOT1, false);
    await slots.insert(1, card('vitale-lunaire'));
    await presentIn(SLOT1, true);
    await expect(service.readBeneficiaries(SLOT1)).resolves.toMatchObject({ beneficiaries: [{ birthDate: { lunar: true } }] });
  });
});
