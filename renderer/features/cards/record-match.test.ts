import { describe, expect, it } from 'vitest';
import { onlyMatch, sameBirthDate, sameGivenName } from './record-match';

const rec = (id: string, day: number | null, match: 'exact' | 'approx' = 'exact') => ({ id, match, birthDate: { year: 2016, month: 6, day } });

describe('record offered for a card beneficiary', () => {
  it('compares birth dates in the card’s form, unknown parts as 00', () => {
    expect(sameBirthDate({ year: 2016, month: 6, day: 2 }, '20160602')).toBe(true);
    expect(sameBirthDate({ year: 1952, month: null, day: null }, '19520000')).toBe(true);
    expect(sameBirthDate({ year: 2016, month: 6, day: 3 }, '20160602')).toBe(false);
  });

  it('offers a record only when exactly one exact match has the card’s birth date', () => {
    expect(onlyMatch([rec('a', 2), rec('a', 2), rec('b', 3)], '20160602')?.id).toBe('a');
    expect(onlyMatch([rec('a', 2), rec('b', 2)], '20160602')).toBeNull();
    expect(onlyMatch([rec('b', 3)], '20160602')).toBeNull();
    expect(onlyMatch([rec('a', 2, 'approx')], '20160602')).toBeNull();
  });

  it('takes a given name whole, never a prefix (a twin LEANE is not LEA)', () => {
    expect(sameGivenName({ firstGivenName: 'LEANE', usedGivenName: null }, 'LEA')).toBe(false);
    expect(sameGivenName({ firstGivenName: 'Léa', usedGivenName: null }, 'LEA')).toBe(true);
    expect(sameGivenName({ firstGivenName: 'MARIE-CLAIRE', usedGivenName: null }, 'MARIE CLAIRE')).toBe(true);
    expect(sameGivenName({ firstGivenName: 'JEANNE', usedGivenName: 'Jeanine' }, 'JEANINE')).toBe(true);
  });
});
