/**
 * Card recognition by masked ATR, as OpenSC does (card-iasecc.c `iasecc_known_atrs`): the ATR
 * ANDed with the mask must equal the reference ANDed with the mask. Values: research cards.md
 * §1.2 (OpenSC card-iasecc.c, ANS Cryptolib card-cps.c, pcsc-tools smartcard_list.txt) and §2.
 */
import type { CardKind } from '../../contract/domains/cards';

export interface AtrPattern {
  kind: CardKind;
  atr: string;
  mask?: string;
  /** Where the value comes from. */
  source: string;
}

export const ATR_TABLE: readonly AtrPattern[] = [
  {
    kind: 'CPS3',
    atr: '3BAC00402A001225006480000310009000',
    mask: 'FF00000000FFFFFFFFFFFF000000FFFFFF',
    source: 'OpenSC card-iasecc.c (SC_CARD_TYPE_IASECC_CPX); ANS Cryptolib card-cps.c',
  },
  {
    kind: 'CPS3_CL',
    atr: '3B8F80010031B86404B0ECC1739401808290000E',
    mask: 'FFFFFFFFFFFFFFFF0000FFC0FFFFFFFFFFFFFFFF',
    source: 'OpenSC card-iasecc.c (SC_CARD_TYPE_IASECC_CPXCL)',
  },
  { kind: 'CPS4', atr: '3B9B188001001225006480040100009044', source: 'ANS Cryptolib card-cps.c (CPS4)' },
  { kind: 'CPS4', atr: '3B9B188001001225006480000401009044', source: 'ANS Cryptolib card-cps.c (CPS4 release candidate)' },
  { kind: 'CPS4', atr: '3BDC18FF00001225006480000401009000', source: 'ANS Cryptolib card-cps.c; pcsc-tools smartcard_list.txt "CPS V4"' },
  { kind: 'CPS2TER', atr: '3BAC00402A001225006480820212009000', source: 'pcsc-tools smartcard_list.txt (older CPS)' },
  { kind: 'VITALE_2', atr: '3B751300004009EA9000', mask: 'FFFFFFFFFFF0FFFFFFFF', source: 'pcsc-tools smartcard_list.txt "3B 75 13 00 00 4x 09 EA 90 00"' },
  { kind: 'VITALE_2', atr: '3B751300004509FA9000', source: 'pcsc-tools smartcard_list.txt' },
  { kind: 'VITALE_1', atr: '3F6525000009009000', mask: 'FFFFFFFF00FF00FFFF', source: 'pcsc-tools smartcard_list.txt (Bull CP8 mask, 3F 65 25 00 xx 09 xx 90 00)' },
];

export const CARD_LABEL: Record<CardKind, string> = {
  CPS3: 'Carte CPS3 (CPS/CPE)',
  CPS3_CL: 'Carte CPS3 sans contact',
  CPS4: 'Carte CPS4',
  CPS2TER: 'Carte CPS2ter',
  VITALE_2: 'Carte Vitale 2',
  VITALE_1: 'Carte Vitale 1',
  UNKNOWN: 'Carte non reconnue',
};

const bytesOf = (hex: string): number[] => (hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16));

export function atrMatches(atrHex: string, pattern: AtrPattern): boolean {
  const atr = bytesOf(atrHex.toUpperCase());
  const ref = bytesOf(pattern.atr);
  if (atr.length !== ref.length) return false;
  const mask = pattern.mask ? bytesOf(pattern.mask) : ref.map(() => 0xff);
  return atr.every((b, i) => (b & (mask[i] ?? 0xff)) === ((ref[i] ?? 0) & (mask[i] ?? 0xff)));
}

/** Exact ATRs win over masked ones (a CPS4 or CPS2ter ATR also fits the CPS3 mask). */
export function recogniseAtr(atrHex: string): CardKind {
  const exact = ATR_TABLE.find((p) => p.mask === undefined && atrMatches(atrHex, p));
  return (exact ?? ATR_TABLE.find((p) => p.mask !== undefined && atrMatches(atrHex, p)))?.kind ?? 'UNKNOWN';
}
