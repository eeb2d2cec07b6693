/** Invoices not yet transmitted, most urgent first (deadline passed, last day, then by date). */
import { navigate } from '../../app/router';
import { useHostQuery } from '../../bridge/queries';
import { ErrorNotice, Panel, StatusBadge } from '../../ui';
import { deadlineText, shortDate } from './format';

export function DeadlinesPanel() {
  const deadlines = useHostQuery('billing.deadlines', {});
  const items = deadlines.data?.items ?? [];
  const passed = items.filter((i) => i.deadline.state === 'passed').length;
  return (
    <Panel title={`Délais de transmission (${items.length})`}>
      {deadlines.error ? <ErrorNotice error={deadlines.error} /> : null}
      {passed > 0 ? (
        <div className="notice notice-error" role="alert">
          <strong>{passed === 1 ? 'Une facture a dépassé' : `${passed} factures ont dépassé`} le délai légal de transmission.</strong>
          <div>Rétablissez la connexion et synchronisez ; si la transmission reste impossible, prévenez votre caisse primaire.</div>
        </div>
      ) : null}
      {items.length === 0 ? (
        <p className="empty">Toutes les factures sont transmises.</p>
      ) : (
        <table className="table" data-testid="billing-deadlines">
          <thead>
            <tr>
              <th style={{ width: '90px' }}>Facture</th>
              <th>Patient</th>
              <th style={{ width: '150px' }}>Soins</th>
              <th style={{ width: '110px' }}>Paiement</th>
              <th>Délai (art. R161-47)</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const view = deadlineText(item);
              return (
                <tr key={item.invoiceId} data-testid="billing-deadline" onDoubleClick={() => item.lot && navigate('/facturation')}>
                  <td>n° {item.number}</td>
                  <td>{item.beneficiary}</td>
                  <td>{shortDate(item.careDate)}</td>
                  <td>{item.mode === 'tiers-payant' ? 'tiers payant' : 'direct'}</td>
                  <td>
                    <StatusBadge tone={view.tone}>{view.text}</StatusBadge>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
