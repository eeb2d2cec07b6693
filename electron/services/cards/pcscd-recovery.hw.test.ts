/**
 * Hardware tier: the card layer survives pcscd dying and coming back, without a host restart. The
 * test kills a pcscd of its own (fixtures/cards startPrivatePcscd: its own socket, its own vpcd
 * reader on ports 35973/35974), never the machine's, so it runs whether or not another pcscd is
 * running — under CI as well.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { cardProfile, createCard, privatePcscdMissing, startPrivatePcscd, VpcdSlots, type PrivatePcscd } from '../../../fixtures/cards';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import { PcscliteBackend, PcscSupervisor } from '../../../native/pcsc';
import type { CardsChange } from '../../contract/domains/cards';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { CardsService } from '.';

const FRIENDLY_NAME = 'Pupitre Recovery PCD';

describeWithPrerequisites('hardware', privatePcscdMissing, 'the card layer when pcscd dies and comes back', () => {
  let pki: DemoPki;
  let pcscd: PrivatePcscd;
  let supervisor: PcscSupervisor;
  let service: CardsService;
  let slots: VpcdSlots;
  const changes: CardsChange[] = [];
  const clock = createManualClock();

  beforeAll(async () => {
    pki = await ensureSharedTestPki();
    pcscd = await startPrivatePcscd({ firstPort: 35973, friendlyName: FRIENDLY_NAME });
    // libpcsclite reads PCSCLITE_CSOCK_NAME once, at its first context: set before anything connects.
    // (Vitest runs each test file in a process of its own; the reader names prove which daemon answers.)
    process.env.PCSCLITE_CSOCK_NAME = pcscd.socket;
    slots = new VpcdSlots(pcscd.ports);
    const logger = createMemoryLogger(clock);
    supervisor = new PcscSupervisor({ createBackend: () => new PcscliteBackend(), logger, apduTimeoutMs: 5_000, backoff: { initialMs: 100, maxMs: 1_000 } });
    service = new CardsService({ pcsc: supervisor, clock, logger, audit: () => undefined, notify: (c) => changes.push(c), signerFactory: async () => {
        throw new Error('no PIN is verified in this test');
      },
    });
    service.start();
    await vi.waitFor(() => expect(service.readers().map((r) => r.name)).toEqual([...pcscd.readers]), { timeout: 10_000 });
  }, 120_000);

  afterAll(async () => {
    await slots?.removeAll();
    await service?.stop();
    await pcscd?.stop();
  });

  it('loses the readers when its pcscd is killed, finds them again when it restarts, and reads a card', async () => {
    const profile = cardProfile('vitale-famille');
    if (profile === undefined) throw new Error('vitale-famille');
    const states: string[] = [];
    supervisor.on((event) => {
      if (event.type === 'service') states.push(event.state);
    });
    const seen = changes.length;
    await pcscd.kill();
    await vi.waitFor(() => expect(supervisor.service()).not.toBe('up'), { timeout: 10_000 });
    expect(service.readers()).toEqual([]);
    await pcscd.restart();
    await vi.waitFor(() => expect(service.readers().map((r) => r.name)).toEqual([...pcscd.readers]), { timeout: 20_000, interval: 100 });
    await slots.insert(1, createCard(profile, pki));
    await vi.waitFor(() => expect(service.readers().find((r) => r.name === pcscd.readers[1])?.state).toBe('present'), { timeout: 10_000, interval: 50 });
    const vitale = await service.readBeneficiaries(pcscd.readers[1]);
    expect(vitale.beneficiaries.map((b) => `${b.givenName}/${b.birthRank}`)).toEqual(['JULIEN/1', 'AMELIE/1', 'HUGO/1', 'LEA/2']);
    // down at the kill, failed retries (starting → down) while the daemon is away — how many depends
    // on timing — then starting → up; the desk was told of each change.
    expect(states.join(' ')).toMatch(/^down( starting down)* starting up$/);
    expect(changes.slice(seen).filter((c) => c.reason === 'service')).toHaveLength(states.length);
  }, 60_000);
});
