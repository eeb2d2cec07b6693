/**
 * Top-bar card status: who is connected (practitioner session), or what is in the readers with
 * the next action — code porteur for a CPS/CPE, beneficiaries for a Vitale. A card inserted while
 * the desk is open asks for its next step by itself, one dialog at a time and never while the
 * user is typing elsewhere (prompts.ts); otherwise it waits here, one click or Alt+C / Alt+V away.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload } from '../../../electron/contract';
import { useHostQuery } from '../../bridge/queries';
import { Button, StatusBadge } from '../../ui';
import { BeneficiaryPicker } from './BeneficiaryPicker';
import { isCps, isVitale, useCardsState, vitaleInsertionClaimed } from './hooks';
import { PinDialog } from './PinDialog';
import { enqueue, isTyping, promptFor, withoutReader, type Prompt } from './prompts';
import { useTypingTracker } from './typing';

export function CardStatus() {
  const [queue, setQueue] = useState<Prompt[]>([]);
  const fresh = useRef(new Set<string>());
  const typing = useTypingTracker();
  const { readers, session } = useCardsState(
    useCallback((change: EventPayload<'cards.changed'>) => {
      if (change.reader === null) return;
      const reader = change.reader;
      if (change.reason === 'card-inserted') fresh.current.add(reader);
      if (change.reason === 'card-removed' || change.reason === 'reader-removed') {
        fresh.current.delete(reader);
        setQueue((q) => withoutReader(q, reader));
      }
    }, []),
  );
  const list = readers.data?.readers;
  const s = session.data ?? null;
  const cps = list?.find((r) => r.state === 'present' && isCps(r.cardKind));
  const vitale = list?.find((r) => r.state === 'present' && isVitale(r.cardKind));

  // Cards inserted live ask for their next step once the readers show them (never at page load).
  useEffect(() => {
    if (list === undefined) return;
    for (const name of [...fresh.current]) {
      const prompt = promptFor(
        list.find((r) => r.name === name),
        s !== null,
      );
      if (prompt === 'wait') continue;
      fresh.current.delete(name);
      // A screen that reads the Vitale itself (billing) claims its insertion: no picker then.
      if (prompt?.kind === 'vitale' && vitaleInsertionClaimed()) continue;
      if (prompt !== null && !isTyping(typing.lastKeyAt(), performance.now(), typing.focused())) setQueue((q) => enqueue(q, prompt));
    }
  }, [list, s, typing]);

  // Keyboard: Alt+C opens the code porteur, Alt+V the beneficiaries (the cards waiting in the top bar).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const key = event.key.toLowerCase();
      if (key === 'c' && cps && s === null) setQueue((q) => enqueue(q, { kind: 'pin', reader: cps.name }));
      else if (key === 'v' && vitale) setQueue((q) => enqueue(q, { kind: 'vitale', reader: vitale.name }));
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [cps, vitale, s]);

  // The holder of a CPS/CPE before its code (public data): a CPE is called a CPE, by its holder's name.
  const holder = useHostQuery('cards.readHolder', cps ? { reader: cps.name } : {}, { enabled: cps !== undefined && s === null });
  const cardType = holder.data?.cardType ?? null;

  const shown = queue[0] ?? null;
  const close = () => setQueue((q) => q.slice(1));

  let badge;
  if (readers.data?.service === 'down') {
    badge = <StatusBadge tone="error" title="Service de cartes à puce">Service de cartes indisponible</StatusBadge>;
  } else if (s) {
    badge = (
      <StatusBadge tone="ok" title={`${s.cardType} — ${s.situation?.structureName ?? ''}`}>
        {s.cardType} : {s.givenName} {s.surname}
        {s.profession ? ` — ${s.profession.label}` : ''}
      </StatusBadge>
    );
  } else if (cps && holder.error) {
    badge = (
      <StatusBadge tone="error" title={holder.error.message}>
        {cps.cardLabel ?? 'Carte'} illisible
      </StatusBadge>
    );
  } else if (cps) {
    badge = (
      <StatusBadge tone="warn" title={cps.name}>
        {cardType === null ? 'Carte de professionnel insérée' : `Carte ${cardType} de ${holder.data?.givenName ?? ''} ${holder.data?.surname ?? ''} insérée`} — code porteur requis
      </StatusBadge>
    );
  } else if (list !== undefined && list.length === 0) {
    badge = <StatusBadge tone="neutral" title="Lecteurs de cartes">Aucun lecteur</StatusBadge>;
  } else {
    badge = <StatusBadge tone="neutral" title="Carte du professionnel">Aucune carte CPS ou CPE</StatusBadge>;
  }

  return (
    <span className="indicator" data-testid="card-status">
      {badge}
      {cps && s === null ? (
        <Button onClick={() => setQueue((q) => enqueue(q, { kind: 'pin', reader: cps.name }))} data-testid="card-pin-open" aria-keyshortcuts="Alt+C" title="Alt+C">
          Code porteur
        </Button>
      ) : null}
      {vitale ? (
        <Button onClick={() => setQueue((q) => enqueue(q, { kind: 'vitale', reader: vitale.name }))} data-testid="card-vitale-open" aria-keyshortcuts="Alt+V" title={`${vitale.cardLabel ?? ''} (Alt+V)`}>
          {vitale.cardKind === 'VITALE_1' ? 'Vitale 1 (non lisible)' : 'Carte Vitale'}
        </Button>
      ) : null}
      <PinDialog open={shown?.kind === 'pin'} reader={shown?.kind === 'pin' ? shown.reader : null} cardType={cardType} onClose={close} />
      <BeneficiaryPicker open={shown?.kind === 'vitale'} source={{ kind: 'vitale', reader: shown?.kind === 'vitale' ? shown.reader : null }} onClose={close} />
    </span>
  );
}
