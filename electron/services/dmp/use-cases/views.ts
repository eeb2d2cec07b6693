/** The document list as the panel shows it: listed documents, newest first, with « mine » and « new » marks. */
import type { DocumentContext } from '../rights';
import type { StoredDocument } from '../store';
import type { DmpDocumentView } from '../types';
import { restrictionsOf, type DocumentEntry } from '../xds';
import type { DmpContext } from './context';

type Who = { idNat: string; structureId: string } | null;

/** HL7 TS (yyyy[MM[dd[HH[mm[ss]]]]]) → ISO (UTC), or null. */
export function hl7ToIso(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?/.exec(value);
  if (m === null) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00'] = m;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}Z`;
}

export function documentViews(ctx: DmpContext, patientId: string, caller: Who): DmpDocumentView[] {
  return ctx.store
    .documents(patientId)
    .filter((d) => d.entry.status === 'Approved' || d.entry.status === 'Archived')
    .map((d) => documentView(d, caller))
    .sort((a, b) => (b.serviceStartTime ?? b.creationTime ?? '').localeCompare(a.serviceStartTime ?? a.creationTime ?? ''));
}

export function documentContext(entry: DocumentEntry, caller: Who): DocumentContext {
  const own = caller !== null && entry.authors.some((a) => a.idNat === caller.idNat || (a.idNat === '' && a.institution?.id === caller.structureId));
  return { own, patientDocument: entry.classCode?.code === '90' || (entry.typeCode?.code.startsWith('DOCPAT') ?? false) };
}

export function documentView(stored: StoredDocument, caller: Who): DmpDocumentView {
  const { entry } = stored;
  const author = entry.authors[0];
  const context = documentContext(entry, caller);
  return {
    uniqueId: entry.uniqueId,
    entryUuid: entry.entryUuid,
    title: entry.title,
    mimeType: entry.mimeType,
    typeCode: entry.typeCode,
    classCode: entry.classCode,
    formatCode: entry.formatCode,
    status: entry.status,
    restrictions: restrictionsOf(entry),
    authorName: author === undefined ? '' : [author.given, author.family].filter(Boolean).join(' '),
    authorIdNat: author?.idNat ?? '',
    institution: author?.institution?.name ?? null,
    creationTime: hl7ToIso(entry.creationTime),
    serviceStartTime: hl7ToIso(entry.serviceStartTime),
    firstSeenAt: stored.firstSeenAt,
    isNew: !stored.seen,
    own: context.own,
    patientDocument: context.patientDocument,
    size: entry.size,
  };
}
