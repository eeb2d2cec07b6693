/**
 * Finding probable duplicates (« doublons potentiels ») before a record is created — at the desk,
 * from a carte Vitale, at CSV import — and after: the same strict traits, or traits alike as an
 * identity server compares them (services/identity/likeness.ts: same sex and birth date, birth
 * names and first names equal once folded, one typo apart or with the same FONEM code).
 * A pair a person declared distinct is never proposed again; merged records are not candidates.
 */
import type { PatientSummary } from '../../contract/domains/patients';
import { probableDuplicate, strictTraitsKey, type StrictTraits } from '../identity';
import type { PatientStore } from './store';

export function findProbableDuplicates(store: PatientStore, traits: StrictTraits, excludeId?: string): PatientSummary[] {
  const key = strictTraitsKey(traits);
  const found: PatientSummary[] = [];
  for (const candidate of store.sameBirth(traits.birthDate.date, traits.sex)) {
    if (candidate.id === excludeId) continue;
    const exact = strictTraitsKey(candidate.traits) === key;
    if (!exact && !probableDuplicate(traits, candidate.traits)) continue;
    if (excludeId !== undefined && store.pair(excludeId, candidate.id)?.status === 'distinct') continue;
    const summary = store.summary(candidate.id);
    if (summary !== null) found.push({ ...summary, match: exact ? 'exact' : 'approx' });
  }
  // Exact matches first: they are the likeliest.
  return found.sort((a, b) => (a.match === b.match ? 0 : a.match === 'exact' ? -1 : 1)).slice(0, 20);
}
