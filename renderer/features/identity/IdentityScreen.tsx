import { NotBuiltYet, Panel } from '../../ui';

export function IdentityScreen() {
  return (
    <Panel title="Identités (INS)">
      <NotBuiltYet what="La qualification des identités avec INSi" issue="identité INS, téléservice INSi" />
    </Panel>
  );
}
