/**
 * The CNDA look-up strategy on first names (insi.md §1.5; padoa/tlsi-ins `insi-person.class.ts`,
 * CharlieLamatte/SAPA `InsSoapClient.java`, CNDA cases 2.06 and 2.07):
 *  1. query with each birth first name on its own, in order, until one identity is found;
 *  2. then with the whole list joined by spaces;
 *  3. when INSi answered « plusieurs identités » (02), add the birth place (COG) when known.
 * The birth place is left out of the first attempts on purpose: a COG that differs from INSi's
 * (country code in the NIR vs COG, esante-bfc FAQ Q3) would turn a match into « aucune identité ».
 * A 3-first-name patient therefore costs at most 5 calls (3 names, the list, the list + place).
 */
import type { InsiAttempt, InsiResult } from '../../contract/domains/insi';
import type { StrictTraits } from '../identity';
import type { TraitsQuery } from './request';

/** DateLunaire `AAAA-MM-JJ` with 00 for an unknown month or day (INSi_RECSANS_INS.xsd DateLunaire). */
export function lunarDate(birthDate: StrictTraits['birthDate']): string {
  const two = (n: number | null) => (n === null ? '00' : String(n).padStart(2, '0'));
  return `${String(birthDate.year).padStart(4, '0')}-${two(birthDate.month)}-${two(birthDate.day)}`;
}

/** The first names of the list; hyphenated names (PIERRE-ALAIN) stay one name. */
export function givenNamesOf(traits: Pick<StrictTraits, 'birthGivenNames' | 'firstGivenName'>): string[] {
  const list = traits.birthGivenNames.split(' ').filter((n) => n !== '');
  return list.length > 0 ? list : [traits.firstGivenName];
}

/** The ordered queries the strategy may send (it stops at the first 00). */
export function* strategyQueries(traits: StrictTraits, lastCode: () => InsiResult['code'] | null, sawSeveral: () => boolean): Generator<TraitsQuery> {
  const base = { birthName: traits.birthName, sex: traits.sex, birthDate: lunarDate(traits.birthDate) };
  const names = givenNamesOf(traits);
  for (const name of names) {
    yield { ...base, givenNames: name, birthPlaceCode: null };
    // « 02 »: another single first name cannot narrow the search; go to the list, then the place.
    if (lastCode() === '02') break;
  }
  if (names.length > 1) yield { ...base, givenNames: names.join(' '), birthPlaceCode: null };
  if (sawSeveral() && traits.birthPlaceCode !== null) yield { ...base, givenNames: names.join(' '), birthPlaceCode: traits.birthPlaceCode };
}

export interface StrategyOutcome {
  result: InsiResult;
  attempts: InsiAttempt[];
  outcome: 'found' | 'not-found' | 'several';
}

/** Runs the strategy with `search` (one INSi call per query). */
export async function runStrategy(traits: StrictTraits, search: (query: TraitsQuery) => Promise<InsiResult>): Promise<StrategyOutcome> {
  const attempts: InsiAttempt[] = [];
  let last: InsiResult | null = null;
  let several = false;
  for (const query of strategyQueries(traits, () => last?.code ?? null, () => several)) {
    last = await search(query);
    attempts.push({ givenNames: query.givenNames.split(' '), withBirthPlace: query.birthPlaceCode !== null, code: last.code });
    if (last.code === '00') return { result: last, attempts, outcome: 'found' };
    if (last.code === '02') several = true;
  }
  if (last === null) throw new TypeError('the strategy sent no query');
  // Report « several » when any attempt found several and none resolved it.
  const result: InsiResult = several && last.code !== '02' ? { code: '02', label: 'Plusieurs identites trouvees', identity: null } : last;
  return { result, attempts, outcome: several ? 'several' : 'not-found' };
}

/** French guidance for the desk after a look-up (insi.md §1.5, esante-bretagne « la gestion de l'INS »). */
export function guidanceFor(outcome: StrategyOutcome['outcome'], traits: Pick<StrictTraits, 'birthPlaceCode' | 'birthGivenNames'> | null): string {
  switch (outcome) {
    case 'found':
      return "Une identité a été trouvée. Comparez les traits champ par champ, puis acceptez-la : les traits INSi remplaceront les traits locaux. Contrôlez ensuite un justificatif d'identité pour qualifier l'identité.";
    case 'several':
      return traits === null || traits.birthPlaceCode === null
        ? "Plusieurs identités correspondent. Saisissez tous les prénoms de naissance et le lieu de naissance (code INSEE de la commune, ou 99xxx pour un pays) à partir d'un justificatif, puis relancez."
        : "Plusieurs identités correspondent, même avec tous les prénoms et le lieu de naissance. Vérifiez les traits sur un justificatif d'identité.";
    case 'not-found':
      return "Aucune identité trouvée, avec chaque prénom puis la liste complète. Vérifiez sur un justificatif le nom de naissance (et non le nom d'usage), tous les prénoms de naissance, la date et le sexe. L'identité reste provisoire.";
  }
}
