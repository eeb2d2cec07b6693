/** What a metadata or status update (TD3.3) shares: the document as listed here, the submission set of the change. */
import { AppError } from '../../../contract/errors';
import { hl7Ts } from '../client';
import { patientCx } from '../codes';
import type { Caller } from '../types';
import type { DocumentEntry } from '../xds';
import type { DmpContext } from './context';

/** Who changes what, from this installation. */
export function updateSubmissionSet(ctx: DmpContext, caller: Caller, ins: { matricule: string; oid: string }, lpsOid: string) {
  return {
    uniqueId: ctx.newOid(),
    sourceId: lpsOid,
    submissionTime: hl7Ts(ctx.deps.clock.now()),
    patientId: patientCx(ins.matricule, ins.oid),
    author: { idNat: caller.idNat, institution: { id: caller.structureId, name: caller.structureId } },
    contentTypeCode: { code: '04', codeSystem: '1.2.250.1.213.2.2', displayName: 'Consultation' },
  };
}

/** A document is changed only once listed here (its entryUuid, logicalId and version come from the list). */
export function localEntry(ctx: DmpContext, patientId: string, uniqueId: string): DocumentEntry {
  const stored = ctx.store.document(patientId, uniqueId);
  if (stored === null) throw new AppError('DMP_DOCUMENT_NOT_FOUND');
  return stored.entry;
}
