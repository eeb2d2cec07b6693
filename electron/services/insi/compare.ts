/**
 * Local strict traits against the traits INSi returned (TIQ), field by field, for the side-by-side
 * view the desk checks before accepting (help.surgica.fr/faq-ins: « comparer les traits »). INSi
 * traits then replace the local ones (insi.md §2.2).
 */
import type { ComparisonRow, InsiTraits } from '../../contract/domains/insi';
import { birthPlaceLabel, type StrictTraits } from '../identity';
import { lunarDate } from './strategy';

const LABELS: Record<ComparisonRow['field'], string> = {
  birthName: 'Nom de naissance',
  birthGivenNames: 'Prénoms de naissance',
  firstGivenName: 'Premier prénom de naissance',
  sex: 'Sexe',
  birthDate: 'Date de naissance',
  birthPlaceCode: 'Lieu de naissance',
};

/** `AAAA-MM-JJ` → `JJ/MM/AAAA` (00 kept for unknown parts). */
export function displayDate(lunar: string): string {
  const [y, m, d] = lunar.split('-');
  return `${d}/${m}/${y}`;
}

export function compareTraits(local: StrictTraits, insi: InsiTraits): ComparisonRow[] {
  const row = (field: ComparisonRow['field'], a: string | null, b: string | null): ComparisonRow => ({
    field,
    label: LABELS[field],
    local: a,
    insi: b,
    same: a === b,
  });
  return [
    row('birthName', local.birthName, insi.birthName),
    row('birthGivenNames', local.birthGivenNames, insi.birthGivenNames),
    row('firstGivenName', local.firstGivenName, insi.firstGivenName),
    row('sex', local.sex, insi.sex),
    row('birthDate', displayDate(lunarDate(local.birthDate)), displayDate(insi.birthDate)),
    // Shown by name (the INS birth place is the COG code at the date of birth), compared by code.
    { ...row('birthPlaceCode', local.birthPlaceCode, insi.birthPlaceCode), local: birthPlaceLabel(local.birthPlaceCode), insi: birthPlaceLabel(insi.birthPlaceCode) },
  ];
}
