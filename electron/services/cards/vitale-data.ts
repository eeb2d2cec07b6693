/**
 * Carte Vitale 2 data: the directory EF 2001 and the beneficiary templates (L1L1/cardpeek
 * vitale_2.lua; research cards.md §2), turned into typed values. Tags marked MODELLED are not in
 * any public source found (see fixtures/cards/vitale-card.ts for the full list).
 */
import { AppError } from '../../contract';
import type { Beneficiary, VitaleBirthDate } from '../../contract/domains/cards';
import { parseMatricule } from '../identity';
import { childText, parseTlv, type Tlv } from './tlv';

export interface VitaleDirectory {
  applications: Array<{ index: number; aid: string }>;
  files: Array<{ name: string; index: number; fid: number }>;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** EF 2001: `E0 { A0 { 82: index(2) ??(2) AID } 80: name(8) index(2) FID(2) }` (cardpeek create_card_map). */
export function parseVitaleDirectory(bytes: Uint8Array): VitaleDirectory {
  const root = parseTlv(bytes).find((n) => n.tag === 0xe0);
  if (root === undefined) throw new AppError('CARD_DATA_INVALID', { reason: 'vitale-directory' });
  const applications: VitaleDirectory['applications'] = [];
  const files: VitaleDirectory['files'] = [];
  for (const node of root.children) {
    if (node.tag === 0xa0) {
      for (const entry of node.children) {
        if (entry.tag !== 0x82 || entry.value.length < 5) continue;
        applications.push({ index: ((entry.value[0] ?? 0) << 8) | (entry.value[1] ?? 0), aid: hex(entry.value.slice(4)) });
      }
    } else if (node.tag === 0x80 && node.value.length >= 12) {
      files.push({
        name: Buffer.from(node.value.slice(0, 8)).toString('latin1').trim(),
        index: ((node.value[8] ?? 0) << 8) | (node.value[9] ?? 0),
        fid: ((node.value[10] ?? 0) << 8) | (node.value[11] ?? 0),
      });
    }
  }
  return { applications, files };
}

/** The calendar check of a "lunar" date: a 00 part, or a day this month does not have. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `65/82`: ASCII AAAAMMJJ (cardpeek ui_parse_asciidate). Vitale cards carry "lunar" dates: 00 for
 * an unknown month or day, or a day outside the calendar; they are kept as read and flagged.
 */
export function parseVitaleBirthDate(raw: string): VitaleBirthDate {
  if (!/^\d{8}$/.test(raw)) throw new AppError('CARD_DATA_INVALID', { reason: 'birth-date-format' });
  const year = Number(raw.slice(0, 4));
  const month = Number(raw.slice(4, 6));
  const day = Number(raw.slice(6, 8));
  if (year < 1800 || month > 12 || day > 31) throw new AppError('CARD_DATA_INVALID', { reason: 'birth-date-range' });
  const lunar = month === 0 || day === 0 || day > daysInMonth(year, month);
  return {
    raw,
    year,
    month: month === 0 ? null : month,
    day: day === 0 ? null : day,
    lunar,
    display: `${raw.slice(6, 8)}/${raw.slice(4, 6)}/${raw.slice(0, 4)}`,
  };
}

/** Qualité of the beneficiary: MODELLED codes (SESAM-Vitale's table is not public). */
const QUALITY_LABEL: Record<string, string> = {
  '00': 'Assuré',
  '01': 'Ascendant, descendant, collatéral',
  '02': 'Conjoint',
  '06': 'Enfant',
  '09': 'Autre ayant droit',
};

/** The qualité of a beneficiary with its French label (shared by the carte Vitale and the appli carte Vitale). */
export function qualityOf(code: string): Beneficiary['quality'] {
  return { code, label: QUALITY_LABEL[code] ?? 'Ayant droit', insured: code === '00' };
}

/** NIR with a valid key (NIR rules as in services/identity), else null. */
export function validNir(value: string | null): string | null {
  if (value === null || value === '') return null;
  const parsed = parseMatricule(value, { requireKey: true });
  return parsed.ok ? parsed.matricule.value : null;
}

export function sexOfNir(nir: string | null): 'M' | 'F' | null {
  const first = nir?.[0];
  if (first === '1' || first === '3' || first === '7') return 'M';
  if (first === '2' || first === '4' || first === '8') return 'F';
  return null;
}

/** One `65` template into a beneficiary. */
export function parseBeneficiary(node: Tlv, index: number, insuredNir: string): Beneficiary {
  const surname = childText(node, 0x80);
  const givenName = childText(node, 0x81);
  const birth = childText(node, 0x82);
  if (!surname || givenName === null || birth === null) throw new AppError('CARD_DATA_INVALID', { reason: 'beneficiary-incomplete', index });
  const rankText = childText(node, 0x83); // MODELLED
  const rank = rankText === null ? 1 : Number(rankText);
  if (!Number.isInteger(rank) || rank < 1 || rank > 9) throw new AppError('CARD_DATA_INVALID', { reason: 'birth-rank', index });
  const qualityCode = childText(node, 0x85) ?? (index === 0 ? '00' : '09'); // MODELLED
  const nir = validNir(childText(node, 0x93));
  return {
    index,
    surname,
    usedName: childText(node, 0x84) || null, // MODELLED
    givenName,
    birthDate: parseVitaleBirthDate(birth),
    birthRank: rank,
    nir,
    insuredNir,
    sex: sexOfNir(nir),
    quality: qualityOf(qualityCode),
  };
}
