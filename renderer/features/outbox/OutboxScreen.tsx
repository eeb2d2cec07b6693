import { NotBuiltYet, Panel } from '../../ui';

export function OutboxScreen() {
  return (
    <Panel title="File d'envoi">
      <NotBuiltYet what="La file d'envoi" issue="file d'envoi durable" />
    </Panel>
  );
}
