/** What each RNIV status means for the desk (Guide d'implémentation de l'INS, FR Core identity status). */
import type { IdentityStatus } from '../patient/format';

export const STATUS_MEANING: Record<IdentityStatus, string> = {
  PROV: 'Ni INS récupéré par INSi, ni justificatif contrôlé.',
  RECUP: 'INS récupéré par INSi ; justificatif d’identité à contrôler (au prochain passage).',
  VALI: 'Justificatif d’identité contrôlé ; INS à récupérer par INSi.',
  QUAL: 'INS récupéré et justificatif contrôlé : l’INS peut être utilisé pour échanger et partager (DMP).',
};

export const WORKLIST_ITEM_LABELS = {
  pending: 'en attente',
  found: 'INS récupéré',
  'not-found': 'aucune identité',
  several: 'plusieurs identités',
  error: 'erreur',
  skipped: 'non interrogé',
} as const;
