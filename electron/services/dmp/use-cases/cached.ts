/** What is known here of a patient's DMP, without any exchange; and the « nouveau » marks put down. */
import type { DmpContext } from './context';
import { documentViews } from './views';

export function cachedDmp(ctx: DmpContext, patientId: string, actorName: string) {
  // No exchange: the demo card may not be loaded yet, then documents show without the "own" mark.
  const state = ctx.store.state(patientId);
  const practitioner = ctx.deps.practitioner();
  const documents = documentViews(ctx, patientId, practitioner === null ? null : { idNat: practitioner.idNat, structureId: practitioner.structure.id });
  // The list shows the documents' titles and authors: a read of health data, in the trail like any.
  ctx.deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.cached.read', details: { count: documents.length } });
  return { status: state.status, documents, lastCallAt: state.lastCallAt };
}

export function markSeen(ctx: DmpContext, patientId: string, uniqueIds: readonly string[]): number {
  return ctx.store.markSeen(patientId, uniqueIds);
}
