/** Billing server state: every `billing.*` query refreshes on `billing.changed`, outbox and card events. */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useHostEvent } from '../../bridge/queries';

export function useBillingRefresh(): () => void {
  const client = useQueryClient();
  const refresh = useCallback(() => {
    void client.invalidateQueries({ predicate: (query) => typeof query.queryKey[0] === 'string' && query.queryKey[0].startsWith('billing.') });
  }, [client]);
  useHostEvent('billing.changed', refresh);
  useHostEvent('outbox.changed', refresh);
  useHostEvent('cards.changed', refresh);
  return refresh;
}
