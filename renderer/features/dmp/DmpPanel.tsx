/**
 * The DMP panel of a patient. Opening the patient is enough ("sans clic"): the host checks the DMP
 * (TD0.2), then lists the documents — the first time limited to two years (said so, with a button
 * to widen), later only what changed — and marks the new ones. Actions appear only where the
 * rights matrix allows them for the current card and mode.
 */
import { memo, useCallback, useMemo, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ConfirmDialog, Dialog, ErrorNotice, Field, Panel, StatusBadge, TextInput, useToast } from '../../ui';
import { DemoSimulator } from './DemoSimulator';
import { DocumentViewer } from './DocumentViewer';
import {
  authorisationBadge,
  authorsOf,
  documentDate,
  existenceBadge,
  filterDocuments,
  formatDate,
  frenchDateTime,
  offlineNotice,
  groupByMonth,
  NO_FILTERS,
  RESTRICTION_LABELS,
  RESTRICTION_SHORT,
  SENDING_LABELS,
  typesOf,
  type DmpDocument,
  type DocumentFilters,
  type ListRow,
} from './format';
import { SendDialog } from './SendDialog';
import { VirtualList } from './VirtualList';
import './dmp.css';

type Access = { purposeOfUse: 'normal' | 'bris_de_glace' | 'centre_15'; reason?: string };

const ROW_HEIGHT = 34;

export function DmpPanel({ patientId }: { patientId: string }) {
  const [widen, setWiden] = useState(false);
  const [access, setAccess] = useState<Access | undefined>(undefined);
  const params = { patientId, widen, ...(access === undefined ? {} : { access }) };
  // Widening keeps the list of the limited search on screen until the whole list arrives.
  const open = useHostQuery('dmp.open', params, { keepPreviousWhile: (previous) => previous.patientId === patientId });
  const sendings = useHostQuery('dmp.sendings', { patientId });
  const documentTypes = useHostQuery('dmp.documentTypes', {});
  const client = useQueryClient();
  useHostEvent(
    'dmp.changed',
    useCallback(
      (event: { patientId: string; reason: string }) => {
        if (event.patientId !== patientId || event.reason === 'opened') return;
        void client.invalidateQueries({ queryKey: ['dmp.sendings'] });
        if (event.reason === 'updated') void client.invalidateQueries({ queryKey: ['dmp.open'] });
      },
      [client, patientId],
    ),
  );
  // The patient's identity changed (douteuse, fictive, another INS, a merge): the DMP shown was the
  // INS's of before; asked again, the host answers for the identity now (refused unless qualified).
  useHostEvent(
    'patients.changed',
    useCallback(
      (event: { id: string; reason: string }) => {
        if (event.id !== patientId || event.reason !== 'identity') return;
        void client.invalidateQueries({ queryKey: ['dmp.open'] });
        void client.invalidateQueries({ queryKey: ['dmp.sendings'] });
      },
      [client, patientId],
    ),
  );
  useHostEvent(
    'outbox.changed',
    useCallback(() => void client.invalidateQueries({ queryKey: ['dmp.sendings'] }), [client]),
  );

  const [filters, setFilters] = useState<DocumentFilters>(NO_FILTERS);
  const [viewing, setViewing] = useState<DmpDocument | null>(null);
  const [sendOpen, setSendOpen] = useState<{ replacing?: DmpDocument } | null>(null);
  const [breakGlass, setBreakGlass] = useState(false);
  const [reason, setReason] = useState('');
  const [consent, setConsent] = useState(false);
  const [authDialog, setAuthDialog] = useState(false);
  const [confirm, setConfirm] = useState<{ document: DmpDocument; status: 'Deleted' | 'Archived' } | null>(null);
  const toast = useToast();
  const markSeen = useHostMutation('dmp.document.markSeen');
  const setVisibility = useHostMutation('dmp.document.setVisibility', ['dmp.open']);
  const setStatus = useHostMutation('dmp.document.setStatus', ['dmp.open']);
  const authorise = useHostMutation('dmp.authorisation.set', ['dmp.open']);

  const data = open.data;
  const documents = useMemo(() => data?.documents ?? [], [data]);
  const filtered = useMemo(() => filterDocuments(documents, filters), [documents, filters]);
  const rows = useMemo(() => groupByMonth(filtered), [filtered]);
  const authors = useMemo(() => authorsOf(documents), [documents]);
  const types = useMemo(() => typesOf(documents), [documents]);
  const newCount = useMemo(() => documents.filter((d) => d.isNew).length, [documents]);

  // Rows are memoised (DocumentRow): their callbacks and permissions keep their identity across renders.
  const { mutate: markSeenNow } = markSeen;
  const { mutate: setVisibilityNow } = setVisibility;
  const openDocument = useCallback(
    (document: DmpDocument): void => {
      setViewing(document);
      if (document.isNew) markSeenNow({ patientId, uniqueIds: [document.uniqueId] });
    },
    [markSeenNow, patientId],
  );
  const toggleMask = useCallback(
    (d: DmpDocument) => setVisibilityNow({ patientId, uniqueId: d.uniqueId, maskedFromProfessionals: !d.restrictions.includes('MASQUE_PS') }),
    [setVisibilityNow, patientId],
  );
  const replace = useCallback((d: DmpDocument) => setSendOpen({ replacing: d }), []);
  const askStatus = useCallback((d: DmpDocument, status: 'Deleted' | 'Archived') => setConfirm({ document: d, status }), []);
  const canMask = data?.rights.mask.allowed === true;
  const canSendOwn = data?.rights.send.allowed === true;
  const canArchive = data?.rights.archive.allowed === true;
  const canDelete = data?.rights.delete.allowed === true;
  const treatingDoctor = data?.status?.treatingDoctor === true;
  const permissions = useMemo<RowPermissions>(
    () => ({ mask: canMask, send: canSendOwn, archive: canArchive, delete: canDelete, treatingDoctor }),
    [canMask, canSendOwn, canArchive, canDelete, treatingDoctor],
  );
  const renderRow = useCallback(
    (row: ListRow) =>
      row.kind === 'group' ? (
        <GroupRow label={row.label} count={row.count} />
      ) : (
        <DocumentRow document={row.document} permissions={permissions} onOpen={openDocument} onToggleMask={toggleMask} onReplace={replace} onStatus={askStatus} />
      ),
    [permissions, openDocument, toggleMask, replace, askStatus],
  );
  const rowKey = useCallback((row: ListRow) => row.key, []);

  const refresh = (
    <Button onClick={() => void open.refetch()} busy={open.isFetching} data-testid="dmp-panel-refresh">
      Actualiser
    </Button>
  );
  if (open.error) {
    // Whatever went wrong, the sendings of this patient and the demo controls stay at hand.
    return (
      <Panel title="DMP (Mon espace santé)" actions={refresh}>
        <div data-testid="dmp-panel">
          <ErrorNotice error={open.error} />
          <Sendings sendings={sendings.data?.sendings ?? []} />
          <DemoSimulator />
        </div>
      </Panel>
    );
  }
  if (data === undefined) {
    return (
      <Panel title="DMP (Mon espace santé)">
        <p className="muted" data-testid="dmp-panel">
          Interrogation du DMP…
        </p>
      </Panel>
    );
  }

  const { status, rights, offline } = data;
  const existence = status === null ? null : existenceBadge(status);
  const auth = status === null ? null : authorisationBadge(status);
  const emergency = access !== undefined && access.purposeOfUse !== 'normal';
  const active = status?.existence === 'active';
  const needsAuthorisation = offline === null && status !== null && active && status.authorisation !== 'VALIDE' && status.authorisation !== 'INTERDIT';
  // Offline, a patient never checked from here may still get a document: the outbox waits for the DMP.
  const canSend = rights.send.allowed && (active || (offline !== null && status === null));

  return (
    <Panel
      title="DMP (Mon espace santé)"
      actions={
        <>
          {canSend ? (
            <Button variant="primary" onClick={() => setSendOpen({})} data-testid="dmp-send-open">
              Envoyer au DMP
            </Button>
          ) : null}
          {refresh}
        </>
      }
    >
      <div data-testid="dmp-panel">
        {offline !== null ? (
          <div className="notice notice-warn" role="status" data-testid="dmp-offline">
            {offlineNotice(offline.lastCheckedAt)}
          </div>
        ) : null}
        <div className="dmp-status inline" data-testid="dmp-status">
          {offline !== null ? <StatusBadge tone="warn">DMP injoignable</StatusBadge> : null}
          {existence !== null ? <StatusBadge tone={existence.tone}>{existence.label}</StatusBadge> : null}
          {auth !== null ? <StatusBadge tone={auth.tone}>{auth.label}</StatusBadge> : null}
          {status?.treatingDoctor === true ? <StatusBadge tone="ok">Médecin traitant DMP</StatusBadge> : null}
          {status?.mesAttachment === true ? <StatusBadge tone="neutral">Mon espace santé</StatusBadge> : null}
          {status !== null && status.oppositions.length > 0 ? <StatusBadge tone="error">Opposition à l’accès en urgence</StatusBadge> : null}
          {emergency ? <StatusBadge tone="error">Accès {access.purposeOfUse === 'bris_de_glace' ? 'bris de glace' : 'centre 15'}</StatusBadge> : null}
          {data.listed && offline === null ? (
            <StatusBadge tone={newCount > 0 ? 'info' : 'neutral'}>
              {newCount > 0 ? `${newCount} nouveau${newCount > 1 ? 'x' : ''} document${newCount > 1 ? 's' : ''}` : 'Aucun nouveau document'}
            </StatusBadge>
          ) : null}
          {status !== null ? <span className="muted">vérifié {frenchDateTime(status.checkedAt)}</span> : null}
        </div>

        {data.listError !== null && offline === null ? (
          <div className="notice notice-warn" role="status" data-testid="dmp-list-error">
            {data.listError.message}
            <div className="inline">
              {needsAuthorisation && rights.authorisation.allowed ? <Button onClick={() => setAuthDialog(true)}>Ajouter l’autorisation (consentement du patient)</Button> : null}
              {status !== null && active && rights.breakGlass.allowed && !emergency && status.oppositions.length === 0 ? (
                <Button variant="danger" onClick={() => setBreakGlass(true)}>
                  Accès bris de glace…
                </Button>
              ) : null}
            </div>
          </div>
        ) : null}

        {data.listed || documents.length > 0 ? (
          <>
            {data.filter.since !== null || data.filter.typeCodes.length > 0 ? (
              <p className="notice notice-info" data-testid="dmp-filtered">
                Recherche automatique limitée aux documents depuis le {formatDate(data.filter.since)}
                {data.filter.typeCodes.length > 0 ? ` et à vos types de documents habituels (${typeNames(data.filter.typeCodes, documentTypes.data?.types ?? [])})` : ''}.{' '}
                <Button variant="ghost" onClick={() => setWiden(true)} busy={widen && open.isFetching}>
                  Élargir la recherche
                </Button>
              </p>
            ) : null}
            <div className="dmp-filters inline" role="search">
              <select className="input" aria-label="Type" value={filters.typeCode} onChange={(e) => setFilters({ ...filters, typeCode: e.currentTarget.value })}>
                <option value="">Tous les types</option>
                {types.map((t) => (
                  <option key={t.code} value={t.code}>
                    {t.label}
                  </option>
                ))}
              </select>
              <select className="input" aria-label="Auteur" value={filters.author} onChange={(e) => setFilters({ ...filters, author: e.currentTarget.value })}>
                <option value="">Tous les auteurs</option>
                {authors.map((a) => (
                  <option key={a.idNat} value={a.idNat}>
                    {a.name}
                  </option>
                ))}
              </select>
              <input className="input" type="date" aria-label="Depuis le" value={filters.from} onChange={(e) => setFilters({ ...filters, from: e.currentTarget.value })} />
              <select className="input" aria-label="Statut" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.currentTarget.value as DocumentFilters['status'] })}>
                <option value="all">Actifs et archivés</option>
                <option value="Approved">Actifs</option>
                <option value="Archived">Archivés</option>
              </select>
              <label className="inline">
                <input type="checkbox" checked={filters.onlyNew} onChange={(e) => setFilters({ ...filters, onlyNew: e.currentTarget.checked })} /> Nouveaux seulement
              </label>
              <TextInput aria-label="Rechercher dans les titres" placeholder="Rechercher…" value={filters.text} onChange={(e) => setFilters({ ...filters, text: e.currentTarget.value })} />
              {newCount > 0 ? (
                <Button variant="ghost" onClick={() => markSeen.mutate({ patientId, uniqueIds: documents.filter((d) => d.isNew).map((d) => d.uniqueId) }, { onSuccess: () => void open.refetch() })}>
                  Tout marquer comme vu
                </Button>
              ) : null}
            </div>
            {filtered.length === 0 ? (
              <p className="empty">Aucun document ne correspond.</p>
            ) : (
              <VirtualList rows={rows} rowHeight={ROW_HEIGHT} height={Math.min(440, rows.length * ROW_HEIGHT)} rowKey={rowKey} renderRow={renderRow} label="Documents du DMP" testId="dmp-documents" />
            )}
          </>
        ) : null}

        <Sendings sendings={sendings.data?.sendings ?? []} />
        <DemoSimulator />
      </div>

      {viewing !== null ? <DocumentViewer patientId={patientId} uniqueId={viewing.uniqueId} title={viewing.title} access={access} onClose={() => setViewing(null)} /> : null}
      {sendOpen !== null ? <SendDialog patientId={patientId} documents={documents} replacing={sendOpen.replacing} onClose={() => setSendOpen(null)} /> : null}

      <Dialog
        open={breakGlass}
        title="Accès en mode bris de glace"
        onClose={() => setBreakGlass(false)}
        actions={
          <>
            <Button onClick={() => setBreakGlass(false)}>Annuler</Button>
            <Button
              variant="danger"
              disabled={reason.trim().length < 3}
              onClick={() => {
                setAccess({ purposeOfUse: 'bris_de_glace', reason: reason.trim() });
                setBreakGlass(false);
              }}
            >
              Accéder en urgence
            </Button>
          </>
        }
      >
        <p>Le mode bris de glace est réservé à l’urgence, quand le patient ne peut pas consentir. L’accès est tracé et le patient en est informé.</p>
        <Field label="Motif (obligatoire)">{(id) => <TextInput id={id} value={reason} onChange={(e) => setReason(e.currentTarget.value)} maxLength={500} autoFocus />}</Field>
      </Dialog>

      <Dialog
        open={authDialog}
        title="Ajouter l’autorisation d’accès"
        onClose={() => setAuthDialog(false)}
        actions={
          <>
            <Button onClick={() => setAuthDialog(false)}>Annuler</Button>
            <Button
              variant="primary"
              disabled={!consent}
              busy={authorise.isPending}
              onClick={() =>
                authorise.mutate(
                  { patientId, action: 'AJOUT', patientConsent: true },
                  {
                    onSuccess: () => {
                      setAuthDialog(false);
                      toast('ok', 'Autorisation ajoutée.');
                    },
                  },
                )
              }
            >
              Ajouter
            </Button>
          </>
        }
      >
        <label className="inline">
          <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} /> Le patient a donné son consentement pour que j’accède à son DMP.
        </label>
        {authorise.error ? <ErrorNotice error={authorise.error} /> : null}
      </Dialog>

      <ConfirmDialog
        open={confirm !== null}
        title={confirm?.status === 'Deleted' ? 'Supprimer le document du DMP' : 'Archiver le document'}
        message={confirm === null ? null : `« ${confirm.document.title} » sera ${confirm.status === 'Deleted' ? 'supprimé du DMP' : 'archivé (il reste consultable)'}.`}
        confirmLabel={confirm?.status === 'Deleted' ? 'Supprimer' : 'Archiver'}
        danger={confirm?.status === 'Deleted'}
        onCancel={() => setConfirm(null)}
        onConfirm={() => {
          if (confirm === null) return;
          setStatus.mutate({ patientId, uniqueId: confirm.document.uniqueId, status: confirm.status }, { onError: (error) => toast('error', error.message) });
          setConfirm(null);
        }}
      />
      {setVisibility.error ? <ErrorNotice error={setVisibility.error} /> : null}
    </Panel>
  );
}

interface RowPermissions {
  mask: boolean;
  send: boolean;
  archive: boolean;
  delete: boolean;
  treatingDoctor: boolean;
}

const GroupRow = memo(function GroupRow({ label, count }: { label: string; count: number }) {
  return (
    <div className="dmp-group">
      {label} <span className="muted">({count})</span>
    </div>
  );
});

/** One document of the list; memoised: scrolling renders only the rows that come into view. */
const DocumentRow = memo(function DocumentRow({
  document: d,
  permissions,
  onOpen,
  onToggleMask,
  onReplace,
  onStatus,
}: {
  document: DmpDocument;
  permissions: RowPermissions;
  onOpen(d: DmpDocument): void;
  onToggleMask(d: DmpDocument): void;
  onReplace(d: DmpDocument): void;
  onStatus(d: DmpDocument, status: 'Deleted' | 'Archived'): void;
}) {
  const masked = d.restrictions.includes('MASQUE_PS');
  const mayChangeStatus = d.own || (d.patientDocument && permissions.treatingDoctor);
  return (
    <div className={`dmp-row ${d.isNew ? 'dmp-row-new' : ''}`} data-testid="dmp-document" data-unique-id={d.uniqueId}>
      <span className="dmp-date">{formatDate(documentDate(d))}</span>
      <button type="button" className="dmp-title linklike" onClick={() => onOpen(d)} title="Ouvrir le document">
        {d.title}
      </button>
      <span className="dmp-type muted">{d.typeCode?.displayName ?? ''}</span>
      <span className="dmp-author">{d.authorName}</span>
      <span className="dmp-badges">
        {d.isNew ? <StatusBadge tone="info">Nouveau</StatusBadge> : null}
        {d.status === 'Archived' ? <StatusBadge tone="neutral">Archivé</StatusBadge> : null}
        {d.patientDocument ? (
          <StatusBadge tone="neutral" title="Document ajouté par le patient">
            Patient
          </StatusBadge>
        ) : null}
        {d.restrictions.map((r) => (
          <StatusBadge key={r} tone="warn" title={RESTRICTION_LABELS[r] ?? r}>
            {RESTRICTION_SHORT[r] ?? r}
          </StatusBadge>
        ))}
      </span>
      <span className="dmp-actions">
        {permissions.mask ? (
          <Button variant="ghost" onClick={() => onToggleMask(d)} title={masked ? 'Rendre visible aux professionnels' : 'Masquer aux autres professionnels'}>
            {masked ? 'Démasquer' : 'Masquer'}
          </Button>
        ) : null}
        {d.own && permissions.send ? (
          <Button variant="ghost" onClick={() => onReplace(d)}>
            Remplacer
          </Button>
        ) : null}
        {permissions.archive && mayChangeStatus && d.status === 'Approved' ? (
          <Button variant="ghost" onClick={() => onStatus(d, 'Archived')}>
            Archiver
          </Button>
        ) : null}
        {permissions.delete && mayChangeStatus ? (
          <Button variant="ghost" onClick={() => onStatus(d, 'Deleted')}>
            Supprimer
          </Button>
        ) : null}
      </span>
    </div>
  );
});

function Sendings({ sendings }: { sendings: ReadonlyArray<{ uniqueId: string; title: string; state: keyof typeof SENDING_LABELS; message: string | null; createdAt: string }> }) {
  if (sendings.length === 0) return null;
  return (
    <div className="dmp-sendings" data-testid="dmp-sendings">
      <h3>Envois de ce poste</h3>
      <ul>
        {sendings.slice(0, 10).map((s) => (
          <li key={s.uniqueId} data-testid="dmp-sending" data-state={s.state}>
            <StatusBadge tone={SENDING_LABELS[s.state].tone}>{SENDING_LABELS[s.state].label}</StatusBadge> {s.title} <span className="muted">({new Date(s.createdAt).toLocaleString('fr-FR')})</span>
            {s.message !== null ? <div className="muted">{s.message}</div> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** « CR ou fiche de consultation ou de visite, Attestation d'hébergement »: names, the code for one the list lacks. */
function typeNames(codes: string[], known: ReadonlyArray<{ code: string; displayName: string }>): string {
  return codes.map((code) => known.find((t) => t.code === code)?.displayName ?? code).join(', ');
}
