/**
 * The patient's rights (ADRi) on the record: open or closed with their dates, régime, caisse,
 * centre, exonerations, and when they were checked; « droits non vérifiés » with the reason and the
 * next step when the check could not be made (billing reads the same record).
 */
import { useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AdriRights } from '../../../electron/contract/domains/adri';
import { useHostEvent, useHostQuery } from '../../bridge/queries';
import { ErrorNotice, Panel, StatusBadge } from '../../ui';

const STATUS: Record<AdriRights['status'], { label: string; tone: 'ok' | 'error' | 'warn' }> = {
  open: { label: 'Droits ouverts', tone: 'ok' },
  closed: { label: 'Droits fermés', tone: 'error' },
  unverified: { label: 'Droits non vérifiés', tone: 'warn' },
};

const REASON: Record<NonNullable<AdriRights['reason']>, string> = {
  offline: 'le service des droits n’était pas joignable (hors ligne). Relisez la carte Vitale une fois la connexion revenue.',
  unavailable: 'le service des droits n’a pas répondu à temps. Relisez la carte Vitale dans quelques minutes.',
  'not-configured': 'le service des droits n’est pas configuré sur ce poste.',
  'not-found': 'le service des droits ne connaît pas ce bénéficiaire. Vérifiez l’attestation de droits du patient.',
  refused: 'le service des droits a refusé la demande. Vérifiez votre carte CPS.',
  'card-session': 'aucune carte CPS n’était connectée. Insérez votre carte CPS puis relisez la carte Vitale.',
};

const day = (iso: string | null) => (iso === null ? null : new Date(`${iso}T12:00:00Z`).toLocaleDateString('fr-FR'));

export function RightsPanel({ patientId }: { patientId: string }) {
  const rights = useHostQuery('adri.rights', { patientId });
  const client = useQueryClient();
  useHostEvent(
    'adri.changed',
    useCallback(
      (event: { patientId: string }) => {
        if (event.patientId === patientId) void client.invalidateQueries({ queryKey: ['adri.rights'] });
      },
      [client, patientId],
    ),
  );
  if (rights.error) return <ErrorNotice error={rights.error} />;
  const r = rights.data;
  return (
    <Panel title="Droits de l’assurance maladie (ADRi)">
      {r === undefined ? <p className="muted">Chargement…</p> : null}
      {r === null ? <p className="empty">Droits non consultés : lisez la carte Vitale ou l’appli carte Vitale du patient.</p> : null}
      {r ? (
        <div className="stack" data-testid="adri-rights">
          <div className="identity-line">
            <StatusBadge tone={STATUS[r.status].tone} title="Droits à la date de consultation">
              {STATUS[r.status].label}
            </StatusBadge>
            <span className="muted">
              vérifiés le {new Date(r.checkedAt).toLocaleString('fr-FR')} ({r.source === 'apcv' ? 'appli carte Vitale' : 'carte Vitale'})
            </span>
          </div>
          {r.reason ? <p>Droits non vérifiés : {REASON[r.reason]}</p> : null}
          <dl className="traits">
            <dt>Régime</dt>
            <dd>{r.regime ? `${r.regime.label} (${r.regime.code})` : '—'}</dd>
            <dt>Caisse / centre</dt>
            <dd>
              {r.caisse ?? '—'} / {r.centre ?? '—'}
            </dd>
            {r.amo ? (
              <>
                <dt>Assurance maladie obligatoire</dt>
                <dd>
                  {r.amo.start ? `du ${day(r.amo.start)}` : ''} {r.amo.end ? `au ${day(r.amo.end)}` : '(sans date de fin)'}
                </dd>
              </>
            ) : null}
            {r.exonerations.map((e) => (
              <span key={e.code} style={{ display: 'contents' }}>
                <dt>Exonération</dt>
                <dd>
                  {e.label}
                  {e.end ? ` jusqu’au ${day(e.end)}` : ''}
                </dd>
              </span>
            ))}
            {r.complementary ? (
              <>
                <dt>Complémentaire</dt>
                <dd>{r.complementary}</dd>
              </>
            ) : null}
          </dl>
        </div>
      ) : null}
    </Panel>
  );
}
