/**
 * Top-bar card status: who is connected (practitioner session), or what is in the readers with
 * the next action — code porteur for a CPS/CPE, beneficiaries for a Vitale. Inserting a CPS opens
 * the PIN dialog; inserting a Vitale opens the beneficiary picker.
 */
import { useCallback, useState } from 'react';
import type { EventPayload } from '../../../electron/contract';
import { Button, StatusBadge } from '../../ui';
import { BeneficiaryPicker } from './BeneficiaryPicker';
import { isCps, isVitale, useCardsState, vitaleInsertionClaimed } from './hooks';
import { PinDialog } from './PinDialog';

export function CardStatus() {
  const [pinReader, setPinReader] = useState<string | null>(null);
  const [vitaleReader, setVitaleReader] = useState<string | null>(null);
  const { readers, session } = useCardsState(
    useCallback((change: EventPayload<'cards.changed'>) => {
      if (change.reason === 'card-removed') {
        setPinReader((r) => (r === change.reader ? null : r));
        setVitaleReader((r) => (r === change.reader ? null : r));
      }
    }, []),
  );
  const list = readers.data?.readers ?? [];
  const cps = list.find((r) => r.state === 'present' && isCps(r.cardKind));
  const vitale = list.find((r) => r.state === 'present' && isVitale(r.cardKind));
  const s = session.data ?? null;

  // A newly inserted card asks for its next step (keyboard users need no click).
  const [seen, setSeen] = useState<string>('');
  // The session must be known before asking for the PIN: a page opened while a card session is open asks nothing.
  const loaded = session.isSuccess ? '1' : '0';
  const key = `${cps?.name ?? ''}|${cps?.atr ?? ''}|${vitale?.name ?? ''}|${vitale?.atr ?? ''}|${loaded}`;
  if (key !== seen) {
    setSeen(key);
    const [prevCps = '', , prevVitale = '', , prevLoaded = '0'] = seen.split('|');
    if (cps && s === null && loaded === '1' && (prevCps !== cps.name || prevLoaded !== '1')) setPinReader(cps.name);
    if (vitale && vitale.cardKind === 'VITALE_2' && prevVitale !== vitale.name && !vitaleInsertionClaimed()) setVitaleReader(vitale.name);
  }

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
  } else if (cps) {
    badge = <StatusBadge tone="warn" title={cps.name}>Carte CPS insérée — code porteur requis</StatusBadge>;
  } else if (list.length === 0) {
    badge = <StatusBadge tone="neutral" title="Lecteurs de cartes">Aucun lecteur</StatusBadge>;
  } else {
    badge = <StatusBadge tone="neutral" title="Carte du professionnel">Aucune carte CPS</StatusBadge>;
  }

  return (
    <span className="indicator" data-testid="card-status">
      {badge}
      {cps && s === null ? (
        <Button onClick={() => setPinReader(cps.name)} data-testid="card-pin-open">
          Code porteur
        </Button>
      ) : null}
      {vitale ? (
        <Button onClick={() => setVitaleReader(vitale.name)} data-testid="card-vitale-open" title={vitale.cardLabel ?? ''}>
          {vitale.cardKind === 'VITALE_1' ? 'Vitale 1 (non lisible)' : 'Carte Vitale'}
        </Button>
      ) : null}
      <PinDialog open={pinReader !== null} reader={pinReader} onClose={() => setPinReader(null)} />
      <BeneficiaryPicker open={vitaleReader !== null} source={{ kind: 'vitale', reader: vitaleReader }} onClose={() => setVitaleReader(null)} />
    </span>
  );
}
