/** Display helpers of the File d'envoi: French labels and tones of job states, counts, dates. */
import type { JobSummary, OutboxStatus } from '../../../electron/contract/domains/outbox';
import type { Tone } from '../../ui';

export type JobStatus = JobSummary['status'];

export const STATUS_LABELS: Record<JobStatus, string> = {
  pending: 'En attente',
  running: 'En cours',
  retry_wait: 'Nouvel essai prévu',
  blocked: 'Attend la carte CPS ou CPE',
  done: 'Envoyé',
  dead: 'À traiter',
  cancelled: 'Annulé',
};

export const STATUS_TONES: Record<JobStatus, Tone> = {
  pending: 'neutral',
  running: 'info',
  retry_wait: 'warn',
  blocked: 'warn',
  done: 'ok',
  dead: 'error',
  cancelled: 'neutral',
};

export const canRetry = (job: JobSummary): boolean => ['dead', 'retry_wait', 'blocked', 'cancelled'].includes(job.status);
export const canCancel = (job: JobSummary): boolean => ['pending', 'retry_wait', 'blocked', 'dead'].includes(job.status);

/** Jobs still to be sent (waiting, running, retrying, waiting for the card), all queues. */
export function openCount(status: OutboxStatus): number {
  return status.queues.reduce((sum, q) => sum + q.pending + q.running + q.retry_wait + q.blocked, 0);
}

export interface IndicatorView {
  tone: Tone;
  text: string;
  title: string;
}

/** The top bar badge: dead jobs first (a person must act), then offline, then pending work. */
export function indicatorView(status: OutboxStatus | undefined): IndicatorView {
  if (status === undefined) return { tone: 'neutral', text: "File d'envoi : —", title: "File d'envoi" };
  const open = openCount(status);
  const notConfigured = status.endpoints.filter((e) => !e.configured);
  const unconfigured = notConfigured.map((e) => e.endpoint.toUpperCase());
  const offline = status.endpoints.filter((e) => e.configured && !e.online).map((e) => e.endpoint.toUpperCase());
  if (status.deadTotal > 0) {
    return {
      tone: 'error',
      text: `${status.deadTotal} envoi${status.deadTotal > 1 ? 's' : ''} à traiter`,
      title: "Des envois ont échoué et attendent votre décision : ouvrez la File d'envoi.",
    };
  }
  if (unconfigured.length > 0 && open > 0) {
    return {
      tone: 'warn',
      text: `${unconfigured.join(', ')} non configuré · ${open} en attente`,
      title: notConfigured.map((e) => e.setupHint ?? "L'adresse du service n'est pas encore saisie : Paramètres → Téléservices. Les envois attendent et partiront ensuite.").filter((t, i, all) => all.indexOf(t) === i).join(' '),
    };
  }
  if (offline.length > 0) {
    return {
      tone: 'warn',
      text: open > 0 ? `Hors ligne · ${open} en attente` : 'Hors ligne',
      title: `Service injoignable : ${offline.join(', ')}. Les envois partiront au retour de la connexion.`,
    };
  }
  if (open > 0) return { tone: 'info', text: `${open} envoi${open > 1 ? 's' : ''} en attente`, title: "File d'envoi" };
  return { tone: 'ok', text: "File d'envoi à jour", title: 'Tous les envois sont partis.' };
}

/** "à 14:05" today, "le 12/03 à 14:05" otherwise. */
export function formatWhen(iso: string | null, now: Date = new Date()): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  const time = date.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
  const sameDay = date.toDateString() === now.toDateString();
  return sameDay ? `à ${time}` : `le ${date.toLocaleDateString('fr-FR', { day: '2-digit', month: '2-digit' })} à ${time}`;
}

/** The state of one teleservice as the File d'envoi shows it: « non configuré » before « joignable ». */
export function endpointBadge(endpoint: OutboxStatus['endpoints'][number]): IndicatorView {
  const name = endpoint.endpoint.toUpperCase();
  if (!endpoint.configured) return { tone: 'warn', text: `${name} non configuré`, title: endpoint.setupHint ?? 'Adresse à saisir dans Paramètres → Téléservices.' };
  if (endpoint.online) return { tone: 'ok', text: `${name} joignable`, title: `Dernier succès ${formatWhen(endpoint.lastSuccessAt)}` };
  return { tone: 'warn', text: `${name} injoignable`, title: `Injoignable depuis ${formatWhen(endpoint.lastFailureAt)} ; les envois partiront au retour du service.` };
}
