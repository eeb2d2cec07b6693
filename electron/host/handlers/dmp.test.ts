import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from '../../../fixtures/sim/dmp';
import { ensureSharedTestPki, sharedTestPkiDir } from '../../../fixtures/sim/pki';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';
import { uuidOid } from './dmp';

describe('the DMP in a composed demo host', () => {
  let host: TestHost;
  let patientId: string;

  beforeAll(async () => {
    await ensureSharedTestPki();
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-dmp-host-'));
    // The demo PKI is generated once per data directory; reuse the shared test one.
    cpSync(sharedTestPkiDir(), join(dataDir, 'demo-pki'), { recursive: true });
    host = await createTestHost({ dataDir });
    host.cards.start();
    const found = await host.dispatcher.invoke('patients.search', { query: 'Dupont' });
    patientId = found.results.find((r) => r.status === 'QUAL')!.id;
  });
  afterAll(async () => {
    await host.close();
  });

  /** The démo DMP taken down, a PDF sent for the patient: it waits in the outbox. */
  const queueWhileDmpDown = async (fileName: string, title: string) => {
    await host.dispatcher.invoke('dmp.demo.simulator', { mode: 'down' });
    const { sending } = await host.dispatcher.invoke('dmp.send', { patientId, fileName, contentBase64: makePdf(title).toString('base64'), typeCode: '11488-4' });
    await host.outbox.whenIdle();
    return sending;
  };

  it('handles every dmp method', () => {
    expect(host.dispatcher.unhandledMethods().filter((m) => m.startsWith('dmp.'))).toEqual([]);
  });

  it('asks for the card, then opens the qualified demo patient, reads a document and sends a PDF offline then online', async () => {
    await expect(host.dispatcher.invoke('dmp.open', { patientId })).rejects.toMatchObject({ code: 'DMP_CARD_REQUIRED' });
    await host.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
    await expect(host.dispatcher.invoke('cards.verifyPin', { pin: '1234' })).resolves.toMatchObject({ ok: true });
    const opened = await host.dispatcher.invoke('dmp.open', { patientId });
    expect(opened.status?.existence).toBe('active');
    expect(opened.listed).toBe(true);
    // Marie DUPONT's DMP in the simulator: 14 documents over three years, 9 of them less than two years old (first search).
    expect(opened.documents).toHaveLength(9);
    expect(opened.newCount).toBe(9);
    const doc = await host.dispatcher.invoke('dmp.document.get', { patientId, uniqueId: opened.documents[0]!.uniqueId });
    expect(doc.pdfBase64 ?? doc.html).not.toBeNull();

    const sending = await queueWhileDmpDown('cr.pdf', 'Compte rendu');
    expect((await host.dispatcher.invoke('dmp.sendings', { patientId })).sendings[0]!.state).toBe('queued');
    await host.dispatcher.invoke('dmp.demo.simulator', { mode: 'up' });
    host.clock.advance(120_000);
    await host.outbox.syncNow();
    const after = (await host.dispatcher.invoke('dmp.sendings', { patientId })).sendings;
    expect(after.find((s) => s.uniqueId === sending.uniqueId)?.state).toBe('sent');
    const actions = host.audit.list({ limit: 500, patientRef: patientId }).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['dmp.td02', 'dmp.td31', 'dmp.td32', 'dmp.send.queued', 'dmp.td21']));
    expect(host.audit.list({ limit: 500, patientRef: patientId }).some((a) => a.actor === '899700123450')).toBe(true);
  }, 120_000);

  it('never sends a waiting document, nor shows the DMP list, once the identity they belong to is marked douteuse (the INS invalidated)', async () => {
    // The card of the test above is still in the reader, its PIN verified.
    const sending = await queueWhileDmpDown('cr-avant-doute.pdf', 'Compte rendu avant le doute');
    expect((await host.dispatcher.invoke('dmp.cached', { patientId })).documents.length).toBeGreaterThan(0);
    await host.dispatcher.invoke('patients.setIdentityAttribute', { id: patientId, attribute: 'douteuse', value: true, reason: 'Carte Vitale prêtée : usurpation signalée' });
    // The list kept here was the DMP of the INS now invalidated: it went with the identity change.
    expect(await host.dispatcher.invoke('dmp.cached', { patientId })).toMatchObject({ documents: [], status: null, lastCallAt: null });
    await host.dispatcher.invoke('dmp.demo.simulator', { mode: 'up' });
    host.clock.advance(120_000);
    await host.outbox.syncNow();
    const held = (await host.dispatcher.invoke('dmp.sendings', { patientId })).sendings.find((s) => s.uniqueId === sending.uniqueId);
    expect(held).toMatchObject({ state: 'failed' });
    expect(held?.message).toContain("L'identité de ce patient a changé");
    const refused = host.audit.list({ limit: 500, patientRef: patientId }).filter((a) => a.action === 'dmp.send.refused');
    expect(refused.map((a) => a.details)).toEqual([expect.objectContaining({ uniqueId: sending.uniqueId, status: 'PROV', ins: 'none' })]);
  }, 60_000);

  it('derives the installation OID from its UUID (X.667)', () => {
    expect(uuidOid('00000000-0000-0000-0000-000000000001')).toBe('2.25.1');
    expect(uuidOid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`2.25.${(2n ** 128n - 1n).toString()}`);
  });
});
