/**
 * « Ordonnance » on the patient record (prescribers): the prescriptions written for this patient
 * with their registration in the base and their copy to the DMP, a new one, and the paper
 * ordonnance to preview and print (A4 or A5). States refresh on `eprescription.changed` and outbox events.
 */
import { useCallback, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { MethodResult } from '../../../electron/contract';
import { useHostEvent, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, StatusBadge } from '../../ui';
import { DMP_LABELS, frDate, frDateTime, REGISTRATION_LABELS } from './format';
import { PrescriptionForm } from './PrescriptionForm';
import { PrintDialog } from './PrintDialog';
import './eprescription.css';

type Prescription = MethodResult<'eprescription.list'>['prescriptions'][number];

export function PrescriptionPanel({ patientId }: { patientId: string }) {
  const list = useHostQuery('eprescription.list', { patientId });
  const client = useQueryClient();
  const refresh = useCallback(() => void client.invalidateQueries({ queryKey: ['eprescription.list'] }), [client]);
  useHostEvent('eprescription.changed', refresh);
  useHostEvent('outbox.changed', refresh);
  useHostEvent('dmp.changed', refresh);
  const [writing, setWriting] = useState(false);
  const [printing, setPrinting] = useState<Prescription | null>(null);

  if (writing) {
    return (
      <PrescriptionForm
        patientId={patientId}
        onCancel={() => setWriting(false)}
        onDone={(prescription) => {
          setWriting(false);
          refresh();
          setPrinting(prescription);
        }}
      />
    );
  }
  return (
    <Panel
      title="Ordonnances numériques"
      actions={
        <Button variant="primary" onClick={() => setWriting(true)} data-testid="erx-new">
          Nouvelle ordonnance
        </Button>
      }
    >
      <div data-testid="erx-panel">
        {list.error ? <ErrorNotice error={list.error} /> : null}
        {list.data?.prescriptions.length === 0 ? <p className="empty">Aucune ordonnance numérique pour ce patient.</p> : null}
        <ul className="erx-list">
          {(list.data?.prescriptions ?? []).map((p) => (
            <li key={p.number} className="erx-item" data-testid="erx-prescription" data-number={p.number} data-registration={p.registration.state} data-dmp={p.dmp.state}>
              <div className="inline">
                <strong>{frDateTime(p.createdAt)}</strong>
                <span className="erx-number">N° {p.numberText}</span>
                <StatusBadge tone={REGISTRATION_LABELS[p.registration.state].tone}>{REGISTRATION_LABELS[p.registration.state].label}</StatusBadge>
                {p.baseStatus === null ? null : <StatusBadge tone="neutral">{p.baseStatus}</StatusBadge>}
                <StatusBadge tone={DMP_LABELS[p.dmp.state].tone}>{DMP_LABELS[p.dmp.state].label}</StatusBadge>
                {p.printedAt === null ? <StatusBadge tone="warn">Non imprimée</StatusBadge> : <span className="muted">Imprimée le {frDateTime(p.printedAt)}</span>}
                <Button variant="ghost" onClick={() => setPrinting(p)} data-testid="erx-print-open">
                  Aperçu et impression
                </Button>
              </div>
              <ol className="erx-summary">
                {p.lines.map((line, i) => (
                  <li key={line.id}>
                    {line.name} — <span className="muted">{p.posologies[i]}</span>
                  </li>
                ))}
              </ol>
              <div className="muted">
                Valable jusqu’au {frDate(p.validUntil)} · consultation de la délivrance : {p.consent === 'OUI' ? 'acceptée' : 'refusée'} par le patient
              </div>
              {p.registration.message ? <div className="muted">{p.registration.message}</div> : null}
              {p.dmp.state !== 'done' && p.dmp.message ? <div className="muted">{p.dmp.message}</div> : null}
            </li>
          ))}
        </ul>
      </div>
      {printing !== null ? <PrintDialog prescription={printing} onClose={() => setPrinting(null)} /> : null}
    </Panel>
  );
}
