/**
 * The billing workflow against the billing simulator over mutual TLS, on a manual clock: sessions,
 * invoices signed with the demo CPS key, lots per organism, ARL matching, automatic re-sending,
 * paper duplicates, deadlines, payments, retention.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORGANISMS, startBillingHarness, syntheticVitaleCards, vitaleCard, type BillingHarness } from '../../../fixtures/wiring/billing';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { AppError } from '../../contract';
import type { LineRequest } from './pricing';

const G: LineRequest = { code: 'G', quantity: 1, coefficient: 1, overageCents: 0 };
const FRIDAY_9AM = Date.UTC(2025, 5, 13, 7, 0, 0); // Friday 13 June 2025, 09:00 in Paris
const DAY = 86_400_000;

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
});

const harnesses: BillingHarness[] = [];
async function harness(options: Partial<Parameters<typeof startBillingHarness>[0]> = {}): Promise<BillingHarness> {
  const { createManualClock } = await import('../../platform/clock');
  const h = await startBillingHarness({ pki, clock: createManualClock(FRIDAY_9AM), ...options });
  harnesses.push(h);
  return h;
}
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

const famille = () =>
  vitaleCard({
    serial: '0000123456',
    ...DEMO_ORGANISMS[0],
    people: [
      { surname: 'LEROUX', givenName: 'JULIEN', birthDate: '19850412', nir13: '1850475056123' },
      { surname: 'LEROUX', givenName: 'HUGO', birthDate: '20160602', nir13: null, quality: '06' },
    ],
  });

async function bill(h: BillingHarness, sessionId: string, card = famille(), more: { mode?: 'direct' | 'tiers-payant'; index?: number; lines?: LineRequest[] } = {}) {
  h.vitale.current = card;
  return h.service.createInvoice({
    sessionId,
    source: { kind: 'vitale', cardSerial: card.serial, beneficiaryIndex: more.index ?? 0 },
    patientId: null,
    lines: more.lines ?? [G],
    coverage: 'maladie',
    mode: more.mode ?? 'direct',
  });
}

describe('billing sessions and invoices', () => {
  it('opens one session per card, with the billing identity of Paramètres, and refuses without it', async () => {
    const h = await harness();
    const session = h.service.openSession({ mode: 'offline', place: 'domicile' });
    expect(session).toMatchObject({ status: 'open', mode: 'offline', place: 'domicile', date: '2025-06-13', practitioner: { billingNumber: '991130972', idNat: pki.practitioner.holder.idNat } });
    expect(() => h.service.openSession({ mode: 'online', place: 'cabinet' })).toThrow(expect.objectContaining({ code: 'BILLING_SESSION_ALREADY_OPEN' }));
    h.card.current = null;
    expect(() => h.service.openSession({ mode: 'online', place: 'cabinet' })).toThrow(expect.objectContaining({ code: 'CARD_SESSION_REQUIRED' }));
    expect(h.audit.some((a) => a.action === 'billing.session.opened')).toBe(true);

    const other = await harness();
    other.settings.current = { ...other.settings.current, amNumber: '' };
    expect(() => other.service.openSession({ mode: 'online', place: 'cabinet' })).toThrow(expect.objectContaining({ code: 'BILLING_IDENTITY_MISSING' }));
  });

  it('signs each invoice with the CPS key (verifiable), numbers them strictly increasing, and records rights « non vérifiés » offline', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const first = await bill(h, id);
    const second = await bill(h, id, famille(), { index: 1, mode: 'tiers-payant', lines: [G, { code: 'MEG', quantity: 1, coefficient: 1, overageCents: 0 }] });
    expect(second.number).toBe(first.number + 1);
    expect(first).toMatchObject({ status: 'validated', securing: 'vitale', rights: { status: 'unverified', reason: 'session hors ligne' }, deadline: { date: '2025-06-18', state: 'ok' } });
    expect(second).toMatchObject({ mode: 'tiers-payant', totals: { totalCents: 3500, amoCents: 2450, patientCents: 1050, participationCents: 0 }, deadline: { date: '2025-06-25' } });
    expect(first.organism.label).toBe('Régime général — caisse 751, centre 0001');

    const row = h.db.prepare('SELECT encoded, cps_signature, cps_certificate, vitale_kind, encoding FROM billing_invoice WHERE id = ?').get(first.id) as {
      encoded: Buffer;
      cps_signature: Buffer;
      cps_certificate: string;
      vitale_kind: string;
      encoding: string;
    };
    const certificate = new X509Certificate(row.cps_certificate);
    expect(createVerify('sha256').update(row.encoded).verify(certificate.publicKey, row.cps_signature)).toBe(true);
    expect(certificate.subject).toContain(pki.practitioner.holder.idNat);
    expect(row.encoding).toBe('pupitre.fse-modele/1');
    expect(row.vitale_kind).toBe('sceau-vitale-modele');
    expect(JSON.parse(row.encoded.toString('utf8'))).toMatchObject({ numero: first.number, avertissement: expect.stringContaining('pas la norme SESAM-Vitale') });
    expect(h.audit.filter((a) => a.action === 'billing.invoice.created')).toHaveLength(2);
  });

  it('refuses what it cannot bill before taking a number: unknown act, card removed, another card', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await expect(bill(h, id, famille(), { lines: [{ code: 'ZZZ', quantity: 1, coefficient: 1, overageCents: 0 }] })).rejects.toMatchObject({ code: 'BILLING_UNKNOWN_ACT' });
    h.vitale.current = null;
    await expect(h.service.createInvoice({ sessionId: id, source: { kind: 'vitale', beneficiaryIndex: 0 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' })).rejects.toMatchObject({
      code: 'BILLING_VITALE_ABSENT',
    });
    h.vitale.current = famille();
    await expect(h.service.createInvoice({ sessionId: id, source: { kind: 'vitale', cardSerial: 'AUTRE', beneficiaryIndex: 0 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' })).rejects.toMatchObject({
      code: 'BILLING_VITALE_CHANGED',
    });
    const invoice = await bill(h, id);
    expect(invoice.number).toBe(1);
  });

  it('abandons a number whose signature failed and never gives it again', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const realSigner = h.card.current!.signer;
    h.card.current = { ...h.card.current!, signer: { ...realSigner, kind: realSigner.kind, algorithm: realSigner.algorithm, sign: () => Promise.reject(new AppError('CARD_REMOVED')), certificateChain: () => realSigner.certificateChain(), close: () => realSigner.close() } };
    await expect(bill(h, id)).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    h.card.current = { ...h.card.current, signer: realSigner };
    const next = await bill(h, id);
    expect(next.number).toBe(2);
    const states = h.db.prepare('SELECT number, state FROM billing_invoice ORDER BY number').all();
    expect(states).toEqual([
      { number: 1, state: 'abandoned' },
      { number: 2, state: 'validated' },
    ]);
    expect(h.audit.find((a) => a.action === 'billing.number.abandoned')?.details).toMatchObject({ number: 1, code: 'CARD_REMOVED' });
  });

  it('fails an invoice whose carte Vitale is pulled out (or swapped) before it is signed, leaving nothing half-written', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const card = famille();
    // The card answers the first read (beneficiaries, rights), then leaves the reader before the securing.
    let reads = 0;
    Object.defineProperty(h.vitale, 'current', { configurable: true, get: () => (reads++ === 0 ? card : null), set: () => undefined });
    const pulled = h.service.createInvoice({ sessionId: id, source: { kind: 'vitale', cardSerial: card.serial, beneficiaryIndex: 0 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' });
    await expect(pulled).rejects.toMatchObject({ code: 'BILLING_VITALE_ABSENT', message: expect.stringContaining('Réinsérez la carte Vitale') });
    const other = vitaleCard({ serial: '0000999999', ...DEMO_ORGANISMS[0], people: [{ surname: 'MARTIN', givenName: 'ALICE', birthDate: '19900101', nir13: '2900175056123' }] });
    reads = 0;
    Object.defineProperty(h.vitale, 'current', { configurable: true, get: () => (reads++ === 0 ? card : other), set: () => undefined });
    const swapped = h.service.createInvoice({ sessionId: id, source: { kind: 'vitale', cardSerial: card.serial, beneficiaryIndex: 0 }, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' });
    await expect(swapped).rejects.toMatchObject({ code: 'BILLING_VITALE_CHANGED' });
    Object.defineProperty(h.vitale, 'current', { configurable: true, writable: true, value: card });
    expect((await bill(h, id, card)).number).toBe(3);
    expect(h.db.prepare('SELECT number, state, encoded IS NULL AS empty FROM billing_invoice ORDER BY number').all()).toEqual([
      { number: 1, state: 'abandoned', empty: 1 },
      { number: 2, state: 'abandoned', empty: 1 },
      { number: 3, state: 'validated', empty: 0 },
    ]);
    expect(h.audit.filter((a) => a.action === 'billing.number.abandoned').map((a) => a.details.code)).toEqual(['BILLING_VITALE_ABSENT', 'BILLING_VITALE_CHANGED']);
  });

  it('bills without a card in mode dégradé (organism typed), flagged for SCOR', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const invoice = await h.service.createInvoice({
      sessionId: id,
      source: { kind: 'degradee', beneficiary: { surname: 'MARTIN', givenName: 'CLAIRE', birthDate: '19900321', birthRank: 1, insuredNir: '290037505612347', nir: null }, organism: { regime: '01', caisse: '751', centre: '0001' } },
      patientId: null,
      lines: [G],
      coverage: 'maladie',
      mode: 'direct',
    });
    expect(invoice).toMatchObject({ securing: 'degradee', scorRequired: true, rights: { status: 'unverified' } });
    const { lots } = h.service.closeSession(id);
    expect(lots[0]).toMatchObject({ kind: 'fse-degradee', invoiceCount: 1 });
  });

  it('cancels an invoice before any lot, keeping its number used', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const a = await bill(h, id);
    expect(h.service.cancelInvoice(a.id, 'dr').status).toBe('cancelled');
    const b = await bill(h, id);
    expect(b.number).toBe(a.number + 1);
    const { lots } = h.service.closeSession(id);
    expect(lots.map((l) => l.invoiceCount)).toEqual([1]);
    expect(() => h.service.cancelInvoice(b.id, 'dr')).toThrow(expect.objectContaining({ code: 'BILLING_INVOICE_NOT_CANCELLABLE' }));
  });
});

describe('lots, acknowledgements and re-sending', () => {
  it('forms lots per organism and kind within the size bound, one outbox job per lot keyed by its number', async () => {
    const h = await harness({ lotSize: 3 });
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    for (const card of syntheticVitaleCards(10)) await bill(h, id, card);
    const { lots, session } = h.service.closeSession(id);
    expect(session.status).toBe('closed');
    // 10 invoices over 3 organisms (4/3/3) with at most 3 per lot: 2 + 1 + 1.
    expect(lots.map((l) => `${l.organism.caisse}:${l.invoiceCount}`).sort()).toEqual(['691:3', '751:1', '751:3', '931:3']);
    expect(lots.every((l) => l.state === 'to_send' && l.emissions.length === 1)).toBe(true);
    const jobs = h.outbox.list({ queue: 'billing.lot' });
    expect(jobs.map((j) => j.idempotencyKey).sort()).toEqual(lots.map((l) => `lot:991130972:${l.number}`).sort());
    expect(new Set(lots.map((l) => l.number)).size).toBe(4);
  });

  it('sends, matches the positive ARL to the lot and its invoices, and records payments of tiers payant', async () => {
    const h = await harness({ simOptions: { arlDelayMs: 60_000 } });
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const direct = await bill(h, id);
    const tp = await bill(h, id, famille(), { index: 1, mode: 'tiers-payant' });
    h.service.closeSession(id);
    let result = await h.service.sync('dr');
    expect(result).toMatchObject({ sent: 1, acknowledged: 0, waiting: 0 });
    expect(h.service.lots()[0]).toMatchObject({ state: 'sent', next: expect.stringContaining('accusé de réception attendu') });
    h.clock.advance(61_000);
    result = await h.service.sync('dr');
    expect(result).toMatchObject({ acknowledged: 1 });
    const [lot] = h.service.lots();
    expect(lot).toMatchObject({ state: 'acknowledged', emissions: [{ emission: 1, arl: { positive: true } }] });
    const invoices = h.service.invoices({ lotId: lot!.id }, 'dr');
    expect(invoices.find((i) => i.id === direct.id)?.status).toBe('accepted');
    expect(invoices.find((i) => i.id === tp.id)).toMatchObject({ status: 'paid', payment: { status: 'P', amountCents: 2100 } });
    // Fetching again changes nothing.
    expect((await h.service.fetchReturns('dr')).applied).toBe(0);
  });

  it('shows a rejected payment of a tiers-payant invoice with the caisse\'s label', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const tp = await bill(h, id, famille(), { mode: 'tiers-payant' });
    h.service.closeSession(id);
    h.sim.configure({ nextPaymentStatus: { status: 'R', label: 'Droits fermés à la date des soins' } });
    await h.service.sync('dr');
    const [invoice] = h.service.invoices({ sessionId: id }, 'dr');
    expect(invoice).toMatchObject({ id: tp.id, status: 'payment_rejected', payment: { status: 'R', label: 'Droits fermés à la date des soins', amountCents: null } });
    expect(h.audit.some((a) => a.action === 'billing.payment.received' && a.details.status === 'R')).toBe(true);
  });

  it('re-sends a refused lot at once, and flags paper duplicates when the re-sending is refused too', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id);
    await bill(h, id, famille(), { index: 1 });
    h.service.closeSession(id);
    h.sim.configure({ refuseNextLot: 1 });
    let result = await h.service.sync('dr');
    expect(result).toMatchObject({ refused: 1, resent: 1 });
    expect(h.service.lots()[0]).toMatchObject({ state: 'refused', next: expect.stringContaining('renvoie automatiquement') });
    result = await h.service.sync('dr');
    expect(h.service.lots()[0]).toMatchObject({ state: 'acknowledged', emissions: [{ arl: { positive: false } }, { emission: 2, arl: { positive: true } }] });
    expect(h.outbox.list({ queue: 'billing.lot' }).map((j) => j.idempotencyKey).sort()).toEqual(['lot:991130972:1', 'lot:991130972:1:reemission']);

    // Second session: every lot refused.
    const second = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, second.id);
    h.service.closeSession(second.id);
    h.sim.configure({ refuseAll: true });
    await h.service.sync('dr');
    await h.service.sync('dr');
    const refused = h.service.lots({ state: 'paper_duplicate' });
    expect(refused).toHaveLength(1);
    expect(refused[0]!.next).toMatch(/imprimez la liste des duplicatas/);
    const duplicates = h.service.invoices({ paperDuplicate: true }, 'dr');
    expect(duplicates).toHaveLength(1);
    expect(duplicates[0]).toMatchObject({ status: 'rejected', paperDuplicate: { sentAt: null } });
    expect(h.service.status().attention.paperDuplicates).toBe(1);
    expect(h.service.markPaperDuplicatesSent([duplicates[0]!.id], 'dr')).toBe(1);
    expect(h.service.status().attention.paperDuplicates).toBe(0);
    expect(h.sim.acceptedInvoices().size).toBe(2);
  });

  it('re-sends after 2 working days without ARL, without the caisse counting an invoice twice', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id);
    h.service.closeSession(id);
    h.sim.configure({ loseNextArl: 1 });
    await h.service.sync('dr'); // Friday 13 June: sent, ARL lost
    h.clock.advance(4 * DAY); // Tuesday 17 June: still within 2 working days (Mon 16, Tue 17)
    expect((await h.service.sync('dr')).resent).toBe(0);
    h.clock.advance(DAY); // Wednesday 18 June
    const result = await h.service.sync('dr');
    expect(result.resent).toBe(1);
    await h.service.sync('dr');
    expect(h.service.lots()[0]).toMatchObject({ state: 'acknowledged', emissions: [{ emission: 1, arl: null }, { emission: 2, arl: { positive: true } }] });
    expect([...h.sim.acceptedInvoices().values()]).toEqual([1]);
    expect(h.sim.duplicatesIgnored()).toBe(1);
    expect(h.audit.some((a) => a.action === 'billing.lot.unacknowledged')).toBe(true);
  });

  it('keeps an ARL it cannot read without taking it as positive or negative, and re-sends after 2 working days', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id);
    h.service.closeSession(id);
    h.sim.configure({ garbleNextArl: 1 });
    const friday = await h.service.sync('dr'); // Friday 13 June: sent, its ARL unreadable
    expect(friday.error).toMatch(/accusé de réception reçu est illisible.*renvoyé automatiquement/);
    expect(h.service.lots()[0]).toMatchObject({ state: 'sent', emissions: [{ emission: 1, arl: null }] });
    expect(h.service.lots()[0]!.next).toBe('Un accusé de réception illisible est arrivé pour ce lot (conservé) : sans accusé lisible d’ici le 17/06/2025, Pupitre renverra le lot automatiquement.');
    const kept = h.db.prepare(`SELECT kind, lot_number AS lot, matched FROM billing_return WHERE kind = 'unreadable'`).all();
    expect(kept).toEqual([{ kind: 'unreadable', lot: h.service.lots()[0]!.number, matched: 0 }]);
    expect(h.audit.filter((a) => a.action === 'billing.return.unreadable')).toHaveLength(1);
    // Read again (as after a crash before the cursor was kept): recorded once.
    h.db.prepare('UPDATE billing_mailbox SET cursor = NULL').run();
    expect((await h.service.fetchReturns('dr')).unreadable).toBe(0);
    h.clock.advance(5 * DAY); // Wednesday 18 June: no readable ARL within 2 working days
    expect((await h.service.sync('dr')).resent).toBe(1);
    await h.service.sync('dr');
    expect(h.service.lots()[0]).toMatchObject({ state: 'acknowledged', emissions: [{ emission: 1, arl: null }, { emission: 2, arl: { positive: true } }] });
    expect([...h.sim.acceptedInvoices().values()]).toEqual([1]);
  });

  it('applies nothing from a mailbox answer it cannot read, keeps its place, and reads it once repaired', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id, famille(), { mode: 'tiers-payant' });
    h.service.closeSession(id);
    h.sim.configure({ garbleMailbox: true });
    const garbled = await h.service.sync('dr');
    expect(garbled).toMatchObject({ sent: 1, returns: 0, acknowledged: 0 });
    expect(garbled.error).toBe('La réponse du service de télétransmission est illisible. Rien n’a été modifié ; Pupitre réessaiera. Si cela se reproduit, signalez-le avec l’écran Diagnostic.');
    expect(h.db.prepare('SELECT cursor, error_code AS code FROM billing_mailbox').get()).toEqual({ cursor: null, code: 'BILLING_RESPONSE_MALFORMED' });
    expect(h.service.lots()[0]!.state).toBe('sent');
    h.sim.configure({ garbleMailbox: false });
    const repaired = await h.service.sync('dr');
    expect(repaired).toMatchObject({ returns: 2, acknowledged: 1, error: null });
    expect(h.service.invoices({ sessionId: id }, 'dr')[0]).toMatchObject({ status: 'paid', payment: { status: 'P' } });
  });

  it('asks for paper duplicates when the re-sending gets no ARL within 2 working days either', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id);
    h.service.closeSession(id);
    h.sim.configure({ loseNextArl: 2 });
    await h.service.sync('dr');
    h.clock.advance(5 * DAY); // Wednesday 18: re-sent
    await h.service.sync('dr');
    expect(h.service.lots()[0]!.state).toBe('resent');
    h.clock.advance(2 * DAY); // Friday 20: within Thu 19, Fri 20
    await h.service.sync('dr');
    expect(h.service.lots()[0]!.state).toBe('resent');
    h.clock.advance(3 * DAY); // Monday 23
    await h.service.sync('dr');
    expect(h.service.lots()[0]!.state).toBe('paper_duplicate');
  });

  it('keeps lots while the service is down for days, alerts past the deadline, and sends when it is back', async () => {
    const h = await harness();
    await h.sim.setDown(true);
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const invoice = await bill(h, id);
    h.service.closeSession(id);
    const down = await h.service.sync('dr', 2_000);
    expect(down).toMatchObject({ sent: 0, waiting: 1, error: expect.stringContaining('injoignable') });
    h.clock.advance(4 * DAY); // Tuesday 17 (deadline Wednesday 18): due soon
    expect(h.service.status().attention).toMatchObject({ dueSoon: 1, overdue: 0, toSend: 1 });
    h.clock.advance(2 * DAY); // Thursday 19: passed
    expect(h.service.status().attention.overdue).toBe(1);
    const items = h.service.deadlines('dr').items;
    expect(items[0]).toMatchObject({ invoiceId: invoice.id, deadline: { state: 'passed', date: '2025-06-18' } });
    expect(h.service.lots()[0]!.next).toMatch(/Prévenez votre caisse/);
    expect(h.outbox.list({ queue: 'billing.lot' })[0]!.status).not.toBe('dead');
    await h.sim.setDown(false);
    const back = await h.service.sync('dr');
    expect(back).toMatchObject({ sent: 1, acknowledged: 1 });
    expect(h.service.invoices({ sessionId: id }, 'dr')[0]).toMatchObject({ status: 'accepted', deadline: { state: 'passed' } });
  });

  it('puts invoices of a session left open into lots on the last working day before their deadline', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id); // Friday 13, deadline Wednesday 18
    h.clock.advance(3 * DAY); // Monday 16
    expect(h.service.followUp('dr').lotsFormed).toBe(0);
    h.clock.advance(DAY); // Tuesday 17: warning day
    expect(h.service.followUp('dr').lotsFormed).toBe(1);
    expect(h.service.sessions()[0]!.status).toBe('open');
  });

  it('purges electronic doubles only 90 days after the acknowledgement, by an audited action', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const invoice = await bill(h, id);
    h.service.closeSession(id);
    await h.service.sync('dr');
    h.clock.advance(89 * DAY);
    expect(h.service.purge('dr').purgedInvoices).toBe(0);
    h.clock.advance(DAY);
    expect(h.service.purge('dr')).toMatchObject({ purgedInvoices: 1, purgedReturns: 1 });
    expect(h.service.invoices({ sessionId: id }, 'dr')[0]).toMatchObject({ id: invoice.id, status: 'accepted', purgedAt: expect.any(String) });
    expect((h.db.prepare('SELECT encoded FROM billing_invoice WHERE id = ?').get(invoice.id) as { encoded: unknown }).encoded).toBeNull();
    expect(h.audit.filter((a) => a.action === 'billing.purge').map((a) => a.details.invoices)).toEqual([0, 1]);
  });

  it('turns a lot the service cannot read into a job for a person, never a silent loss', async () => {
    const h = await harness();
    const { id } = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    await bill(h, id);
    h.db.prepare(`UPDATE billing_invoice SET cps_signature = ?`).run(Buffer.from('forged'));
    h.service.closeSession(id);
    await h.service.sync('dr');
    await h.service.sync('dr');
    expect(h.service.lots()[0]).toMatchObject({ state: 'paper_duplicate', emissions: [{ arl: { positive: false, label: expect.stringContaining('Signature CPS invalide') } }, expect.anything()] });
  });
});
