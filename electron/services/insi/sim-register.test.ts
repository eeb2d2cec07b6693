/**
 * The INSi simulator normalises the demo identities itself (it imports no product service): its
 * register must hold each of them in the INSi form the identity service gives the same traits, or
 * the simulator would answer 01 where INSi answers 00. Two independent readings checked against
 * each other, and the NIR keys against the identity service's.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_PATIENTS } from '../../../fixtures/data/demo-patients';
import { defaultRegister, knownAbsent } from '../../../fixtures/sim/insi';
import { nirKey } from '../../../fixtures/sim/insi/identities';
import { computeMatriculeKey, normalizeStrictTraits } from '../identity';

const lunar = (d: { year: number; month: number | null; day: number | null }): string =>
  `${d.year}-${String(d.month ?? 0).padStart(2, '0')}-${String(d.day ?? 0).padStart(2, '0')}`;

describe('the INSi simulator’s register against the identity service', () => {
  const register = defaultRegister();

  it('holds every demo identity INSi knows in the form the identity service normalises it to', () => {
    const known = DEMO_PATIENTS.filter((d) => d.insi.codeCR === '00' && register.some((r) => r.key === d.demoId));
    // The demo identities INSi answers 00 for, all in the register (the vitale family and the second DE VINCI come on top).
    expect(known.map((d) => d.demoId)).toEqual(DEMO_PATIENTS.filter((d) => d.insi.codeCR === '00').map((d) => d.demoId));
    for (const demo of known) {
      const normalised = normalizeStrictTraits({ ...demo.strictTraits, ...demo.insi.returnedTraits }, { today: '2026-01-15' });
      if (!normalised.ok) throw new Error(`${demo.demoId}: ${JSON.stringify(normalised.errors)}`);
      const t = normalised.traits;
      const entry = register.find((r) => r.key === demo.demoId)!;
      expect(entry.traits, demo.demoId).toEqual({
        birthName: t.birthName,
        givenNames: t.birthGivenNames.split(' '),
        sex: t.sex,
        birthDate: lunar(t.birthDate),
        birthPlaceCode: t.birthPlaceCode,
      });
    }
  });

  it('answers 01 for the identities INSi does not know, read the same way', () => {
    const expected = DEMO_PATIENTS.filter((d) => d.insi.codeCR !== '00' && d.demoId !== 'cnda-2.06').flatMap((d) => {
      const n = normalizeStrictTraits(d.strictTraits, { today: '2026-01-15' });
      return n.ok ? [{ birthName: n.traits.birthName, birthDate: lunar(n.traits.birthDate) }] : [];
    });
    expect(knownAbsent()).toEqual(expected);
  });

  it('computes NIR keys as the identity service does, Corsica included', () => {
    for (const number of ['2070585756270', '1840199134007', '297022A020778', '160012B020777', '1750163220123']) {
      expect(nirKey(number), number).toBe(computeMatriculeKey(number));
    }
  });
});
