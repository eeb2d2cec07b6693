/**
 * Billing through the contract in a demo host: the virtual CPS (PIN typed) opens the session, the
 * virtual carte Vitale is read in the other reader, invoices are made, the session closes into
 * lots, and « Synchroniser » sends them to the démo billing simulator, whose ARL comes back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';

describe('billing handlers in a demo host', () => {
  let host: TestHost;
  const events: string[] = [];
  beforeEach(async () => {
    host = await createTestHost();
    host.cards.start();
    host.dispatcher.subscribe((event) => events.push(event));
  });
  afterEach(async () => {
    await host.close();
  });

  it('bills two patients from a virtual carte Vitale, sends the lot and shows it acknowledged', async () => {
    const status = await host.dispatcher.invoke('billing.status', {});
    expect(status).toMatchObject({ mode: 'modelled', identity: { amNumber: '991130972', complete: true }, session: null });
    await expect(host.dispatcher.invoke('billing.openSession', { mode: 'offline', place: 'cabinet' })).rejects.toMatchObject({ code: 'CARD_SESSION_REQUIRED' });

    await host.dispatcher.invoke('demo.cards.insert', { profile: 'cps-praticien' });
    await host.dispatcher.invoke('cards.verifyPin', { pin: '1234' });
    const session = await host.dispatcher.invoke('billing.openSession', { mode: 'offline', place: 'cabinet' });
    expect(session.practitioner).toMatchObject({ idNat: '899700123450', billingNumber: '991130972' });

    const { reader } = await host.dispatcher.invoke('demo.cards.insert', { profile: 'vitale-famille' });
    const vitale = await host.dispatcher.invoke('cards.readVitale', { reader });
    const quote = await host.dispatcher.invoke('billing.quote', { lines: [{ code: 'G' }], coverage: 'maladie', mode: 'tiers-payant' });
    expect(quote.totals).toMatchObject({ totalCents: expect.any(Number), patientCents: quote.totals.totalCents - quote.totals.amoCents });
    const a = await host.dispatcher.invoke('billing.createInvoice', {
      sessionId: session.id,
      source: { kind: 'vitale', reader, cardSerial: vitale.serial, beneficiaryIndex: 0 },
      lines: [{ code: 'G' }],
    });
    const b = await host.dispatcher.invoke('billing.createInvoice', {
      sessionId: session.id,
      source: { kind: 'vitale', reader, cardSerial: vitale.serial, beneficiaryIndex: 2 },
      lines: [{ code: 'G' }, { code: 'MEG' }],
      mode: 'tiers-payant',
    });
    expect([a.number, b.number]).toEqual([1, 2]);
    expect(a).toMatchObject({ beneficiary: { surname: 'LEROUX', givenName: 'JULIEN' }, organism: { regime: '01', caisse: '751' }, rights: { status: 'unverified' } });
    expect(b.totals.participationCents).toBe(0);

    // Taking the Vitale out: a secured invoice cannot be signed any more.
    await host.dispatcher.invoke('demo.cards.remove', { reader });
    await expect(
      host.dispatcher.invoke('billing.createInvoice', { sessionId: session.id, source: { kind: 'vitale', beneficiaryIndex: 0 }, lines: [{ code: 'G' }] }),
    ).rejects.toMatchObject({ code: 'BILLING_VITALE_ABSENT', message: expect.stringContaining('mode dégradé') });

    const closed = await host.dispatcher.invoke('billing.closeSession', { sessionId: session.id });
    expect(closed.lots).toEqual([expect.objectContaining({ invoiceCount: 2, state: 'to_send' })]);
    const deadlines = await host.dispatcher.invoke('billing.deadlines', {});
    expect(deadlines.items.map((i) => i.number)).toEqual([1, 2]);

    const sync = await host.dispatcher.invoke('billing.sync', {});
    expect(sync).toMatchObject({ sent: 1, waiting: 0 });
    host.clock.advance(3_000); // the démo caisse answers after 2 s (host clock)
    const again = await host.dispatcher.invoke('billing.sync', {});
    expect(again.acknowledged).toBe(1);
    const { lots } = await host.dispatcher.invoke('billing.lots', {});
    expect(lots[0]).toMatchObject({ state: 'acknowledged', next: expect.stringContaining('prises en charge') });
    const demo = await host.dispatcher.invoke('demo.billing.state', {});
    expect(demo).toMatchObject({ lotsReceived: 1, invoicesReceived: 2 });

    const audit = await host.dispatcher.invoke('audit.list', { limit: 100 });
    const actions = audit.entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['billing.session.opened', 'billing.invoice.created', 'billing.lot.formed', 'billing.session.closed', 'billing.lot.acknowledged']));
    expect(audit.entries.find((e) => e.action === 'billing.invoice.created')?.actor).toBe('899700123450');
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toContain('billing.changed');
  }, 60_000);
});
