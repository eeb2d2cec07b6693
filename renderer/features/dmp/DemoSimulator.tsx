/** Démo only: takes the local DMP simulator down or back up, to show sending while offline. */
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, StatusBadge } from '../../ui';

export function DemoSimulator() {
  const state = useHostQuery('dmp.demo.simulator', {});
  const change = useHostMutation('dmp.demo.simulator', ['dmp.demo.simulator', 'dmp.sendings']);
  // Outside démo the method does not exist: nothing to show.
  if (state.error || state.data === undefined) return null;
  const down = state.data.mode === 'down';
  return (
    <div className="inline dmp-demo" data-testid="dmp-demo-simulator">
      <span className="muted">Démo — simulateur DMP :</span>
      <StatusBadge tone={down ? 'error' : 'ok'}>{down ? 'injoignable' : 'joignable'}</StatusBadge>
      <Button variant="ghost" busy={change.isPending} onClick={() => change.mutate({ mode: down ? 'up' : 'down' })} data-testid="dmp-demo-toggle">
        {down ? 'Rétablir le DMP' : 'Simuler une panne du DMP'}
      </Button>
    </div>
  );
}
