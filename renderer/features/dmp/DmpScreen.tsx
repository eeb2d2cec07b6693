/** DMP section: `#/dmp/<patientId>` shows that patient's DMP panel; the patient record embeds it too. */
import { useRoute, navigate } from '../../app/router';
import { Button, Panel } from '../../ui';
import { DmpPanel } from './DmpPanel';

export function DmpScreen() {
  const path = useRoute();
  const id = decodeURIComponent(path.replace(/^\/dmp\/?/, '').split('/')[0] ?? '');
  if (id !== '') return <DmpPanel patientId={id} />;
  return (
    <Panel title="DMP (Mon espace santé)">
      <p>Ouvrez un patient : l’état de son DMP et ses nouveaux documents s’affichent sans autre action.</p>
      <Button variant="primary" onClick={() => navigate('/patient')}>
        Rechercher un patient (Alt+1)
      </Button>
    </Panel>
  );
}
