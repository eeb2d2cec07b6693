import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldForComparison, isInsiConformant, normalizeTrait, type TraitField } from '.';

const FIELDS: TraitField[] = ['birthName', 'birthGivenNames', 'firstGivenName', 'usedName', 'usedGivenName'];
/** SEL-MP-043 §3.4.1 character set, as a regex over the whole output. */
const INSI_CHARSET = /^[A-Z' -]+$/;

function ok(input: string, field: TraitField = 'birthName') {
  const result = normalizeTrait(input, field);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to normalise: ${result.error.code}`);
  return result;
}

describe('CNDA expectations (insi.md §3.1, CharlieLamatte/SAPA ConformiteTest)', () => {
  it('CNDA 2.03 cas 1: D\'ARTAGNAN DE L\'HERAULT / PIERRE-ALAIN are valid as typed', () => {
    expect(isInsiConformant("D'ARTAGNAN DE L'HERAULT", 'birthName')).toBe(true);
    expect(isInsiConformant('PIERRE-ALAIN', 'birthGivenNames')).toBe(true);
    expect(ok("D'ARTAGNAN DE L'HERAULT").steps).toEqual([]);
  });

  it('CNDA 2.03 cas 2: ADRTROIS / TOUSSAINT are valid as typed', () => {
    expect(isInsiConformant('ADRTROIS', 'birthName')).toBe(true);
    expect(isInsiConformant('TOUSSAINT', 'firstGivenName')).toBe(true);
  });

  it('CNDA 2.03 cas 3: D’ÆION / CŒUR are not sent as typed; the transliteration is shown step by step', () => {
    expect(isInsiConformant('D’ÆION', 'birthName')).toBe(false);
    expect(isInsiConformant('CŒUR', 'birthGivenNames')).toBe(false);
    const name = ok('D’ÆION');
    expect(name.value).toBe("D'AEION");
    expect(name.steps.map((s) => s.rule)).toEqual(['apostrophe', 'transliterate']);
    expect(name.steps[0]).toMatchObject({ before: 'D’ÆION', after: "D'ÆION", replacements: [{ from: '’', to: "'" }] });
    expect(name.steps[1]).toMatchObject({ before: "D'ÆION", after: "D'AEION", replacements: [{ from: 'Æ', to: 'AE' }] });
    const given = ok('CŒUR', 'birthGivenNames');
    expect(given.value).toBe('COEUR');
    expect(given.steps[0]?.replacements).toEqual([{ from: 'Œ', to: 'OE' }]);
  });

  it('SAPA invalid traits: lower case and accents are not conformant, "+" is refused with its position', () => {
    expect(isInsiConformant('ADRDEUXa', 'birthName')).toBe(false);
    expect(ok('ADRDEUXa').value).toBe('ADRDEUXA');
    expect(isInsiConformant('ADRDEUXé', 'birthName')).toBe(false);
    expect(ok('ADRDEUXé').value).toBe('ADRDEUXE');
    const plus = normalizeTrait('ADRD+EUX', 'birthName');
    expect(plus).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN_CHARACTERS', characters: [{ char: '+', position: 5, codePoint: 'U+002B' }] },
    });
    if (!plus.ok) expect(plus.error.message).toContain('« + » (position 5)');
    expect(normalizeTrait('LAUR+ENT', 'birthGivenNames')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_CHARACTERS' } });
  });

  it('an empty birth name or first name is refused (SAPA testIsValidNotOkNomNaissanceMissing)', () => {
    expect(normalizeTrait('', 'birthName')).toMatchObject({ ok: false, error: { code: 'EMPTY' } });
    expect(normalizeTrait('   ', 'firstGivenName')).toMatchObject({ ok: false, error: { code: 'EMPTY' } });
  });
});

describe('lexical rules (SEL-MP-043 §2, §3.4.1 via InsiTraitsNormalizer.php)', () => {
  it('transliterates diacritics and ligatures: Æ→AE, Œ→OE, ß→SS, Ø→O, Ł→L, ç, ñ, ÿ…', () => {
    expect(ok('Lætitia', 'firstGivenName').value).toBe('LAETITIA');
    expect(ok('Strauß').value).toBe('STRAUSS');
    expect(ok('Øster').value).toBe('OSTER');
    expect(ok('Wałęsa').value).toBe('WALESA');
    expect(ok('François', 'firstGivenName').value).toBe('FRANCOIS');
    expect(ok('Muñoz').value).toBe('MUNOZ');
    expect(ok('Haÿ').value).toBe('HAY');
    expect(ok('Ștefănescu').value).toBe('STEFANESCU');
    expect(ok('ﬁlipe', 'firstGivenName').value).toBe('FILIPE');
  });

  it('recomposes decomposed input (e + combining acute) before anything else', () => {
    const result = ok('He\u0301le\u0300ne', 'firstGivenName');
    expect(result.value).toBe('HELENE');
    expect(result.steps[0]?.rule).toBe('unicode');
  });

  it('collapses and trims spaces, and removes spaces around apostrophes and hyphens', () => {
    const result = ok("  d'  artagnan   de  l' herault ");
    expect(result.value).toBe("D'ARTAGNAN DE L'HERAULT");
    expect(result.steps.map((s) => s.rule)).toEqual(['whitespace', 'uppercase', 'separator-spacing']);
    expect(ok('Jean - Pierre', 'firstGivenName').value).toBe('JEAN-PIERRE');
    expect(ok('Dupont\u00a0Martin').value).toBe('DUPONT MARTIN');
  });

  it('replaces typographic apostrophes and dashes', () => {
    expect(ok('O‘Neil').value).toBe("O'NEIL");
    expect(ok('Marie–Claire', 'firstGivenName').value).toBe('MARIE-CLAIRE');
  });

  it('keeps the double hyphen of a « nom double » but refuses it in first names', () => {
    expect(ok('DUPONT--MARTIN').value).toBe('DUPONT--MARTIN');
    expect(normalizeTrait('JEAN--PIERRE', 'firstGivenName')).toMatchObject({ ok: false, error: { code: 'DOUBLE_HYPHEN_IN_GIVEN_NAME' } });
    expect(normalizeTrait('DUPONT---MARTIN', 'birthName')).toMatchObject({ ok: false, error: { code: 'TRIPLE_HYPHEN' } });
  });

  it('refuses a first character that is a hyphen, doubled apostrophes and apostrophe-hyphen pairs', () => {
    expect(normalizeTrait('-DUPONT', 'birthName')).toMatchObject({ ok: false, error: { code: 'LEADING_HYPHEN' } });
    expect(normalizeTrait("D''ARC", 'birthName')).toMatchObject({ ok: false, error: { code: 'DOUBLED_APOSTROPHE' } });
    expect(normalizeTrait("D'-ARC", 'birthName')).toMatchObject({ ok: false, error: { code: 'COMBINED_SEPARATORS' } });
    // a leading apostrophe is allowed by SEL-MP-043 §3.4.1 (only space and hyphen are forbidden first)
    expect(ok("'T HOOFT").value).toBe("'T HOOFT");
  });

  it('refuses a first name ending with a hyphen or an apostrophe, also inside the list', () => {
    expect(normalizeTrait('JEAN-', 'firstGivenName')).toMatchObject({ ok: false, error: { code: 'TRAILING_SEPARATOR_IN_GIVEN_NAME' } });
    expect(normalizeTrait("MARIE ANNE'", 'birthGivenNames')).toMatchObject({ ok: false, error: { code: 'TRAILING_SEPARATOR_IN_GIVEN_NAME' } });
    // a space after the apostrophe is a spacing artefact, removed as a visible step
    expect(ok("ANNE' MARIE", 'birthGivenNames')).toMatchObject({ value: "ANNE'MARIE", steps: [{ rule: 'separator-spacing' }] });
  });

  it('refuses what cannot be transliterated, listing every character and its position', () => {
    const result = normalizeTrait('Ζωή 2', 'firstGivenName');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('FORBIDDEN_CHARACTERS');
      expect(result.error.characters?.map((c) => [c.char, c.position])).toEqual([
        ['Ζ', 1],
        ['ω', 2],
        ['ή', 3],
        ['2', 5],
      ]);
    }
    expect(normalizeTrait('DUPONT.', 'birthName')).toMatchObject({ ok: false, error: { characters: [{ char: '.', position: 7 }] } });
    expect(normalizeTrait('MARTIN\u00ad', 'birthName')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN_CHARACTERS' } });
  });

  it('refuses more than 100 characters (ANS datamatrix S3/S4, Guide INS)', () => {
    expect(normalizeTrait('A'.repeat(100), 'birthName').ok).toBe(true);
    expect(normalizeTrait('A'.repeat(101), 'birthName')).toMatchObject({ ok: false, error: { code: 'TOO_LONG' } });
  });
});

describe('normalisation properties', () => {
  const latinish = fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCXYZ éèêëàâäçôöûüîïÿñÆæŒœßØøŁł’‘–—-\' \u00a0\t+.1Ω'.split('')),
    maxLength: 40,
  });
  const anything = fc.string({ unit: 'grapheme', maxLength: 30 });

  it('is idempotent: a normalised value normalises to itself with no step', () => {
    fc.assert(
      fc.property(fc.oneof(latinish, anything), fc.constantFrom(...FIELDS), (input, field) => {
        const first = normalizeTrait(input, field);
        if (!first.ok) return;
        const second = normalizeTrait(first.value, field);
        expect(second).toMatchObject({ ok: true, value: first.value, changed: false, steps: [] });
        expect(isInsiConformant(first.value, field)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('outputs only A–Z, space, apostrophe and hyphen, never starting with a space or hyphen, never longer than 100', () => {
    fc.assert(
      fc.property(fc.oneof(latinish, anything), fc.constantFrom(...FIELDS), (input, field) => {
        const result = normalizeTrait(input, field);
        if (!result.ok) {
          expect(result.error.message.length).toBeGreaterThan(0);
          return;
        }
        expect(result.value).toMatch(INSI_CHARSET);
        expect(result.value).not.toMatch(/^[ -]/);
        expect(result.value).not.toMatch(/ $| {2}|''|' | '/);
        expect(result.value.length).toBeLessThanOrEqual(100);
        // the steps chain from the input to the value
        let current = input;
        for (const step of result.steps) {
          expect(step.before).toBe(current);
          current = step.after;
        }
        expect(current).toBe(result.value);
      }),
      { numRuns: 500 },
    );
  });

  it('never drops a letter: every input letter survives as at least one letter', () => {
    fc.assert(
      fc.property(latinish, (input) => {
        const result = normalizeTrait(input, 'birthName');
        if (!result.ok) return;
        const inputLetters = Array.from(input.normalize('NFC')).filter((c) => /\p{L}/u.test(c)).length;
        const outputLetters = result.value.replace(/[^A-Z]/g, '').length;
        expect(outputLetters).toBeGreaterThanOrEqual(inputLetters);
      }),
    );
  });
});

describe('folding for search and comparison', () => {
  it('folds accents, case and separators to A–Z words', () => {
    expect(foldForComparison("d'Artagnan-de Lœuvre")).toBe('D ARTAGNAN DE LOEUVRE');
    expect(foldForComparison('Hélène')).toBe('HELENE');
  });
});
