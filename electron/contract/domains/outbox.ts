/**
 * Outbox (ARCHITECTURE.md §5): the durable queue behind every remote exchange, and its File
 * d'envoi screen. Messages carry job ids, queue names, a patient id and a short label without
 * health data; never the payload.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

export const outboxErrors = {
  OUTBOX_QUEUE_UNKNOWN:
    "Cette file d'envoi n'existe pas dans cette version de Pupitre. Mettez Pupitre à jour ou signalez-le avec l'écran Diagnostic.",
  OUTBOX_PAYLOAD_INVALID:
    "Les données de cet envoi sont invalides : il ne peut pas être transmis. Annulez-le puis refaites l'opération d'origine.",
  OUTBOX_JOB_NOT_FOUND: "Cet envoi n'existe pas (ou plus) dans la file d'envoi. Actualisez la liste.",
  OUTBOX_JOB_NOT_RETRYABLE:
    "Cet envoi est en cours ou déjà terminé : il ne peut pas être relancé maintenant. Actualisez la liste.",
  OUTBOX_JOB_NOT_CANCELLABLE:
    "Cet envoi est en cours ou déjà terminé : il ne peut pas être annulé. Attendez la fin de l'envoi puis actualisez la liste.",
  OUTBOX_GAVE_UP:
    "L'envoi a échoué trop longtemps ou trop de fois et n'est plus relancé automatiquement. Vérifiez la connexion et le service distant, puis relancez-le ou annulez-le.",
  OUTBOX_ATTEMPT_TIMEOUT:
    "Le service distant n'a pas répondu dans le délai prévu : l'envoi a peut-être été pris en compte. Pupitre vérifiera auprès du service avant de le renvoyer.",
  OUTBOX_INTERRUPTED:
    "Pupitre a été arrêté pendant cet envoi : il a peut-être été pris en compte. Pupitre vérifiera auprès du service avant de le renvoyer.",
  OUTBOX_LEASE_LOST:
    "Cet envoi a été repris par un autre traitement de Pupitre (délai de traitement dépassé). Son résultat sera vérifié avant tout renvoi.",
} as const;

export const jobStatusSchema = z.enum(['pending', 'running', 'retry_wait', 'blocked', 'done', 'dead', 'cancelled']);

export const jobSubjectSchema = z.object({
  patientId: z.string().optional(),
  label: z.string(),
  ref: z.string().optional(),
});

/** A job as the screen sees it: everything but the payload (which may hold health data). */
export const jobSummarySchema = z.object({
  id: z.string(),
  queue: z.string(),
  queueLabel: z.string(),
  serialKey: z.string().nullable(),
  subject: jobSubjectSchema,
  /** « NOM PRÉNOM » of the job's patient, for the screen (issue 13: the patient, not a reference). */
  patientName: z.string().nullable().optional(),
  status: jobStatusSchema,
  attempts: z.number().int(),
  nextAttemptAt: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  lastErrorMessage: z.string().nullable(),
  outcomeUnknown: z.boolean(),
  blockedReason: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const jobAttemptSchema = z.object({
  attempt: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  outcome: z.string().nullable(),
  errorCode: z.string().nullable(),
  worker: z.string(),
});

export const queueCountsSchema = z.object({
  queue: z.string(),
  label: z.string(),
  endpoint: z.string(),
  pending: z.number().int(),
  running: z.number().int(),
  retry_wait: z.number().int(),
  blocked: z.number().int(),
  dead: z.number().int(),
  done: z.number().int(),
});

export const endpointStateSchema = z.object({
  endpoint: z.string(),
  /** False while the address is « à configurer » (then `online` means nothing). */
  configured: z.boolean(),
  /** Not configured for a reason of its own (no address to type: billing's library): what to do. */
  setupHint: z.string().optional(),
  online: z.boolean(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
});

export const outboxStatusSchema = z.object({
  queues: z.array(queueCountsSchema),
  endpoints: z.array(endpointStateSchema),
  /** Jobs a person must resolve (the top bar badge). */
  deadTotal: z.number().int(),
});

export const unsentReasonSchema = z.enum([
  'dead',
  'blocked',
  'queue-unavailable',
  'running',
  'running-elsewhere',
  'will-retry',
  'endpoint-offline',
  'waiting-for-earlier',
  'scheduled',
]);

/** A job that is not sent (yet) and why, in French; `needsPerson` when Pupitre will not retry it alone. */
export const unsentJobSchema = z.object({
  job: jobSummarySchema,
  reason: unsentReasonSchema,
  detail: z.string(),
  needsPerson: z.boolean(),
});

/** « Synchroniser maintenant »: the counts, what this run sent, and what it could not send. */
export const outboxSyncResultSchema = outboxStatusSchema.extend({
  sent: z.number().int(),
  unsentTotal: z.number().int(),
  unsent: z.array(unsentJobSchema),
});

const jobIdSchema = z.string().min(1).max(40);

export const outboxMethods = {
  'outbox.status': defineMethod({ params: z.object({}), result: outboxStatusSchema }),
  'outbox.list': defineMethod({
    params: z.object({
      queue: z.string().max(100).optional(),
      status: jobStatusSchema.optional(),
      patientId: z.string().max(100).optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    result: z.object({ jobs: z.array(jobSummarySchema) }),
  }),
  'outbox.get': defineMethod({
    params: z.object({ id: jobIdSchema }),
    result: z.object({ job: jobSummarySchema, attempts: z.array(jobAttemptSchema) }),
  }),
  /** "Relancer maintenant": a dead, waiting or blocked job becomes due now (audited). */
  'outbox.retry': defineMethod({ params: z.object({ id: jobIdSchema }), result: z.object({ job: jobSummarySchema }) }),
  /** Cancels a job that is not running (the screen asks for confirmation first; audited). */
  'outbox.cancel': defineMethod({ params: z.object({ id: jobIdSchema }), result: z.object({ job: jobSummarySchema }) }),
  /** "Synchroniser maintenant": probes the endpoints and runs the waiting jobs without backoff. */
  'outbox.sync': defineMethod({ params: z.object({}), result: outboxSyncResultSchema }),
} as const;

export const outboxEvents = {
  /** Counts per queue and state changed (throttled). */
  'outbox.changed': outboxStatusSchema,
  'outbox.progress': z.object({
    id: z.string(),
    queue: z.string(),
    fraction: z.number().min(0).max(1),
    label: z.string().optional(),
  }),
  /** A job went to the dead-letter state: a person must resolve it. */
  'outbox.dead': z.object({
    id: z.string(),
    queue: z.string(),
    label: z.string(),
    patientId: z.string().optional(),
    code: z.string(),
    message: z.string(),
  }),
} as const;

export type JobSummary = z.infer<typeof jobSummarySchema>;
export type JobAttempt = z.infer<typeof jobAttemptSchema>;
export type OutboxStatus = z.infer<typeof outboxStatusSchema>;
export type OutboxSyncResult = z.infer<typeof outboxSyncResultSchema>;
export type UnsentJobSummary = z.infer<typeof unsentJobSchema>;
