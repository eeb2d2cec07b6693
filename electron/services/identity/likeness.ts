/**
 * How alike two names are, as identity servers compare them to find probable duplicates
 * (« doublons potentiels ») and to tell a spelling difference from another person:
 * - the INSi lexical form folded to letters (accents, case, hyphens, apostrophes and spaces
 *   ignored: « Le Gall » = « LE-GALL » = « LEGALL »);
 * - one typo (Damerau–Levenshtein distance 1: substitution, insertion, deletion, adjacent
 *   transposition) on names of four letters or more;
 * - the same French phonetic code: FONEM (Bouchard, Brard & Lavoie, « FONEM : un code de
 *   transcription phonétique pour la reconstitution automatique des familles saguenayennes »,
 *   Population 36(6), 1981), an algorithm designed for French family names, through the
 *   maintained `talisman` library (phonetics/french/fonem): DUPOND = DUPONT, LEFEVRE = LEFEBVRE,
 *   THOMAS = TOMAS, CATHERINE = KATHERINE.
 */
import fonem from 'talisman/phonetics/french/fonem.js';
import { foldForComparison } from './normalize';
import type { StrictTraits } from './traits';

/** Letters only, folded: the form two spellings of one name share. */
export function letters(name: string): string {
  return foldForComparison(name).replace(/[^A-Z]/g, '');
}

/** FONEM code of a name (letters only). */
export function phoneticKey(name: string): string {
  const l = letters(name);
  return l === '' ? '' : fonem(l);
}

/** Optimal string alignment distance, stopping early past `max`. */
export function typoDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const cols = b.length + 1;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const row: number[] = [i];
    let rowMin = i;
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[cols - 1] ?? 0;
}

export type NameLikeness = 'same' | 'punctuation' | 'spelling' | 'different';

/** Compares two names (one word or several): same, same letters, a typo or the same sound, or different. */
export function nameLikeness(a: string, b: string): NameLikeness {
  if (a === b) return 'same';
  const la = letters(a);
  const lb = letters(b);
  if (la === '' || lb === '') return 'different';
  if (la === lb) return 'punctuation';
  if (Math.min(la.length, lb.length) >= 4 && typoDistance(la, lb, 1) <= 1) return 'spelling';
  if (la[0] === lb[0] && phoneticKey(la) === phoneticKey(lb)) return 'spelling';
  return 'different';
}

/** Whether two names are alike enough to be one person's name written twice. */
export function namesAlike(a: string, b: string): boolean {
  return nameLikeness(a, b) !== 'different';
}

/** Folded words of a name or of a list of first names (« MARIE-HELENE LOUISE » → MARIE, HELENE, LOUISE). */
export function nameWords(value: string): string[] {
  return foldForComparison(value)
    .split(' ')
    .filter((w) => w !== '');
}

/**
 * A probable duplicate, as the desk sees it: same sex, same birth date, birth names alike (same
 * letters, a typo, the same sound) and first names alike (the first first names, or one of the
 * birth first names of each). DUPOND Jean ≈ DUPONT Jean, born the same day.
 */
export function probableDuplicate(a: StrictTraits, b: StrictTraits): boolean {
  if (a.sex !== b.sex || a.birthDate.date !== b.birthDate.date) return false;
  if (!namesAlike(a.birthName, b.birthName)) return false;
  if (namesAlike(a.firstGivenName, b.firstGivenName)) return true;
  const wa = nameWords(a.birthGivenNames);
  const wb = nameWords(b.birthGivenNames);
  return wa.some((x) => wb.some((y) => x.length >= 3 && namesAlike(x, y)));
}
