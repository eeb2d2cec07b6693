/** Display helpers for identities: French labels, partial birth dates, RNIV status tones. */
import type { Tone } from '../../ui';

export type IdentityStatus = 'PROV' | 'RECUP' | 'VALI' | 'QUAL';

/** RNIV statuses as the Guide d'implémentation de l'INS names them for users. */
export const STATUS_LABELS: Record<IdentityStatus, string> = {
  PROV: 'Provisoire',
  RECUP: 'Récupérée',
  VALI: 'Validée',
  QUAL: 'Qualifiée',
};

export const STATUS_TONES: Record<IdentityStatus, Tone> = { PROV: 'warn', RECUP: 'info', VALI: 'info', QUAL: 'ok' };

export const SEX_LABELS = { M: 'Masculin', F: 'Féminin' } as const;

export interface BirthDateView {
  year: number;
  month: number | null;
  day: number | null;
}

/** JJ/MM/AAAA with 00 for an unknown day or month (RNIV: dates « lunaires » kept as typed). */
export function formatBirthDate(date: BirthDateView): string {
  const two = (n: number | null) => (n === null ? '00' : String(n).padStart(2, '0'));
  return `${two(date.day)}/${two(date.month)}/${String(date.year).padStart(4, '0')}`;
}

export function displayName(p: { birthName: string; usedName: string | null; firstGivenName: string; usedGivenName: string | null }): string {
  const used = p.usedName !== null && p.usedName !== '' && p.usedName !== p.birthName ? ` (${p.usedName})` : '';
  const given = p.usedGivenName !== null && p.usedGivenName !== '' ? p.usedGivenName : p.firstGivenName;
  return `${p.birthName}${used} ${given}`;
}

export const ATTRIBUTE_LABELS = { homonyme: 'Homonyme', douteuse: 'Douteuse', fictive: 'Fictive' } as const;

/** NIR shown in groups, as on the carte Vitale: 1 84 12 76 451 089 46. */
export function formatMatricule(matricule: string, key?: string): string {
  const m = matricule.replace(/\s/g, '');
  const groups = [m.slice(0, 1), m.slice(1, 3), m.slice(3, 5), m.slice(5, 7), m.slice(7, 10), m.slice(10, 13)].filter((g) => g !== '');
  return key === undefined ? groups.join(' ') : `${groups.join(' ')} ${key}`;
}
