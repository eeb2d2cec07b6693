import { useCallback } from 'react';
import { useHostEvent, useHostQuery } from '../../bridge/queries';
import { StatusBadge, useToast } from '../../ui';
import { indicatorView } from './format';

/** Top-bar badge of the File d'envoi: dead jobs are impossible to miss (badge and a notice). */
export function OutboxIndicator() {
  const toast = useToast();
  const status = useHostQuery('outbox.status', {});
  const { refetch } = status;
  useHostEvent(
    'outbox.changed',
    useCallback(() => {
      void refetch();
    }, [refetch]),
  );
  useHostEvent(
    'outbox.dead',
    useCallback(
      (dead: { label: string; message: string }) => {
        toast('error', `Envoi à traiter — ${dead.label} : ${dead.message}`);
      },
      [toast],
    ),
  );
  const view = indicatorView(status.data);
  return (
    <a className="indicator" href="#/file-envoi" data-testid="outbox-indicator" title={view.title} aria-live="polite">
      <StatusBadge tone={view.tone}>{view.text}</StatusBadge>
    </a>
  );
}
