import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  changedStrictTraits,
  cleanUsedTraits,
  completeBirthDate,
  formatBirthDate,
  isFirstGivenNameConsistent,
  isValidCog,
  normalizeStrictTraits,
  parseBirthDate,
  parseSex,
  strictTraitsKey,
} from '.';

describe('birth date', () => {
  it('reads JJ/MM/AAAA, JJ-MM-AAAA, JJ.MM.AAAA, JJMMAAAA and AAAA-MM-JJ', () => {
    for (const text of ['17/06/2001', '17-06-2001', '17.06.2001', '17062001', '2001-06-17']) {
      expect(parseBirthDate(text)).toEqual({ ok: true, birthDate: { year: 2001, month: 6, day: 17, date: '2001-06-17', estimated: false } });
    }
  });

  it('completes partial dates per [EXI ID 11] and flags them as estimated', () => {
    expect(parseBirthDate('00/03/1950')).toMatchObject({ ok: true, birthDate: { month: 3, day: null, date: '1950-03-01', estimated: true } });
    expect(parseBirthDate('15/00/1950')).toMatchObject({ ok: true, birthDate: { month: null, day: 15, date: '1950-01-15', estimated: true } });
    expect(parseBirthDate('00/00/1950')).toMatchObject({ ok: true, birthDate: { month: null, day: null, date: '1950-12-31', estimated: true } });
    expect(parseBirthDate('1950-00-00')).toMatchObject({ ok: true, birthDate: { date: '1950-12-31', estimated: true } });
  });

  it('refuses a date that does not exist in the calendar (lunar date, [EXI ID 12]) and future dates', () => {
    expect(parseBirthDate('30/02/1980')).toMatchObject({ ok: false, code: 'DAY' });
    expect(parseBirthDate('29/02/1981')).toMatchObject({ ok: false, code: 'DAY' });
    expect(parseBirthDate('29/02/1980')).toMatchObject({ ok: true });
    expect(parseBirthDate('01/13/1980')).toMatchObject({ ok: false, code: 'MONTH' });
    expect(parseBirthDate('1981-01-32')).toMatchObject({ ok: false, code: 'DAY' });
    expect(parseBirthDate('198z-01-01')).toMatchObject({ ok: false, code: 'FORMAT' });
    expect(parseBirthDate('01/01/2027', { today: '2026-11-22' })).toMatchObject({ ok: false, code: 'FUTURE' });
    // born this year, month unknown: completed to 31/12 but not in the future
    expect(parseBirthDate('00/00/2026', { today: '2026-11-22' })).toMatchObject({ ok: true, birthDate: { date: '2026-12-31' } });
  });

  it('round-trips through its JJ/MM/AAAA display with 00 for unknown parts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1900, max: 2026 }),
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 28 }), { nil: null }),
        (year, month, day) => {
          const date = completeBirthDate(year, month, day);
          expect(parseBirthDate(formatBirthDate(date))).toEqual({ ok: true, birthDate: date });
        },
      ),
    );
  });
});

describe('other strict traits', () => {
  it('validates COG codes: communes, Corsica, overseas, countries', () => {
    for (const code of ['63220', '2A020', '2B020', '97411', '99100']) expect(isValidCog(code)).toBe(true);
    for (const code of ['6322', '2C020', '00000', 'ABCDE', '632200']) expect(isValidCog(code)).toBe(false);
  });

  it('reads the sex as exports write it', () => {
    expect(['M', 'm', 'H', 'Homme', 'masculin', '1'].map(parseSex)).toEqual(['M', 'M', 'M', 'M', 'M', 'M']);
    expect(['F', 'Femme', 'Féminin', '2'].map(parseSex)).toEqual(['F', 'F', 'F', 'F']);
    expect(parseSex('X')).toBeNull();
  });

  it('checks the premier prénom against the start of the list, hyphen and apostrophe as spaces ([EXI ID 10])', () => {
    expect(isFirstGivenNameConsistent('PIERRE-ALAIN', 'PIERRE-ALAIN MURIEL FLORIANT')).toBe(true);
    expect(isFirstGivenNameConsistent('PIERRE ALAIN', 'PIERRE-ALAIN MURIEL')).toBe(true);
    expect(isFirstGivenNameConsistent('CATARINA', 'CATARINA BELLA')).toBe(true);
    expect(isFirstGivenNameConsistent('BELLA', 'CATARINA BELLA')).toBe(false);
    expect(isFirstGivenNameConsistent('CATA', 'CATARINA BELLA')).toBe(false);
  });
});

describe('normalizeStrictTraits', () => {
  it('normalises a typed identity into its INSi form and takes the first name of the list by default', () => {
    const result = normalizeStrictTraits({
      birthName: "d'Artagnan de l'Hérault",
      birthGivenNames: 'Pierre-Alain  Muriel',
      birthDate: '17/06/2001',
      sex: 'M',
      birthPlaceCode: '63220',
    });
    expect(result).toMatchObject({
      ok: true,
      traits: {
        birthName: "D'ARTAGNAN DE L'HERAULT",
        birthGivenNames: 'PIERRE-ALAIN MURIEL',
        firstGivenName: 'PIERRE-ALAIN',
        birthDate: { date: '2001-06-17', estimated: false },
        sex: 'M',
        birthPlaceCode: '63220',
      },
    });
    expect(result.steps.birthName?.map((s) => s.rule)).toEqual(['transliterate', 'uppercase']);
  });

  it('returns every invalid field at once, without values', () => {
    const result = normalizeStrictTraits({
      birthName: 'DUP0NT',
      birthGivenNames: 'JEAN',
      firstGivenName: 'PAUL',
      birthDate: '31/04/1980',
      sex: 'M',
      birthPlaceCode: '1234',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => [e.field, e.code])).toEqual([
        ['birthName', 'FORBIDDEN_CHARACTERS'],
        ['firstGivenName', 'INCONSISTENT_WITH_LIST'],
        ['birthDate', 'DAY'],
        ['birthPlaceCode', 'COG_FORMAT'],
      ]);
    }
  });

  it('keeps used traits apart, as typed', () => {
    expect(cleanUsedTraits({ usedName: '  Martin  épouse Dupont ', usedGivenName: '' })).toEqual({ usedName: 'Martin épouse Dupont', usedGivenName: null });
  });

  it('compares strict traits field by field and keys duplicates on folded name, first name, date and sex', () => {
    const a = normalizeStrictTraits({ birthName: "D'ARC", birthGivenNames: 'JEANNE', birthDate: '06/01/1912', sex: 'F' });
    const b = normalizeStrictTraits({ birthName: 'DARC', birthGivenNames: 'JEANNE MARIE', birthDate: '06/01/1912', sex: 'F', birthPlaceCode: '88160' });
    if (!a.ok || !b.ok) throw new Error('fixtures must normalise');
    expect(changedStrictTraits(a.traits, b.traits)).toEqual(['birthName', 'birthGivenNames', 'birthPlaceCode']);
    expect(strictTraitsKey(a.traits)).toBe(strictTraitsKey(b.traits));
    expect(strictTraitsKey(a.traits)).toBe('DARC|JEANNE|1912-01-06|F');
  });
});
