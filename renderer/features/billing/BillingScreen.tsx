import { NotBuiltYet, Panel } from '../../ui';

export function BillingScreen() {
  return (
    <Panel title="Facturation">
      <NotBuiltYet what="La facturation SESAM-Vitale" issue="facturation hors ligne ; le cahier des charges SESAM-Vitale est diffusé sous convention" />
    </Panel>
  );
}
