/**
 * « Doublons potentiels »: the pairs to review (the same INS attempted on two records first, then
 * records alike by name, first names, birth date and sex), and the comparison of one pair with the
 * two decisions: merge — the record kept keeps its identity, the other stays read-only with its
 * history, unsent DMP documents and pending sendings follow — or two distinct people, remembered.
 * Both need a reason, kept in both identity histories and the audit trail.
 */
import { useState } from 'react';
import type { Patient } from '../../../electron/contract/domains/patients';
import type { IdentityHistoryEntry } from '../../../electron/contract/domains/identity';
import { navigate } from '../../app/router';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, Dialog, ErrorNotice, Panel, StatusBadge, Table, TextInput, useToast } from '../../ui';
import { SEX_LABELS, STATUS_LABELS, STATUS_TONES, displayName, formatBirthDate, formatMatricule } from './format';
import { eventLabel } from './history-format';

const REASONS = { 'same-ins': 'Même INS proposé pour les deux fiches', likeness: 'Fiches semblables (nom, prénoms, date de naissance, sexe)' } as const;
const SOURCES: Record<string, string> = {
  insi: 'réponse INSi',
  import: 'import CSV',
  creation: 'création',
  vitale: 'lecture de carte Vitale',
  migration: 'mise à jour de la base',
  desk: 'accueil',
};

export function DuplicatesList() {
  const list = useHostQuery('patients.duplicates.list', { limit: 200 });
  const pairs = list.data?.pairs ?? [];
  return (
    <Panel title="Doublons potentiels" actions={<Button onClick={() => navigate('/patient')}>Retour à la recherche</Button>}>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      <Table
        columns={[
          { key: 'a', header: 'Fiche 1', render: (p) => `${displayName(p.a)} · ${formatBirthDate(p.a.birthDate)}` },
          { key: 'b', header: 'Fiche 2', render: (p) => `${displayName(p.b)} · ${formatBirthDate(p.b.birthDate)}` },
          { key: 'why', header: 'Pourquoi', render: (p) => <StatusBadge tone={p.reason === 'same-ins' ? 'error' : 'warn'}>{REASONS[p.reason]}</StatusBadge> },
          { key: 'when', header: 'Détecté', width: '14rem', render: (p) => `${new Date(p.detectedAt).toLocaleString('fr-FR')} (${SOURCES[p.source] ?? p.source})` },
        ]}
        rows={pairs}
        rowKey={(p) => `${p.a.id}-${p.b.id}`}
        empty={list.isFetching ? 'Chargement…' : 'Aucun doublon potentiel à examiner.'}
        onActivate={(p) => navigate(`/patient/doublons/${p.a.id}/${p.b.id}`)}
      />
      <p className="muted">↓ puis Entrée pour comparer les deux fiches.</p>
    </Panel>
  );
}

function Side({ title, patient, history }: { title: string; patient: Patient; history: IdentityHistoryEntry[] }) {
  const s = patient.strictTraits;
  return (
    <Panel title={title}>
      <div className="identity-line">
        <StatusBadge tone={STATUS_TONES[patient.identity.status]}>Identité {STATUS_LABELS[patient.identity.status].toLowerCase()}</StatusBadge>
        {patient.identity.ins ? <span>INS {formatMatricule(patient.identity.ins.matricule.slice(0, 13), patient.identity.ins.matricule.slice(13))}</span> : <span className="muted">Pas d’INS</span>}
        {patient.mergedInto !== null ? <StatusBadge tone="neutral">Fusionnée</StatusBadge> : null}
      </div>
      <dl className="traits">
        <dt>Nom de naissance</dt>
        <dd>{s.birthName}</dd>
        <dt>Prénoms de naissance</dt>
        <dd>{s.birthGivenNames}</dd>
        <dt>Date de naissance</dt>
        <dd>{formatBirthDate(s.birthDate)}</dd>
        <dt>Sexe</dt>
        <dd>{SEX_LABELS[s.sex]}</dd>
        <dt>Lieu de naissance</dt>
        <dd>{patient.birthPlaceLabel ?? '—'}</dd>
        <dt>Nom / prénom utilisés</dt>
        <dd>{[patient.usedTraits.usedName, patient.usedTraits.usedGivenName].filter(Boolean).join(' ') || '—'}</dd>
        <dt>Fiche créée le</dt>
        <dd>{new Date(patient.createdAt).toLocaleDateString('fr-FR')}</dd>
      </dl>
      <ol className="history">
        {[...history].reverse().slice(0, 6).map((entry, i) => (
          <li key={`${entry.at}-${i}`}>
            {new Date(entry.at).toLocaleDateString('fr-FR')} · {eventLabel(entry)}
          </li>
        ))}
      </ol>
    </Panel>
  );
}

export function DuplicateCompare({ a, b }: { a: string; b: string }) {
  const compare = useHostQuery('patients.duplicates.compare', { a, b });
  const merge = useHostMutation('patients.merge', ['patients.duplicates.list', 'patients.search', 'patients.get']);
  const distinct = useHostMutation('patients.markDistinct', ['patients.duplicates.list', 'patients.search', 'patients.get']);
  const toast = useToast();
  const [decision, setDecision] = useState<{ kind: 'merge'; keptId: string; mergedId: string } | { kind: 'distinct' } | null>(null);
  const [reason, setReason] = useState('');
  if (compare.error) return <ErrorNotice error={compare.error} next="Revenez à la liste des doublons potentiels." />;
  if (!compare.data) return <p className="muted">Chargement des deux fiches…</p>;
  const left = compare.data.a.patient;
  const right = compare.data.b.patient;
  const done = left.mergedInto !== null || right.mergedInto !== null;
  // The record holding the INS, else the more advanced status, is the natural one to keep.
  const rank = (p: Patient) => (p.identity.ins !== null ? 10 : 0) + ['PROV', 'RECUP', 'VALI', 'QUAL'].indexOf(p.identity.status);
  const [kept, other] = rank(right) > rank(left) ? [right, left] : [left, right];
  const close = () => {
    setDecision(null);
    setReason('');
  };
  return (
    <div data-testid="duplicate-compare">
      <Panel title="Comparer deux fiches" actions={<Button onClick={() => navigate('/patient/doublons')}>Doublons potentiels</Button>}>
        {compare.data.pair ? <p>{REASONS[compare.data.pair.reason]} — détecté lors : {SOURCES[compare.data.pair.source] ?? compare.data.pair.source}.</p> : null}
        {done ? (
          <p className="notice notice-warn">Ces fiches ont déjà été fusionnées.</p>
        ) : (
          <div className="actions">
            <Button variant="primary" onClick={() => setDecision({ kind: 'merge', keptId: kept.id, mergedId: other.id })} data-testid="duplicate-merge">
              Fusionner : conserver « {kept.strictTraits.birthName} {kept.strictTraits.firstGivenName} »
            </Button>
            {kept.identity.ins === null && other.identity.ins === null ? (
              <Button onClick={() => setDecision({ kind: 'merge', keptId: other.id, mergedId: kept.id })}>
                Fusionner : conserver « {other.strictTraits.birthName} {other.strictTraits.firstGivenName} »
              </Button>
            ) : null}
            <Button onClick={() => setDecision({ kind: 'distinct' })} data-testid="duplicate-distinct">
              Deux personnes distinctes
            </Button>
          </div>
        )}
      </Panel>
      <div className="columns">
        <Side title="Fiche 1" patient={left} history={compare.data.a.history} />
        <Side title="Fiche 2" patient={right} history={compare.data.b.history} />
      </div>
      {decision ? (
        <Dialog
          open
          title={decision.kind === 'merge' ? 'Fusionner les deux fiches' : 'Deux personnes distinctes'}
          onClose={close}
          actions={
            <>
              <Button onClick={close}>Annuler</Button>
              <Button
                variant={decision.kind === 'merge' ? 'danger' : 'primary'}
                disabled={reason.trim().length < 3}
                busy={merge.isPending || distinct.isPending}
                data-testid="duplicate-confirm"
                onClick={() => {
                  if (decision.kind === 'merge') {
                    merge.mutate(
                      { keptId: decision.keptId, mergedId: decision.mergedId, reason: reason.trim() },
                      {
                        onSuccess: (result) => {
                          const moved = result.moved.filter((m) => m.count > 0).map((m) => `${m.count} ${m.label}`);
                          toast('ok', `Fiches fusionnées${moved.length > 0 ? ` (${moved.join(', ')} repris)` : ''} : la fusion est dans l’historique des deux fiches.`);
                          close();
                          navigate(`/patient/${decision.keptId}`);
                        },
                      },
                    );
                  } else {
                    distinct.mutate(
                      { a: left.id, b: right.id, reason: reason.trim() },
                      {
                        onSuccess: () => {
                          toast('ok', 'Deux personnes distinctes : ces fiches ne seront plus proposées comme doublon.');
                          close();
                          navigate('/patient/doublons');
                        },
                      },
                    );
                  }
                }}
              >
                {decision.kind === 'merge' ? 'Fusionner' : 'Confirmer'}
              </Button>
            </>
          }
        >
          {decision.kind === 'merge' ? (
            <p>
              La fiche conservée garde son identité. L’autre fiche reste consultable, en lecture seule, avec son historique ; ses documents DMP non encore envoyés et ses envois en attente passent sur la fiche conservée. Rien n’est supprimé.
            </p>
          ) : (
            <p>Ces deux fiches ne seront plus proposées comme doublon potentiel.</p>
          )}
          <label>
            Motif (obligatoire, conservé dans l’historique des deux fiches)
            <TextInput autoFocus value={reason} onChange={(e) => setReason(e.target.value)} data-testid="duplicate-reason" />
          </label>
          {merge.error ? <ErrorNotice error={merge.error} /> : null}
          {distinct.error ? <ErrorNotice error={distinct.error} /> : null}
        </Dialog>
      ) : null}
    </div>
  );
}
