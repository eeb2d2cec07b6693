import { NotBuiltYet, Panel } from '../../ui';

export function DmpScreen() {
  return (
    <Panel title="DMP (Mon espace santé)">
      <NotBuiltYet what="La consultation et l’alimentation du DMP" issue="DMPi" />
    </Panel>
  );
}
