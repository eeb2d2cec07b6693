import { useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, StatusBadge, Table } from '../../ui';
import { ScannersPanel } from '../scan/ScannersPanel';

const TONE = { ok: 'ok', warn: 'warn', error: 'error' } as const;
const LABEL = { ok: 'OK', warn: 'À vérifier', error: 'Problème' } as const;

export function DiagnosticScreen() {
  const checks = useHostQuery('diagnostic.run', {});
  const info = useHostQuery('app.info', {});
  return (
    <Panel
      title="Diagnostic du poste"
      actions={
        <Button onClick={() => void checks.refetch()} busy={checks.isFetching}>
          Relancer le diagnostic
        </Button>
      }
    >
      {info.data ? (
        <p className="muted">
          {info.data.name} {info.data.version} — données : {info.data.dataDir} — démarré le {new Date(info.data.startedAt).toLocaleString('fr-FR')}
        </p>
      ) : null}
      {checks.error ? <ErrorNotice error={checks.error} /> : null}
      <Table
        rows={checks.data?.checks ?? []}
        rowKey={(row) => row.id}
        empty={checks.isLoading ? 'Diagnostic en cours…' : 'Aucun contrôle.'}
        columns={[
          { key: 'label', header: 'Contrôle', render: (row) => row.label, width: '28%' },
          { key: 'status', header: 'État', render: (row) => <StatusBadge tone={TONE[row.status]}>{LABEL[row.status]}</StatusBadge>, width: '12%' },
          { key: 'detail', header: 'Détail', render: (row) => row.detail },
          { key: 'next', header: 'Que faire', render: (row) => row.next ?? '' },
        ]}
      />
      <ScannersPanel />
    </Panel>
  );
}
