/**
 * Lexical normalisation of identity traits for INSi and the INS datamatrix.
 *
 * Rules (insi.md §1.7):
 * - SEL-MP-043 §2 « Limitations du téléservice » and §3.4.1 (EF_INS01_03, EF_INS10_01/02), as
 *   cited by `lsoulier42/healthcare-domain: src/Identity/Service/InsiTraitsNormalizer.php`:
 *   only upper-case A–Z, space, apostrophe (ASCII 39) and hyphen (single or double); no lower
 *   case, diacritics or ligatures; the first character is not a space or a hyphen; a space and an
 *   apostrophe are never doubled or combined;
 * - first names: no double hyphen and no trailing hyphen or apostrophe (same source);
 * - ANS « Format datamatrix INS » §5 (S3/S4): upper case without diacritics, hyphen and
 *   apostrophe allowed, at most 100 characters;
 * - characters that cannot be transliterated are never dropped silently: the value is rejected
 *   with the offending characters and their positions.
 *
 * Every transformation is returned as a step, so that the user sees what will be sent (CNDA 2.03
 * cas 3: `D’ÆION` / `CŒUR` must not go out as typed).
 */

export type TraitField = 'birthName' | 'birthGivenNames' | 'firstGivenName' | 'usedName' | 'usedGivenName';

/** Family names may carry a double hyphen (« nom double »); first names may not. */
type LexicalProfile = 'name' | 'givenName';

const PROFILE: Record<TraitField, LexicalProfile> = {
  birthName: 'name',
  usedName: 'name',
  birthGivenNames: 'givenName',
  firstGivenName: 'givenName',
  usedGivenName: 'givenName',
};

export const TRAIT_FIELD_LABEL: Record<TraitField, string> = {
  birthName: 'le nom de naissance',
  birthGivenNames: 'la liste des prénoms de naissance',
  firstGivenName: 'le premier prénom de naissance',
  usedName: 'le nom utilisé',
  usedGivenName: 'le prénom utilisé',
};

/** ANS datamatrix S3/S4 and ANS guide: at most 100 characters. */
export const MAX_TRAIT_LENGTH = 100;

export type NormalizationRule = 'unicode' | 'whitespace' | 'apostrophe' | 'hyphen' | 'transliterate' | 'uppercase' | 'separator-spacing';

export interface NormalizationStep {
  rule: NormalizationRule;
  /** French description for the user. */
  label: string;
  before: string;
  after: string;
  /** For `transliterate`, `apostrophe` and `hyphen`: which characters became what. */
  replacements?: Array<{ from: string; to: string }>;
}

export type NormalizationErrorCode =
  | 'EMPTY'
  | 'FORBIDDEN_CHARACTERS'
  | 'TOO_LONG'
  | 'LEADING_HYPHEN'
  | 'DOUBLED_APOSTROPHE'
  | 'COMBINED_SEPARATORS'
  | 'TRIPLE_HYPHEN'
  | 'DOUBLE_HYPHEN_IN_GIVEN_NAME'
  | 'TRAILING_SEPARATOR_IN_GIVEN_NAME';

export interface ForbiddenCharacter {
  char: string;
  /** 1-based position in the value as typed (after Unicode composition), counted in characters. */
  position: number;
  codePoint: string;
}

export interface NormalizationError {
  code: NormalizationErrorCode;
  /** French: what is wrong and what to do. */
  message: string;
  characters?: ForbiddenCharacter[];
}

export type NormalizationResult =
  | { ok: true; field: TraitField; input: string; value: string; changed: boolean; steps: NormalizationStep[] }
  | { ok: false; field: TraitField; input: string; error: NormalizationError; steps: NormalizationStep[] };

/** Letters that Unicode does not decompose into a base letter plus marks. */
const LIGATURES: Readonly<Record<string, string>> = {
  Æ: 'AE',
  æ: 'ae',
  Œ: 'OE',
  œ: 'oe',
  ß: 'ss',
  ẞ: 'SS',
  Ø: 'O',
  ø: 'o',
  Đ: 'D',
  đ: 'd',
  Ð: 'D',
  ð: 'd',
  Ł: 'L',
  ł: 'l',
  Þ: 'TH',
  þ: 'th',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
  Ŋ: 'N',
  ŋ: 'n',
  Ĳ: 'IJ',
  ĳ: 'ij',
};

/** Typographic apostrophes and quotes typed or pasted instead of ASCII 39. */
const APOSTROPHES = new Set(['\u2019', '\u2018', '\u02BC', '\u02B9', '\u0060', '\u00B4', '\u2032', '\uFF07', '\u201B']);
/** Hyphen and dash variants typed or pasted instead of ASCII 45. */
const HYPHENS = new Set(['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\uFE63', '\uFF0D']);

const COMBINING_MARKS = /[\u0300-\u036f]/g;

type CharClass =
  | { kind: 'kept' }
  | { kind: 'whitespace' }
  | { kind: 'apostrophe' }
  | { kind: 'hyphen' }
  | { kind: 'transliterated'; to: string }
  | { kind: 'forbidden' };

function classify(char: string): CharClass {
  if (/^[A-Za-z' -]$/.test(char)) return { kind: 'kept' };
  if (/^\s$/u.test(char)) return { kind: 'whitespace' };
  if (APOSTROPHES.has(char)) return { kind: 'apostrophe' };
  if (HYPHENS.has(char)) return { kind: 'hyphen' };
  const ligature = LIGATURES[char];
  if (ligature !== undefined) return { kind: 'transliterated', to: ligature };
  // Base letter + combining marks (é → e + ◌́), and compatibility forms (ﬁ → fi, Ａ → A).
  const base = char.normalize('NFKD').replace(COMBINING_MARKS, '');
  if (base.length > 0 && /^[A-Za-z]+$/.test(base)) return { kind: 'transliterated', to: base };
  return { kind: 'forbidden' };
}

function codePointLabel(char: string): string {
  return `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

function uniquePairs(pairs: Array<{ from: string; to: string }>): Array<{ from: string; to: string }> {
  const seen = new Set<string>();
  return pairs.filter((pair) => {
    const key = `${pair.from}\u0000${pair.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Normalises one trait for INSi. The result is either the value to send with the list of steps
 * that produced it, or a precise error (which characters, where, which rule).
 */
export function normalizeTrait(input: string, field: TraitField): NormalizationResult {
  const steps: NormalizationStep[] = [];
  const fail = (error: NormalizationError): NormalizationResult => ({ ok: false, field, input, error, steps });
  const label = TRAIT_FIELD_LABEL[field];
  const Label = label.charAt(0).toUpperCase() + label.slice(1);

  let value = input;
  const composed = value.normalize('NFC');
  if (composed !== value) {
    steps.push({ rule: 'unicode', label: 'Caractères recomposés (forme Unicode NFC)', before: value, after: composed });
    value = composed;
  }

  const chars = Array.from(value);
  const forbidden: ForbiddenCharacter[] = [];
  chars.forEach((char, index) => {
    if (classify(char).kind === 'forbidden') forbidden.push({ char, position: index + 1, codePoint: codePointLabel(char) });
  });
  if (forbidden.length > 0) {
    const list = forbidden.map((f) => `« ${f.char} » (position ${f.position})`).join(', ');
    return fail({
      code: 'FORBIDDEN_CHARACTERS',
      message: `${Label} contient ${forbidden.length > 1 ? 'des caractères' : 'un caractère'} impossible${forbidden.length > 1 ? 's' : ''} à transmettre à l'INSi : ${list}. Seules les lettres, l'espace, l'apostrophe et le trait d'union sont acceptés ; corrigez la saisie.`,
      characters: forbidden,
    });
  }

  const apply = (rule: NormalizationRule, stepLabel: string, map: (char: string) => string | null): void => {
    const replacements: Array<{ from: string; to: string }> = [];
    const after = Array.from(value)
      .map((char) => {
        const to = map(char);
        if (to === null) return char;
        replacements.push({ from: char, to });
        return to;
      })
      .join('');
    if (after !== value) {
      steps.push({ rule, label: stepLabel, before: value, after, replacements: uniquePairs(replacements) });
      value = after;
    }
  };

  // Whitespace: any space-like character becomes a space; trimmed; runs collapsed.
  {
    const after = value.replace(/\s+/gu, ' ').trim();
    if (after !== value) {
      steps.push({ rule: 'whitespace', label: 'Espaces superflus supprimés (début, fin, espaces multiples)', before: value, after });
      value = after;
    }
  }
  apply('apostrophe', 'Apostrophe typographique remplacée par l’apostrophe simple', (char) => (APOSTROPHES.has(char) ? "'" : null));
  apply('hyphen', 'Tiret typographique remplacé par le trait d’union', (char) => (HYPHENS.has(char) ? '-' : null));
  apply('transliterate', 'Accents, cédilles et ligatures translittérés', (char) => {
    const cls = classify(char);
    return cls.kind === 'transliterated' ? cls.to : null;
  });
  {
    const after = value.toUpperCase();
    if (after !== value) {
      steps.push({ rule: 'uppercase', label: 'Passage en majuscules', before: value, after });
      value = after;
    }
  }
  {
    // SEL-MP-043 §3.4.1: a space is never combined with an apostrophe; a space around a hyphen is
    // a typing artefact ("JEAN - PIERRE").
    const after = value.replace(/ *(['-]+) */g, '$1');
    if (after !== value) {
      steps.push({ rule: 'separator-spacing', label: 'Espaces autour des apostrophes et traits d’union supprimés', before: value, after });
      value = after;
    }
  }

  if (value.length === 0) return fail({ code: 'EMPTY', message: `${Label} est vide : complétez ce champ.` });
  if (value.length > MAX_TRAIT_LENGTH) {
    return fail({ code: 'TOO_LONG', message: `${Label} dépasse ${MAX_TRAIT_LENGTH} caractères : vérifiez la saisie.` });
  }
  if (value.startsWith('-')) {
    return fail({ code: 'LEADING_HYPHEN', message: `${Label} ne peut pas commencer par un trait d'union : corrigez la saisie.` });
  }
  if (value.includes("''")) {
    return fail({ code: 'DOUBLED_APOSTROPHE', message: `${Label} contient deux apostrophes de suite : corrigez la saisie.` });
  }
  if (/'-|-'/.test(value)) {
    return fail({ code: 'COMBINED_SEPARATORS', message: `${Label} accole une apostrophe et un trait d'union : corrigez la saisie.` });
  }
  if (value.includes('---')) {
    return fail({ code: 'TRIPLE_HYPHEN', message: `${Label} contient plus de deux traits d'union de suite : corrigez la saisie.` });
  }
  if (PROFILE[field] === 'givenName') {
    if (value.includes('--')) {
      return fail({
        code: 'DOUBLE_HYPHEN_IN_GIVEN_NAME',
        message: `${Label} contient un double trait d'union, réservé aux noms de famille : corrigez la saisie.`,
      });
    }
    if (/['-]( |$)/.test(value)) {
      return fail({
        code: 'TRAILING_SEPARATOR_IN_GIVEN_NAME',
        message: `Un prénom se termine par un trait d'union ou une apostrophe (${label}) : corrigez la saisie.`,
      });
    }
  }
  return { ok: true, field, input, value, changed: value !== input, steps };
}

/** True when the value can be sent to INSi exactly as it is (no transformation, no error). */
export function isInsiConformant(value: string, field: TraitField): boolean {
  const result = normalizeTrait(value, field);
  return result.ok && !result.changed;
}

/** Folds a name for searching and comparing: the INSi form without separators, or null if impossible. */
export function foldForComparison(value: string): string {
  return Array.from(value.normalize('NFC'))
    .map((char) => {
      const cls = classify(char);
      if (cls.kind === 'kept') return /[A-Za-z]/.test(char) ? char : ' ';
      if (cls.kind === 'transliterated') return cls.to;
      return ' ';
    })
    .join('')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .trim();
}
