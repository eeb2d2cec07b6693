/** Pure helpers of the DMP panel: labels, filtering, grouping by month for the virtualised list. */
import type { MethodResult } from '../../../electron/contract';
import type { Tone } from '../../ui';

export type DmpOpen = MethodResult<'dmp.open'>;
export type DmpDocument = DmpOpen['documents'][number];
export type DmpStatus = NonNullable<DmpOpen['status']>;
export type DmpSending = MethodResult<'dmp.sendings'>['sendings'][number];

export function existenceBadge(status: DmpStatus): { tone: Tone; label: string } {
  switch (status.existence) {
    case 'active':
      return { tone: 'ok', label: 'DMP ouvert' };
    case 'closed':
      return { tone: 'warn', label: 'DMP fermé' };
    default:
      return { tone: 'neutral', label: 'Pas de DMP' };
  }
}

export function authorisationBadge(status: DmpStatus): { tone: Tone; label: string } | null {
  switch (status.authorisation) {
    case 'VALIDE':
      return { tone: 'ok', label: 'Accès autorisé' };
    case 'EXPIRE':
      return { tone: 'warn', label: 'Autorisation expirée' };
    case 'INTERDIT':
      return { tone: 'error', label: 'Accès interdit par le patient' };
    case 'NON_EXISTE':
      return { tone: 'warn', label: 'Pas d’autorisation d’accès' };
    default:
      return null;
  }
}

export const RESTRICTION_LABELS: Record<string, string> = {
  MASQUE_PS: 'Masqué aux professionnels',
  INVISIBLE_PATIENT: 'Invisible pour le patient',
  INVISIBLE_REPRESENTANTS_LEGAUX: 'Invisible pour les représentants légaux',
};

/** Short forms for the dense list (the full label goes in the tooltip). */
export const RESTRICTION_SHORT: Record<string, string> = {
  MASQUE_PS: 'Masqué PS',
  INVISIBLE_PATIENT: 'Invisible patient',
  INVISIBLE_REPRESENTANTS_LEGAUX: 'Invisible RL',
};

export const SENDING_LABELS: Record<DmpSending['state'], { tone: Tone; label: string }> = {
  queued: { tone: 'info', label: 'En file d’attente' },
  sending: { tone: 'info', label: 'Envoi en cours' },
  'waiting-card': { tone: 'warn', label: 'Attend la carte CPS ou CPE' },
  sent: { tone: 'ok', label: 'Envoyé' },
  failed: { tone: 'error', label: 'Échec' },
  cancelled: { tone: 'neutral', label: 'Annulé' },
};

export interface DocumentFilters {
  typeCode: string;
  author: string;
  from: string;
  status: 'all' | 'Approved' | 'Archived';
  onlyNew: boolean;
  text: string;
}

export const NO_FILTERS: DocumentFilters = { typeCode: '', author: '', from: '', status: 'all', onlyNew: false, text: '' };

/** The date shown for a document: service start, else creation (UTC from the DMP: EX_3.1-1070). */
export function documentDate(d: Pick<DmpDocument, 'serviceStartTime' | 'creationTime'>): string | null {
  return d.serviceStartTime ?? d.creationTime;
}

export function filterDocuments(documents: readonly DmpDocument[], filters: DocumentFilters): DmpDocument[] {
  const text = filters.text.trim().toLocaleLowerCase('fr');
  return documents.filter((d) => {
    if (filters.typeCode !== '' && d.typeCode?.code !== filters.typeCode) return false;
    if (filters.author !== '' && d.authorIdNat !== filters.author) return false;
    if (filters.status !== 'all' && d.status !== filters.status) return false;
    if (filters.onlyNew && !d.isNew) return false;
    const date = documentDate(d);
    if (filters.from !== '' && (date === null || date.slice(0, 10) < filters.from)) return false;
    if (text !== '' && !`${d.title} ${d.authorName} ${d.typeCode?.displayName ?? ''}`.toLocaleLowerCase('fr').includes(text)) return false;
    return true;
  });
}

export type ListRow = { kind: 'group'; key: string; label: string; count: number } | { kind: 'document'; key: string; document: DmpDocument };

const MONTH = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric' });

/** Rows of the list: a header per month (most recent first), then its documents. */
export function groupByMonth(documents: readonly DmpDocument[]): ListRow[] {
  const sorted = [...documents].sort((a, b) => (documentDate(b) ?? '').localeCompare(documentDate(a) ?? ''));
  const rows: ListRow[] = [];
  let current: { key: string; index: number } | null = null;
  for (const d of sorted) {
    const date = documentDate(d);
    const key = date === null ? 'sans-date' : date.slice(0, 7);
    if (current === null || current.key !== key) {
      const label = date === null ? 'Sans date' : MONTH.format(new Date(`${key}-01T12:00:00Z`));
      rows.push({ kind: 'group', key: `g-${key}`, label: label.charAt(0).toUpperCase() + label.slice(1), count: 0 });
      current = { key, index: rows.length - 1 };
    }
    (rows[current.index] as { count: number }).count += 1;
    rows.push({ kind: 'document', key: d.uniqueId, document: d });
  }
  return rows;
}

/** Which rows to render for a scroll position (fixed row height), with some overscan. */
export function visibleRange(total: number, rowHeight: number, viewport: number, scrollTop: number, overscan = 8): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(total, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { start, end };
}

// One formatter for every row (`toLocaleDateString` builds one per call: a scroll frame renders ~20 rows).
const DAY = new Intl.DateTimeFormat('fr-FR');

export function formatDate(iso: string | null): string {
  if (iso === null) return '—';
  return DAY.format(new Date(iso));
}

export function authorsOf(documents: readonly DmpDocument[]): Array<{ idNat: string; name: string }> {
  const map = new Map<string, string>();
  for (const d of documents) if (d.authorIdNat !== '' && !map.has(d.authorIdNat)) map.set(d.authorIdNat, d.authorName || d.authorIdNat);
  return [...map].map(([idNat, name]) => ({ idNat, name })).sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export function typesOf(documents: readonly DmpDocument[]): Array<{ code: string; label: string }> {
  const map = new Map<string, string>();
  for (const d of documents) if (d.typeCode !== null && !map.has(d.typeCode.code)) map.set(d.typeCode.code, d.typeCode.displayName || d.typeCode.code);
  return [...map].map(([code, label]) => ({ code, label })).sort((a, b) => a.label.localeCompare(b.label, 'fr'));
}

/** « le 12/03/2026 à 10:42 », local time. */
export function frenchDateTime(iso: string): string {
  const at = new Date(iso);
  return `le ${at.toLocaleDateString('fr-FR')} à ${at.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })}`;
}

/**
 * What the offline panel says (issue 13): the consultation waits for the service — a read is
 * never « renvoyée » —, what is shown is the last known state and when it was checked, and
 * sendings leave by themselves.
 */
export function offlineNotice(lastCheckedAt: string | null): string {
  const known =
    lastCheckedAt === null
      ? 'Aucun état connu sur ce poste pour ce patient.'
      : `Dernier état connu du ${new Date(lastCheckedAt).toLocaleDateString('fr-FR')} à ${new Date(lastCheckedAt).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })} : c’est lui qui est affiché.`;
  return `Le DMP ne répond pas : la consultation sera possible au retour du service. ${known} Vous pouvez préparer des envois : ils partiront d’eux-mêmes quand le DMP répondra.`;
}
