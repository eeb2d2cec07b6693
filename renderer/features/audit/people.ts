/** Who acted, by name: the host's people (card holders seen on this desk), for histories and lists. */
import { useCallback } from 'react';
import { useHostQuery } from '../../bridge/queries';
import { fallbackActorName } from './labels';

export function useActorName(): (actor: string) => string {
  const people = useHostQuery('audit.people', {});
  const list = people.data?.people;
  return useCallback((actor: string) => list?.find((p) => p.actor === actor)?.name ?? fallbackActorName(actor), [list]);
}
