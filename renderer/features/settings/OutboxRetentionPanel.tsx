/**
 * Paramètres → File d'envoi (issue 15): how long the history of what was sent stays in the File
 * d'envoi. Only the technical copy goes; the documents, prescriptions and invoices keep their own
 * records for their legal durations.
 */
import { OUTBOX_RETENTION_DAYS, type Settings, type SettingKey } from '../../../electron/contract';
import { Panel } from '../../ui';
import { NumberField } from './BackupPanel';

export function OutboxRetentionPanel({ settings, onChange }: { settings: Settings; onChange(key: SettingKey, value: unknown): void }) {
  return (
    <Panel title="File d'envoi">
      <NumberField
        label="Garder les envois terminés pendant (jours)"
        value={settings.outbox.retentionDays}
        min={OUTBOX_RETENTION_DAYS.min}
        max={OUTBOX_RETENTION_DAYS.max}
        onSave={(v) => onChange('outbox.retentionDays', v)}
      />
      <p className="muted" data-testid="outbox-retention-help">
        Passé ce délai, Pupitre efface en arrière-plan la copie technique des envois réussis (contenu transmis et tentatives) ; l’effacement est
        inscrit au journal d’audit. Les envois en attente, en échec ou annulés ne sont jamais effacés. Les documents envoyés au DMP, les ordonnances
        et les factures restent dans le dossier du patient et la facturation pour leurs durées légales.
      </p>
    </Panel>
  );
}
