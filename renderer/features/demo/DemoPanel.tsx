import { Panel } from '../../ui';
import { DemoApcv } from '../apcv/DemoApcv';
import { DemoBilling } from '../billing/DemoBilling';
import { DemoCards } from '../cards/DemoCards';
import { DemoScanner } from '../scan/DemoScanner';

/** Demo mode controls: virtual cards and QR codes are added here by the card and ApCV features. */
export function DemoPanel() {
  return (
    <Panel title="Mode démo">
      <p>
        Pupitre fonctionne ici sans carte réelle ni accès aux téléservices : les cartes CPS et Vitale sont virtuelles et les téléservices sont
        simulés sur ce poste. Aucune donnée n’est envoyée à l’extérieur.
      </p>
      <div data-testid="demo-controls" className="stack">
        <DemoCards />
        <DemoApcv />
        <DemoScanner />
        <DemoBilling />
      </div>
    </Panel>
  );
}
