/**
 * File d'envoi (ARCHITECTURE.md §5): what is waiting to be sent, per queue, and the jobs a person
 * must resolve. Shows each job's subject (a label and a patient link), never its content.
 */
import { useCallback, useState } from 'react';
import type { JobSummary, OutboxStatus } from '../../../electron/contract/domains/outbox';
import { navigate } from '../../app/router';
import { useHostEvent, useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ConfirmDialog, ErrorNotice, Panel, ProgressBar, StatusBadge, Table, useToast, type Column } from '../../ui';
import { canCancel, canRetry, endpointBadge, formatWhen, openCount, STATUS_LABELS, STATUS_TONES } from './format';

type Filter = 'open' | 'all';

export function OutboxScreen() {
  const toast = useToast();
  const [filter, setFilter] = useState<Filter>('open');
  const [confirmCancel, setConfirmCancel] = useState<JobSummary | null>(null);
  const [progress, setProgress] = useState<Record<string, { fraction: number; label?: string }>>({});

  const status = useHostQuery('outbox.status', {});
  const dead = useHostQuery('outbox.list', { status: 'dead', limit: 1000 });
  const recent = useHostQuery('outbox.list', { limit: 300 });
  const { refetch: refetchStatus } = status;
  const { refetch: refetchDead } = dead;
  const { refetch: refetchRecent } = recent;
  const refresh = useCallback(() => {
    void refetchStatus();
    void refetchDead();
    void refetchRecent();
  }, [refetchStatus, refetchDead, refetchRecent]);
  useHostEvent('outbox.changed', refresh);
  useHostEvent(
    'outbox.progress',
    useCallback((p: { id: string; fraction: number; label?: string }) => {
      setProgress((current) => ({ ...current, [p.id]: { fraction: p.fraction, ...(p.label === undefined ? {} : { label: p.label }) } }));
    }, []),
  );

  const sync = useHostMutation('outbox.sync', ['outbox.status', 'outbox.list']);
  const retry = useHostMutation('outbox.retry', ['outbox.status', 'outbox.list']);
  const cancel = useHostMutation('outbox.cancel', ['outbox.status', 'outbox.list']);

  const onRetry = (job: JobSummary) =>
    retry.mutate(
      { id: job.id },
      {
        onSuccess: () => toast('ok', `« ${job.subject.label} » sera renvoyé maintenant.`),
        onError: (error) => toast('error', error.message),
      },
    );
  const onCancelConfirmed = () => {
    const job = confirmCancel;
    setConfirmCancel(null);
    if (job === null) return;
    cancel.mutate(
      { id: job.id },
      {
        onSuccess: () => toast('ok', `« ${job.subject.label} » a été annulé.`),
        onError: (error) => toast('error', error.message),
      },
    );
  };

  const columns: Column<JobSummary>[] = [
    { key: 'subject', header: 'Envoi', render: (job) => <SubjectCell job={job} /> },
    { key: 'queue', header: 'File', render: (job) => job.queueLabel, width: '140px' },
    {
      key: 'status',
      header: 'État',
      width: '190px',
      render: (job) => {
        const p = progress[job.id];
        return (
          <>
            <StatusBadge tone={STATUS_TONES[job.status]}>{STATUS_LABELS[job.status]}</StatusBadge>
            {job.status === 'running' && p !== undefined ? (
              <ProgressBar value={Math.round(p.fraction * 100)} max={100} label={p.label ?? 'Envoi'} />
            ) : null}
            {job.status === 'retry_wait' ? <div className="muted">Nouvel essai {formatWhen(job.nextAttemptAt)}</div> : null}
          </>
        );
      },
    },
    { key: 'attempts', header: 'Essais', render: (job) => job.attempts, width: '60px' },
    {
      key: 'error',
      header: 'Dernière erreur',
      render: (job) =>
        job.blockedReason !== null ? (
          <span>{job.blockedReason}</span>
        ) : job.lastErrorMessage !== null ? (
          <span title={job.lastErrorCode ?? undefined}>{job.lastErrorMessage}</span>
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      key: 'actions',
      header: 'Actions',
      width: '230px',
      render: (job) => (
        <div style={{ display: 'flex', gap: 6, flexWrap: 'wrap' }}>
          {canRetry(job) ? (
            <Button variant={job.status === 'dead' ? 'primary' : 'secondary'} onClick={() => onRetry(job)} busy={retry.isPending && retry.variables?.id === job.id}>
              Relancer maintenant
            </Button>
          ) : null}
          {canCancel(job) ? (
            <Button variant="ghost" onClick={() => setConfirmCancel(job)}>
              Annuler…
            </Button>
          ) : null}
        </div>
      ),
    },
  ];

  const deadJobs = dead.data?.jobs ?? [];
  const listed = (recent.data?.jobs ?? []).filter((job) => job.status !== 'dead' && (filter === 'all' || !['done', 'cancelled'].includes(job.status)));

  return (
    <div className="stack">
      <Panel
        title="File d'envoi"
        actions={
          <Button
            variant="primary"
            busy={sync.isPending}
            onClick={() =>
              sync.mutate({}, {
                onSuccess: (s) =>
                  s.unsentTotal === 0
                    ? toast('ok', 'Synchronisation terminée : tout est envoyé.')
                    : toast(
                        'warn',
                        `Synchronisation terminée : ${s.unsentTotal} envoi(s) non parti(s)${s.deadTotal > 0 ? `, dont ${s.deadTotal} à traiter` : ''}. ${s.unsent[0]?.detail ?? ''}`,
                      ),
                onError: (error) => toast('error', error.message),
              })
            }
          >
            Synchroniser maintenant
          </Button>
        }
      >
        {status.error ? <ErrorNotice error={status.error} /> : null}
        {status.data ? <QueueOverview status={status.data} /> : <p className="muted">Chargement…</p>}
      </Panel>

      <Panel title={`À traiter (${deadJobs.length})`}>
        {deadJobs.length > 0 ? (
          <div className="notice notice-error" role="alert" data-testid="outbox-dead-notice">
            <strong>
              {deadJobs.length === 1 ? 'Un envoi a échoué' : `${deadJobs.length} envois ont échoué`} et ne sera plus relancé automatiquement.
            </strong>
            <div>Lisez l’erreur, corrigez ce qui doit l’être, puis relancez l’envoi, ou annulez-le s’il n’a plus lieu d’être.</div>
          </div>
        ) : null}
        <Table columns={columns} rows={deadJobs} rowKey={(job) => job.id} empty="Aucun envoi à traiter." onActivate={openSubject} />
      </Panel>

      <Panel
        title="Envois"
        actions={
          <label>
            Afficher{' '}
            <select value={filter} onChange={(event) => setFilter(event.target.value as Filter)} aria-label="Envois affichés">
              <option value="open">en attente et en cours</option>
              <option value="all">tous, y compris envoyés et annulés</option>
            </select>
          </label>
        }
      >
        {recent.error ? <ErrorNotice error={recent.error} /> : null}
        <Table columns={columns} rows={listed} rowKey={(job) => job.id} empty={filter === 'open' ? 'Rien en attente : tout est parti.' : 'Aucun envoi.'} onActivate={openSubject} />
      </Panel>

      <ConfirmDialog
        open={confirmCancel !== null}
        title="Annuler l'envoi"
        danger
        confirmLabel="Annuler l'envoi"
        onCancel={() => setConfirmCancel(null)}
        onConfirm={onCancelConfirmed}
        message={
          confirmCancel === null ? null : (
            <>
              <p>
                « {confirmCancel.subject.label} » ne sera jamais transmis. L’annulation est enregistrée dans le journal d’audit.
              </p>
              {confirmCancel.outcomeUnknown ? (
                <p className="notice notice-warn">
                  Le dernier essai a peut-être été reçu par le service distant : vérifiez-le avant d’annuler (par exemple dans le DMP du patient).
                </p>
              ) : null}
            </>
          )
        }
      />
    </div>
  );
}

function openSubject(job: JobSummary): void {
  if (job.subject.patientId !== undefined) navigate(`/patient/${encodeURIComponent(job.subject.patientId)}`);
}

/** What is sent and for whom, in words (issue 13): the technical reference only in the tooltip, for support. */
function SubjectCell({ job }: { job: JobSummary }) {
  return (
    <div data-testid="outbox-subject" title={job.subject.ref === undefined ? undefined : `Référence technique (support) : ${job.subject.ref}`}>
      <div>
        {job.subject.label}
        {job.subject.patientId !== undefined ? (
          <>
            {' — '}
            <a href={`#/patient/${encodeURIComponent(job.subject.patientId)}`}>{job.patientName ?? 'ouvrir le patient'}</a>
          </>
        ) : null}
      </div>
      <div className="muted">
        n° {job.id} · créé {formatWhen(job.createdAt)}
      </div>
    </div>
  );
}

function QueueOverview({ status }: { status: OutboxStatus }) {
  if (status.queues.length === 0) return <p className="empty">Aucune file d’envoi n’est active dans cette version.</p>;
  const open = openCount(status);
  return (
    <div className="stack">
      <p>
        {open === 0 ? (status.deadTotal === 0 ? 'Tous les envois sont partis.' : 'Aucun envoi en attente.') : `${open} envoi${open > 1 ? 's' : ''} en attente.`}{' '}
        {status.endpoints.map((e) => {
          const badge = endpointBadge(e);
          return (
            <StatusBadge key={e.endpoint} tone={badge.tone} title={badge.title}>
              <span data-testid={`outbox-endpoint-${e.endpoint}`}>{badge.text}</span>
            </StatusBadge>
          );
        })}
      </p>
      {status.endpoints
        .filter((e) => !e.configured)
        .map((e) => (
          <p key={e.endpoint} className="muted" data-testid={`outbox-endpoint-${e.endpoint}-next`}>
            {e.endpoint.toUpperCase()} : {endpointBadge(e).title}
          </p>
        ))}
      <table className="table" aria-label="État des files d'envoi">
        <thead>
          <tr>
            <th>File</th>
            <th>En attente</th>
            <th>En cours</th>
            <th>Nouvel essai prévu</th>
            <th>Attend la carte</th>
            <th>À traiter</th>
            <th>Envoyés</th>
          </tr>
        </thead>
        <tbody>
          {status.queues.map((q) => (
            <tr key={q.queue}>
              <td>{q.label}</td>
              <td>{q.pending}</td>
              <td>{q.running}</td>
              <td>{q.retry_wait}</td>
              <td>{q.blocked}</td>
              <td>{q.dead > 0 ? <StatusBadge tone="error">{q.dead}</StatusBadge> : 0}</td>
              <td>{q.done}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
