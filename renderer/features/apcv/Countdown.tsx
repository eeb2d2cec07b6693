/** Time left in an appli carte Vitale session, counted down from its expiry on the screen's clock. */
import { useEffect, useState } from 'react';
import { StatusBadge } from '../../ui';
import { formatTimeLeft } from './current';

export function useTimeLeft(expiresAt: string | null, state: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (expiresAt === null || state !== 'open') return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [expiresAt, state]);
  if (expiresAt === null || state !== 'open') return 0;
  return Math.max(0, Date.parse(expiresAt) - now);
}

export function Countdown({ expiresAt, state }: { expiresAt: string; state: 'open' | 'expired' | 'closed' }) {
  const left = useTimeLeft(expiresAt, state);
  if (state !== 'open' || left === 0) return <StatusBadge tone="error" title="Session de l’appli carte Vitale">Session expirée — nouveau scan nécessaire</StatusBadge>;
  return (
    <StatusBadge tone={left < 3 * 60_000 ? 'warn' : 'ok'} title="Temps restant de la session de l’appli carte Vitale (20 minutes, une facture)">
      <span data-testid="apcv-countdown">Session appli carte Vitale : {formatTimeLeft(left)}</span>
    </StatusBadge>
  );
}
