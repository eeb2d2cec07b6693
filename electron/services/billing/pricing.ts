/**
 * Prices an invoice: each line from the tariff table in force on its date, the AMO share from the
 * rate of the cover, the participation forfaitaire, and what the patient pays today.
 *
 * Rules (public material; the SESAM-Vitale computation itself is under agreement):
 * - rate: 70 % in the common case (maladie), 100 % for care related to an ALD, under the
 *   maternity insurance and for an accident du travail / maladie professionnelle (issue 12);
 * - the participation forfaitaire (2 € since 15 May 2024) applies once per invoice holding a
 *   consultation or visit, except for minors and under maternity; the AMO deducts it from what it
 *   reimburses the patient (direct payment) or recovers it later (tiers payant) — it never changes
 *   the AMO share billed here;
 * - an overage (dépassement) is refused in secteur 1;
 * - tiers payant AMO: the patient pays only the part the AMO does not cover.
 * Amounts are integer cents, each line rounded half up once.
 */
import { AppError } from '../../contract';
import type { BillingMode, Coverage, PricedLine, Totals } from '../../contract/domains/billing';
import type { Tariffs } from './tariffs';

export const RATE_PERCENT: Record<Coverage, number> = { maladie: 70, ald: 100, maternite: 100, atmp: 100 };

export interface LineRequest {
  code: string;
  quantity: number;
  coefficient: number;
  overageCents: number;
  date?: string | undefined;
}

export interface PricingInput {
  lines: readonly LineRequest[];
  coverage: Coverage;
  mode: BillingMode;
  careDate: string;
  /** AAAAMMJJ as on the card, lunar parts as 00; null when unknown (the participation applies). */
  birthDate: string | null;
  conventionSector: '' | 'secteur-1' | 'secteur-2' | 'secteur-2-optam';
}

export interface PricedInvoice {
  lines: PricedLine[];
  totals: Totals;
  /** Earliest date of the lines: the deadline counts from it. */
  firstCareDate: string;
}

export function priceInvoice(tariffs: Tariffs, input: PricingInput): PricedInvoice {
  if (input.lines.length === 0) throw new AppError('BILLING_LINES_EMPTY');
  let participationDue = false;
  const lines = input.lines.map((line): PricedLine => {
    const date = line.date ?? input.careDate;
    if (date > input.careDate) throw new AppError('BILLING_LINE_INVALID', { reason: 'date-after-care-date' });
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || !(line.coefficient > 0)) throw new AppError('BILLING_LINE_INVALID', { reason: 'quantity' });
    if (line.overageCents > 0 && (input.conventionSector === 'secteur-1' || input.conventionSector === '')) {
      throw new AppError('BILLING_OVERAGE_NOT_ALLOWED');
    }
    const act = tariffs.act(line.code, date);
    if (act.participation) participationDue = true;
    const baseCents = Math.round(line.quantity * line.coefficient * act.priceCents);
    return {
      code: act.code,
      label: act.label,
      date,
      quantity: line.quantity,
      coefficient: line.coefficient,
      unitPriceCents: act.priceCents,
      baseCents,
      overageCents: line.overageCents,
      amountCents: baseCents + line.overageCents,
    };
  });
  const ratePercent = RATE_PERCENT[input.coverage];
  const baseCents = lines.reduce((sum, l) => sum + l.baseCents, 0);
  const totalCents = lines.reduce((sum, l) => sum + l.amountCents, 0);
  const amoCents = Math.round((baseCents * ratePercent) / 100);
  const exempt = input.coverage === 'maternite' || isMinorOn(input.birthDate, input.careDate);
  const participationCents = participationDue && !exempt ? Math.min(tariffs.participation(input.careDate), amoCents) : 0;
  const patientCents = input.mode === 'tiers-payant' ? totalCents - amoCents : totalCents;
  const firstCareDate = lines.reduce((min, l) => (l.date < min ? l.date : min), input.careDate);
  return {
    lines,
    totals: {
      totalCents,
      ratePercent,
      amoCents,
      patientCents,
      participationCents,
      reimbursedToPatientCents: input.mode === 'direct' ? amoCents - participationCents : 0,
    },
    firstCareDate,
  };
}

/** Under 18 on the day of care. Lunar parts (00) count as the 1st: never younger than the card says. */
export function isMinorOn(birthDate: string | null, careDate: string): boolean {
  if (birthDate === null || !/^\d{8}$/.test(birthDate)) return false;
  const year = Number(birthDate.slice(0, 4));
  const month = Math.max(1, Math.min(12, Number(birthDate.slice(4, 6)) || 1));
  const day = Math.max(1, Number(birthDate.slice(6, 8)) || 1);
  const eighteenth = `${String(year + 18).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return careDate < eighteenth;
}
