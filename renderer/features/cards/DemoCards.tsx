/** The card part of the Démo panel: insert and remove the virtual cards of fixtures/cards, with their demo codes. */
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ErrorNotice } from '../../ui';
import { useCardsState } from './hooks';

export function DemoCards() {
  useCardsState();
  const list = useHostQuery('demo.cards.list', {});
  const insert = useHostMutation('demo.cards.insert', ['demo.cards.list', 'cards.readers']);
  const remove = useHostMutation('demo.cards.remove', ['demo.cards.list', 'cards.readers']);
  if (list.error) return <ErrorNotice error={list.error} />;
  const profiles = list.data?.profiles ?? [];
  return (
    <div className="stack" data-testid="demo-cards">
      <h3>Cartes virtuelles</h3>
      {(list.data?.readers ?? []).map((reader) => (
        <div key={reader.name} className="inline">
          <strong>{reader.name}</strong> : {reader.inserted ? profiles.find((p) => p.id === reader.inserted)?.label ?? reader.inserted : 'vide'}{' '}
          {reader.inserted ? (
            <Button onClick={() => remove.mutate({ reader: reader.name })} data-testid={`demo-remove-${reader.inserted}`}>
              Retirer
            </Button>
          ) : null}
        </div>
      ))}
      <ul className="plain-list demo-card-list">
        {profiles.map((p) => (
          <li key={p.id} className="inline">
            <Button onClick={() => insert.mutate({ profile: p.id })} busy={insert.isPending && insert.variables?.profile === p.id} data-testid={`demo-insert-${p.id}`}>
              Insérer : {p.label}
            </Button>
            {p.pin !== null ? (
              <span className="muted" data-testid={`demo-pin-${p.id}`}>
                code porteur de démo : <kbd>{p.pin}</kbd>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {insert.error ? <ErrorNotice error={insert.error} /> : null}
      {remove.error ? <ErrorNotice error={remove.error} /> : null}
    </div>
  );
}
