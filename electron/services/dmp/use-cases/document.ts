/** Reading a document (TD3.2): a PDF as is, a CDA's embedded PDF, or its narrative as safe HTML. */
import { AppError } from '../../../contract/errors';
import { narrativeToSafeHtml } from '../../cda';
import { extractPdfFromCda } from '../cda-body';
import { DMP_REPOSITORY_UNIQUE_ID } from '../codes';
import type { DmpAccess } from '../types';
import { callContext, checkAccess, isUnreachable, qualifiedPatient, requireCaller } from './caller';
import type { DmpContext } from './context';
import { requireRight } from './rights';

export async function readDmpDocument(ctx: DmpContext, patientId: string, uniqueId: string, access: DmpAccess | undefined, actorName: string) {
  const { deps, store } = ctx;
  await ctx.ready();
  const patient = qualifiedPatient(ctx, patientId);
  const purpose = checkAccess(ctx, access, patientId, actorName);
  const state = store.state(patientId);
  const caller = requireCaller(ctx, purpose, state.status?.treatingDoctor ?? false);
  requireRight('TD3.2', caller.actor);
  const stored = store.document(patientId, uniqueId);
  let result: { mimeType: string; data: Buffer };
  try {
    result = await ctx.client.retrieve(callContext(caller, patient.ins, purpose), uniqueId, stored?.entry.repositoryUniqueId ?? DMP_REPOSITORY_UNIQUE_ID);
  } catch (error) {
    // A consultation is not queued: say when it will be possible, never that it will be « renvoyée ».
    if (isUnreachable(error)) throw new AppError('DMP_OFFLINE_READ', undefined, { cause: error });
    throw error;
  } finally {
    deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td32', details: { uniqueId, purposeOfUse: purpose } });
  }
  store.markSeen(patientId, [uniqueId]);
  let pdf: Buffer | null = null;
  let html: string | null = null;
  if (result.data.subarray(0, 5).toString('latin1') === '%PDF-') pdf = result.data;
  else {
    const xml = result.data.toString('utf8');
    pdf = extractPdfFromCda(xml);
    if (pdf === null) html = safeNarrative(xml);
  }
  return { uniqueId, mimeType: result.mimeType, pdfBase64: pdf?.toString('base64') ?? null, html, contentBase64: result.data.toString('base64') };
}

function safeNarrative(xml: string): string {
  try {
    const html = narrativeToSafeHtml(xml);
    return html === '' ? '<p>Document structuré : la présentation n’est pas disponible sur ce poste.</p>' : html;
  } catch {
    return '<p>Le contenu de ce document ne peut pas être affiché.</p>';
  }
}
