/**
 * Strict traits (RNIV « traits stricts ») and used traits, kept apart: INSi traits replace the
 * local strict traits, the used traits (nom/prénom utilisés) are for display only (insi.md §2.2).
 */
import type { BirthDate, Sex, StrictTraits, StrictTraitsInput, UsedTraits } from '../../contract/domains/identity';
import { foldForComparison, normalizeTrait, type NormalizationError, type NormalizationStep, type TraitField } from './normalize';

export type { BirthDate, Sex, StrictTraits, StrictTraitsInput, UsedTraits };

export type BirthDateErrorCode = 'FORMAT' | 'YEAR' | 'MONTH' | 'DAY' | 'FUTURE';

export type BirthDateParse = { ok: true; birthDate: BirthDate } | { ok: false; code: BirthDateErrorCode; message: string };

const FORMATS: Array<{ pattern: RegExp; order: 'dmy' | 'ymd' }> = [
  { pattern: /^(\d{2})[/.-](\d{2})[/.-](\d{4})$/, order: 'dmy' },
  { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, order: 'ymd' },
  { pattern: /^(\d{2})(\d{2})(\d{4})$/, order: 'dmy' },
];

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Completes a partial date per the Guide INS [EXI ID 11] (BirthDate.php, Guide INS v3.0):
 * day unknown → 01/MM/AAAA; month unknown → JJ/01/AAAA; both unknown → 31/12/AAAA. The result is
 * flagged as estimated.
 */
export function completeBirthDate(year: number, month: number | null, day: number | null): BirthDate {
  const pad = (n: number) => String(n).padStart(2, '0');
  let m: number;
  let d: number;
  if (month === null && day === null) {
    m = 12;
    d = 31;
  } else if (month === null) {
    m = 1;
    d = day ?? 1;
  } else {
    m = month;
    d = day ?? 1;
  }
  return { year, month, day, date: `${String(year).padStart(4, '0')}-${pad(m)}-${pad(d)}`, estimated: month === null || day === null };
}

/**
 * Parses a birth date typed as JJ/MM/AAAA (also with - or .), JJMMAAAA or AAAA-MM-JJ. `00` marks an
 * unknown day or month (the INSi XSD type is `DateLunaire`, so 00 components are read
 * defensively, insi.md §2.2). A date that does not exist in the calendar (e.g. 30/02, a "lunar"
 * date of the billing world) is refused: the health-identity date must be a real date [EXI ID 12].
 */
export function parseBirthDate(input: string, options: { today?: string } = {}): BirthDateParse {
  const text = input.trim();
  let year: number | undefined;
  let month = 0;
  let day = 0;
  for (const { pattern, order } of FORMATS) {
    const match = pattern.exec(text);
    if (match === null) continue;
    const [, a = '', b = '', c = ''] = match;
    if (order === 'dmy') {
      day = Number(a);
      month = Number(b);
      year = Number(c);
    } else {
      year = Number(a);
      month = Number(b);
      day = Number(c);
    }
    break;
  }
  if (year === undefined) {
    return { ok: false, code: 'FORMAT', message: 'Date de naissance illisible : saisissez-la au format JJ/MM/AAAA.' };
  }
  if (year < 1850) return { ok: false, code: 'YEAR', message: "L'année de naissance est invalide." };
  if (month > 12) return { ok: false, code: 'MONTH', message: 'Le mois de naissance est invalide (01 à 12, ou 00 si inconnu).' };
  if (day > 31 || (month !== 0 && day > daysInMonth(year, month))) {
    return {
      ok: false,
      code: 'DAY',
      message: "Ce jour n'existe pas dans le calendrier (date dite lunaire) : saisissez 00 si le jour est inconnu.",
    };
  }
  const birthDate = completeBirthDate(year, month === 0 ? null : month, day === 0 ? null : day);
  // Future only if even the earliest date compatible with the known parts is after today.
  const earliest = `${String(year).padStart(4, '0')}-${String(month || 1).padStart(2, '0')}-${String(day || 1).padStart(2, '0')}`;
  if (options.today !== undefined && earliest > options.today.slice(0, 10)) {
    return { ok: false, code: 'FUTURE', message: 'La date de naissance est dans le futur.' };
  }
  return { ok: true, birthDate };
}

/** JJ/MM/AAAA with 00 for the unknown parts: how the user typed it. */
export function formatBirthDate(birthDate: Pick<BirthDate, 'year' | 'month' | 'day'>): string {
  const pad = (n: number | null) => String(n ?? 0).padStart(2, '0');
  return `${pad(birthDate.day)}/${pad(birthDate.month)}/${String(birthDate.year).padStart(4, '0')}`;
}

/** Age in whole years at a given ISO date, from the completed birth date. */
export function ageAt(birthDate: BirthDate, isoDate: string): number {
  const [y, m, d] = birthDate.date.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = isoDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

/**
 * INSEE COG of the birth place: 5 characters, a commune (63220, 2A020, 2B020; 97xxx overseas) or
 * 99xxx for a country (insi.md §2.2). Whether the code existed at the date of birth (historical
 * COG) is not checked: the historical COG files are not bundled.
 */
export function isValidCog(code: string): boolean {
  return /^(?:\d{5}|2[AB]\d{3})$/.test(code) && code !== '00000';
}

export function parseSex(input: string): Sex | null {
  const folded = foldForComparison(input);
  if (['M', 'H', 'HOMME', 'MASCULIN', 'MASC', '1'].includes(folded) || input.trim() === '1') return 'M';
  if (['F', 'FEMME', 'FEMININ', 'FEM', '2'].includes(folded) || input.trim() === '2') return 'F';
  return null;
}

/** The first name of a space-separated list of birth first names (a hyphenated name stays whole). */
export function firstOfGivenNames(list: string): string {
  return list.trim().split(/\s+/)[0] ?? '';
}

/**
 * [EXI ID 10] (RNIV ex-EXI SI 29/30, FirstGivenNameConsistency.php): the premier prénom must match
 * the start of the list of birth first names, hyphen and apostrophe being equivalent to a space.
 */
export function isFirstGivenNameConsistent(firstGivenName: string, birthGivenNames: string): boolean {
  const canon = (s: string) => s.replace(/['-]+/g, ' ').replace(/\s+/g, ' ').trim();
  const first = canon(firstGivenName);
  const list = canon(birthGivenNames);
  if (first.length === 0) return false;
  return list === first || list.startsWith(`${first} `);
}

export interface TraitFieldError {
  field: TraitField | 'birthDate' | 'birthPlaceCode' | 'sex';
  code: string;
  message: string;
  characters?: NormalizationError['characters'];
}

export type StrictTraitsNormalization =
  | { ok: true; traits: StrictTraits; steps: Partial<Record<TraitField, NormalizationStep[]>> }
  | { ok: false; errors: TraitFieldError[]; steps: Partial<Record<TraitField, NormalizationStep[]>> };

/**
 * Normalises strict traits typed by a user or read from an import into their stored INSi form,
 * and validates every field. All errors are returned at once so that a form or an import line
 * can show them together.
 */
export function normalizeStrictTraits(input: StrictTraitsInput, options: { today?: string } = {}): StrictTraitsNormalization {
  const errors: TraitFieldError[] = [];
  const steps: Partial<Record<TraitField, NormalizationStep[]>> = {};
  const text = (field: TraitField, value: string): string => {
    const result = normalizeTrait(value, field);
    steps[field] = result.steps;
    if (result.ok) return result.value;
    errors.push({ field, code: result.error.code, message: result.error.message, ...(result.error.characters ? { characters: result.error.characters } : {}) });
    return '';
  };

  const birthName = text('birthName', input.birthName);
  const birthGivenNames = text('birthGivenNames', input.birthGivenNames);
  // The premier prénom defaults to the first of the list; when the list itself is wrong, its
  // error says it all.
  let firstGivenName = '';
  if (input.firstGivenName?.trim()) firstGivenName = text('firstGivenName', input.firstGivenName);
  else if (birthGivenNames !== '') firstGivenName = text('firstGivenName', firstOfGivenNames(birthGivenNames));
  if (birthGivenNames !== '' && firstGivenName !== '' && !isFirstGivenNameConsistent(firstGivenName, birthGivenNames)) {
    errors.push({
      field: 'firstGivenName',
      code: 'INCONSISTENT_WITH_LIST',
      message: 'Le premier prénom doit correspondre au début de la liste des prénoms de naissance.',
    });
  }

  const date = parseBirthDate(input.birthDate, options);
  if (!date.ok) errors.push({ field: 'birthDate', code: date.code, message: date.message });

  let birthPlaceCode: string | null = null;
  const rawPlace = input.birthPlaceCode?.trim().toUpperCase() ?? '';
  if (rawPlace !== '') {
    if (isValidCog(rawPlace)) birthPlaceCode = rawPlace;
    else {
      errors.push({
        field: 'birthPlaceCode',
        code: 'COG_FORMAT',
        message: 'Le lieu de naissance est un code officiel géographique INSEE de 5 caractères (commune, ou 99xxx pour un pays).',
      });
    }
  }
  if (input.sex !== 'M' && input.sex !== 'F') errors.push({ field: 'sex', code: 'SEX', message: 'Le sexe est M ou F.' });

  if (errors.length > 0 || !date.ok) return { ok: false, errors, steps };
  return {
    ok: true,
    traits: { birthName, birthGivenNames, firstGivenName, birthDate: date.birthDate, sex: input.sex, birthPlaceCode },
    steps,
  };
}

/** Used traits: kept as typed (trimmed, spaces collapsed); empty means none. */
export function cleanUsedTraits(input: Partial<UsedTraits>): UsedTraits {
  const clean = (value: string | null | undefined) => {
    const v = value?.replace(/\s+/gu, ' ').trim() ?? '';
    return v === '' ? null : v;
  };
  return { usedName: clean(input.usedName), usedGivenName: clean(input.usedGivenName) };
}

export type StrictTraitName = keyof StrictTraits;

/** The strict traits that differ between two records (birth date compared on its known parts). */
export function changedStrictTraits(a: StrictTraits, b: StrictTraits): StrictTraitName[] {
  const changed: StrictTraitName[] = [];
  if (a.birthName !== b.birthName) changed.push('birthName');
  if (a.birthGivenNames !== b.birthGivenNames) changed.push('birthGivenNames');
  if (a.firstGivenName !== b.firstGivenName) changed.push('firstGivenName');
  if (a.birthDate.year !== b.birthDate.year || a.birthDate.month !== b.birthDate.month || a.birthDate.day !== b.birthDate.day) {
    changed.push('birthDate');
  }
  if (a.sex !== b.sex) changed.push('sex');
  if (a.birthPlaceCode !== b.birthPlaceCode) changed.push('birthPlaceCode');
  return changed;
}

/**
 * Key of the traits that identify a person for duplicate detection: birth name and premier
 * prénom folded without separators, completed birth date, sex. The birth place is left out: it
 * is often unknown locally.
 */
export function strictTraitsKey(traits: Pick<StrictTraits, 'birthName' | 'firstGivenName' | 'birthDate' | 'sex'>): string {
  const fold = (s: string) => foldForComparison(s).replace(/[^A-Z]/g, '');
  return [fold(traits.birthName), fold(traits.firstGivenName), traits.birthDate.date, traits.sex].join('|');
}
