/** Démo only: takes the local base e-prescription simulator down or back up, to show working offline. */
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, StatusBadge } from '../../ui';

export function ErxDemoSimulator() {
  const state = useHostQuery('eprescription.demo.simulator', {});
  const change = useHostMutation('eprescription.demo.simulator', ['eprescription.demo.simulator', 'eprescription.list']);
  // Outside démo the method does not exist: nothing to show.
  if (state.error || state.data === undefined) return null;
  const down = state.data.mode === 'down';
  return (
    <div className="inline dmp-demo" data-testid="erx-demo-simulator">
      <span className="muted">Démo — base ordonnance numérique :</span>
      <StatusBadge tone={down ? 'error' : 'ok'}>{down ? 'injoignable' : 'joignable'}</StatusBadge>
      <Button variant="ghost" busy={change.isPending} onClick={() => change.mutate({ mode: down ? 'up' : 'down' })} data-testid="erx-demo-toggle">
        {down ? 'Rétablir la base' : 'Simuler une panne de la base'}
      </Button>
    </div>
  );
}
