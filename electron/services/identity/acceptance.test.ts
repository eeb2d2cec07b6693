/**
 * Every branch of the INSi acceptance rule (acceptance.ts): what accepts, what needs a reason and
 * a second confirmation, what blocks. The identities are the CNDA cases (insi.md §3.1) and the
 * situation of issue 13 (another child of the same carte Vitale).
 */
import { describe, expect, it } from 'vitest';
import { evaluateInsiAcceptance, type InsTraits } from './acceptance';
import { normalizeStrictTraits, type StrictTraits, type StrictTraitsInput } from './traits';

function local(input: StrictTraitsInput): StrictTraits {
  const result = normalizeStrictTraits(input, { today: '2026-12-01' });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.traits;
}

const leonardo = local({ birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', birthDate: '01/02/2014', sex: 'M', birthPlaceCode: '63220' });
const insiLeonardo: InsTraits = { birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', firstGivenName: 'LEONARDO', sex: 'M', birthDate: '2014-02-01', birthPlaceCode: '63220' };
const kinds = (r: ReturnType<typeof evaluateInsiAcceptance>) => Object.fromEntries(r.findings.filter((f) => f.severity !== 'none').map((f) => [f.field, f.kind]));

describe('INSi acceptance rule', () => {
  it('accepts identical traits', () => {
    const r = evaluateInsiAcceptance(leonardo, insiLeonardo);
    expect(r.decision).toBe('accept');
    expect(kinds(r)).toEqual({});
  });

  it('accepts what INSi only completes: the following first names, an empty birth place, unknown date parts (CNDA 2.04, 2.08)', () => {
    const ecetinsi = local({ birthName: 'ECETINSI', birthGivenNames: 'PIERRE-ALAIN', birthDate: '14/07/2009', sex: 'M' });
    const r = evaluateInsiAcceptance(ecetinsi, { birthName: 'ECETINSI', birthGivenNames: 'PIERRE-ALAIN MURIEL FLORIANT', firstGivenName: 'PIERRE-ALAIN', sex: 'M', birthDate: '2009-07-14', birthPlaceCode: '63220' });
    expect(r.decision).toBe('accept');
    expect(kinds(r)).toEqual({ givenNames: 'completed', birthPlace: 'completed' });
    const partial = local({ birthName: 'NGUYEN', birthGivenNames: 'VAN MINH', birthDate: '00/00/1952', sex: 'M' });
    const r2 = evaluateInsiAcceptance(partial, { birthName: 'NGUYEN', birthGivenNames: 'VAN MINH', firstGivenName: 'VAN', sex: 'M', birthDate: '1952-05-17', birthPlaceCode: null });
    expect(r2.decision).toBe('accept');
    expect(kinds(r2)).toEqual({ birthDate: 'completed' });
  });

  it('blocks another child of the same family: every trait but sex differs (issue 13)', () => {
    const r = evaluateInsiAcceptance(leonardo, { birthName: 'LEROUX', birthGivenNames: 'EMMA', firstGivenName: 'EMMA', sex: 'M', birthDate: '2016-09-12', birthPlaceCode: '75056' });
    expect(r.decision).toBe('block');
    expect(kinds(r)).toMatchObject({ birthName: 'different', givenNames: 'different', birthDate: 'different', birthPlace: 'different' });
    expect(r.message).toMatch(/probablement d’une autre personne/);
  });

  it('blocks when the six traits differ, sex included', () => {
    const r = evaluateInsiAcceptance(leonardo, { birthName: 'MARTIN', birthGivenNames: 'LOUISE', firstGivenName: 'LOUISE', sex: 'F', birthDate: '1990-01-01', birthPlaceCode: '13055' });
    expect(r.decision).toBe('block');
    expect(kinds(r).sex).toBe('different');
  });

  it('blocks on the sex alone', () => {
    expect(evaluateInsiAcceptance(leonardo, { ...insiLeonardo, sex: 'F' }).decision).toBe('block');
  });

  it('blocks on the birth date alone, a day/month inversion included', () => {
    expect(evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthDate: '2014-01-02' }).decision).toBe('block');
    expect(evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthDate: '2015-02-01' }).decision).toBe('block');
  });

  it('blocks when INSi knows less of the date than the local record (a day typed locally, 00 at INSi)', () => {
    const r = evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthDate: '2014-02-00' });
    expect(r.decision).toBe('block');
    expect(kinds(r).birthDate).toBe('less-precise');
  });

  it('blocks a clearly different birth name alone (a married name typed as birth name)', () => {
    const r = evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthName: 'DURAND' });
    expect(r.decision).toBe('block');
    expect(r.message).toMatch(/nom d’usage/);
  });

  it('blocks clearly different first names alone (twins share everything else)', () => {
    expect(evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthGivenNames: 'RAPHAEL', firstGivenName: 'RAPHAEL' }).decision).toBe('block');
  });

  it('blocks a birth place in another commune alone (CNDA 2.06: homonyms differ only there)', () => {
    expect(evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthPlaceCode: '75056' }).decision).toBe('block');
    expect(evaluateInsiAcceptance(local({ birthName: 'GARCIA', birthGivenNames: 'LUCAS', birthDate: '23/11/1984', sex: 'M', birthPlaceCode: '99134' }), {
      birthName: 'GARCIA', birthGivenNames: 'LUCAS', firstGivenName: 'LUCAS', sex: 'M', birthDate: '1984-11-23', birthPlaceCode: '99139',
    }).decision).toBe('block');
  });

  it('blocks two acceptable differences together (several traits differ)', () => {
    const r = evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthName: 'DE VINCY', birthGivenNames: 'LEONARDO-PIERO', firstGivenName: 'LEONARDO-PIERO' });
    expect(r.decision).toBe('block');
    expect(r.findings.filter((f) => f.severity === 'minor')).toHaveLength(2);
  });

  describe('a single acceptable difference asks for a reason and a second confirmation', () => {
    const confirm = (insi: Partial<InsTraits>, base: StrictTraits = leonardo) => {
      const r = evaluateInsiAcceptance(base, { ...insiLeonardo, ...insi });
      expect(r.decision).toBe('confirm');
      return kinds(r);
    };
    it('a hyphen, space or apostrophe in the birth name', () => expect(confirm({ birthName: 'DEVINCI' })).toEqual({ birthName: 'punctuation' }));
    it('a spelling difference in the birth name (one letter, or the same sound)', () => {
      const dupond = local({ birthName: 'DUPOND', birthGivenNames: 'JEAN', birthDate: '01/02/1960', sex: 'M' });
      const dupont = { birthName: 'DUPONT', birthGivenNames: 'JEAN', firstGivenName: 'JEAN', sex: 'M' as const, birthDate: '1960-02-01', birthPlaceCode: null };
      const r = evaluateInsiAcceptance(dupond, dupont);
      expect(r.decision).toBe('confirm');
      expect(kinds(r)).toEqual({ birthName: 'spelling' });
      expect(confirm({ birthName: 'DE VINCCI' })).toEqual({ birthName: 'spelling' });
    });
    it('a compound birth name of which the local record has one part', () => expect(confirm({ birthName: 'DE VINCI DA SILVA' })).toEqual({ birthName: 'compound' }));
    it('a hyphen between first names (compound first name)', () => {
      const base = local({ birthName: 'DUPONT', birthGivenNames: 'MARIE HELENE', birthDate: '12/03/1958', sex: 'F' });
      const r = evaluateInsiAcceptance(base, { birthName: 'DUPONT', birthGivenNames: 'MARIE-HELENE', firstGivenName: 'MARIE-HELENE', sex: 'F', birthDate: '1958-03-12', birthPlaceCode: null });
      expect(r.decision).toBe('confirm');
      expect(kinds(r)).toEqual({ givenNames: 'punctuation' });
    });
    it('the same first names in another order', () => {
      const base = local({ birthName: 'DE VINCI', birthGivenNames: 'PIERO LEONARDO', birthDate: '01/02/2014', sex: 'M', birthPlaceCode: '63220' });
      expect(confirm({ birthGivenNames: 'LEONARDO PIERO', firstGivenName: 'LEONARDO' }, base)).toEqual({ givenNames: 'order' });
    });
    it('the used first name typed as first name (found later in the INSi list)', () => {
      expect(confirm({ birthGivenNames: 'PIERO LEONARDO', firstGivenName: 'PIERO' })).toEqual({ givenNames: 'used-first-name' });
    });
    it('a first name typed locally that INSi does not list (CNDA 2.07: OLA CATARINA BELLA → CATARINA BELLA)', () => {
      const tchitchi = local({ birthName: 'TCHITCHI', birthGivenNames: 'OLA CATARINA BELLA', birthDate: '21/06/1936', sex: 'F' });
      const r = evaluateInsiAcceptance(tchitchi, { birthName: 'TCHITCHI', birthGivenNames: 'CATARINA BELLA', firstGivenName: 'CATARINA', sex: 'F', birthDate: '1936-06-21', birthPlaceCode: '63220' });
      expect(r.decision).toBe('confirm');
      expect(kinds(r)).toEqual({ givenNames: 'name-missing-in-insi', birthPlace: 'completed' });
    });
    it('a spelling difference in a first name', () => expect(confirm({ birthGivenNames: 'LEONARDOO', firstGivenName: 'LEONARDOO' })).toEqual({ givenNames: 'spelling' }));
    it('a birth place typed as today’s commune while INSi gives the commune of the date of birth', () => {
      const base = local({ birthName: 'DE VINCI', birthGivenNames: 'LEONARDO', birthDate: '01/02/2014', sex: 'M', birthPlaceCode: '01015' });
      expect(confirm({ birthPlaceCode: '01340' }, base)).toEqual({ birthPlace: 'place-history' });
    });
  });

  it('blocks two kinds of first-name difference at once', () => {
    // Another order and a spelling difference in the same list.
    const base = local({ birthName: 'DE VINCI', birthGivenNames: 'PIERO LEONARDO', birthDate: '01/02/2014', sex: 'M', birthPlaceCode: '63220' });
    const r = evaluateInsiAcceptance(base, { ...insiLeonardo, birthGivenNames: 'LEONARDOO PIERO', firstGivenName: 'LEONARDOO' });
    expect(r.decision).toBe('block');
  });

  it('blocks first names when more than one local name is missing from the INSi list', () => {
    const base = local({ birthName: 'DE VINCI', birthGivenNames: 'LEONARDO JEAN PAUL', birthDate: '01/02/2014', sex: 'M', birthPlaceCode: '63220' });
    expect(evaluateInsiAcceptance(base, insiLeonardo).decision).toBe('block');
  });

  it('says in French, field by field, what differs and what to do next', () => {
    const r = evaluateInsiAcceptance(leonardo, { ...insiLeonardo, birthName: 'DEVINCI' });
    const finding = r.findings.find((f) => f.field === 'birthName');
    expect(finding?.label).toBe('Nom de naissance');
    expect(finding?.message).toMatch(/tiret|espace|apostrophe/);
    expect(r.message).toMatch(/motif/);
  });
});
