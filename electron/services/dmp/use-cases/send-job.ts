/**
 * Sending a document to the DMP (TD2.1), its second half: the outbox queue that sends a stored
 * document when a card (or, where allowed, the structure certificate) and the service are there —
 * idempotent by uniqueId, reconciled by a TD3.1 search after an unknown outcome — and the probe
 * that tells the outbox the DMP is back.
 */
import { z } from 'zod';
import { AppError } from '../../../contract/errors';
import { inTransaction } from '../../../platform/db';
import type { AuditInput } from '../../audit';
import { commitWithRunCompletion, describeError, type JobView, type QueueDefinition } from '../../outbox';
import { isEndpointConfigured } from '../../settings';
import { DmpError, hl7Ts, type DmpCallContext } from '../client';
import { parsePatientCx } from '../codes';
import { getDocumentsByUniqueId } from '../iti18';
import type { OutgoingRow } from '../store';
import { DMP_SEND_CONCURRENCY, DMP_SEND_QUEUE, type Caller, type SendPayload } from '../types';
import type { DocumentEntry } from '../xds';
import { callContext, callerOf } from './caller';
import type { DmpContext } from './context';
import { readOutgoingContent } from './outgoing-content';
import { requireRight } from './rights';

const sendPayloadSchema = z.object({ uniqueId: z.string().min(1).max(200) });

/** Cheap reachability check while the endpoint is down: any HTTP answer means it is back. */
export async function probeDmp(ctx: DmpContext): Promise<boolean> {
  await ctx.ready();
  const base = ctx.deps.settings().endpoint;
  if (!/^https?:\/\//.test(base)) return false;
  try {
    const response = await ctx.deps.http('CPS').stream({ method: 'GET', url: base, acceptErrorStatus: true, timeouts: { connectMs: 5_000, responseMs: 5_000, totalMs: 8_000 } });
    response.cancel();
    return true;
  } catch {
    return false;
  }
}

export function sendQueue(ctx: DmpContext): QueueDefinition<SendPayload, Caller> {
  const { deps, store, client } = ctx;
  const credentials = async (job: JobView<SendPayload>): Promise<Caller | { blocked: string }> => {
    await ctx.ready();
    // « à configurer »: the document waits for the address instead of failing (production honesty, issue 13).
    if (!isEndpointConfigured(deps.settings().endpoint)) {
      return { blocked: "L'adresse du DMP n'est pas configurée (Paramètres → Téléservices) : l'envoi partira dès qu'elle le sera." };
    }
    const row = store.outgoing(job.payload.uniqueId);
    const author = row?.metadata.authors[0];
    const caller = callerOf(ctx, 'normal', false, deps.settings().indirectSending && author !== undefined ? { indirectAuthor: author } : {});
    return caller ?? { blocked: 'En attente de la carte du professionnel : insérez la carte CPS ou CPE et saisissez le code pour envoyer au DMP.' };
  };
  return {
    name: DMP_SEND_QUEUE,
    label: 'Envoi au DMP',
    endpoint: 'dmp',
    payload: sendPayloadSchema,
    concurrency: DMP_SEND_CONCURRENCY,
    attemptTimeoutMs: 120_000,
    timeBudgetMs: 7 * 24 * 3_600_000,
    maxAttempts: 500,
    credentials,
    run: async (job, context) => {
      const row = store.outgoing(job.payload.uniqueId);
      const stored = store.outgoingContent(job.payload.uniqueId);
      if (row === null || stored === null) throw new AppError('DMP_DOCUMENT_NOT_FOUND');
      const content = readOutgoingContent(ctx, row.uniqueId, stored);
      const caller = context.credentials;
      requireRight('TD2.1', caller.actor);
      const ins = parsePatientCx(row.metadata.sourcePatientId);
      if (ins === null) throw new AppError('DMP_INS_NOT_QUALIFIED');
      requireSameIdentity(ctx, row, job.id, ins);
      const call: DmpCallContext = { ...callContext(caller, ins, 'normal'), signal: context.signal };
      let replacesEntryUuid: string | undefined;
      if (row.replaces !== null) {
        const local = store.document(row.patientId, row.replaces);
        replacesEntryUuid = local?.entry.entryUuid;
        if (replacesEntryUuid === undefined) {
          const found = await client.query(call, getDocumentsByUniqueId([row.replaces]));
          replacesEntryUuid = found.documents[0]?.entryUuid;
          if (replacesEntryUuid === undefined) throw new DmpError('DMP_DOCUMENT_NOT_FOUND', false, false, { replaces: true });
        }
      }
      const settings = deps.settings();
      const author = row.metadata.authors[0] ?? { idNat: caller.idNat };
      const td21 = (details: Record<string, unknown>): AuditInput => ({ actor: row.actor, patientRef: row.patientId, action: 'dmp.td21', details: { uniqueId: row.uniqueId, jobId: job.id, mode: caller.credentials.mode, ...details } });
      try {
        await client.provideAndRegister(
          call,
          {
            submissionSet: {
              uniqueId: ctx.newOid(),
              sourceId: settings.lpsOid,
              submissionTime: hl7Ts(deps.clock.now()),
              patientId: row.metadata.sourcePatientId,
              author,
              // JDV_J59 ContentTypeCode: R209 "04" (consultation), as in the official TD2.1 example.
              contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' },
            },
            metadata: row.metadata,
            patientId: row.metadata.sourcePatientId,
            ...(replacesEntryUuid === undefined ? {} : { replacesEntryUuid }),
          },
          content,
          { signatureUniqueId: ctx.newOid(), ...(row.canonicalDigest === null ? {} : { canonicalDigest: row.canonicalDigest }) },
        );
      } catch (error) {
        // Refused, or an outcome unknown (the reconciliation will tell): the attempt is recorded now.
        deps.audit(td21({ outcome: 'failed', error: describeError(error).code }));
        throw error;
      }
      // Sent: recorded in the commit that marks the row « envoyé » and completes the job (one
      // synchronous=FULL commit a document, not a second one for the trail).
      markSentWithCompletion(ctx, row, td21({ outcome: 'sent' }));
    },
    reconcile: async (job, context) => {
      const row = store.outgoing(job.payload.uniqueId);
      if (row === null) return 'absent';
      const ins = parsePatientCx(row.metadata.sourcePatientId);
      if (ins === null) return 'absent';
      const found = await client.query({ ...callContext(context.credentials, ins, 'normal'), signal: context.signal }, getDocumentsByUniqueId([row.uniqueId]));
      deps.audit({ actor: row.actor, patientRef: row.patientId, action: 'dmp.td31', details: { mode: 'reconcile', uniqueId: row.uniqueId, found: found.documents.length } });
      if (found.documents.some((d) => d.uniqueId === row.uniqueId)) {
        // The document reached the DMP but the attempt's completion, with which its « sent » entry
        // is committed, never was (the process stopped, or the outcome was unknown): recorded now.
        markSent(ctx, row, found.documents[0], {
          actor: row.actor,
          patientRef: row.patientId,
          action: 'dmp.td21',
          details: { uniqueId: row.uniqueId, jobId: job.id, mode: context.credentials.credentials.mode, outcome: 'found-after-interruption' },
        });
        return 'done';
      }
      return 'absent';
    },
  };
}

/**
 * A document waits in the outbox for hours or days (offline, no card). Meanwhile the patient's
 * identity may have been found wrong: marked douteuse or fictive (the INS is then invalidated, RNIV
 * « attributs »), its strict traits corrected (the INS confirmation drops), or another INS attached.
 * The document, written for the identity of the time, then goes to no DMP: only to the INS it was
 * written for, and only while that INS is still this patient's qualified one (référentiel INS: health
 * data are exchanged under a qualified INS). Otherwise the attempt fails for good (not retried,
 * « Relancer » checks again): an identity error must not send one person's health data to another.
 * A merged record's unsent documents follow the record kept (reassignUnsentDocuments), so the check
 * reads the identity that holds them now.
 */
function requireSameIdentity(ctx: DmpContext, row: OutgoingRow, jobId: string, written: { matricule: string; oid: string }): void {
  const current = ctx.deps.patient(row.patientId);
  const ins = current.ins === null ? 'none' : current.ins.matricule === written.matricule && current.ins.oid === written.oid ? 'same' : 'other';
  if (current.status === 'QUAL' && ins === 'same') return;
  const details = { uniqueId: row.uniqueId, jobId, status: current.status, ins };
  // Nothing was exchanged (no TD2.1): the refusal is in the trail under its own name.
  ctx.deps.audit({ actor: row.actor, patientRef: row.patientId, action: 'dmp.send.refused', details: { ...details, error: 'DMP_PATIENT_IDENTITY_CHANGED' } });
  throw new DmpError('DMP_PATIENT_IDENTITY_CHANGED', false, false, { status: current.status, ins });
}

/**
 * After a send: the row marked « envoyé » and the TD2.1 entry committed with the outbox job's
 * completion (see `commitWithRunCompletion`). Should the process stop before that commit, the
 * reconciliation (TD3.1) marks the row and writes the entry.
 */
function markSentWithCompletion(ctx: DmpContext, row: OutgoingRow, audit: AuditInput): void {
  const at = ctx.now();
  commitWithRunCompletion(ctx.deps.outbox, ctx.deps.db, () => {
    ctx.store.setOutgoingSent(row.uniqueId, at);
    ctx.deps.audit(audit);
  }).then(
    () => ctx.deps.notify?.('dmp.changed', { patientId: row.patientId, reason: 'sent' }),
    (error: unknown) => ctx.deps.logger.error('dmp.mark_sent_failed', { error: describeError(error).code }),
  );
}

function markSent(ctx: DmpContext, row: OutgoingRow, entry: DocumentEntry | undefined, audit: AuditInput): void {
  const at = ctx.now();
  inTransaction(ctx.deps.db, () => {
    ctx.store.setOutgoingSent(row.uniqueId, at);
    if (entry !== undefined) ctx.store.upsertDocument(row.patientId, entry, at, true);
    ctx.deps.audit(audit);
  });
  ctx.deps.notify?.('dmp.changed', { patientId: row.patientId, reason: 'sent' });
}
