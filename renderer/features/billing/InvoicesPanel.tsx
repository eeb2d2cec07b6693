/** The invoices of the session: number, patient, amounts and shares, where each stands; cancel before a lot. */
import type { InvoiceView } from '../../../electron/contract/domains/billing';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice, Panel, StatusBadge, useToast } from '../../ui';
import { euros, INVOICE_STATUS_LABELS, INVOICE_STATUS_TONES, SECURING_LABELS } from './format';

export function InvoicesPanel({ sessionId }: { sessionId: string }) {
  const toast = useToast();
  const invoices = useHostQuery('billing.invoices', { sessionId, limit: 500 });
  const cancel = useHostMutation('billing.cancelInvoice', ['billing.invoices', 'billing.status', 'billing.deadlines']);
  const list = invoices.data?.invoices ?? [];
  return (
    <Panel title={`Factures de la session (${list.filter((i) => i.status !== 'cancelled').length})`}>
      {invoices.error ? <ErrorNotice error={invoices.error} /> : null}
      {cancel.error ? <ErrorNotice error={cancel.error} /> : null}
      {list.length === 0 ? (
        <p className="empty">Aucune facture dans cette session.</p>
      ) : (
        <table className="table" data-testid="billing-invoices">
          <thead>
            <tr>
              <th style={{ width: '80px' }}>N°</th>
              <th>Patient</th>
              <th>Actes</th>
              <th style={{ width: '90px' }}>Total</th>
              <th style={{ width: '130px' }}>AMO / patient</th>
              <th style={{ width: '110px' }}>Paiement</th>
              <th style={{ width: '150px' }}>État</th>
              <th style={{ width: '90px' }} />
            </tr>
          </thead>
          <tbody>
            {list.map((i: InvoiceView) => (
              <tr key={i.id} data-testid="billing-invoice">
                <td>{i.number}</td>
                <td>
                  {i.beneficiary.surname} {i.beneficiary.givenName}
                  <div className="muted">
                    {SECURING_LABELS[i.securing]}
                    {i.rights.status === 'unverified' ? ' — droits non vérifiés' : ''}
                    {i.scorRequired ? ' — justificatif à numériser (SCOR)' : ''}
                  </div>
                </td>
                <td>{i.lines.map((l) => (l.quantity > 1 ? `${l.quantity} ${l.code}` : l.code)).join(' + ')}</td>
                <td>{euros(i.totals.totalCents)}</td>
                <td>
                  {euros(i.totals.amoCents)} / {euros(i.totals.patientCents)}
                </td>
                <td>{i.mode === 'tiers-payant' ? 'Tiers payant' : 'Direct'}</td>
                <td>
                  <StatusBadge tone={INVOICE_STATUS_TONES[i.status]}>{INVOICE_STATUS_LABELS[i.status]}</StatusBadge>
                  {i.payment !== null && i.status !== 'paid' ? <div className="muted">{i.payment.label}</div> : null}
                </td>
                <td>
                  {i.status === 'validated' && i.lot === null ? (
                    <Button
                      variant="ghost"
                      onClick={() => cancel.mutate({ invoiceId: i.id }, { onSuccess: () => toast('ok', `Facture n° ${i.number} annulée (son numéro n’est pas réutilisé).`) })}
                    >
                      Annuler
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
