/**
 * Today's billing session: opened with the CPS (online or offline, place), switched online when
 * the network is back, closed into lots. Everything reachable from the keyboard (Entrée opens).
 */
import { useState } from 'react';
import type { BillingStatus, SessionMode, SessionPlace } from '../../../electron/contract/domains/billing';
import { useHostMutation } from '../../bridge/queries';
import { Button, ConfirmDialog, ErrorNotice, Panel, StatusBadge, useToast } from '../../ui';
import { euros, PLACE_LABELS } from './format';

export function SessionPanel({ status, cardSession }: { status: BillingStatus; cardSession: boolean }) {
  const toast = useToast();
  const [mode, setMode] = useState<SessionMode>('online');
  const [place, setPlace] = useState<SessionPlace>('cabinet');
  const [confirmClose, setConfirmClose] = useState(false);
  const open = useHostMutation('billing.openSession', ['billing.status', 'billing.sessions']);
  const setSessionMode = useHostMutation('billing.setSessionMode', ['billing.status']);
  const close = useHostMutation('billing.closeSession', ['billing.status', 'billing.lots', 'billing.deadlines']);
  const session = status.session;

  if (session === null) {
    return (
      <Panel title="Session de facturation du jour">
        {!status.identity.complete ? (
          <div className="notice notice-warn" role="alert">
            Renseignez votre numéro AM, votre code spécialité et votre secteur conventionnel dans Paramètres avant de facturer.
          </div>
        ) : null}
        {!cardSession ? <p className="muted">Insérez votre carte CPS et saisissez votre code porteur : la session s’ouvre avec votre carte.</p> : null}
        <form
          className="inline"
          onSubmit={(event) => {
            event.preventDefault();
            open.mutate({ mode, place }, { onSuccess: () => toast('ok', mode === 'offline' ? 'Session ouverte hors ligne : les lots partiront au retour du réseau.' : 'Session ouverte.') });
          }}
          data-testid="billing-open-form"
        >
          <fieldset className="inline" style={{ border: 'none', padding: 0, margin: 0 }} aria-label="Connexion">
            {(['online', 'offline'] as const).map((m) => (
              <label key={m} className="radio">
                <input type="radio" name="billing-mode" checked={mode === m} onChange={() => setMode(m)} data-testid={`billing-mode-${m}`} />
                {m === 'online' ? 'En ligne' : 'Hors ligne (cartes seulement)'}
              </label>
            ))}
          </fieldset>
          <label>
            Lieu{' '}
            <select value={place} onChange={(event) => setPlace(event.target.value as SessionPlace)} data-testid="billing-place">
              {(Object.keys(PLACE_LABELS) as SessionPlace[]).map((p) => (
                <option key={p} value={p}>
                  {PLACE_LABELS[p]}
                </option>
              ))}
            </select>
          </label>
          <Button type="submit" variant="primary" busy={open.isPending} disabled={!cardSession} data-testid="billing-open">
            Ouvrir la session
          </Button>
        </form>
        {open.error ? <ErrorNotice error={open.error} /> : null}
      </Panel>
    );
  }

  const offline = session.mode === 'offline';
  return (
    <Panel
      title="Session de facturation du jour"
      actions={
        <>
          <Button
            onClick={() => setSessionMode.mutate({ sessionId: session.id, mode: offline ? 'online' : 'offline' })}
            busy={setSessionMode.isPending}
            data-testid="billing-toggle-mode"
          >
            {offline ? 'Passer en ligne' : 'Passer hors ligne'}
          </Button>
          <Button variant="danger" onClick={() => setConfirmClose(true)} data-testid="billing-close">
            Fermer la session…
          </Button>
        </>
      }
    >
      <div className="identity-line" data-testid="billing-session">
        <StatusBadge tone={offline ? 'warn' : 'ok'}>{offline ? 'Hors ligne' : 'En ligne'}</StatusBadge>
        <strong>{session.practitioner.name}</strong>
        <span className="muted">n° AM {session.practitioner.billingNumber}</span>
        <span>{PLACE_LABELS[session.place]}</span>
        <span data-testid="billing-session-count">
          {session.invoiceCount} facture{session.invoiceCount > 1 ? 's' : ''} — {euros(session.totals.totalCents)} (AMO {euros(session.totals.amoCents)})
        </span>
      </div>
      {offline ? <p className="muted">Hors ligne : droits enregistrés « non vérifiés », appli carte Vitale indisponible ; les lots partiront au retour du réseau.</p> : null}
      {setSessionMode.error ? <ErrorNotice error={setSessionMode.error} /> : null}
      {close.error ? <ErrorNotice error={close.error} /> : null}
      <ConfirmDialog
        open={confirmClose}
        title="Fermer la session de facturation"
        message={<p>Les factures de la session sont regroupées en lots par caisse et mises en file d’envoi. Aucune facture ne pourra plus être ajoutée à cette session.</p>}
        confirmLabel="Fermer et former les lots"
        onCancel={() => setConfirmClose(false)}
        onConfirm={() => {
          setConfirmClose(false);
          close.mutate(
            { sessionId: session.id },
            { onSuccess: (result) => toast('ok', `Session fermée : ${result.lots.length} lot${result.lots.length > 1 ? 's' : ''} en file d’envoi.`) },
          );
        }}
      />
    </Panel>
  );
}
