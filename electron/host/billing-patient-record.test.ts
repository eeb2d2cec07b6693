/**
 * An invoice filed under a local record in the composed démo host (billing over the patients
 * service and ADRi, host/wiring/patient-record.ts): the record is read — and the read audited —
 * once per invoice, even when ADRi is asked for the rights; a record merged into another receives
 * neither an invoice nor rights (PATIENT_MERGED).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';

let host: TestHost | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** JULIEN LEROUX, the first beneficiary of the démo card vitale-famille (fixtures/cards/profiles). */
const JULIEN = { strictTraits: { birthName: 'LEROUX', birthGivenNames: 'JULIEN', birthDate: '12/04/1985', sex: 'M' as const }, declaredNir: '185047505612372' };

/** An online billing session (CPS, PIN typed) and the démo carte Vitale read in the other reader. */
async function billingDesk(h: TestHost) {
  h.cards.start();
  await h.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
  await h.dispatcher.invoke('cards.verifyPin', { pin: '1234' });
  const session = await h.dispatcher.invoke('billing.openSession', { mode: 'online', place: 'cabinet' });
  const { reader } = await h.dispatcher.invoke('demo.cards.insert', { profile: 'vitale-famille' });
  const vitale = await h.dispatcher.invoke('cards.readVitale', { reader });
  const bill = (patientId: string) =>
    h.dispatcher.invoke('billing.createInvoice', { sessionId: session.id, source: { kind: 'vitale', reader, cardSerial: vitale.serial, beneficiaryIndex: 0 }, patientId, lines: [{ code: 'G' }] });
  return { bill };
}

const readsOf = (h: TestHost, patientId: string) => h.audit.list({ limit: 100, patientRef: patientId }).filter((e) => e.action === 'patient.read').length;

describe('billing under a local record in the host', () => {
  it('reads the record once for an invoice whose rights ADRi checks: one audited patient.read', async () => {
    host = await createTestHost();
    const { bill } = await billingDesk(host);
    const julien = host.patients.create(JULIEN, 'poste').patient;
    const before = readsOf(host, julien.id);
    const invoice = await bill(julien.id);
    // The rights were asked of the démo ADRi for this invoice (not reused, not « non vérifiés »).
    expect(invoice).toMatchObject({ patientId: julien.id, rights: { status: 'open' } });
    expect(host.audit.list({ limit: 100, patientRef: julien.id }).filter((e) => e.action === 'adri.rights.acquired')).toHaveLength(1);
    expect(readsOf(host, julien.id) - before).toBe(1);
  });

  it('refuses an invoice and rights under a record merged into another, naming the record kept', async () => {
    host = await createTestHost();
    const { bill } = await billingDesk(host);
    const kept = host.patients.create(JULIEN, 'poste').patient;
    const merged = host.patients.create({ ...JULIEN, acknowledgeDuplicates: true }, 'poste').patient;
    host.patients.merge({ keptId: kept.id, mergedId: merged.id, reason: 'même personne' }, 'poste');

    await expect(bill(merged.id)).rejects.toMatchObject({ code: 'PATIENT_MERGED', message: expect.stringContaining('Ouvrez la fiche conservée'), details: { mergedInto: kept.id } });
    const coverage = { source: 'vitale' as const, regime: '01', caisse: '751', centre: '0001', insuredNir: '185047505612372', beneficiaryNir: '185047505612372', birthDate: '19850412', birthRank: 1 };
    await expect(host.dispatcher.invoke('adri.acquire', { patientId: merged.id, coverage })).rejects.toMatchObject({ code: 'PATIENT_MERGED', details: { mergedInto: kept.id } });
    const actions = host.audit.list({ limit: 100, patientRef: merged.id }).map((e) => e.action);
    expect(actions.filter((a) => a.startsWith('billing.invoice') || a === 'adri.rights.acquired')).toEqual([]);
    // The record kept is billed as usual.
    await expect(bill(kept.id)).resolves.toMatchObject({ patientId: kept.id });
  });
});
