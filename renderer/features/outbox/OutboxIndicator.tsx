import { StatusBadge } from '../../ui';

/** Top-bar outbox indicator; counts arrive with the outbox engine. */
export function OutboxIndicator() {
  return (
    <a className="indicator" href="#/file-envoi" data-testid="outbox-indicator" title="File d'envoi">
      <StatusBadge tone="neutral">File d'envoi : —</StatusBadge>
    </a>
  );
}
