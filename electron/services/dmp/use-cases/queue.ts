/**
 * Sending a document to the DMP (TD2.1), its first half: the document (a PDF wrapped into a CDA, or
 * a CDA as received) is checked, stored and queued in the outbox in one transaction; the outbox
 * sends it when possible (./send-job.ts).
 */
import { createHash } from 'node:crypto';
import { AppError, isAppError } from '../../../contract/errors';
import { inTransaction } from '../../../platform/db';
import { buildPdfDocument, documentTypes, extractXdsMetadata, unwrapAutoPresentable, XSLT_NS } from '../../cda';
import { DmpError, hl7Ts } from '../client';
import { parsePatientCx } from '../codes';
import { DMP_SEND_QUEUE, type DmpPractitioner, type DmpSendingView, type SendInput, type SendPayload } from '../types';
import type { CodedValue, XdsAuthor, XdsDocumentMetadata } from '../xds';
import type { OutgoingRow } from '../store';
import { qualifiedPatient } from './caller';
import { discardOutgoingContent, sealOutgoingContent } from './outgoing-content';
import type { DmpContext } from './context';
import { sendingView } from './sendings';

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** DMP visibility codes (JDV_J08): XDS metadata only, for a built PDF wrapper and an imported CDA alike. */
function confidentialityCodes(input: Pick<SendInput, 'visibility'>): string[] {
  return [
    ...(input.visibility?.maskedFromProfessionals === true ? ['MASQUE_PS'] : []),
    ...(input.visibility?.hiddenFromPatient === true ? ['INVISIBLE_PATIENT'] : []),
    ...(input.visibility?.hiddenFromLegalRepresentatives === true ? ['INVISIBLE_REPRESENTANTS_LEGAUX'] : []),
  ];
}

export function dmpDocumentTypes(ctx: DmpContext): { types: CodedValue[]; preferred: string[] } {
  return { types: documentTypes(), preferred: ctx.deps.settings().preferredTypeCodes };
}

/** Stores the document and its outbox job in one transaction; sending happens when possible. */
export async function sendDocument(ctx: DmpContext, received: SendInput, actorName: string): Promise<DmpSendingView> {
  await ctx.ready();
  // An « auto-présentable » laboratory document: the DMP receives the CDA inside its stylesheet,
  // never the stylesheet (nor is it run). Recognised by the XSLT namespace before any parsing.
  const file = Buffer.from(received.content.buffer, received.content.byteOffset, received.content.byteLength);
  const inner = file.includes(XSLT_NS) ? unwrapAutoPresentable(file) : null;
  const input = inner === null ? received : { ...received, content: Buffer.from(inner, 'utf8') };
  const bytes = Buffer.from(input.content.buffer, input.content.byteOffset, input.content.byteLength);
  // A CDA from elsewhere is read by the safe parser off the event loop (issue 14) before the
  // synchronous part: the transaction never waits on a large document.
  const cdaMetadata = bytes.subarray(0, 5).toString('latin1') === '%PDF-' ? undefined : await readCdaMetadata(ctx, bytes, confidentialityCodes(input));
  return queueDocument(ctx, input, actorName, cdaMetadata);
}

/**
 * The synchronous part of `send`: usable inside another service's transaction (the ordonnance
 * numérique queues its eP-MED-DM copy with the prescription), where it becomes a savepoint.
 */
export function queueDocument(ctx: DmpContext, input: SendInput, actorName: string, cdaMetadata?: XdsDocumentMetadata): DmpSendingView {
  const { deps, store } = ctx;
  const outbox = deps.outbox;
  if (outbox === undefined) throw new AppError('DMP_SEND_UNAVAILABLE');
  const patient = qualifiedPatient(ctx, input.patientId);
  const practitioner = deps.practitioner();
  const settings = deps.settings();
  const bytes = Buffer.from(input.content.buffer, input.content.byteOffset, input.content.byteLength);
  const isPdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  const replaced = input.replaces === undefined ? null : replacedVersion(ctx, input.patientId, input.replaces);
  // A replacement names a document of this patient, sent from here or in the DMP list kept here
  // (under the INS it now has): another patient's id would only fail at the DMP, days later.
  if (input.replaces !== undefined && replaced === null) throw new AppError('DMP_DOCUMENT_NOT_FOUND', { reason: 'replaced-unknown' });
  let content: Buffer;
  let metadata: XdsDocumentMetadata;
  let canonicalDigest: OutgoingRow['canonicalDigest'] = null;
  const confidentiality = confidentialityCodes(input);
  if (isPdf) {
    if (input.typeCode === undefined || input.typeCode === '') throw new AppError('DMP_TYPE_REQUIRED');
    const author = authorFor(ctx, practitioner);
    const now = hl7Ts(deps.clock.now());
    const built = buildPdfDocument(
      {
        pdf: bytes,
        title: input.title ?? input.fileName.replace(/\.pdf$/i, ''),
        typeCode: input.typeCode,
        patient: {
          ins: patient.ins.matricule,
          oid: patient.ins.oid,
          birthName: patient.birthName,
          firstNames: patient.firstNames,
          sex: patient.sex,
          birthDate: patient.birthDate.replace(/-/g, ''),
          ...(patient.birthPlaceCode ? { birthPlaceCode: patient.birthPlaceCode } : {}),
        },
        author,
        custodian: author.institution ?? { id: settings.lpsOid, name: settings.lps.name },
        serviceTime: { start: now },
        confidentiality,
        ...(replaced === null ? {} : { replaces: replaced }),
        effectiveTime: now,
      },
      { newOid: () => ctx.newOid() },
    );
    // Built canonical, with its size, SHA-1 and canonical digest computed once (cda/build.ts).
    content = built.bytes;
    metadata = built.metadata;
    canonicalDigest = built.canonicalDigest;
  } else {
    // Not a PDF: the whole file through the safe parser, whatever comes before the root (a BOM,
    // the XML declaration, processing instructions, a leading comment of any length: the official
    // ANS N1 example starts with one). The first kilobytes used to be sniffed instead (issue 14).
    metadata = cdaMetadata ?? extractXdsMetadata(bytes, { extraConfidentiality: confidentiality });
    // The document is sent as received (its own encoding), not re-encoded.
    content = bytes;
    // The header must give every metadata ITI-41 requires: refuse now rather than let the DMP refuse the job later.
    if (metadata.missing !== undefined && metadata.missing.length > 0) throw new AppError('DMP_CDA_METADATA_INCOMPLETE', { missing: metadata.missing });
    const cx = parsePatientCx(metadata.sourcePatientId);
    if (cx === null || cx.matricule !== patient.ins.matricule) throw new AppError('DMP_FILE_INVALID', { reason: 'patient-mismatch' });
  }
  if (metadata.size !== content.length || metadata.hash === undefined) metadata = { ...metadata, size: content.length, hash: createHash('sha1').update(content).digest('hex') };
  if (input.replaces !== undefined) metadata = { ...metadata, replaces: input.replaces };
  const createdAt = ctx.now();
  const row = { uniqueId: metadata.uniqueId, patientId: input.patientId, createdAt, actor: actorName, metadata, replaces: input.replaces ?? null, canonicalDigest };
  const serialKey = versionChainKey(ctx, input.patientId, metadata, input.replaces);
  // Durable before the row that names it commits (sealed file written and flushed): when `send`
  // returns, the document and its job are on disk (synchronous=FULL commit after the file's fsync).
  const sealed = sealOutgoingContent(ctx, metadata.uniqueId, content);
  let job: ReturnType<typeof outbox.get>;
  try {
    job = inTransaction(deps.db, () => {
      const existing = store.outgoing(metadata.uniqueId);
      if (existing !== null && existing.jobId !== null) {
        discardOutgoingContent(ctx, sealed);
        return outbox.get(existing.jobId);
      }
      // The job first (its id goes into the row), then the document: one transaction (ARCHITECTURE.md §5).
      const enqueued = outbox.enqueue<SendPayload>(DMP_SEND_QUEUE, {
        idempotencyKey: metadata.uniqueId,
        serialKey,
        payload: { uniqueId: metadata.uniqueId },
        // The screen says what and for whom (the patient is named from patientId); the uniqueId stays for support.
        subject: { patientId: input.patientId, label: `« ${metadata.title} » au DMP (${isPdf ? 'PDF' : 'CDA'}, ${mib(content.length)})`, ref: metadata.uniqueId },
      });
      store.insertOutgoing({ ...row, jobId: enqueued.id }, sealed);
      deps.audit({ actor: actorName, patientRef: input.patientId, action: 'dmp.send.queued', details: { uniqueId: metadata.uniqueId, typeCode: metadata.typeCode.code, replaces: input.replaces ?? null } });
      return enqueued;
    });
  } catch (error) {
    discardOutgoingContent(ctx, sealed);
    throw error;
  }
  deps.notify?.('dmp.changed', { patientId: input.patientId, reason: 'sending' });
  outbox.wake('dmp.send');
  return sendingView(ctx, { ...row, jobId: job?.id ?? null, sentAt: null });
}

/**
 * The outbox runs one job at a time per key. Only versions of one document depend on each other (a
 * replacement needs its original registered: RPLC, CI-SIS setId kept across versions), so the key
 * is the version chain — its setId — and a patient's other documents go out in parallel. A
 * replacement of a document still queued here takes that document's key, whatever its own setId.
 */
function versionChainKey(ctx: DmpContext, patientId: string, metadata: XdsDocumentMetadata, replaces: string | undefined): string {
  if (replaces !== undefined) {
    const original = ctx.store.outgoing(replaces);
    const key = original === null || original.jobId === null || original.patientId !== patientId ? undefined : ctx.deps.outbox?.get(original.jobId)?.serialKey;
    if (key !== undefined && key !== null) return key;
  }
  return `dmp:${patientId}:${metadata.setId ?? replaces ?? metadata.uniqueId}`;
}

async function readCdaMetadata(ctx: DmpContext, bytes: Buffer, confidentiality: string[]): Promise<XdsDocumentMetadata> {
  try {
    return ctx.deps.readCdaMetadata === undefined ? extractXdsMetadata(bytes, { extraConfidentiality: confidentiality }) : await ctx.deps.readCdaMetadata(bytes, confidentiality);
  } catch (error) {
    // Neither a PDF nor XML at all: the DMP takes only those (a CDA that is XML keeps its own reason).
    if (isAppError(error) && error.code === 'CDA_NOT_A_DOCUMENT' && error.details?.reason === 'XML_MALFORMED') throw new AppError('DMP_FILE_INVALID', { reason: 'not-pdf-nor-xml' });
    throw error;
  }
}

/**
 * What a replacement's CDA header needs of the replaced document (CI-SIS: the setId is kept
 * across versions, the version number goes up by one). A document sent from this installation is
 * known from its outgoing row, even before the DMP list is refreshed; for another software's
 * document the registry metadata carries no setId, and the replaced uniqueId stands in
 * (modelled, README). Null when the document is unknown here.
 */
function replacedVersion(ctx: DmpContext, patientId: string, uniqueId: string): { uniqueId: string; setId: string; version: number } | null {
  const sent = ctx.store.outgoing(uniqueId);
  if (sent !== null && sent.patientId === patientId) return { uniqueId, setId: sent.metadata.setId ?? uniqueId, version: sent.metadata.versionNumber ?? 1 };
  const listed = ctx.store.document(patientId, uniqueId);
  return listed === null ? null : { uniqueId, setId: uniqueId, version: listed.entry.version ?? 1 };
}

function authorFor(ctx: DmpContext, practitioner: DmpPractitioner | null): XdsAuthor {
  if (practitioner === null) {
    const structure = ctx.deps.structure?.() ?? null;
    if (structure === null) throw new DmpError('DMP_CARD_REQUIRED', false, false);
    return { idNat: structure.id, family: structure.name, institution: { id: structure.id, name: structure.name } };
  }
  const author: XdsAuthor = {
    idNat: practitioner.idNat,
    given: practitioner.givenName,
    family: practitioner.surname,
    institution: { id: practitioner.structure.id, name: practitioner.structure.name },
  };
  if (practitioner.profession !== null) author.role = { code: practitioner.profession.code, codeSystem: '1.2.250.1.71.1.2.7', displayName: practitioner.profession.label };
  if (practitioner.specialty !== null) {
    author.specialty = { code: practitioner.specialty.code, codeSystem: '1.2.250.1.71.4.2.5', displayName: practitioner.specialty.label };
  }
  return author;
}

/** Patients service merge participant: unsent documents move to the record kept (their jobs move with the outbox's own participant). */
export function reassignUnsentDocuments(ctx: DmpContext, fromPatientId: string, toPatientId: string): number {
  return ctx.store.reassignUnsent(fromPatientId, toPatientId);
}
