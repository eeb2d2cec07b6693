/** The driver registry: one list, matched by the card kind the masked ATR gave (atr.ts). */
import type { CardKind } from '../../../contract/domains/cards';
import { createCpsDriver } from './cps';
import type { CardDriver } from './driver';
import { vitale1Driver, vitale2Driver } from './vitale';

export type { CardDriver, CpsDriver, HolderReadOptions, VitaleDriver } from './driver';

export const CARD_DRIVERS: readonly CardDriver[] = [
  // CPS4 behaves exactly like a CPS3 at power-on (ANS spec "Carte CPS4", cards.md §1.3).
  createCpsDriver(['CPS3', 'CPS4']),
  vitale2Driver,
  vitale1Driver,
];

export function driverFor(kind: CardKind): CardDriver | null {
  return CARD_DRIVERS.find((d) => d.kinds.includes(kind)) ?? null;
}
