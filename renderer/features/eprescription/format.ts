/** French labels of the ordonnance numérique screens (no codes shown to the user). */
import type { Tone } from '../../ui';

export type DeliveryState = 'queued' | 'sending' | 'waiting-card' | 'done' | 'failed' | 'cancelled' | 'not-sent';

export const REGISTRATION_LABELS: Record<DeliveryState, { tone: Tone; label: string }> = {
  queued: { tone: 'info', label: 'Transmission en attente' },
  sending: { tone: 'info', label: 'Transmission en cours' },
  'waiting-card': { tone: 'warn', label: 'Attend la carte' },
  done: { tone: 'ok', label: 'Enregistrée dans la base' },
  failed: { tone: 'error', label: 'Échec de la transmission' },
  cancelled: { tone: 'neutral', label: 'Transmission annulée' },
  'not-sent': { tone: 'neutral', label: 'Non transmise' },
};

export const DMP_LABELS: Record<DeliveryState, { tone: Tone; label: string }> = {
  queued: { tone: 'info', label: 'Copie DMP en attente' },
  sending: { tone: 'info', label: 'Copie DMP en cours d’envoi' },
  'waiting-card': { tone: 'warn', label: 'Copie DMP : attend la carte' },
  done: { tone: 'ok', label: 'Copie dans le DMP' },
  failed: { tone: 'error', label: 'Copie DMP en échec' },
  cancelled: { tone: 'neutral', label: 'Copie DMP annulée' },
  'not-sent': { tone: 'neutral', label: 'Pas de copie DMP' },
};

export const EXECUTION_LABELS: Record<DeliveryState, { tone: Tone; label: string }> = {
  queued: { tone: 'info', label: 'Transmission à la base en attente' },
  sending: { tone: 'info', label: 'Transmission en cours' },
  'waiting-card': { tone: 'warn', label: 'Attend la carte du pharmacien' },
  done: { tone: 'ok', label: 'Transmise à la base' },
  failed: { tone: 'error', label: 'Échec de la transmission' },
  cancelled: { tone: 'neutral', label: 'Transmission annulée' },
  'not-sent': { tone: 'neutral', label: 'Non transmise' },
};

export const STATUS_TONES: Record<string, Tone> = {
  'non dispensée': 'info',
  'partiellement dispensée': 'warn',
  dispensée: 'ok',
  annulée: 'error',
};

export const COMPLETENESS_LABELS: Record<string, string> = {
  FFC: 'Première délivrance, complète',
  FFP: 'Première délivrance, partielle',
  RFC: 'Renouvellement, complet',
  RFP: 'Renouvellement, partiel',
};

export const DOSE_UNITS = ['comprimé', 'gélule', 'sachet', 'application', 'goutte', 'bouffée', 'suppositoire', 'ampoule', 'dose', 'patch', 'cuillère', 'mL', 'mg', 'g', 'UI'] as const;

export const NON_SUBSTITUTION = { MTE: 'MTE — marge thérapeutique étroite', EFG: 'EFG — enfant < 6 ans, pas de forme adaptée', CIF: 'CIF — contre-indication formelle à un excipient' } as const;

export function frDateTime(iso: string | null): string {
  return iso === null ? '' : new Date(iso).toLocaleString('fr-FR', { dateStyle: 'short', timeStyle: 'short' });
}

export function frDate(isoDay: string | null): string {
  if (isoDay === null) return '';
  const [y, m, d] = isoDay.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

/** base64 → bytes. */
export function bytesOf(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
