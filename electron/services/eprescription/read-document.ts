/**
 * Use case: read an eP-MED-DM (or eDISP-MED) document into the prescription view — a file the user
 * chose, or a document of the patient's DMP (fetched through the DMP service, audited there).
 */
import { AppError } from '../../contract';
import type { EprescriptionContext } from './context';
import { MAX_READ_BYTES, readEprescriptionDocument, type ReadDocument } from './cda/read';

export async function readDocument(ctx: EprescriptionContext, input: { contentBase64: string } | { patientId: string; uniqueId: string }, actor: string): Promise<ReadDocument> {
  let bytes: Buffer;
  if ('contentBase64' in input) {
    bytes = Buffer.from(input.contentBase64, 'base64');
  } else {
    if (ctx.dmp === undefined) throw new AppError('DMP_SEND_UNAVAILABLE');
    bytes = await ctx.dmp.fetch(input.patientId, input.uniqueId, actor);
  }
  if (bytes.length === 0 || bytes.length > MAX_READ_BYTES) throw new AppError('ERX_DOCUMENT_UNREADABLE', { reason: 'size' });
  const document = readEprescriptionDocument(bytes);
  ctx.audit({ actor, patientRef: 'patientId' in input ? input.patientId : null, action: 'eprescription.document.read', details: { kind: document.kind, source: 'contentBase64' in input ? 'fichier' : 'dmp' } });
  return document;
}
