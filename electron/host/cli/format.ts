/**
 * French presentation for the terminal (issue 13, « French for people »): dates as JJ/MM/AAAA and
 * local times, words instead of field names and codes. JSON output keeps the raw values.
 */
import type { TraitField } from '../../services/identity';

/** « 12/03/1958 » from « 1958-03-12 », an ISO timestamp (local date), or a date already French. */
export function frenchDate(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  // Already French (lunar dates « 00/00/1958 » included): never through Date, which reads MM/DD.
  if (/^\d{2}\/\d{2}\/\d{4}$/.test(value)) return value;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day !== null) return `${day[3]}/${day[2]}/${day[1]}`;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (compact !== null) return `${compact[3]}/${compact[2]}/${compact[1]}`;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? value : at.toLocaleDateString('fr-FR');
}

/** « 12/03/2026 à 14:05 », local time, from an ISO timestamp. */
export function frenchDateTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '—';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${at.toLocaleDateString('fr-FR')} à ${at.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })}`;
}

export const TRAIT_LABEL: Record<TraitField, string> = {
  birthName: 'Nom de naissance',
  birthGivenNames: 'Prénoms de naissance',
  firstGivenName: 'Premier prénom',
  usedName: 'Nom utilisé',
  usedGivenName: 'Prénom utilisé',
};

export const BIRTH_PLACE_KIND_LABEL: Record<string, string> = {
  metropole: 'métropole',
  corse: 'Corse',
  'outre-mer': 'outre-mer',
  etranger: 'étranger',
};

export const SEX_LABEL: Record<string, string> = { F: 'femme', M: 'homme', U: 'sexe indéterminé' };
