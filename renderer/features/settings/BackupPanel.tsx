/**
 * Paramètres → Sauvegardes (issue 14, point 4): when the last encrypted backup was made, where,
 * how often and how many are kept; « Sauvegarder maintenant »; and what the user must keep to be
 * able to restore (the key), with how a restore is done (Pupitre stopped).
 */
import { useState } from 'react';
import type { Settings, SettingKey } from '../../../electron/contract';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ConfirmDialog, Dialog, ErrorNotice, Field, Panel, StatusBadge, TextInput, useToast } from '../../ui';

const dateTime = (iso: string) => new Date(iso).toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'short' });

export function BackupPanel({ settings, onChange }: { settings: Settings; onChange(key: SettingKey, value: unknown): void }) {
  const status = useHostQuery('backup.status', {}, { refetchInterval: 60_000 });
  const run = useHostMutation('backup.run', ['backup.status', 'diagnostic.run']);
  const toast = useToast();
  const [folder, setFolder] = useState(settings.backup.folder);
  const s = status.data;

  return (
    <Panel
      title="Sauvegardes"
      actions={
        <Button
          variant="primary"
          busy={run.isPending}
          data-testid="backup-now"
          onClick={() =>
            run.mutate(
              {},
              {
                onSuccess: ({ backup }) => toast('ok', `Sauvegarde chiffrée faite et vérifiée${backup ? ` (${(backup.sizeBytes / 1e6).toFixed(1)} Mo)` : ''}.`),
                onError: (error) => toast('error', error.message),
              },
            )
          }
        >
          Sauvegarder maintenant
        </Button>
      }
    >
      {status.error ? <ErrorNotice error={status.error} /> : null}
      {s ? (
        <dl className="facts" data-testid="backup-status">
          <dt>Dernière sauvegarde</dt>
          <dd>
            {s.lastSuccessAt ? dateTime(s.lastSuccessAt) : <StatusBadge tone="warn">aucune</StatusBadge>}
            {s.lastRun && !s.lastRun.ok ? (
              <>
                {' '}
                <StatusBadge tone="error">échec le {dateTime(s.lastRun.at)}</StatusBadge>
              </>
            ) : null}
          </dd>
          <dt>Prochaine</dt>
          <dd>{s.nextAt ? dateTime(s.nextAt) : 'quand Pupitre est ouvert'}</dd>
          <dt>Sauvegardes gardées</dt>
          <dd>
            {s.backups.length} sur {s.keep}
          </dd>
        </dl>
      ) : null}
      <Field label="Dossier des sauvegardes" hint="De préférence sur un autre disque que celui de Pupitre (disque externe, partage du cabinet).">
        {(id) => (
          <div className="inline">
            <TextInput id={id} value={folder} onChange={(e) => setFolder(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && onChange('backup.folder', folder)} />
            <Button onClick={() => onChange('backup.folder', folder)} disabled={folder === settings.backup.folder}>
              Enregistrer
            </Button>
          </div>
        )}
      </Field>
      <NumberField label="Une sauvegarde toutes les (heures)" value={settings.backup.intervalHours} min={1} max={168} onSave={(v) => onChange('backup.intervalHours', v)} />
      <NumberField label="Nombre de sauvegardes gardées" value={settings.backup.keep} min={1} max={365} onSave={(v) => onChange('backup.keep', v)} />
      <RecoveryKey />
      <p className="muted">
        Les sauvegardes sont chiffrées avec la clé de cette installation : <strong>sans cette clé, elles ne peuvent pas être restaurées</strong>. Gardez
        une copie de la clé (fichier <code>db.key</code> du dossier de données, ou votre phrase secrète) en lieu sûr, à part des sauvegardes. Pour
        restaurer : fermez Pupitre, puis <code>pupitre restore FICHIER --yes</code> ; la base actuelle est mise de côté, jamais effacée.
      </p>
    </Panel>
  );
}

function NumberField({ label, value, min, max, onSave }: { label: string; value: number; min: number; max: number; onSave(value: number): void }) {
  const [draft, setDraft] = useState(String(value));
  const parsed = Number(draft);
  const valid = Number.isInteger(parsed) && parsed >= min && parsed <= max;
  return (
    <Field label={label} error={valid ? null : `Entre ${min} et ${max}.`}>
      {(id) => (
        <div className="inline">
          <TextInput id={id} inputMode="numeric" value={draft} onChange={(e) => setDraft(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && valid && onSave(parsed)} />
          <Button onClick={() => onSave(parsed)} disabled={!valid || parsed === value}>
            Enregistrer
          </Button>
        </div>
      )}
    </Field>
  );
}

/**
 * The recovery key: the database key itself, shown once asked and confirmed, to write down and
 * keep away from the computer. Without it, a backup cannot be opened on another computer.
 */
function RecoveryKey() {
  const reveal = useHostMutation('vault.recoveryKey');
  const [asking, setAsking] = useState(false);
  const [groups, setGroups] = useState<string[] | null>(null);
  const toast = useToast();
  return (
    <>
      <Button onClick={() => setAsking(true)} data-testid="recovery-key">
        Afficher la clé de secours…
      </Button>
      <ConfirmDialog
        open={asking}
        title="Clé de secours"
        message="Cette clé ouvre la base et toutes ses sauvegardes, sur n’importe quel ordinateur. Affichez-la quand personne ne regarde l’écran, recopiez-la sur papier et rangez-la hors de l’ordinateur (coffre, gestionnaire de mots de passe). L’affichage est inscrit au journal d’audit."
        confirmLabel="Afficher la clé"
        onCancel={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          reveal.mutate({ confirm: true }, { onSuccess: (result) => setGroups(result.groups), onError: (error) => toast('error', error.message) });
        }}
      />
      <Dialog
        open={groups !== null}
        title="Clé de secours de cette installation"
        onClose={() => setGroups(null)}
        actions={
          <Button variant="primary" onClick={() => setGroups(null)}>
            C’est noté
          </Button>
        }
      >
        <p>
          <code data-testid="recovery-key-value" className="recovery-key">
            {groups?.join(' ')}
          </code>
        </p>
        <p className="muted">
          Pour restaurer une sauvegarde sur un autre ordinateur : enregistrez ces 64 caractères (sans les espaces) dans un fichier, puis{' '}
          <code>pupitre restore SAUVEGARDE --key-file FICHIER --yes</code>.
        </p>
      </Dialog>
    </>
  );
}
