import { describe, expect, it } from 'vitest';
import type { InsiResult } from '../../contract/domains/insi';
import { normalizeStrictTraits, type StrictTraitsInput } from '../identity';
import type { TraitsQuery } from './request';
import { givenNamesOf, guidanceFor, lunarDate, runStrategy } from './strategy';
import { compareTraits } from './compare';

function traits(input: StrictTraitsInput) {
  const r = normalizeStrictTraits(input, { today: '2026-01-15' });
  if (!r.ok) throw new Error('bad');
  return r.traits;
}

const none: InsiResult = { code: '01', label: 'Aucune identite trouvee', identity: null };
const several: InsiResult = { code: '02', label: 'Plusieurs identites trouvees', identity: null };
const found: InsiResult = {
  code: '00',
  label: 'OK',
  identity: {
    active: { number: '2751263220749', key: '74', keyValid: true, matricule: '275126322074974', oid: '1.2.250.1.213.1.4.10', kind: 'TEST' },
    history: [],
    traits: { birthName: 'ADRUN', birthGivenNames: 'ZOE MARIE', firstGivenName: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCode: '63220' },
  },
};

describe('CNDA first-name strategy', () => {
  it('writes partial birth dates as lunar dates with 00', () => {
    expect(lunarDate(traits({ birthName: 'A', birthGivenNames: 'B', birthDate: '00/00/1952', sex: 'M' }).birthDate)).toBe('1952-00-00');
    expect(lunarDate(traits({ birthName: 'A', birthGivenNames: 'B', birthDate: '00/07/1952', sex: 'M' }).birthDate)).toBe('1952-07-00');
  });

  it('keeps hyphenated first names whole', () => {
    expect(givenNamesOf(traits({ birthName: 'A', birthGivenNames: 'Pierre-Alain Muriel', birthDate: '01/01/2000', sex: 'M' }))).toEqual(['PIERRE-ALAIN', 'MURIEL']);
  });

  it('stops at the first name that finds one identity, without the birth place', async () => {
    const sent: TraitsQuery[] = [];
    const outcome = await runStrategy(traits({ birthName: 'Adrun', birthGivenNames: 'Léa Zoé', birthDate: '31/12/1975', sex: 'F', birthPlaceCode: '63220' }), async (q) => {
      sent.push(q);
      return q.givenNames === 'ZOE' ? found : none;
    });
    expect(sent.map((q) => [q.givenNames, q.birthPlaceCode])).toEqual([
      ['LEA', null],
      ['ZOE', null],
    ]);
    expect(outcome.outcome).toBe('found');
  });

  it('after « several », tries the whole list, then adds the birth place', async () => {
    const sent: TraitsQuery[] = [];
    const outcome = await runStrategy(traits({ birthName: 'Martin', birthGivenNames: 'Jean Paul Marie', birthDate: '01/01/1970', sex: 'M', birthPlaceCode: '75056' }), async (q) => {
      sent.push(q);
      return q.birthPlaceCode === null ? several : found;
    });
    expect(sent.map((q) => [q.givenNames, q.birthPlaceCode])).toEqual([
      ['JEAN', null],
      ['JEAN PAUL MARIE', null],
      ['JEAN PAUL MARIE', '75056'],
    ]);
    expect(outcome.outcome).toBe('found');
  });

  it('reports « several » when an attempt found several and none resolved it', async () => {
    const outcome = await runStrategy(traits({ birthName: 'Martin', birthGivenNames: 'Jean Paul', birthDate: '01/01/1970', sex: 'M' }), async (q) => (q.givenNames === 'JEAN' ? several : none));
    expect(outcome.outcome).toBe('several');
    expect(outcome.result.code).toBe('02');
    expect(guidanceFor('several', { birthPlaceCode: null, birthGivenNames: 'JEAN PAUL' })).toMatch(/lieu de naissance/);
  });
});

describe('comparison', () => {
  it('compares local and INSi traits field by field', () => {
    const rows = compareTraits(traits({ birthName: 'Adrun', birthGivenNames: 'Zoé', birthDate: '31/12/1975', sex: 'F' }), found.identity!.traits);
    expect(rows.filter((r) => !r.same).map((r) => r.field)).toEqual(['birthGivenNames', 'birthPlaceCode']);
    expect(rows.find((r) => r.field === 'birthDate')).toMatchObject({ local: '31/12/1975', insi: '31/12/1975', same: true });
  });
});
