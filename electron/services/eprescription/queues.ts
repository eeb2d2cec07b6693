/**
 * The two outbox queues of the ordonnance numérique (ARCHITECTURE.md §5):
 * - `eprescription.register`: registers a prescription in the base (idempotency key: its number);
 *   after an unknown outcome the base is asked for the number's status before sending again;
 * - `eprescription.execute`: records a dispensation (idempotency key: the dispensation id, one at a
 *   time per prescription); after an unknown outcome the prescription is read back and its
 *   executions searched for that id.
 * Credentials are the card of the professional who acted (the assertion PS is signed on it), taken
 * when the job runs; without it the job waits (`blocked`) until the card is back. Without a base in
 * this environment (production without the CNAM specification) jobs wait with that reason.
 */
import { z } from 'zod';
import { AppError } from '../../contract';
import { inTransaction } from '../../platform/db';
import type { AuditInput } from '../audit';
import { classifyError, commitWithRunCompletion, describeError, type ErrorClass, type QueueDefinition } from '../outbox';
import { callerOf, isPharmacist } from './card';
import type { EprescriptionContext } from './context';
import { ErxError, type BaseCaller } from './teleservice/base';

export const ERX_REGISTER_QUEUE = 'eprescription.register';
export const ERX_EXECUTE_QUEUE = 'eprescription.execute';
export const ERX_ENDPOINT = 'eprescription';

const registerPayload = z.object({ number: z.string().max(64) });
const executePayload = z.object({ dispensationId: z.string().max(64) });

function classify(error: unknown): ErrorClass {
  if (error instanceof ErxError) return error.outcomeUnknown ? 'unknown-outcome' : error.retryable ? 'retryable' : 'final';
  return classifyError(error);
}

const NOT_AVAILABLE = new AppError('ERX_TELESERVICE_NOT_AVAILABLE').message;

function callerFor(ctx: EprescriptionContext, idNat: string, who: string): BaseCaller | { blocked: string } {
  if (!ctx.base().available) return { blocked: NOT_AVAILABLE };
  const session = ctx.session();
  if (session === null || session.holder.idNat !== idNat) return { blocked: `En attente de la carte CPS de ${who} : insérez-la et saisissez le code pour transmettre à la base ordonnance numérique.` };
  return callerOf(ctx, session);
}

export function registerQueue(ctx: EprescriptionContext): QueueDefinition<z.infer<typeof registerPayload>, BaseCaller> {
  return {
    name: ERX_REGISTER_QUEUE,
    label: 'Ordonnance numérique : enregistrement',
    endpoint: ERX_ENDPOINT,
    payload: registerPayload,
    concurrency: 2,
    attemptTimeoutMs: 60_000,
    timeBudgetMs: 14 * 24 * 3_600_000,
    maxAttempts: 1_000,
    credentials: async (job) => {
      await ctx.prepare?.();
      const row = ctx.store.prescription(job.payload.number, ctx.environment());
      if (row === null) throw new AppError('ERX_NOT_FOUND');
      const p = row.content.prescriber;
      return callerFor(ctx, p.idNat, `${p.givenName} ${p.surname}`);
    },
    run: async (job, context) => {
      const environment = ctx.environment();
      const row = ctx.store.prescription(job.payload.number, environment);
      const documents = ctx.store.documents(job.payload.number, environment);
      if (row === null || documents === null) throw new AppError('ERX_NOT_FOUND');
      const registered = (details: Record<string, unknown>): AuditInput => ({ actor: row.actor, patientRef: row.patientId, action: 'eprescription.register', details: { number: row.number, jobId: job.id, ...details } });
      let status: string;
      try {
        status = (await ctx.base().register(context.credentials, { number: row.number, consent: row.content.consent, document: documents.cda }, context.signal)).status;
      } catch (error) {
        ctx.audit(registered({ outcome: 'failed', error: describeError(error).code }));
        throw error;
      }
      const at = ctx.now();
      commitWithRunCompletion(ctx.outbox, ctx.db, () => {
        ctx.store.setRegistered(row.number, at, status);
        ctx.audit(registered({ outcome: 'registered' }));
      }).then(() => ctx.notify?.('eprescription.changed', { number: row.number, patientId: row.patientId, reason: 'registered' }), logFailure(ctx));
    },
    reconcile: async (job, context) => {
      const status = await ctx.base().status(context.credentials, job.payload.number, context.signal);
      if (status === null) return 'absent';
      const row = ctx.store.prescription(job.payload.number, ctx.environment());
      inTransaction(ctx.db, () => {
        ctx.store.setRegistered(job.payload.number, ctx.now(), status);
        // The base has it, but the attempt's completion (with which its entry commits) never did.
        if (row !== null) ctx.audit({ actor: row.actor, patientRef: row.patientId, action: 'eprescription.register', details: { number: row.number, jobId: job.id, outcome: 'found-after-interruption' } });
      });
      ctx.notify?.('eprescription.changed', { number: job.payload.number, patientId: row?.patientId ?? null, reason: 'registered' });
      return 'done';
    },
    classify,
  };
}

export function executeQueue(ctx: EprescriptionContext): QueueDefinition<z.infer<typeof executePayload>, BaseCaller> {
  const load = (id: string) => {
    const row = ctx.store.dispensation(id);
    if (row === null) throw new AppError('ERX_NOT_FOUND');
    return row;
  };
  return {
    name: ERX_EXECUTE_QUEUE,
    label: 'Ordonnance numérique : délivrance',
    endpoint: ERX_ENDPOINT,
    payload: executePayload,
    concurrency: 2,
    attemptTimeoutMs: 60_000,
    timeBudgetMs: 14 * 24 * 3_600_000,
    maxAttempts: 1_000,
    credentials: async (job) => {
      await ctx.prepare?.();
      const row = load(job.payload.dispensationId);
      const caller = callerFor(ctx, row.pharmacist.idNat, row.pharmacist.name);
      if ('blocked' in caller) return caller;
      return isPharmacist(ctx.session()) ? caller : { blocked: 'En attente d’une carte CPS de pharmacien.' };
    },
    run: async (job, context) => {
      const row = load(job.payload.dispensationId);
      const executed = (details: Record<string, unknown>): AuditInput => ({ actor: row.actor, patientRef: row.patientId, action: 'eprescription.execute', details: { number: row.number, dispensationId: row.id, jobId: job.id, ...details } });
      let status: string;
      try {
        status = (await ctx.base().execute(context.credentials, row.number, { id: row.id, at: row.recordedAt, completeness: row.completeness, lines: row.lines }, context.signal)).status;
      } catch (error) {
        ctx.audit(executed({ outcome: 'failed', error: describeError(error).code }));
        throw error;
      }
      const at = ctx.now();
      commitWithRunCompletion(ctx.outbox, ctx.db, () => {
        ctx.store.setExecuted(row.id, at);
        const received = ctx.store.received(ctx.environment(), row.number);
        if (received !== null && !received.executions.some((e) => e.id === row.id)) {
          ctx.store.saveReceived(ctx.environment(), { ...received, status, executions: [...received.executions, { id: row.id, at: row.recordedAt, completeness: row.completeness, by: row.pharmacist.idNat, lines: row.lines }] });
        }
        ctx.audit(executed({ outcome: 'executed' }));
      }).then(() => ctx.notify?.('eprescription.changed', { number: row.number, patientId: row.patientId, reason: 'executed' }), logFailure(ctx));
    },
    reconcile: async (job, context) => {
      const row = load(job.payload.dispensationId);
      const read = await ctx.base().read(context.credentials, row.number, context.signal);
      if (!read.executions.some((e) => e.id === row.id)) return 'absent';
      inTransaction(ctx.db, () => {
        ctx.store.setExecuted(row.id, ctx.now());
        ctx.store.saveReceived(ctx.environment(), { number: row.number, fetchedAt: ctx.now(), status: read.status, document: read.document, executions: read.executions });
        // The base has it, but the attempt's completion (with which its entry commits) never did.
        ctx.audit({ actor: row.actor, patientRef: row.patientId, action: 'eprescription.execute', details: { number: row.number, dispensationId: row.id, jobId: job.id, outcome: 'found-after-interruption' } });
      });
      ctx.notify?.('eprescription.changed', { number: row.number, patientId: row.patientId, reason: 'executed' });
      return 'done';
    },
    classify,
  };
}

function logFailure(ctx: EprescriptionContext): (error: unknown) => void {
  return (error) => ctx.logger.error('eprescription.record_failed', { error: describeError(error).code });
}
