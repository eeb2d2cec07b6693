import { describe, expect, it } from 'vitest';
import { nameLikeness, phoneticKey, probableDuplicate, typoDistance } from './likeness';
import { normalizeStrictTraits, type StrictTraits, type StrictTraitsInput } from './traits';

function traits(input: StrictTraitsInput): StrictTraits {
  const r = normalizeStrictTraits(input, { today: '2026-12-01' });
  if (!r.ok) throw new Error('invalid');
  return r.traits;
}

describe('name likeness (normalised + FONEM)', () => {
  it('tells the same letters, a typo, the same sound and another name apart', () => {
    expect(nameLikeness('DUPONT', 'DUPONT')).toBe('same');
    expect(nameLikeness('LE GALL', 'LE-GALL')).toBe('punctuation');
    expect(nameLikeness('DUPOND', 'DUPONT')).toBe('spelling');
    expect(nameLikeness('LEFEVRE', 'LEFEBVRE')).toBe('spelling');
    expect(nameLikeness('CATHERINE', 'KATHERINE')).toBe('spelling');
    expect(nameLikeness('MARTIN', 'DURAND')).toBe('different');
    // Short names tolerate no typo: LEA / LEO are two people.
    expect(nameLikeness('LEA', 'LEO')).toBe('different');
  });
  it('uses FONEM codes and an early-stopping distance', () => {
    expect(phoneticKey('Dupond')).toBe(phoneticKey('DUPONT'));
    expect(typoDistance('DUPONT', 'DUPNOT', 1)).toBe(1);
    expect(typoDistance('DUPONT', 'MARTIN', 1)).toBe(2);
  });
  it('finds DUPOND vs Dupont with the same first names, birth date and sex a probable duplicate', () => {
    const a = traits({ birthName: 'DUPOND', birthGivenNames: 'Jean Pierre', birthDate: '12/03/1984', sex: 'M' });
    const b = traits({ birthName: 'Dupont', birthGivenNames: 'JEAN PIERRE', birthDate: '12/03/1984', sex: 'M' });
    expect(probableDuplicate(a, b)).toBe(true);
    expect(probableDuplicate(a, { ...b, sex: 'F' })).toBe(false);
    expect(probableDuplicate(a, traits({ birthName: 'Dupont', birthGivenNames: 'Jean', birthDate: '13/03/1984', sex: 'M' }))).toBe(false);
    expect(probableDuplicate(a, traits({ birthName: 'Dupont', birthGivenNames: 'Paul', birthDate: '12/03/1984', sex: 'M' }))).toBe(false);
  });
});
