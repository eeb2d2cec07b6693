/**
 * `pupitre cards list|read --json` against a real pcscd with vpcd: a Vitale card and a CPS
 * inserted by the emulators (hardware tier).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cardProfile, createCard, ensurePcscd, pcscdMissing, VPCD_READERS, VpcdSlots, type PcscdHandle } from '../../../fixtures/cards';
import { ensureSharedTestPki } from '../../../fixtures/sim/pki';
import { describeWithPrerequisites } from '../../../fixtures/testing/tier';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describeWithPrerequisites('hardware', pcscdMissing, 'pupitre cards over pcscd + vpcd', () => {
  let pcscd: PcscdHandle;
  const slots = new VpcdSlots();
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-cards-'));

  beforeAll(async () => {
    pcscd = await ensurePcscd();
    const pki = await ensureSharedTestPki();
    await slots.insert(0, createCard(cardProfile('cps-praticien')!, pki));
    await slots.insert(1, createCard(cardProfile('vitale-famille')!, null));
    const set = capture();
    expect(await main(['settings', 'set', 'environment', 'test', '--data-dir', dataDir], set.io)).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await slots.removeAll();
    await pcscd?.stop();
  });

  it('lists both readers with the recognised cards', async () => {
    const c = capture();
    expect(await main(['cards', 'list', '--json', '--data-dir', dataDir], c.io)).toBe(0);
    const listed = JSON.parse(c.out.join('')) as { service: string; readers: Array<{ name: string; cardKind: string }> };
    expect(listed.service).toBe('up');
    expect(listed.readers.map((r) => [r.name, r.cardKind])).toEqual([
      [VPCD_READERS[0], 'CPS3'],
      [VPCD_READERS[1], 'VITALE_2'],
    ]);
  });

  it('reads the Vitale card: type, ATR and every beneficiary', async () => {
    const c = capture();
    expect(await main(['cards', 'read', '--reader', VPCD_READERS[1], '--json', '--data-dir', dataDir], c.io)).toBe(0);
    const read = JSON.parse(c.out.join('')) as { cardKind: string; atr: string; vitale: { beneficiaries: Array<{ surname: string; givenName: string; birthRank: number; nir: string | null }> } };
    expect(read.cardKind).toBe('VITALE_2');
    expect(read.atr).toBe('3B751300004409EA9000');
    expect(read.vitale.beneficiaries.map((b) => `${b.surname} ${b.givenName} ${b.birthRank}`)).toEqual(['LEROUX JULIEN 1', 'BERNARD AMELIE 1', 'LEROUX HUGO 1', 'LEROUX LEA 2']);
  });

  it('reads the CPS holder', async () => {
    const c = capture();
    expect(await main(['cards', 'read', '--reader', VPCD_READERS[0], '--json', '--data-dir', dataDir], c.io)).toBe(0);
    const read = JSON.parse(c.out.join('')) as { cardKind: string; holder: { idNat: string; cardType: string; surname: string } };
    expect(read).toMatchObject({ cardKind: 'CPS3', holder: { idNat: '899700123450', cardType: 'CPS', surname: 'PUPITRE' } });
  });
});
