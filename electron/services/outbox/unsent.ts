/**
 * What is not sent, and why (issue 14, point 7: `pupitre queue sync` used to report success while
 * a job was held): every job still open or waiting for a person, with a reason a person can act
 * on. `needsPerson` separates what Pupitre will retry by itself from what waits for someone.
 */
import type { Liveness } from '../../platform/process';
import { toView, type JobRow, type OutboxStore } from './store';
import type { JobView } from './types';

export type UnsentReason =
  /** Dead-lettered: a person retries or cancels it. */
  | 'dead'
  /** Waits for the practitioner's card or PIN. */
  | 'blocked'
  /** This version has no such queue (written by a newer version, or a removed feature). */
  | 'queue-unavailable'
  /** Being sent by this process. */
  | 'running'
  /** Being sent by another process (the app, `pupitre serve`) or another machine. */
  | 'running-elsewhere'
  /** The last attempt failed; the next one is scheduled. */
  | 'will-retry'
  /** Its service is unreachable; it goes when the service is back. */
  | 'endpoint-offline'
  /** An earlier job of the same patient (serialisation key) goes first. */
  | 'waiting-for-earlier'
  /** Not due yet. */
  | 'scheduled';

export interface UnsentJob {
  job: JobView;
  reason: UnsentReason;
  /** French, for the screen and the terminal; no health data. */
  detail: string;
  needsPerson: boolean;
}

export interface UnsentReport {
  total: number;
  jobs: UnsentJob[];
}

export interface UnsentContext {
  store: OutboxStore;
  now: number;
  queueEndpoint(queue: string): string | undefined;
  endpointOnline(endpoint: string): boolean;
  runningHere(id: number): boolean;
  holderLiveness(owner: string | null): Liveness;
}

const NEEDS_PERSON: ReadonlySet<UnsentReason> = new Set(['dead', 'blocked', 'queue-unavailable']);

export function unsentReport(ctx: UnsentContext, limit = 200): UnsentReport {
  const total = ctx.store.unsentCount.get()?.n ?? 0;
  const jobs = ctx.store.unsent.all({ limit }).map((row) => {
    const [reason, detail] = explain(ctx, row);
    return { job: toView(row, JSON.parse(row.payload) as unknown), reason, detail, needsPerson: NEEDS_PERSON.has(reason) };
  });
  return { total, jobs };
}

function explain(ctx: UnsentContext, row: JobRow): [UnsentReason, string] {
  const lastError = row.last_error_message ?? 'échec sans détail';
  if (row.status === 'dead') return ['dead', `À traiter : ${lastError} Relancez-le ou annulez-le dans la File d'envoi.`];
  if (row.status === 'blocked') return ['blocked', row.blocked_reason ?? 'En attente de la carte du professionnel.'];
  const endpoint = ctx.queueEndpoint(row.queue);
  if (endpoint === undefined) {
    return ['queue-unavailable', "Cette version de Pupitre ne traite pas cette file d'envoi : mettez Pupitre à jour."];
  }
  if (row.status === 'running') {
    if (ctx.runningHere(row.id)) return ['running', "En cours d'envoi."];
    const elsewhere =
      ctx.holderLiveness(row.lease_owner) === 'unknown'
        ? 'En cours d’envoi par Pupitre sur un autre poste ou par une version plus ancienne ; repris ici si ce traitement ne répond plus.'
        : 'En cours d’envoi par un autre processus de Pupitre (l’application ou « pupitre serve »).';
    return ['running-elsewhere', elsewhere];
  }
  const earlier = row.serial_key === null ? undefined : ctx.store.heldBack.get({ id: row.id });
  if (earlier !== undefined) return ['waiting-for-earlier', `Attend que l'envoi n° ${earlier.id} du même patient soit parti.`];
  if (row.status === 'retry_wait') return ['will-retry', `Dernier essai en échec : ${lastError} Nouvel essai automatique prévu.`];
  if (!ctx.endpointOnline(endpoint)) return ['endpoint-offline', `Le service « ${endpoint} » est injoignable : l'envoi partira à son retour.`];
  if (row.next_attempt_at !== null && row.next_attempt_at > ctx.now) return ['scheduled', 'Envoi prévu plus tard.'];
  if (row.last_error_message !== null) return ['will-retry', `Dernier essai en échec : ${lastError} Nouvel essai automatique prévu.`];
  return ['scheduled', "En attente d'envoi."];
}
