import { NotBuiltYet, Panel } from '../../ui';

export function PatientScreen() {
  return (
    <Panel title="Patient">
      <NotBuiltYet what="La recherche et la fiche patient" issue="identité INS et base patients" />
    </Panel>
  );
}
