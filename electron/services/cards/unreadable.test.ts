/**
 * Issue 13, « unreadable CPS »: a card whose ATR says CPS3 but whose files cannot be read is named
 * (« Carte CPS3 reconnue mais illisible… ») with the next step, instead of a generic status word.
 * The demo profiles `cps-illisible` and `vitale-illisible` are such cards.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createInProcessCards, IN_PROCESS_READERS } from '../../../fixtures/cards';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { CardsService } from '.';

const [CPS_READER, VITALE_READER] = IN_PROCESS_READERS;

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
}, 120_000);

function setup(): { cards: ReturnType<typeof createInProcessCards>; service: CardsService } {
  const clock = createManualClock();
  const logger = createMemoryLogger(clock);
  const cards = createInProcessCards({ logger, pki });
  const service = new CardsService({ pcsc: cards.supervisor, clock, logger, audit: () => undefined, notify: () => undefined, signerFactory: async () => { throw new Error('no signer'); } });
  service.start();
  return { cards, service };
}

describe('a recognised card whose files cannot be read', () => {
  it('names the CPS3 and says what to do, when reading the holder and after the PIN', async () => {
    const { cards, service } = setup();
    cards.insert(CPS_READER!, 'cps-illisible');
    expect(service.readers()[0]).toMatchObject({ cardKind: 'CPS3', state: 'present' });
    for (const attempt of [() => service.readHolder(), () => service.verifyPin('1234')]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'CARD_CPS_UNREADABLE', details: expect.objectContaining({ card: 'CPS3' }) });
      expect((error as Error).message).toMatch(/^Carte CPS3 reconnue mais illisible/);
      expect((error as Error).message).toContain('Retirez-la et réinsérez-la');
    }
  });

  it('reads a good CPS as before', async () => {
    const { cards, service } = setup();
    cards.insert(CPS_READER!, 'cps-praticien');
    await expect(service.readHolder()).resolves.toMatchObject({ surname: 'PUPITRE' });
  });

  it('refuses an unreadable Vitale with a card error, never with beneficiaries', async () => {
    const { cards, service } = setup();
    cards.insert(VITALE_READER!, 'vitale-illisible');
    const error = await service.readBeneficiaries().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/^CARD_/) });
  });
});
