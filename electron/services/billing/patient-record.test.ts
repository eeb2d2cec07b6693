/**
 * The record an invoice is filed under must be the beneficiary read: twins and homonyms chosen by
 * mistake are refused before any rights are asked and before a number is taken.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORGANISMS, startBillingHarness, vitaleCard, type BillingHarness } from '../../../fixtures/wiring/billing';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import type { AdriCoverage, AdriRights } from '../../contract/domains/adri';
import type { RecordIdentity } from '../adri';
import type { LineRequest } from './pricing';

const G: LineRequest = { code: 'G', quantity: 1, coefficient: 1, overageCents: 0 };
const FRIDAY_9AM = Date.UTC(2025, 5, 13, 7, 0, 0);

let pki: DemoPki;
beforeAll(async () => {
  pki = await ensureSharedTestPki();
});
const harnesses: BillingHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

// Twins on their mother's card: same birth date, their own NIRs differ.
const twins = () =>
  vitaleCard({
    serial: '0000777777',
    ...DEMO_ORGANISMS[0],
    people: [
      { surname: 'MOREAU', givenName: 'CLAIRE', birthDate: '19850412', nir13: '2850475056123' },
      { surname: 'MOREAU', givenName: 'LEA', birthDate: '20160602', nir13: '2160675056111', quality: '06', birthRank: 1 },
      { surname: 'MOREAU', givenName: 'LEANE', birthDate: '20160602', nir13: '2160675056222', quality: '06', birthRank: 2 },
    ],
  });

const RECORDS: Record<string, RecordIdentity> = {
  lea: { birthDate: { year: 2016, month: 6, day: 2 }, nir: '216067505611142', mergedInto: null },
  leane: { birthDate: { year: 2016, month: 6, day: 2 }, nir: '2160675056222', mergedInto: null },
  homonym: { birthDate: { year: 2016, month: 6, day: 3 }, nir: null, mergedInto: null },
  // Léa's duplicate, merged into her record: read-only, out of the search (patients/merge.ts).
  'lea-merged': { birthDate: { year: 2016, month: 6, day: 2 }, nir: '216067505611142', mergedInto: 'lea' },
};

async function harness() {
  const { createManualClock } = await import('../../platform/clock');
  const acquired: string[] = [];
  /** The record ADRi was handed with each request, as billing read it. */
  const handed: RecordIdentity[] = [];
  /** The ids of the records billing read (each read is an audited access on the desk). */
  const reads: string[] = [];
  const rights = {
    latest: () => null,
    acquire: async (patientId: string, coverage: AdriCoverage, _actor: string, readRecord: RecordIdentity): Promise<AdriRights> => {
      acquired.push(patientId);
      handed.push(readRecord);
      return { patientId, status: 'open', reason: null, source: coverage.source, checkedAt: '2025-06-13T07:00:00.000Z', referenceDate: '2025-06-13', regime: null, caisse: null, centre: null, amo: null, exonerations: [], complementary: null };
    },
  };
  const identity = (id: string) => {
    reads.push(id);
    return RECORDS[id] ?? null;
  };
  const h = await startBillingHarness({ pki, clock: createManualClock(FRIDAY_9AM), rights, patients: { identity } });
  harnesses.push(h);
  h.vitale.current = twins();
  const session = h.service.openSession({ mode: 'online', place: 'cabinet' });
  const bill = (patientId: string | null, index = 1) =>
    h.service.createInvoice({ sessionId: session.id, source: { kind: 'vitale', cardSerial: '0000777777', beneficiaryIndex: index }, patientId, lines: [G], coverage: 'maladie', mode: 'direct' });
  return { h, acquired, handed, reads, bill };
}

describe('billing under a local record', () => {
  it('refuses a twin’s record (another NIR) and a homonym’s (another birth date): no rights asked, no number, nothing recorded', async () => {
    const { h, acquired, bill } = await harness();
    await expect(bill('leane')).rejects.toMatchObject({ code: 'BILLING_PATIENT_MISMATCH', message: expect.stringContaining('facturez sans choisir de fiche') });
    await expect(bill('homonym')).rejects.toMatchObject({ code: 'BILLING_PATIENT_MISMATCH' });
    await expect(bill('nobody')).rejects.toMatchObject({ code: 'PATIENT_NOT_FOUND' });
    expect(acquired).toEqual([]);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM billing_invoice').get()).toEqual({ n: 0 });
    expect(h.audit.some((a) => a.action.startsWith('billing.invoice') || a.action === 'billing.number.abandoned')).toBe(false);
  });

  it('refuses a record merged into another (PATIENT_MERGED, naming the record kept): no rights asked, no number, nothing recorded', async () => {
    const { h, acquired, bill } = await harness();
    await expect(bill('lea-merged')).rejects.toMatchObject({ code: 'PATIENT_MERGED', message: expect.stringContaining('Ouvrez la fiche conservée'), details: { mergedInto: 'lea' } });
    expect(acquired).toEqual([]);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM billing_invoice').get()).toEqual({ n: 0 });
    expect(h.audit.some((a) => a.action.startsWith('billing.invoice') || a.action === 'billing.number.abandoned')).toBe(false);
  });

  it('reads the record once for an invoice with rights, and hands that read to ADRi', async () => {
    const { handed, reads, bill } = await harness();
    await expect(bill('lea')).resolves.toMatchObject({ patientId: 'lea', rights: { status: 'open' } });
    expect(reads).toEqual(['lea']);
    expect(handed).toEqual([RECORDS.lea]);
  });

  it('files the invoice and the rights under the beneficiary’s own record, or under none', async () => {
    const { acquired, bill } = await harness();
    await expect(bill('lea')).resolves.toMatchObject({ patientId: 'lea', rights: { status: 'open' } });
    await expect(bill(null, 2)).resolves.toMatchObject({ patientId: null, rights: { status: 'unverified' } });
    expect(acquired).toEqual(['lea']);
  });
});

describe('the carte Vitale billed is the one the screen read', () => {
  const card = (serial: string | null, givenName: string, nir13: string) => ({
    ...vitaleCard({ serial: 'X', ...DEMO_ORGANISMS[0], people: [{ surname: 'MARTIN', givenName, birthDate: '19900101', nir13 }] }),
    serial,
  });

  it('refuses another card without a serial put in the reader after the screen read it, before or while signing', async () => {
    const { createManualClock } = await import('../../platform/clock');
    const h = await startBillingHarness({ pki, clock: createManualClock(FRIDAY_9AM) });
    harnesses.push(h);
    const session = h.service.openSession({ mode: 'offline', place: 'cabinet' });
    const read = card(null, 'ALICE', '2900175056123');
    const shown = read.beneficiaries[0]!;
    const source = {
      kind: 'vitale' as const,
      cardSerial: null,
      beneficiaryIndex: 0,
      beneficiary: { insuredNir: shown.insuredNir, nir: shown.nir, birthDate: shown.birthDate.raw, birthRank: shown.birthRank },
    };
    const bill = () => h.service.createInvoice({ sessionId: session.id, source, patientId: null, lines: [G], coverage: 'maladie', mode: 'direct' });

    h.vitale.current = card(null, 'BRUNO', '1880275056999');
    await expect(bill()).rejects.toMatchObject({ code: 'BILLING_VITALE_CHANGED' });
    // Read right, then swapped between the read and the signature.
    let reads = 0;
    const other = card(null, 'BRUNO', '1880275056999');
    Object.defineProperty(h.vitale, 'current', { configurable: true, get: () => (reads++ === 0 ? read : other), set: () => undefined });
    await expect(bill()).rejects.toMatchObject({ code: 'BILLING_VITALE_CHANGED' });
    Object.defineProperty(h.vitale, 'current', { configurable: true, writable: true, value: read });
    await expect(bill()).resolves.toMatchObject({ beneficiary: { givenName: 'ALICE' } });
    expect(h.db.prepare(`SELECT COUNT(*) AS n FROM billing_invoice WHERE state = 'validated'`).get()).toEqual({ n: 1 });
  });
});
