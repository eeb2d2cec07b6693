/** The professional's authorisation on a patient's DMP (TD0.3), given with the patient's consent, then the status again (TD0.2). */
import { AppError } from '../../../contract/errors';
import { callContext, insKeyOf, qualifiedPatient, requireCaller } from './caller';
import type { DmpContext } from './context';
import { requireRight } from './rights';

export async function setAuthorisation(ctx: DmpContext, patientId: string, action: 'AJOUT' | 'SUPPRESSION', patientConsent: boolean, actorName: string) {
  const { deps, store, client } = ctx;
  await ctx.ready();
  const patient = qualifiedPatient(ctx, patientId);
  // Consent is recorded locally by the LPS (PDSm4DMP transaction_td02; dmp.md §6).
  if (action === 'AJOUT' && !patientConsent) throw new AppError('DMP_CONSENT_REQUIRED');
  const caller = requireCaller(ctx, 'normal');
  requireRight('TD0.3', caller.actor);
  const call = callContext(caller, patient.ins, 'normal');
  try {
    await client.td03(call, action);
  } finally {
    deps.audit({ actor: actorName, patientRef: patientId, action: 'dmp.td03', details: { action, patientConsent } });
  }
  const status = await client.td02(call);
  const at = ctx.now();
  store.putStatus(patientId, status, at, insKeyOf(patient.ins));
  deps.notify?.('dmp.changed', { patientId, reason: 'updated' });
  return { status: { ...status, checkedAt: at } };
}
