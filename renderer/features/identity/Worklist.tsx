/**
 * The INSi worklist: choose patients (all provisional identities, or provisional and validated),
 * run, follow the progress (counts and ETA), download the CSV report; and the list of patients whose
 * INS was retrieved and whose identity document must be checked at their next visit.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { WorklistProgress } from '../../../electron/contract/domains/insi';
import { navigate } from '../../app/router';
import { useBridge, useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, ProgressBar, StatusBadge, Table, TextInput } from '../../ui';
import { STATUS_LABELS, STATUS_TONES } from '../patient/format';
import { WORKLIST_ITEM_LABELS } from './labels';
import { TraitsSearch } from './TraitsSearch';

type Scope = 'PROV' | 'PROV+VALI' | 'import';

function eta(seconds: number | null): string {
  if (seconds === null) return 'estimation après les premiers résultats';
  if (seconds < 60) return `environ ${seconds} s restantes`;
  return `environ ${Math.round(seconds / 60)} min restantes`;
}

export function Worklist() {
  const [scope, setScope] = useState<Scope | null>(null);
  const [importId, setImportId] = useState('');
  const importNumber = /^\d+$/.test(importId.trim()) ? Number(importId.trim()) : null;
  const start = useHostMutation('insi.worklist.start', ['insi.worklist.list']);
  const client = useQueryClient();
  // Progress events refresh the list (and the items); polling covers events missed while reconnecting.
  const list = useHostQuery('insi.worklist.list', {}, { refetchInterval: 2000 });
  useHostEvent('insi.worklist.progress', () => {
    void client.invalidateQueries({ queryKey: ['insi.worklist.list'] });
    void client.invalidateQueries({ queryKey: ['insi.worklist.items'] });
    // Identities found by the run join the « à vérifier » list as they come, the last one included.
    void client.invalidateQueries({ queryKey: ['insi.worklist.toVerify'] });
  });
  const current = list.data?.worklists[0] ?? null;
  return (
    <>
      <Panel title="Identités (INS)">
        <p>
          <strong>Liste de travail INSi</strong> — une recherche INSi par patient, en arrière-plan (file d’envoi), au rythme réglé dans Paramètres (« INSi : liste de travail »). Chaque identité trouvée devient « récupérée » ; le justificatif d’identité reste à
          contrôler au prochain passage du patient.
        </p>
        <fieldset className="choices">
          <legend>Patients à interroger</legend>
          <label>
            <input type="radio" name="scope" checked={scope === 'PROV'} onChange={() => setScope('PROV')} data-testid="worklist-scope-prov" /> Toutes les identités provisoires
          </label>
          <label>
            <input type="radio" name="scope" checked={scope === 'PROV+VALI'} onChange={() => setScope('PROV+VALI')} /> Provisoires et validées (sans INS)
          </label>
          <label>
            <input type="radio" name="scope" checked={scope === 'import'} onChange={() => setScope('import')} /> Les patients de l’import n°{' '}
            <TextInput aria-label="Numéro d’import" value={importId} onChange={(e) => setImportId(e.target.value)} onFocus={() => setScope('import')} size={5} inputMode="numeric" />
          </label>
        </fieldset>
        <Button
          variant="primary"
          disabled={scope === null || (scope === 'import' && importNumber === null)}
          busy={start.isPending}
          data-testid="worklist-start"
          onClick={() => {
            if (scope === 'import') {
              if (importNumber !== null) start.mutate({ selection: { kind: 'import', importId: importNumber } });
            } else if (scope !== null) start.mutate({ selection: { kind: 'status', statuses: scope === 'PROV' ? ['PROV'] : ['PROV', 'VALI'] } });
          }}
        >
          Lancer la liste de travail
        </Button>
        {start.error ? <ErrorNotice error={start.error} /> : null}
      </Panel>
      {current ? <WorklistRun progress={current} /> : null}
      <ToVerify />
      <TraitsSearch />
    </>
  );
}

function WorklistRun({ progress }: { progress: WorklistProgress }) {
  const p = progress;
  const done = p.total - p.pending;
  const items = useHostQuery('insi.worklist.items', { worklistId: p.worklistId, limit: 200 });
  const bridge = useBridge();
  const [error, setError] = useState<unknown>(null);
  const download = async () => {
    try {
      const report = await bridge.invoke('insi.worklist.report', { worklistId: p.worklistId });
      const url = URL.createObjectURL(new Blob([report.csv], { type: 'text/csv;charset=utf-8' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = report.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Panel title={`Liste du ${new Date(p.createdAt).toLocaleString('fr-FR')}`} actions={<Button onClick={() => void download()} data-testid="worklist-report">Rapport CSV</Button>}>
      <ProgressBar value={done} max={p.total} label={p.finished ? 'Terminé' : `En cours, ${eta(p.etaSeconds)}`} />
      <p data-testid="worklist-counts">
        <StatusBadge tone="ok">{p.found} INS récupéré(s)</StatusBadge> <StatusBadge tone="warn">{p.notFound} aucune identité</StatusBadge>{' '}
        <StatusBadge tone="warn">{p.several} plusieurs identités</StatusBadge> <StatusBadge tone={p.error > 0 ? 'error' : 'neutral'}>{p.error} erreur(s)</StatusBadge>{' '}
        <StatusBadge tone="neutral">{p.skipped} non interrogé(s)</StatusBadge>
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      <Table
        columns={[
          { key: 'patient', header: 'Patient', render: (row) => <PatientName id={row.patientId} /> },
          { key: 'status', header: 'Résultat', render: (row) => WORKLIST_ITEM_LABELS[row.status] },
          {
            key: 'reason',
            header: 'Motif',
            render: (row) => <span title={row.errorCode === null ? undefined : `Code pour le support : ${row.errorCode}`}>{row.reason ?? ''}</span>,
          },
        ]}
        rows={items.data?.items.filter((i) => i.status !== 'pending').slice(0, 50) ?? []}
        rowKey={(row) => row.patientId}
        empty="Pas encore de résultat."
        onActivate={(row) => navigate(`/identites/${row.patientId}`)}
      />
    </Panel>
  );
}

function PatientName({ id }: { id: string }) {
  const record = useHostQuery('patients.get', { id });
  const p = record.data?.patient;
  if (!p) return <span className="muted">…</span>;
  return (
    <span>
      {p.strictTraits.birthName} {p.strictTraits.firstGivenName}{' '}
      <StatusBadge tone={STATUS_TONES[p.identity.status]}>{STATUS_LABELS[p.identity.status]}</StatusBadge>
    </span>
  );
}

type ToVerifySort = 'retrieved' | 'name' | 'birthDate';

const SORT_LABELS: Record<ToVerifySort, string> = { retrieved: 'Récupérées en dernier d’abord', name: 'Par nom', birthDate: 'Par date de naissance' };

/**
 * Identities « récupérée » (INS found, identity document still to check at the next visit): all of
 * them, whatever found them — a worklist, the desk, before any run —, filtered by name and sorted.
 */
function ToVerify() {
  const [text, setText] = useState('');
  const [sort, setSort] = useState<ToVerifySort>('retrieved');
  const toVerify = useHostQuery('insi.worklist.toVerify', { limit: 200, sort, ...(text.trim() === '' ? {} : { text: text.trim() }) });
  const rows = toVerify.data?.patients ?? [];
  const total = toVerify.data?.total ?? 0;
  return (
    <Panel title="À vérifier au prochain passage">
      <p className="muted">Identités récupérées par l’INSi dont le justificatif d’identité reste à contrôler (RNIV) — {total} en tout.</p>
      <div className="inline filters" role="search">
        <TextInput aria-label="Filtrer par nom" placeholder="Filtrer par nom…" value={text} onChange={(e) => setText(e.currentTarget.value)} data-testid="to-verify-filter" />
        <select className="input" aria-label="Trier" value={sort} onChange={(e) => setSort(e.currentTarget.value as ToVerifySort)} data-testid="to-verify-sort">
          {(Object.keys(SORT_LABELS) as ToVerifySort[]).map((key) => (
            <option key={key} value={key}>
              {SORT_LABELS[key]}
            </option>
          ))}
        </select>
      </div>
      {toVerify.error ? <ErrorNotice error={toVerify.error} /> : null}
      <div data-testid="to-verify">
        <Table
          columns={[
            { key: 'name', header: 'Patient', render: (row) => `${row.birthName} ${row.firstGivenName}` },
            { key: 'birth', header: 'Né(e) le', render: (row) => row.birthDate },
            { key: 'retrieved', header: 'Identité récupérée le', render: (row) => (row.retrievedAt === null ? '—' : new Date(row.retrievedAt).toLocaleString('fr-FR')) },
            { key: 'file', header: 'N° de dossier', render: (row) => row.fileNumber ?? '—' },
          ]}
          rows={rows}
          rowKey={(row) => row.id}
          empty={text.trim() === '' ? 'Aucune identité récupérée en attente de contrôle du justificatif.' : 'Aucune identité ne correspond à ce filtre.'}
          onActivate={(row) => navigate(`/identites/${row.id}`)}
        />
      </div>
    </Panel>
  );
}
