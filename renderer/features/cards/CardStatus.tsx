import { StatusBadge } from '../../ui';

/** Top-bar card status; fed by card events once the card layer is wired. */
export function CardStatus() {
  return (
    <span className="indicator" data-testid="card-status">
      <StatusBadge tone="neutral" title="Carte du professionnel">Aucune carte CPS</StatusBadge>
    </span>
  );
}
