/**
 * `pupitre queue`: the File d'envoi from a terminal. Runs in-process against the same database as
 * the app; leases make it safe to `sync` while the app runs (a job is claimed by one of them only).
 */
import { jobStatusSchema, type JobSummary, type OutboxStatus, type OutboxSyncResult } from '../../contract/domains/outbox';
import { flagNumber, flagString, UsageError } from './args';
import type { Command } from './command';
import { openHost, print } from './context';
import { frenchDateTime } from './format';

const STATUS_LABEL: Record<string, string> = {
  pending: 'en attente',
  running: 'en cours',
  retry_wait: 'nouvel essai prévu',
  blocked: 'attend la carte',
  done: 'envoyé',
  dead: 'à traiter',
  cancelled: 'annulé',
};

const USAGE = [
  'pupitre queue status [--json]',
  'pupitre queue list [--state pending|running|retry_wait|blocked|done|dead|cancelled] [--queue NOM] [--limit N] [--json]',
  'pupitre queue sync [--json]   (code de sortie : 0 tout est parti, 75 des envois seront réessayés, 1 des envois attendent une personne)',
  'pupitre queue retry ID [--json]',
  'pupitre queue cancel ID --yes [--json]',
].join('\n');

export const queueCommand: Command = {
  name: 'queue',
  usage: USAGE,
  summary: "File d'envoi : état par file, envois à traiter, synchronisation, relance ou annulation d'un envoi.",
  valued: ['state', 'queue', 'limit'],
  waitingFor: 'envoi des éléments de la file aux téléservices',
  async run(ctx) {
    const [action = 'status', id] = ctx.args.positionals;
    const host = await openHost(ctx, 'in-process');
    try {
      switch (action) {
        case 'status': {
          const status = await host.dispatcher.invoke('outbox.status', {});
          print(ctx, status, () => formatStatus(status));
          return 0;
        }
        case 'sync': {
          const result = await host.dispatcher.invoke('outbox.sync', {});
          print(ctx, result, () => formatSync(result));
          return syncExitCode(result);
        }
        case 'list': {
          const state = flagString(ctx.args, 'state');
          const parsedState = state === undefined ? undefined : jobStatusSchema.safeParse(state);
          if (parsedState !== undefined && !parsedState.success) {
            throw new UsageError(`--state attend l'un de : ${jobStatusSchema.options.join(', ')}`);
          }
          const queue = flagString(ctx.args, 'queue');
          const limit = flagNumber(ctx.args, 'limit');
          const { jobs } = await host.dispatcher.invoke('outbox.list', {
            ...(parsedState === undefined ? {} : { status: parsedState.data }),
            ...(queue === undefined ? {} : { queue }),
            ...(limit === undefined ? {} : { limit }),
          });
          print(ctx, { jobs }, () => (jobs.length === 0 ? 'Aucun envoi.' : jobs.map(formatJob).join('\n')));
          return 0;
        }
        case 'retry': {
          if (id === undefined) throw new UsageError('usage : pupitre queue retry ID');
          const { job } = await host.dispatcher.invoke('outbox.retry', { id });
          print(ctx, { job }, () => `Envoi ${job.id} relancé.`);
          return 0;
        }
        case 'cancel': {
          if (id === undefined) throw new UsageError('usage : pupitre queue cancel ID --yes');
          if (ctx.args.flags.get('yes') !== true) {
            throw new UsageError("L'annulation est définitive : l'envoi ne sera jamais transmis. Confirmez avec --yes.");
          }
          const { job } = await host.dispatcher.invoke('outbox.cancel', { id });
          print(ctx, { job }, () => `Envoi ${job.id} annulé.`);
          return 0;
        }
        default:
          throw new UsageError(USAGE);
      }
    } finally {
      await host.close();
    }
  },
};

/**
 * Exit code of `queue sync`: 0 everything was sent; 75 (EX_TEMPFAIL, sysexits.h) some jobs are not
 * sent but Pupitre retries them by itself; 1 some wait for a person (dead, waiting for the card,
 * unknown queue).
 */
export function syncExitCode(result: OutboxSyncResult): number {
  if (result.unsentTotal === 0) return 0;
  if (result.unsent.some((u) => u.needsPerson) || result.deadTotal > 0) return 1;
  return 75;
}

function formatSync(result: OutboxSyncResult): string {
  const head =
    result.unsentTotal === 0
      ? `Synchronisation terminée : tout est envoyé (${result.sent} envoi(s) pendant cette synchronisation).`
      : `Synchronisation terminée : ${result.sent} envoi(s) parti(s), ${result.unsentTotal} non envoyé(s) :`;
  const lines = result.unsent.map((u) => `${u.job.id.padStart(6)}  ${u.job.queueLabel}  ${u.job.subject.label}\n    ${u.detail}${u.job.nextAttemptAt ? ` (${u.job.nextAttemptAt})` : ''}`);
  const more = result.unsentTotal > result.unsent.length ? [`… et ${result.unsentTotal - result.unsent.length} autre(s) : pupitre queue list`] : [];
  return [head, ...lines, ...more, '', formatStatus(result)].join('\n');
}

function formatStatus(status: OutboxStatus): string {
  const lines = status.queues.map(
    (q) =>
      `${q.label} (${q.queue}) : ${q.pending} en attente, ${q.running} en cours, ${q.retry_wait} à réessayer, ${q.blocked} attendent la carte, ${q.dead} à traiter, ${q.done} envoyés`,
  );
  const endpoints = status.endpoints.map(
    (e) =>
      `Service ${e.endpoint.toUpperCase()} : ${
        !e.configured ? 'non configuré (pupitre settings set endpoints.' + e.endpoint + ' https://…)' : e.online ? 'joignable' : `injoignable depuis le ${frenchDateTime(e.lastFailureAt)}`
      }`,
  );
  const summary = status.deadTotal > 0 ? `${status.deadTotal} envoi(s) à traiter : pupitre queue list --state dead` : 'Aucun envoi à traiter.';
  return [...(lines.length > 0 ? lines : ["Aucune file d'envoi."]), ...endpoints, summary].join('\n');
}

function formatJob(job: JobSummary): string {
  const error = job.lastErrorMessage === null ? '' : `\n    ${job.lastErrorMessage}${job.lastErrorCode === null ? '' : `\n    Code pour le support : ${job.lastErrorCode}`}`;
  const blocked = job.blockedReason === null ? '' : `\n    ${job.blockedReason}`;
  return `${job.id.padStart(6)}  ${frenchDateTime(job.createdAt)}  ${STATUS_LABEL[job.status] ?? job.status}  ${job.subject.label}  (essais : ${job.attempts})${blocked}${error}`;
}
