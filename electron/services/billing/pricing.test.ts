import { describe, expect, it } from 'vitest';
import { isMinorOn, priceInvoice } from './pricing';
import { defaultTariffs, Tariffs, type TariffFile } from './tariffs';

const tariffs = defaultTariffs();
const base = { coverage: 'maladie' as const, mode: 'direct' as const, careDate: '2025-06-13', birthDate: '19850412', conventionSector: 'secteur-1' as const };
const line = (code: string, more: Partial<{ quantity: number; coefficient: number; overageCents: number; date: string }> = {}) => ({
  code,
  quantity: 1,
  coefficient: 1,
  overageCents: 0,
  ...more,
});

describe('tariff table', () => {
  it('prices an act with the price in force on the day of care: a revaluation is a data entry', () => {
    expect(tariffs.act('G', '2024-12-21').priceCents).toBe(2650);
    expect(tariffs.act('G', '2024-12-22').priceCents).toBe(3000);
    expect(tariffs.act(' g ', '2025-06-13')).toMatchObject({ code: 'G', priceCents: 3000, participation: true, source: 'convention-2024' });
    const revalued = new Tariffs({
      ...tariffs.file,
      acts: tariffs.file.acts.map((a) => (a.code === 'G' ? { ...a, prices: [...a.prices, { from: '2026-01-01', cents: 3150, source: 'convention-2024' }] } : a)),
    } as TariffFile);
    expect(revalued.act('G', '2025-12-31').priceCents).toBe(3000);
    expect(revalued.act('G', '2026-01-01').priceCents).toBe(3150);
  });

  it('refuses an unknown code and a code without a price that day, never zero', () => {
    expect(() => tariffs.act('XYZ', '2025-06-13')).toThrow(expect.objectContaining({ code: 'BILLING_UNKNOWN_ACT' }));
    expect(() => tariffs.act('VG', '2024-01-10')).toThrow(expect.objectContaining({ code: 'BILLING_ACT_NOT_IN_FORCE' }));
    expect(tariffs.table('2025-06-13').acts.every((a) => a.priceCents > 0)).toBe(true);
  });

  it('cites a source for every price and refuses a table citing an unknown one', () => {
    const file = tariffs.file;
    const ids = new Set(file.sources.map((s) => s.id));
    for (const act of file.acts) for (const price of act.prices) expect(ids.has(price.source)).toBe(true);
    expect(() => new Tariffs({ ...file, acts: [{ ...file.acts[0]!, prices: [{ from: '2025-01-01', cents: 100, source: 'inconnue' }] }] })).toThrow(/unknown source/);
  });

  it('lists the acts of the day, consultations first, for completion at the desk', () => {
    const table = tariffs.table('2025-06-13');
    expect(table.acts.slice(0, 5).every((a) => a.kind === 'acte')).toBe(true);
    expect(table.acts.map((a) => a.code)).toEqual(expect.arrayContaining(['G', 'VG', 'MD', 'MEG', 'MN', 'MM']));
  });
});

describe('pricing an invoice', () => {
  it('a GP consultation: 70 % AMO, the participation forfaitaire deducted from the reimbursement', () => {
    const { totals, lines } = priceInvoice(tariffs, { ...base, lines: [line('G')] });
    expect(lines[0]).toMatchObject({ code: 'G', unitPriceCents: 3000, baseCents: 3000, amountCents: 3000 });
    expect(totals).toEqual({ totalCents: 3000, ratePercent: 70, amoCents: 2100, patientCents: 3000, participationCents: 200, reimbursedToPatientCents: 1900 });
  });

  it('tiers payant: the patient pays only the part the AMO does not cover', () => {
    const { totals } = priceInvoice(tariffs, { ...base, mode: 'tiers-payant', lines: [line('G')] });
    expect(totals).toMatchObject({ totalCents: 3000, amoCents: 2100, patientCents: 900, reimbursedToPatientCents: 0 });
  });

  it('100 % for ALD, maternity and AT/MP; no participation under maternity or for a minor', () => {
    expect(priceInvoice(tariffs, { ...base, coverage: 'ald', lines: [line('G')] }).totals).toMatchObject({ ratePercent: 100, amoCents: 3000, participationCents: 200 });
    expect(priceInvoice(tariffs, { ...base, coverage: 'atmp', mode: 'tiers-payant', lines: [line('G')] }).totals).toMatchObject({ amoCents: 3000, patientCents: 0 });
    expect(priceInvoice(tariffs, { ...base, coverage: 'maternite', lines: [line('G')] }).totals.participationCents).toBe(0);
    const child = priceInvoice(tariffs, { ...base, birthDate: '20200602', lines: [line('G'), line('MEG')] });
    expect(child.totals).toMatchObject({ totalCents: 3500, amoCents: 2450, participationCents: 0, reimbursedToPatientCents: 2450 });
  });

  it('a home visit with its travel majoration: one participation for the visit', () => {
    const { totals } = priceInvoice(tariffs, { ...base, lines: [line('VG'), line('MD')] });
    expect(totals).toMatchObject({ totalCents: 4000, amoCents: 2800, participationCents: 200 });
  });

  it('refuses an overage in secteur 1 and accepts it in secteur 2, outside the AMO base', () => {
    expect(() => priceInvoice(tariffs, { ...base, lines: [line('G', { overageCents: 1000 })] })).toThrow(expect.objectContaining({ code: 'BILLING_OVERAGE_NOT_ALLOWED' }));
    const { totals } = priceInvoice(tariffs, { ...base, conventionSector: 'secteur-2', lines: [line('G', { overageCents: 1000 })] });
    expect(totals).toMatchObject({ totalCents: 4000, amoCents: 2100 });
  });

  it('multiplies quantity and coefficient, and refuses empty or inconsistent lines', () => {
    expect(priceInvoice(tariffs, { ...base, lines: [line('MD', { quantity: 2 })] }).totals.totalCents).toBe(2000);
    expect(() => priceInvoice(tariffs, { ...base, lines: [] })).toThrow(expect.objectContaining({ code: 'BILLING_LINES_EMPTY' }));
    expect(() => priceInvoice(tariffs, { ...base, lines: [line('G', { date: '2025-06-14' })] })).toThrow(expect.objectContaining({ code: 'BILLING_LINE_INVALID' }));
    // An earlier act on the same invoice: the deadline counts from it.
    expect(priceInvoice(tariffs, { ...base, lines: [line('G'), line('VG', { date: '2025-06-10' })] }).firstCareDate).toBe('2025-06-10');
  });

  it('reads ages from card dates, lunar ones included', () => {
    expect(isMinorOn('20070614', '2025-06-13')).toBe(true);
    expect(isMinorOn('20070613', '2025-06-13')).toBe(false);
    expect(isMinorOn('20070000', '2025-06-13')).toBe(false);
    expect(isMinorOn(null, '2025-06-13')).toBe(false);
  });
});
