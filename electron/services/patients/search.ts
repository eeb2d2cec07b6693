/**
 * Search text and query building for the patient base.
 *
 * Names are folded to A–Z words (the INSi transliteration of services/identity, so that « Hélène »,
 * « HELENE » and « hélène » are one word, and « Œ » matches « OE »). Each patient has one FTS5 row
 * of words; a query word matches as a prefix (`DUP` → DUPONT). Tolerant matching looks the query
 * word up in the vocabulary through a trigram index and keeps the words within a small
 * Damerau–Levenshtein distance (DUPOMT → DUPONT), which is what spellfix-style search does, without
 * scanning the patients.
 */
import { foldForComparison, parseBirthDate, parseMatricule } from '../identity';

/** Words of a name, folded; compound words also give their joined form. */
export function searchWords(...values: Array<string | null | undefined>): string[] {
  const words = new Set<string>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    // Split on spaces, then on apostrophes/hyphens, keeping the joined form of each compound.
    for (const chunk of value.split(/\s+/)) {
      const folded = foldForComparison(chunk);
      if (folded === '') continue;
      const parts = folded.split(' ');
      for (const part of parts) words.add(part);
      if (parts.length > 1) words.add(parts.join(''));
    }
  }
  return [...words];
}

export interface ParsedQuery {
  /** Folded name words (A–Z only). */
  words: string[];
  /** Completed ISO date, or a year (birth date criteria found in the free text). */
  birthDate: { date: string } | { year: number } | null;
  /** 13-character NIR. */
  nir: string | null;
}

/**
 * Splits a free-text query into name words, a birth date (JJ/MM/AAAA, AAAA-MM-JJ, or a bare
 * year) and a NIR (13 or 15 characters).
 */
export function parseSearchQuery(text: string): ParsedQuery {
  const words: string[] = [];
  let birthDate: ParsedQuery['birthDate'] = null;
  let nir: string | null = null;
  // NIRs are often typed with spaces: try the whole digit run first.
  const compact = text.replace(/[\s.]/g, '');
  const whole = /^[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?$/i.test(compact) ? parseMatricule(compact, { requireKey: false }) : null;
  if (whole !== null && whole.ok) return { words: [], birthDate: null, nir: whole.matricule.number };

  for (const token of text.trim().split(/\s+/)) {
    if (token === '') continue;
    if (/^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$|^\d{4}-\d{2}-\d{2}$/.test(token)) {
      const normalized = token.replace(/^(\d)(?=[/.-])/, '0$1').replace(/([/.-])(\d)(?=[/.-])/, '$10$2');
      const parsed = parseBirthDate(normalized);
      if (parsed.ok) {
        birthDate = { date: parsed.birthDate.date };
        continue;
      }
    }
    if (/^(18|19|20)\d{2}$/.test(token)) {
      birthDate = { year: Number(token) };
      continue;
    }
    if (/^[0-9]{13}([0-9]{2})?$|^[0-9]{5}2[AB][0-9]{6}([0-9]{2})?$/i.test(token)) {
      const parsed = parseMatricule(token, { requireKey: false });
      if (parsed.ok) {
        nir = parsed.matricule.number;
        continue;
      }
    }
    words.push(...foldForComparison(token).split(' ').filter((w) => w !== ''));
  }
  return { words, birthDate, nir };
}

/**
 * Words of the vocabulary that a query word stands for as a prefix, when they are few: FTS5
 * answers `"w"*` by merging the doclists of every term under the prefix, which costs more than a
 * few exact terms (bench/patients-search: 0.3 ms against 0.05 ms for « MAEL »). Absent: the
 * prefix itself is searched (2- and 3-letter prefixes have their own FTS5 index).
 */
export type PrefixTerms = ReadonlyMap<string, readonly string[]>;

/** FTS5 expression for a word typed as a prefix: its few vocabulary terms, or `"w"*`. */
function prefixPhrase(word: string, terms: PrefixTerms | undefined): string[] {
  const known = terms?.get(word);
  return known !== undefined && known.length > 0 ? known.map((t) => `"${t}"`) : [`"${word}"*`];
}

const anyOf = (alternatives: readonly string[]): string => (alternatives.length === 1 ? (alternatives[0] as string) : `(${alternatives.join(' OR ')})`);

/** FTS5 query: every word must match as a prefix (words are A–Z only, quoted anyway). */
export function prefixQuery(words: readonly string[], terms?: PrefixTerms): string {
  return words.map((w) => anyOf(prefixPhrase(w, terms))).join(' AND ');
}

/** FTS5 query where each word may also be one of its tolerated variants (exact terms). */
export function tolerantQuery(words: readonly string[], variants: ReadonlyMap<string, readonly string[]>, terms?: PrefixTerms): string {
  return words.map((w) => anyOf([...new Set([...prefixPhrase(w, terms), ...(variants.get(w) ?? []).map((v) => `"${v}"`)])])).join(' AND ');
}

/** The word and every form of it with one letter removed (SymSpell-style delete neighbourhood). */
export function deleteNeighbourhood(word: string): string[] {
  const forms = new Set<string>([word]);
  if (word.length > 1) for (let i = 0; i < word.length; i += 1) forms.add(word.slice(0, i) + word.slice(i + 1));
  return [...forms];
}

/** Trigrams of a word, for the vocabulary index. */
export function trigrams(word: string): string[] {
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= word.length; i += 1) grams.add(word.slice(i, i + 3));
  return [...grams];
}

/** How many typos a word of this length tolerates: none under 4 letters, 1 up to 7, then 2. */
export function allowedEdits(word: string): number {
  if (word.length < 4) return 0;
  if (word.length < 8) return 1;
  return 2;
}

/** Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    let rowMin = Infinity;
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((d[(i - 1) * cols + j] ?? 0) + 1, (d[i * cols + j - 1] ?? 0) + 1, (d[(i - 1) * cols + j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (d[(i - 2) * cols + j - 2] ?? 0) + 1);
      d[i * cols + j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
  }
  return d[rows * cols - 1] ?? 0;
}

/**
 * Whether a vocabulary term is a tolerated variant of a query word: close to the whole term, or
 * to its beginning (the user is still typing: DUPOM → DUPONT).
 */
export function isVariant(word: string, term: string): boolean {
  const max = allowedEdits(word);
  if (max === 0 || term === word || term.startsWith(word)) return false;
  if (editDistance(word, term, max) <= max) return true;
  if (term.length > word.length) {
    for (const cut of [word.length - 1, word.length, word.length + 1]) {
      if (cut > 0 && cut <= term.length && editDistance(word, term.slice(0, cut), max) <= max) return true;
    }
  }
  return false;
}
