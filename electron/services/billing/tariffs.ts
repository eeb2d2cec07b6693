/**
 * The tariff table: versioned data with its sources (`tariffs/*.json`), so that a revaluation is a
 * data update (a new `from` entry), never a code change. Each act keeps every price it had with
 * the date it took effect; the price of an act is the one in force on the day of care. An unknown
 * code, or a code without a price on that day, is refused — never priced at zero.
 */
import { z } from 'zod';
import { AppError } from '../../contract';
import type { Act, TariffTable } from '../../contract/domains/billing';
import data from './tariffs/ngap-medecine-generale.json';

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const priceSchema = z.object({ from: dateSchema, cents: z.number().int().positive(), source: z.string() });

export const tariffFileSchema = z.object({
  version: z.string(),
  scope: z.string(),
  notice: z.string(),
  sources: z.array(z.object({ id: z.string(), title: z.string(), url: z.string().nullable() })),
  participationForfaitaire: z.array(priceSchema).min(1),
  acts: z.array(
    z.object({
      code: z.string().regex(/^[A-Z0-9]{1,12}$/),
      label: z.string(),
      kind: z.enum(['acte', 'majoration']),
      participation: z.boolean(),
      prices: z.array(priceSchema).min(1),
    }),
  ),
});
export type TariffFile = z.infer<typeof tariffFileSchema>;

export interface PricedAct extends Act {
  source: string;
}

export class Tariffs {
  private readonly byCode: Map<string, TariffFile['acts'][number]>;

  constructor(readonly file: TariffFile) {
    const parsed = tariffFileSchema.parse(file);
    const sourceIds = new Set(parsed.sources.map((s) => s.id));
    this.byCode = new Map();
    for (const act of parsed.acts) {
      if (this.byCode.has(act.code)) throw new Error(`tariff table: ${act.code} listed twice`);
      for (const price of act.prices) if (!sourceIds.has(price.source)) throw new Error(`tariff table: ${act.code} cites unknown source ${price.source}`);
      this.byCode.set(act.code, { ...act, prices: [...act.prices].sort((a, b) => a.from.localeCompare(b.from)) });
    }
  }

  get version(): string {
    return this.file.version;
  }

  /** The act with its price on `date`; unknown or not yet priced → AppError, never zero. */
  act(code: string, date: string): PricedAct {
    const normalised = code.trim().toUpperCase();
    const act = this.byCode.get(normalised);
    if (act === undefined) throw new AppError('BILLING_UNKNOWN_ACT', { code: normalised.slice(0, 12) });
    const price = inForce(act.prices, date);
    if (price === null) throw new AppError('BILLING_ACT_NOT_IN_FORCE', { code: normalised, date });
    return {
      code: act.code,
      label: act.label,
      kind: act.kind,
      participation: act.participation,
      priceCents: price.cents,
      effectiveFrom: price.from,
      source: price.source,
    };
  }

  /** Participation forfaitaire in force on `date` (cents). */
  participation(date: string): number {
    return inForce(this.file.participationForfaitaire, date)?.cents ?? 0;
  }

  /** Every act priced on `date` (for completion at the desk). */
  table(date: string): TariffTable {
    const acts: Act[] = [];
    for (const act of this.byCode.values()) {
      const price = inForce(act.prices, date);
      if (price === null) continue;
      acts.push({ code: act.code, label: act.label, kind: act.kind, participation: act.participation, priceCents: price.cents, effectiveFrom: price.from });
    }
    acts.sort((a, b) => (a.kind === b.kind ? a.code.localeCompare(b.code) : a.kind === 'acte' ? -1 : 1));
    return { version: this.file.version, date, sources: this.file.sources, acts };
  }
}

function inForce<T extends { from: string }>(prices: readonly T[], date: string): T | null {
  let found: T | null = null;
  for (const price of prices) if (price.from <= date && (found === null || price.from >= found.from)) found = price;
  return found;
}

/** The table shipped with this version of Pupitre. */
export function defaultTariffs(): Tariffs {
  return new Tariffs(data as TariffFile);
}
