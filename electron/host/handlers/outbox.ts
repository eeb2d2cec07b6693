/**
 * Contract handlers of the outbox domain: the File d'envoi screen and `pupitre queue`. The job
 * payload never crosses the boundary (it may hold health data): only its subject does.
 */
import { AppError } from '../../contract';
import type { JobSummary } from '../../contract/domains/outbox';
import type { JobView, Outbox } from '../../services/outbox';
import type { DoctorCheck } from '../doctor';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

/** Jobs listed in a sync report; the total is always given. */
const UNSENT_LIMIT = 100;

export interface OutboxHandlerOptions {
  /** Who acts, for the audit trail (the card holder once a card session exists). */
  actor?: () => string;
  /** Longest wait of "Synchroniser maintenant" before answering (ms); default 15 s. */
  syncWaitMs?: number;
  /** « NOM PRÉNOM » of the jobs' patients (patients service), so the screen names them. */
  patientNames?: (ids: readonly string[]) => Map<string, string>;
}

export function toJobSummary(outbox: Outbox, job: JobView): JobSummary {
  return {
    id: job.id,
    queue: job.queue,
    queueLabel: outbox.queueLabel(job.queue),
    serialKey: job.serialKey,
    subject: job.subject,
    status: job.status,
    attempts: job.attempts,
    nextAttemptAt: job.nextAttemptAt,
    lastErrorCode: job.lastErrorCode,
    lastErrorMessage: job.lastErrorMessage,
    outcomeUnknown: job.outcomeUnknown,
    blockedReason: job.blockedReason,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
}

export function createOutboxHandlers(outbox: Outbox, options: OutboxHandlerOptions = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  const syncWaitMs = options.syncWaitMs ?? 15_000;
  return {
    'outbox.status': () => outbox.status(),
    'outbox.list': ({ queue, status, patientId, limit }) => {
      const jobs = outbox.list({
        limit,
        ...(queue === undefined ? {} : { queue }),
        ...(status === undefined ? {} : { status }),
        ...(patientId === undefined ? {} : { patientId }),
      });
      const names = options.patientNames?.(jobs.map((j) => j.subject.patientId).filter((id): id is string => id !== undefined)) ?? new Map<string, string>();
      return {
        jobs: jobs.map((job) => ({ ...toJobSummary(outbox, job), patientName: job.subject.patientId === undefined ? null : (names.get(job.subject.patientId) ?? null) })),
      };
    },
    'outbox.get': ({ id }) => {
      const job = outbox.get(id);
      if (job === null) throw new AppError('OUTBOX_JOB_NOT_FOUND', { id });
      return { job: toJobSummary(outbox, job), attempts: outbox.attempts(id) };
    },
    'outbox.retry': ({ id }) => ({ job: toJobSummary(outbox, outbox.retry(id, actor())) }),
    'outbox.cancel': ({ id }) => ({ job: toJobSummary(outbox, outbox.cancel(id, actor())) }),
    'outbox.sync': async () => {
      // The screen waits for a short while, not for a queue of hundreds of documents: the rest
      // goes on in the background and the counts follow by events.
      const doneBefore = outbox.counts().reduce((sum, q) => sum + q.done, 0);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        outbox.syncNow(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, syncWaitMs);
        }),
      ]);
      clearTimeout(timer);
      const status = outbox.status();
      const unsent = outbox.unsent(UNSENT_LIMIT);
      return {
        ...status,
        sent: status.queues.reduce((sum, q) => sum + q.done, 0) - doneBefore,
        unsentTotal: unsent.total,
        unsent: unsent.jobs.map(({ job, reason, detail, needsPerson }) => ({ job: toJobSummary(outbox, job), reason, detail, needsPerson })),
      };
    },
  };
}

/** The Diagnostic screen's and `pupitre doctor`'s view of the File d'envoi. */
export function outboxDoctorCheck(outbox: Outbox): DoctorCheck {
  return {
    id: 'outbox',
    label: "File d'envoi",
    run: () => {
      const status = outbox.status();
      const open = status.queues.reduce((sum, q) => sum + q.pending + q.running + q.retry_wait + q.blocked, 0);
      const notConfigured = status.endpoints.filter((e) => !e.configured);
      const unconfigured = notConfigured.map((e) => e.endpoint.toUpperCase());
      const down = status.endpoints.filter((e) => e.configured && !e.online).map((e) => e.endpoint.toUpperCase());
      const detail = [
        `${open} envoi(s) en attente`,
        `${status.deadTotal} à traiter`,
        ...(unconfigured.length > 0 ? [`non configuré : ${unconfigured.join(', ')}`] : []),
        ...(down.length > 0 ? [`injoignable : ${down.join(', ')}`] : []),
      ].join(' ; ');
      if (status.deadTotal > 0) {
        return { status: 'warn', detail, next: "Ouvrez la File d'envoi : relancez ou annulez les envois en échec (pupitre queue list --state dead)." };
      }
      if (unconfigured.length > 0 && open > 0) {
        const next = notConfigured.map((e) => e.setupHint ?? 'Ces envois attendent l’adresse du service : Paramètres → Téléservices (ou « pupitre settings set endpoints.… https://… »).');
        return { status: 'warn', detail, next: [...new Set(next)].join(' ') };
      }
      if (down.length > 0) {
        return { status: 'warn', detail, next: "Vérifiez la connexion Internet et l'adresse des services dans les Paramètres ; les envois partiront au retour du service." };
      }
      return { status: 'ok', detail };
    },
  };
}
