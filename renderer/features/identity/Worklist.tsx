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
  });
  const current = list.data?.worklists[0] ?? null;
  return (
    <>
      <Panel title="Identités (INS)">
        <p>
          <strong>Liste de travail INSi</strong> — une recherche INSi par patient, en arrière-plan (file d’envoi), au rythme autorisé. Chaque identité trouvée devient « récupérée » ; le justificatif d’identité reste à
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
          { key: 'reason', header: 'Motif', render: (row) => row.reason ?? '' },
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

function ToVerify() {
  const toVerify = useHostQuery('insi.worklist.toVerify', { limit: 50 });
  const ids = toVerify.data?.patientIds ?? [];
  return (
    <Panel title="À vérifier au prochain passage">
      {ids.length === 0 ? (
        <p className="empty">Aucune identité récupérée en attente de contrôle du justificatif.</p>
      ) : (
        <ul className="plain-list">
          {ids.map((id) => (
            <li key={id}>
              <Button variant="ghost" onClick={() => navigate(`/identites/${id}`)}>
                <PatientName id={id} />
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
