/**
 * The numéro AM of Paramètres belongs to one professional: a colleague's CPS never bills under it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { DEMO_ORGANISMS, startBillingHarness, vitaleCard, type BillingHarness } from '../../../fixtures/wiring/billing';

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
});
const harnesses: BillingHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

describe('billing identity of the card', () => {
  it('refuses a session to a colleague’s CPS under the numéro AM another card already bills under', async () => {
    const { createManualClock } = await import('../../platform/clock');
    const h = await startBillingHarness({ pki, clock: createManualClock(Date.UTC(2025, 5, 13, 7)) });
    harnesses.push(h);
    const doctorA = h.card.current!;
    const first = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    h.service.closeSession(first.id);

    h.card.current = { ...doctorA, idNat: '810000000099', surname: 'COLLEGUE', givenName: 'BERNARD' };
    expect(() => h.service.openSession({ mode: 'offline', place: 'cabinet' })).toThrow(
      expect.objectContaining({ code: 'BILLING_IDENTITY_OTHER_PRACTITIONER', message: expect.stringContaining('saisissez le vôtre dans Paramètres') }),
    );
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM billing_session').get()).toEqual({ n: 1 });

    // His own numéro AM, typed in Paramètres: his session opens; Dr A's card is refused under it.
    h.settings.current = { ...h.settings.current, amNumber: '751234567' };
    expect(h.service.openSession({ mode: 'offline', place: 'cabinet' })).toMatchObject({ practitioner: { idNat: '810000000099', billingNumber: '751234567' } });
    h.card.current = doctorA;
    expect(() => h.service.openSession({ mode: 'offline', place: 'cabinet' })).toThrow(expect.objectContaining({ code: 'BILLING_IDENTITY_OTHER_PRACTITIONER' }));
  });
});

describe('cancelling an invoice', () => {
  it('needs the CPS of the professional whose session made it', async () => {
    const { createManualClock } = await import('../../platform/clock');
    const h = await startBillingHarness({ pki, clock: createManualClock(Date.UTC(2025, 5, 13, 7)) });
    harnesses.push(h);
    const doctorA = h.card.current!;
    const session = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    h.vitale.current = vitaleCard({ serial: '0000123456', ...DEMO_ORGANISMS[0], people: [{ surname: 'LEROUX', givenName: 'JULIEN', birthDate: '19850412', nir13: '1850475056123' }] });
    const invoice = await h.service.createInvoice({ sessionId: session.id, source: { kind: 'vitale', cardSerial: '0000123456', beneficiaryIndex: 0 }, patientId: null, lines: [{ code: 'G', quantity: 1, coefficient: 1, overageCents: 0 }], coverage: 'maladie', mode: 'direct' });

    h.card.current = null;
    expect(() => h.service.cancelInvoice(invoice.id, 'poste')).toThrow(expect.objectContaining({ code: 'CARD_SESSION_REQUIRED' }));
    h.card.current = { ...doctorA, idNat: '810000000099' };
    expect(() => h.service.cancelInvoice(invoice.id, 'poste')).toThrow(expect.objectContaining({ code: 'BILLING_SESSION_OTHER_PRACTITIONER' }));
    expect(h.audit.some((a) => a.action === 'billing.invoice.cancelled')).toBe(false);
    h.card.current = doctorA;
    expect(h.service.cancelInvoice(invoice.id, 'poste').status).toBe('cancelled');
  });
});
