/**
 * Paramètres → INSi : how fast the worklist asks the teleservice (calls started per second, across
 * its concurrent jobs). A change applies to the next calls of a worklist already running.
 */
import { INSI_WORKLIST_RATE, type Settings, type SettingKey } from '../../../electron/contract';
import { Panel } from '../../ui';
import { NumberField } from './BackupPanel';

/** Calls per patient of a worklist, measured by bench/insi.bench.ts (the CNDA strategy: 1.15). */
const CALLS_PER_PATIENT = 1.15;

export function InsiPacePanel({ settings, onChange }: { settings: Settings; onChange(key: SettingKey, value: unknown): void }) {
  const rate = settings.insi.worklistRequestsPerSecond;
  const minutesFor1000 = Math.max(1, Math.round((1000 * CALLS_PER_PATIENT) / rate / 60));
  return (
    <Panel title="INSi : liste de travail">
      <NumberField
        label="Appels INSi par seconde"
        value={rate}
        min={INSI_WORKLIST_RATE.min}
        max={INSI_WORKLIST_RATE.max}
        onSave={(v) => onChange('insi.worklistRequestsPerSecond', v)}
      />
      <p className="muted" data-testid="insi-pace-help">
        À {rate} appel{rate > 1 ? 's' : ''} par seconde, une liste de 1 000 patients demande environ {minutesFor1000} minute{minutesFor1000 > 1 ? 's' : ''}.
        Réglez ce rythme selon les conditions d’accès au téléservice de votre structure ; un changement s’applique aux appels suivants d’une liste en
        cours. Les recherches faites au poste, patient par patient, ne sont pas ralenties.
        {settings.environment === 'demo' ? ' En démo, le simulateur local est interrogé à 50 appels par seconde : ce réglage ne s’y applique pas.' : ''}
      </p>
    </Panel>
  );
}
