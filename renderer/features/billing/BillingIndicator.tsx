/** Top-bar badge of Facturation: shown only when something is due (deadline, refused lot, paper duplicate). */
import { useCallback } from 'react';
import { useHostEvent, useHostQuery } from '../../bridge/queries';
import { StatusBadge } from '../../ui';
import { billingBadge } from './format';

export function BillingIndicator() {
  const status = useHostQuery('billing.status', {}, { refetchInterval: 60_000 });
  const { refetch } = status;
  useHostEvent(
    'billing.changed',
    useCallback(() => {
      void refetch();
    }, [refetch]),
  );
  const view = billingBadge(status.data);
  if (view === null) return null;
  return (
    <a className="indicator" href="#/facturation" data-testid="billing-indicator" title={view.title} aria-live="polite">
      <StatusBadge tone={view.tone}>{view.text}</StatusBadge>
    </a>
  );
}
