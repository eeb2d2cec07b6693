/** Deleting (TD3.3c) or archiving (TD3.3d) a document. */
import { callContext, qualifiedPatient, requireCaller } from './caller';
import type { DmpContext } from './context';
import { localEntry, updateSubmissionSet } from './document-update';
import { requireRight } from './rights';
import { documentContext } from './views';

export async function setStatus(ctx: DmpContext, patientId: string, uniqueId: string, status: 'Deleted' | 'Archived', actorName: string): Promise<void> {
  const { deps, store } = ctx;
  await ctx.ready();
  const patient = qualifiedPatient(ctx, patientId);
  const caller = requireCaller(ctx, 'normal', store.state(patientId).status?.treatingDoctor ?? false);
  const entry = localEntry(ctx, patientId, uniqueId);
  requireRight(status === 'Deleted' ? 'TD3.3c' : 'TD3.3d', caller.actor, documentContext(entry, caller));
  try {
    await ctx.client.updateStatus(callContext(caller, patient.ins, 'normal'), {
      submissionSet: updateSubmissionSet(ctx, caller, patient.ins, deps.settings().lpsOid),
      entryUuid: entry.entryUuid,
      from: entry.status,
      to: status,
    });
  } finally {
    deps.audit({ actor: actorName, patientRef: patientId, action: status === 'Deleted' ? 'dmp.td33c' : 'dmp.td33d', details: { uniqueId } });
  }
  const stored = store.document(patientId, uniqueId);
  store.upsertDocument(patientId, { ...entry, status }, ctx.now(), stored?.seen ?? true);
  deps.notify?.('dmp.changed', { patientId, reason: 'updated' });
}
