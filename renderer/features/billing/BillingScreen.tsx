/**
 * « Facturation »: today's session, invoice entry, the session's invoices, deadlines sorted by
 * urgency, lots and acknowledgements. Shows plainly when SESAM-Vitale billing is not available on
 * this desk (production without the certified library) and what is modelled in démo.
 */
import { useHostQuery } from '../../bridge/queries';
import { ErrorNotice, Panel } from '../../ui';
import { useCardsState, useClaimVitaleInsertion } from '../cards/hooks';
import { DeadlinesPanel } from './DeadlinesPanel';
import { useBillingRefresh } from './hooks';
import { InvoiceEntry } from './InvoiceEntry';
import { InvoicesPanel } from './InvoicesPanel';
import { LotsPanel } from './LotsPanel';
import { SessionPanel } from './SessionPanel';

export function BillingScreen() {
  useBillingRefresh();
  useClaimVitaleInsertion();
  const { session: cardSession } = useCardsState();
  const status = useHostQuery('billing.status', {}, { refetchInterval: 60_000 });
  if (status.error) return <ErrorNotice error={status.error} />;
  if (status.data === undefined) return <p className="muted">Chargement…</p>;
  const s = status.data;
  return (
    <div className="stack" data-testid="billing-screen">
      <Panel title="Facturation">
        {s.mode === 'unavailable' ? (
          <div className="notice notice-warn" role="alert">
            La facturation SESAM-Vitale n’est pas disponible sur ce poste : le format des feuilles de soins électroniques, leur signature et leur
            télétransmission nécessitent la bibliothèque certifiée du GIE SESAM-Vitale, qui n’est pas configurée. Facturez sur feuille de soins papier en
            attendant.
          </div>
        ) : (
          <p className="muted">
            Démonstration : le contenu des feuilles de soins, leurs signatures et la télétransmission sont modélisés (les formats officiels sont diffusés
            sous convention) ; les délais et le déroulement suivent les textes publics.
          </p>
        )}
      </Panel>
      {s.mode === 'modelled' || s.session !== null ? <SessionPanel status={s} cardSession={cardSession.data !== null && cardSession.data !== undefined} /> : null}
      {s.session !== null && s.mode === 'modelled' ? <InvoiceEntry sessionId={s.session.id} offline={s.session.mode === 'offline'} /> : null}
      {s.session !== null ? <InvoicesPanel sessionId={s.session.id} /> : null}
      <DeadlinesPanel />
      <LotsPanel />
    </div>
  );
}
