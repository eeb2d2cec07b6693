/**
 * `pupitre billing` on a data directory where an offline session left lots to send: deadlines,
 * listings, and sync against the démo billing simulator of the command's own host.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki } from '../../../fixtures/sim/pki';
import { startBillingHarness, syntheticVitaleCards } from '../../../fixtures/wiring/billing';
import { createManualClock } from '../../platform/clock';
import { loadOrCreateKeyFile } from '../../platform/db/key';
import { migrations } from '../migrations';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre billing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-billing-cli-'));
  let sessionId = '';
  // The commands compose a démo host: its virtual cards stay in-process, off the machine's shared
  // pcscd (the hardware and e2e tiers hold it under a lock, which made these tests wait).
  const demoCards = process.env.PUPITRE_DEMO_CARDS;
  afterAll(() => {
    if (demoCards === undefined) delete process.env.PUPITRE_DEMO_CARDS;
    else process.env.PUPITRE_DEMO_CARDS = demoCards;
  });

  beforeAll(async () => {
    process.env.PUPITRE_DEMO_CARDS = 'in-process';
    const pki = await ensureSharedTestPki();
    const h = await startBillingHarness({ pki, clock: createManualClock(Date.now()), db: { path: join(dataDir, 'pupitre.db'), keyHex: loadOrCreateKeyFile(dataDir).keyHex }, migrations });
    const session = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    sessionId = session.id;
    for (const card of syntheticVitaleCards(4)) {
      h.vitale.current = card;
      await h.service.createInvoice({ sessionId, source: { kind: 'vitale', beneficiaryIndex: 0 }, patientId: null, lines: [{ code: 'G', quantity: 1, coefficient: 1, overageCents: 0 }], coverage: 'maladie', mode: 'direct' });
    }
    h.service.closeSession(sessionId);
    await h.close();
  }, 60_000);

  it('deadline --json prints exactly the last day to transmit', async () => {
    const c = capture();
    expect(await main(['billing', 'deadline', '2025-05-30', '--mode', 'direct', '--json', '--data-dir', dataDir], c.io)).toBe(0);
    expect(c.out.join('')).toBe('{"deadline":"2025-06-04"}');
    const tp = capture();
    expect(await main(['billing', 'deadline', '2025-12-19', '--mode', 'tiers-payant', '--data-dir', dataDir], tp.io)).toBe(0);
    expect(tp.out.join('')).toContain('vendredi 2 janvier 2026');
  });

  it('follows the Alsace-Moselle setting', async () => {
    expect(await main(['settings', 'set', 'billing.holidays', 'alsace-moselle', '--data-dir', dataDir], capture().io)).toBe(0);
    const c = capture();
    expect(await main(['billing', 'deadline', '2025-12-19', '--mode', 'tiers-payant', '--json', '--data-dir', dataDir], c.io)).toBe(0);
    expect(c.out.join('')).toBe('{"deadline":"2026-01-05"}');
    expect(await main(['settings', 'set', 'billing.holidays', 'national', '--data-dir', dataDir], capture().io)).toBe(0);
  });

  it('refuses bad usage with exit code 2 and a French line', async () => {
    for (const argv of [
      ['billing', 'deadline', '2025-02-30', '--mode', 'direct'],
      ['billing', 'deadline', '2025-02-03', '--mode', 'gratuit'],
      ['billing', 'invoices'],
      ['billing', 'lots', '--state', 'perdu'],
      ['billing', 'purge'],
      ['billing', 'inconnu'],
    ]) {
      const c = capture();
      expect(await main([...argv, '--data-dir', dataDir], c.io)).toBe(2);
      expect(c.err.join('')).not.toBe('');
    }
  });

  it('lists sessions, invoices and lots, then sends the lots and collects their acknowledgements', async () => {
    const sessions = capture();
    expect(await main(['billing', 'sessions', '--json', '--data-dir', dataDir], sessions.io)).toBe(0);
    expect(JSON.parse(sessions.out.join('')).sessions).toEqual([expect.objectContaining({ id: sessionId, status: 'closed', invoiceCount: 4 })]);

    const invoices = capture();
    expect(await main(['billing', 'invoices', '--session', sessionId, '--json', '--data-dir', dataDir], invoices.io)).toBe(0);
    const list = JSON.parse(invoices.out.join('')).invoices as Array<{ number: number; status: string }>;
    expect(list.map((i) => i.number).sort()).toEqual([1, 2, 3, 4]);
    expect(list.every((i) => i.status === 'validated')).toBe(true);

    const toSend = capture();
    expect(await main(['billing', 'lots', '--state', 'to_send', '--json', '--data-dir', dataDir], toSend.io)).toBe(0);
    expect(JSON.parse(toSend.out.join('')).lots).toHaveLength(3);

    const sync = capture();
    expect(await main(['billing', 'sync', '--json', '--data-dir', dataDir], sync.io)).toBe(0);
    expect(JSON.parse(sync.out.join(''))).toMatchObject({ sent: 3, waiting: 0 });
    // The démo caisse answers after 2 s; the next sync collects the acknowledgements.
    await new Promise((r) => setTimeout(r, 2_500));
    const again = capture();
    expect(await main(['billing', 'sync', '--data-dir', dataDir], again.io)).toBe(0);
    expect(again.out.join('')).toContain('accusés positifs : 3');
    const text = capture();
    expect(await main(['billing', 'lots', '--data-dir', dataDir], text.io)).toBe(0);
    expect(text.out.join('').match(/accusé de réception positif/g)).toHaveLength(3);
  }, 120_000);
});
