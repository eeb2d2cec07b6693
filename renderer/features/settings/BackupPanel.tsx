/**
 * Paramètres → Sauvegardes (issue 14, point 4): when the last encrypted backup was made, where,
 * how often and how many are kept; « Sauvegarder maintenant »; the backups of the folder, each of
 * which can be restored after a confirmation (verified at once, done at the next opening of
 * Pupitre, the base in place set aside); and what the user must keep to be able to restore (the key).
 */
import { useState } from 'react';
import type { BackupEntry, BackupStatus, Settings, SettingKey } from '../../../electron/contract';
import { useHostMutation, useHostQuery } from '../../bridge/queries';
import { Button, ConfirmDialog, Dialog, ErrorNotice, Field, Panel, StatusBadge, Table, TextInput, useToast } from '../../ui';

const dateTime = (iso: string) => new Date(iso).toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'short' });
const megabytes = (bytes: number) => `${(bytes / 1e6).toLocaleString('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} Mo`;

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
                onSuccess: ({ backup }) => toast('ok', `Sauvegarde chiffrée faite et vérifiée${backup ? ` (${megabytes(backup.sizeBytes)})` : ''}.`),
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
            {s.backups.length} sur {settings.backup.keep}
          </dd>
        </dl>
      ) : null}
      {s ? <Restore status={s} /> : null}
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
        une copie de la clé (fichier <code>db.key</code> du dossier de données, ou votre phrase secrète) en lieu sûr, à part des sauvegardes. Une
        restauration ne supprime rien : la base actuelle est mise de côté dans le dossier de données. Depuis un terminal, Pupitre fermé :{' '}
        <code>pupitre restore FICHIER --yes</code>.
      </p>
    </Panel>
  );
}

/**
 * Restoring one backup of the folder: confirmed here, verified by the host at once, done at the
 * next opening of Pupitre (the base in use cannot be swapped while open).
 */
function Restore({ status }: { status: BackupStatus }) {
  const request = useHostMutation('backup.requestRestore', ['backup.status']);
  const cancel = useHostMutation('backup.cancelRestore', ['backup.status']);
  const toast = useToast();
  const [chosen, setChosen] = useState<BackupEntry | null>(null);
  const { pendingRestore: pending, lastRestore: last } = status;
  return (
    <div className="restore" data-testid="backup-restore">
      {last ? (
        last.ok ? (
          <p role="status" data-testid="restore-outcome">
            <StatusBadge tone="ok">restaurée</StatusBadge> La sauvegarde {last.backupAt ? `du ${dateTime(last.backupAt)}` : last.file} a été restaurée à
            l’ouverture de Pupitre ({dateTime(last.at)}). La base d’avant est gardée à côté, dans le dossier de données : supprimez-la quand tout est
            vérifié.
          </p>
        ) : (
          <div role="alert" className="notice notice-error" data-testid="restore-outcome">
            <p>
              <strong>La restauration demandée n’a pas été faite</strong> ; la base en place n’a pas été modifiée. {last.message}
            </p>
            <p className="notice-code">Détail pour le support : {last.errorCode}</p>
          </div>
        )
      ) : null}
      {pending ? (
        <div role="status" className="notice notice-warn" data-testid="restore-pending">
          <p>
            <strong>Restauration prévue</strong> de la sauvegarde {pending.backupAt ? `du ${dateTime(pending.backupAt)}` : pending.file} : elle sera faite à la
            prochaine ouverture de Pupitre. Fermez Pupitre puis rouvrez-le (ou relancez « pupitre serve »).
          </p>
          <Button
            busy={cancel.isPending}
            data-testid="restore-cancel"
            onClick={() => cancel.mutate({}, { onSuccess: () => toast('ok', 'Restauration annulée : la base reste telle quelle.'), onError: (e) => toast('error', e.message) })}
          >
            Annuler la restauration
          </Button>
        </div>
      ) : null}
      <Table<BackupEntry>
        columns={[
          { key: 'at', header: 'Sauvegarde du', render: (b) => new Date(b.at).toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'medium' }) },
          { key: 'size', header: 'Taille', render: (b) => megabytes(b.sizeBytes), width: '8em' },
          {
            key: 'restore',
            header: '',
            width: '11em',
            render: (b) => (
              <Button variant="ghost" data-testid="restore-choose" aria-label={`Restaurer la sauvegarde du ${dateTime(b.at)}`} onClick={() => setChosen(b)}>
                Restaurer…
              </Button>
            ),
          },
        ]}
        rows={status.backups}
        rowKey={(b) => b.file}
        empty="Aucune sauvegarde dans le dossier pour l’instant."
        onActivate={(b) => setChosen(b)}
      />
      <ConfirmDialog
        open={chosen !== null}
        danger
        title="Restaurer une sauvegarde"
        message={
          chosen ? (
            <div data-testid="restore-confirm-dialog">
              <p>
                Pupitre reviendra à l’état du <strong>{dateTime(chosen.at)}</strong> : ce qui a été saisi depuis (patients, documents, envois en attente,
                journal) ne sera plus dans la base.
              </p>
              <p>
                La base actuelle n’est pas effacée : elle est gardée à côté, dans le dossier de données. La sauvegarde est vérifiée maintenant ; la
                restauration se fait à la prochaine ouverture de Pupitre.
              </p>
            </div>
          ) : null
        }
        confirmLabel="Restaurer à la prochaine ouverture"
        onCancel={() => setChosen(null)}
        onConfirm={() => {
          if (chosen === null) return;
          const file = chosen.file;
          setChosen(null);
          request.mutate(
            { file, confirm: true },
            {
              onSuccess: () => toast('ok', 'Sauvegarde vérifiée. Fermez Pupitre puis rouvrez-le pour la restaurer.'),
              onError: (e) => toast('error', e.message),
            },
          );
        }}
      />
    </div>
  );
}

export function NumberField({ label, value, min, max, onSave }: { label: string; value: number; min: number; max: number; onSave(value: number): void }) {
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
