/** Top bar: the appli carte Vitale entry (Alt+9) and, while a session is open, its countdown. */
import { useCallback } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { navigate } from '../../app/router';
import { useHostEvent, useHostQuery } from '../../bridge/queries';
import { Button } from '../../ui';
import { Countdown } from './Countdown';
import { useCurrentApcvContext } from './current';

export function ApcvIndicator() {
  const contextId = useCurrentApcvContext();
  const client = useQueryClient();
  const context = useHostQuery('apcv.context', { contextId: contextId ?? '' }, { enabled: contextId !== null });
  useHostEvent(
    'apcv.changed',
    useCallback(() => void client.invalidateQueries({ queryKey: ['apcv.context'] }), [client]),
  );
  return (
    <span className="indicator" data-testid="apcv-indicator">
      <Button onClick={() => navigate('/apcv')} title="Prendre en charge un patient avec l’appli carte Vitale (Alt+9)" aria-keyshortcuts="Alt+9">
        Appli carte Vitale
      </Button>
      {context.data ? <Countdown expiresAt={context.data.expiresAt} state={context.data.state} /> : null}
    </span>
  );
}
