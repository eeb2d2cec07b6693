/** Card state for the screens: readers, practitioner session, refreshed on every `cards.changed` event. */
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import type { EventPayload } from '../../../electron/contract';
import { useHostEvent, useHostQuery } from '../../bridge/queries';

export const CARD_QUERIES = ['cards.readers', 'cards.session', 'demo.cards.list'] as const;
/** Reads of one card's content, dropped when the card changes. */
export const CARD_READS = ['cards.readVitale', 'cards.readHolder'] as const;

export function useCardsState(onChange?: (change: EventPayload<'cards.changed'>) => void) {
  const client = useQueryClient();
  const readers = useHostQuery('cards.readers', {});
  const session = useHostQuery('cards.session', {});
  const handle = useCallback(
    (change: EventPayload<'cards.changed'>) => {
      // What was read from the previous card never shows for the next one (a Vitale 1 or an
      // unreadable card after a Vitale 2 must not keep its beneficiaries).
      if (change.reason === 'card-inserted' || change.reason === 'card-removed' || change.reason === 'reader-removed') {
        for (const key of CARD_READS) client.removeQueries({ queryKey: [key] });
      }
      for (const key of CARD_QUERIES) void client.invalidateQueries({ queryKey: [key] });
      onChange?.(change);
    },
    [client, onChange],
  );
  useHostEvent('cards.changed', handle);
  return { readers, session };
}

export const isCps = (kind: string | null | undefined): boolean => kind === 'CPS3' || kind === 'CPS4' || kind === 'CPS2TER' || kind === 'CPS3_CL';
export const isVitale = (kind: string | null | undefined): boolean => kind === 'VITALE_2' || kind === 'VITALE_1';

/**
 * A screen that reads the carte Vitale itself (Facturation) claims insertions while it is shown:
 * the top bar then does not open its « open the patient » picker over it.
 */
let vitaleClaims = 0;
export function useClaimVitaleInsertion(): void {
  useEffect(() => {
    vitaleClaims += 1;
    return () => {
      vitaleClaims -= 1;
    };
  }, []);
}
export const vitaleInsertionClaimed = (): boolean => vitaleClaims > 0;
