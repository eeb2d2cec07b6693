/**
 * The billing part of the Démo panel: the simulated caisse's switches — network down (for days if
 * you like), the next ARL lost or unreadable, the next lot refused, every lot refused — and what it received.
 */
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { ErrorNotice } from '../../ui';

export function DemoBilling() {
  const state = useHostQuery('demo.billing.state', {}, { refetchInterval: 5_000 });
  const configure = useHostMutation('demo.billing.configure', ['demo.billing.state', 'billing.status']);
  const s = state.data;
  const toggle = (key: 'down' | 'loseNextArl' | 'garbleNextArl' | 'refuseNextLot' | 'refuseAll', label: string) => (
    <label>
      <input type="checkbox" checked={s?.[key] ?? false} onChange={(event) => configure.mutate({ [key]: event.target.checked })} data-testid={`demo-billing-${key}`} /> {label}
    </label>
  );
  return (
    <div className="stack" data-testid="demo-billing">
      <h3>Facturation (caisse simulée)</h3>
      <div className="inline">
        {toggle('down', 'Réseau de télétransmission coupé')}
        {toggle('loseNextArl', 'Perdre le prochain accusé de réception')}
        {toggle('garbleNextArl', 'Rendre illisible le prochain accusé de réception')}
        {toggle('refuseNextLot', 'Refuser le prochain lot')}
        {toggle('refuseAll', 'Refuser tous les lots')}
      </div>
      <p className="muted" data-testid="demo-billing-received">
        Lots reçus : {s?.lotsReceived ?? 0} — factures prises en charge : {s?.invoicesReceived ?? 0} — accusé de réception après {((s?.arlDelayMs ?? 0) / 1000).toFixed(0)} s.
      </p>
      {state.error ? <ErrorNotice error={state.error} /> : null}
      {configure.error ? <ErrorNotice error={configure.error} /> : null}
    </div>
  );
}
