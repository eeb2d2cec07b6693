/** Masking a document from professionals (TD3.3a) and hiding it from the patient or legal representatives (TD3.3b). */
import { CONFIDENTIALITY_SYSTEM, patientCx } from '../codes';
import type { DmpDocumentView } from '../types';
import { metadataOf, type DocumentEntry } from '../xds';
import { callContext, qualifiedPatient, requireCaller } from './caller';
import type { DmpContext } from './context';
import { localEntry, updateSubmissionSet } from './document-update';
import { requireRight } from './rights';
import { documentView } from './views';

export async function setVisibility(
  ctx: DmpContext,
  patientId: string,
  uniqueId: string,
  change: { maskedFromProfessionals?: boolean | undefined; hiddenFromPatient?: boolean | undefined; hiddenFromLegalRepresentatives?: boolean | undefined },
  actorName: string,
): Promise<DmpDocumentView> {
  const { deps, store } = ctx;
  await ctx.ready();
  const patient = qualifiedPatient(ctx, patientId);
  const caller = requireCaller(ctx, 'normal', store.state(patientId).status?.treatingDoctor ?? false);
  const entry = localEntry(ctx, patientId, uniqueId);
  if (change.maskedFromProfessionals !== undefined) requireRight('TD3.3a', caller.actor);
  if (change.hiddenFromPatient !== undefined || change.hiddenFromLegalRepresentatives !== undefined) requireRight('TD3.3b', caller.actor);
  const codes = new Map(entry.confidentialityCodes.map((c) => [c.code, c]));
  const toggle = (code: string, label: string, on: boolean | undefined): void => {
    if (on === undefined) return;
    if (on) codes.set(code, { code, codeSystem: CONFIDENTIALITY_SYSTEM.dmp, displayName: label });
    else codes.delete(code);
  };
  toggle('MASQUE_PS', 'Masqué aux professionnels de santé', change.maskedFromProfessionals);
  toggle('INVISIBLE_PATIENT', 'Non visible par le patient', change.hiddenFromPatient);
  toggle('INVISIBLE_REPRESENTANTS_LEGAUX', 'Non visible par les représentants légaux', change.hiddenFromLegalRepresentatives);
  if (![...codes.values()].some((c) => c.codeSystem === CONFIDENTIALITY_SYSTEM.hl7)) {
    codes.set('N', { code: 'N', codeSystem: CONFIDENTIALITY_SYSTEM.hl7, displayName: 'Normal' });
  }
  const updated: DocumentEntry = { ...entry, confidentialityCodes: [...codes.values()], version: entry.version + 1 };
  const settings = deps.settings();
  try {
    await ctx.client.updateMetadata(callContext(caller, patient.ins, 'normal'), {
      submissionSet: updateSubmissionSet(ctx, caller, patient.ins, settings.lpsOid),
      metadata: metadataOf(updated),
      logicalId: entry.logicalId,
      previousVersion: entry.version,
      patientId: patientCx(patient.ins.matricule, patient.ins.oid),
    });
  } finally {
    deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td33ab', details: { uniqueId, change } });
  }
  const at = ctx.now();
  const stored = store.document(patientId, uniqueId);
  store.upsertDocument(patientId, updated, at, stored?.seen ?? true);
  deps.notify?.('dmp.changed', { patientId, reason: 'updated' });
  return documentView({ entry: updated, firstSeenAt: stored?.firstSeenAt ?? at, seen: stored?.seen ?? true }, caller);
}
