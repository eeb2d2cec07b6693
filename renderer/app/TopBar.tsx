import { useConnectionState, useHostQuery } from '../bridge/queries';
import { StatusBadge } from '../ui';
import { ApcvIndicator } from '../features/apcv/ApcvIndicator';
import { BillingIndicator } from '../features/billing/BillingIndicator';
import { CardStatus } from '../features/cards/CardStatus';
import { OutboxIndicator } from '../features/outbox/OutboxIndicator';
import { ScannerStatus } from '../features/scan/ScannerStatus';

const ENV_LABEL = { demo: 'DÉMO', test: 'TEST', production: 'PRODUCTION' } as const;

export function TopBar() {
  const info = useHostQuery('app.info', {});
  const connection = useConnectionState();
  const env = info.data?.environment;
  return (
    <header className="topbar" role="banner">
      <div className="brand">
        Pupitre
        {env ? (
          <StatusBadge tone={env === 'production' ? 'ok' : 'warn'} title="Environnement de travail">
            {ENV_LABEL[env]}
          </StatusBadge>
        ) : null}
      </div>
      <div className="topbar-status">
        <CardStatus />
        <ApcvIndicator />
        <ScannerStatus />
        <span className="indicator" data-testid="connectivity">
          <StatusBadge tone={connection === 'open' ? 'ok' : connection === 'connecting' ? 'warn' : 'error'} title="Liaison avec le service local">
            {connection === 'open' ? 'Service local connecté' : connection === 'connecting' ? 'Connexion…' : 'Service local indisponible'}
          </StatusBadge>
        </span>
        <OutboxIndicator />
        <BillingIndicator />
      </div>
    </header>
  );
}
