/**
 * Billing with the appli carte Vitale (cards.md §3): the invoice's Vitale part is signed by the SI
 * ApCV simulator (signerVitale) through the ApCV service; one invoice per context; offline, the
 * desk refuses at once and says what to do instead.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPS, qrPayloadOf } from '../../../fixtures/sim/apcv';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { demoApcvPractitioner, startApcvHarness, type ApcvHarness } from '../../../fixtures/wiring/apcv';
import { startBillingHarness, type BillingHarness } from '../../../fixtures/wiring/billing';
import { createManualClock } from '../../platform/clock';
import { createMemoryLogger } from '../../platform/log';
import { ApcvService } from '../apcv';

const clock = createManualClock(Date.UTC(2025, 5, 13, 7, 0, 0));
const G = { code: 'G', quantity: 1, coefficient: 1, overageCents: 0 };
let pki: DemoPki;
let apcvHarness: ApcvHarness;
let apcv: ApcvService;
let billing: BillingHarness;

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  apcvHarness = await startApcvHarness(pki, clock);
  const practitioner = demoApcvPractitioner(pki.practitioner);
  apcv = new ApcvService({
    client: apcvHarness.client,
    mode: 'simulator',
    endpoint: () => apcvHarness.sim.url,
    clock,
    logger: createMemoryLogger(clock),
    audit: () => undefined,
    practitioner: () => practitioner,
  });
  billing = await startBillingHarness({
    pki,
    clock,
    apcv: {
      contextRecord: (id) => {
        const record = apcv.contextRecord(id);
        return record === null ? null : { ...record, invoicesAllowed: apcv.limits.invoicesPerContext };
      },
      signerVitale: (id, invoice) => apcv.signerVitale(id, invoice),
    },
  });
});

afterEach(async () => {
  await apcvHarness.sim.setDown(false);
  apcv.resetReachability();
});

afterAll(async () => {
  await billing.close();
  await apcvHarness.close();
});

const open = (appId: string) => apcv.open(new TextEncoder().encode(qrPayloadOf(DEMO_APPS.find((a) => a.id === appId)!)), 'demo');

describe('billing with the appli carte Vitale', () => {
  it('has the invoice signed by the SI ApCV, once per context', async () => {
    const session = billing.service.openSession({ mode: 'online', place: 'cabinet' });
    const context = await open('app-dupont');
    const invoice = await billing.service.createInvoice({
      sessionId: session.id,
      source: { kind: 'apcv', contextId: context.id, beneficiaryIndex: 0 },
      patientId: null,
      lines: [G],
      coverage: 'ald',
      mode: 'tiers-payant',
    });
    expect(invoice).toMatchObject({ securing: 'apcv', organism: { regime: '02', caisse: '691', centre: '0002' }, totals: { amoCents: 3000, patientCents: 0 }, beneficiary: { surname: 'DUPONT', givenName: 'MARC' } });
    // The stored Vitale part is the simulator's RSA signature over the context and the FSE digest.
    const row = billing.db.prepare('SELECT encoded, vitale_signature, vitale_kind FROM billing_invoice WHERE id = ?').get(invoice.id) as { encoded: Buffer; vitale_signature: Buffer; vitale_kind: string };
    expect(row.vitale_kind).toBe('apcv-signerVitale');
    const sign = apcvHarness.sim.requests.filter((r) => r.action.endsWith('signerVitale'));
    expect(sign).toHaveLength(1);
    expect(sign[0]!.xml).toContain(billing.service.ctx.deps.encoder.digest(row.encoded));
    expect(sign[0]!.xml).toContain('<IdentifiantFacturation>991130972</IdentifiantFacturation>');
    expect(row.vitale_signature.length).toBeGreaterThan(100);
    expect(apcv.contextRecord(context.id)?.invoicesSigned).toBe(1);

    // « 1 facture par session »: refused before anything is signed, and the number is not reused.
    await expect(
      billing.service.createInvoice({ sessionId: session.id, source: { kind: 'apcv', contextId: context.id, beneficiaryIndex: 1 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' }),
    ).rejects.toMatchObject({ code: 'APCV_INVOICE_ALREADY_SIGNED', message: expect.stringContaining('scanner de nouveau') });
    expect(apcvHarness.sim.requests.filter((r) => r.action.endsWith('signerVitale'))).toHaveLength(1);
    const numbers = billing.db.prepare('SELECT number, state FROM billing_invoice ORDER BY number').all();
    expect(numbers).toEqual([{ number: 1, state: 'validated' }]);

    // The lot goes like any other and is acknowledged.
    billing.service.closeSession(session.id);
    expect(await billing.service.sync('dr')).toMatchObject({ sent: 1, acknowledged: 1 });
  });

  it('refuses the appli in an offline session at once, with the next thing to do', async () => {
    const session = billing.service.openSession({ mode: 'online', place: 'cabinet' });
    const context = await open('app-martin');
    billing.service.setSessionMode(session.id, 'offline');
    const before = apcvHarness.sim.requests.length;
    const error = await billing.service
      .createInvoice({ sessionId: session.id, source: { kind: 'apcv', contextId: context.id, beneficiaryIndex: 0 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BILLING_APCV_OFFLINE_SESSION', message: expect.stringContaining('carte Vitale physique') });
    expect(apcvHarness.sim.requests.length).toBe(before);
    billing.service.closeSession(session.id);
  });

  it('says so when the SI ApCV cannot be reached, and leaves no invoice', async () => {
    const session = billing.service.openSession({ mode: 'online', place: 'cabinet' });
    const context = await open('app-martin');
    await apcvHarness.sim.setDown(true);
    const count = (billing.db.prepare(`SELECT count(*) AS n FROM billing_invoice WHERE state = 'validated'`).get() as { n: number }).n;
    await expect(
      billing.service.createInvoice({ sessionId: session.id, source: { kind: 'apcv', contextId: context.id, beneficiaryIndex: 0 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' }),
    ).rejects.toMatchObject({ code: 'APCV_OFFLINE' });
    expect((billing.db.prepare(`SELECT count(*) AS n FROM billing_invoice WHERE state = 'validated'`).get() as { n: number }).n).toBe(count);
    billing.service.closeSession(session.id);
  });
});
