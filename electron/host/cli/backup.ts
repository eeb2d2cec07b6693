/**
 * `pupitre backup` and `pupitre restore` (issue 14, point 4). A backup can be made while the app
 * runs (SQLite's online backup API); a restore is done with Pupitre stopped: it is refused while
 * another process has the database open, verifies the backup first (digest, key, integrity,
 * version), and sets the current database aside instead of deleting it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../../contract';
import { STORE_FILES } from '../../contract/storage-files';
import { systemClock } from '../../platform/clock';
import { cancelRestoreRequest, restoreDatabase, verifyBackup, withStorageErrors } from '../../platform/db';
import { HEX_KEY, readKeyFile } from '../../platform/db/key';
import { statOrNull } from '../../platform/db/marker';
import { migrations } from '../migrations';
import { flagString, UsageError } from './args';
import type { Command } from './command';
import { finishInterruptedRestore, openHost, print, type CliContext } from './context';

const KEEP_THE_KEY =
  'Gardez la clé de chiffrement (fichier db.key, ou la clé de secours de Pupitre de bureau) en lieu sûr, à part des sauvegardes : sans elle, aucune sauvegarde ne peut être restaurée.';

export const backupCommand: Command = {
  name: 'backup',
  usage: 'pupitre backup [--json] | pupitre backup list [--json]',
  summary: 'Fait une sauvegarde chiffrée et vérifiée de la base (possible pendant que Pupitre tourne), ou liste les sauvegardes.',
  async run(ctx) {
    const [action] = ctx.args.positionals;
    const host = await openHost(ctx, 'in-process');
    try {
      if (action === 'list') {
        const status = await host.dispatcher.invoke('backup.status', {});
        print(ctx, status, () =>
          status.backups.length === 0
            ? `Aucune sauvegarde dans ${status.folder}.`
            : [`Sauvegardes dans ${status.folder} :`, ...status.backups.map((b) => `  ${b.file}  ${(b.sizeBytes / 1e6).toFixed(1)} Mo  (schéma ${b.schemaVersion})`)].join('\n'),
        );
        return 0;
      }
      if (action !== undefined) throw new UsageError(backupCommand.usage);
      const { run, backup } = await host.dispatcher.invoke('backup.run', {});
      const folder = host.settings.get().backup.folder;
      print(ctx, { run, backup, folder }, () =>
        [`Sauvegarde chiffrée et vérifiée : ${folder}/${backup?.file ?? run.file ?? ''} (${((backup?.sizeBytes ?? 0) / 1e6).toFixed(1)} Mo).`, KEEP_THE_KEY].join('\n'),
      );
      return 0;
    } finally {
      await host.close();
    }
  },
};

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'pupitre restore FICHIER [--key-file FICHIER_CLÉ] [--yes] [--json]',
  summary: 'Vérifie une sauvegarde puis, avec --yes et Pupitre fermé, la restaure (la base actuelle est mise de côté, jamais effacée).',
  valued: ['key-file'],
  async run(ctx) {
    const [file] = ctx.args.positionals;
    if (file === undefined) throw new UsageError(restoreCommand.usage);
    const backupPath = resolve(file);
    finishInterruptedRestore(ctx.dataDir);
    const { backupKey, currentKey, installKeyFile } = restoreKeys(ctx);
    const supportedVersion = migrations.length;
    if (ctx.args.flags.get('yes') !== true) {
      const verified = await verifyBackup(backupPath, backupKey, supportedVersion);
      print(ctx, { verified: true, backup: backupPath, schemaVersion: verified.schemaVersion, createdAt: verified.createdAt }, () =>
        [
          `Sauvegarde vérifiée : ${backupPath}${verified.createdAt ? ` (faite le ${new Date(verified.createdAt).toLocaleString('fr-FR')})` : ''}, intègre, chiffrée avec la bonne clé.`,
          'Pour la restaurer : fermez Pupitre (et « pupitre serve »), puis relancez cette commande avec --yes. La base actuelle sera mise de côté, pas effacée.',
        ].join('\n'),
      );
      return 0;
    }
    const report = await restoreDatabase({
      dataDir: ctx.dataDir,
      backupPath,
      keyHex: backupKey,
      currentKeyHex: currentKey,
      installKeyFile,
      supportedVersion,
      requiredTables: ['settings', 'audit_log'],
      now: new Date(systemClock.now()),
    });
    // This restore supersedes one asked for from the desk: the next start must not undo it.
    const superseded = withStorageErrors(ctx.dataDir, () => cancelRestoreRequest(ctx.dataDir));
    // Open the restored base once: older schemas are migrated, and the restore is in the audit trail.
    const host = await openHost(ctx, 'in-process');
    try {
      host.audit.write({
        actor: 'poste',
        patientRef: null,
        action: 'db.restored',
        details: { backup: report.restored.createdAt, schemaVersion: report.restored.schemaVersion, keyReplaced: installKeyFile, from: 'cli', supersededDeskRequest: superseded },
      });
    } finally {
      await host.close();
    }
    print(ctx, { restored: backupPath, setAside: report.setAside, schemaVersion: report.restored.schemaVersion, keyReplaced: installKeyFile, supersededDeskRequest: superseded }, () =>
      [
        `Sauvegarde restaurée : ${backupPath}.`,
        ...(superseded ? ['La restauration qui avait été demandée dans Paramètres est annulée : celle-ci la remplace.'] : []),
        report.setAside === null ? 'Il n’y avait pas de base en place.' : `L’ancienne base est gardée sous ${report.setAside} (supprimez-la quand tout est vérifié).`,
        'Vous pouvez relancer Pupitre.',
      ].join('\n'),
    );
    return 0;
  },
};

/**
 * The key the backup was made with: --key-file (a backup of another installation, or this one's
 * key kept aside), else this installation's ($PUPITRE_DB_KEY, db.key). The given key replaces
 * db.key only for an installation whose key is that file.
 */
function restoreKeys(ctx: CliContext): { backupKey: string; currentKey: string | null; installKeyFile: boolean } {
  const fromEnv = process.env.PUPITRE_DB_KEY?.trim();
  let currentKey: string | null = fromEnv !== undefined && fromEnv !== '' ? fromEnv : null;
  if (currentKey === null) {
    const file = readKeyFile(ctx.dataDir);
    currentKey = file.state === 'ok' ? file.keyHex : null;
  }
  const keyFile = flagString(ctx.args, 'key-file');
  if (keyFile === undefined) {
    if (currentKey === null) {
      throw new UsageError(`Aucune clé pour cette installation : indiquez celle de la sauvegarde avec --key-file FICHIER (le db.key gardé). ${KEEP_THE_KEY}`);
    }
    return { backupKey: currentKey, currentKey, installKeyFile: false };
  }
  let given: string;
  try {
    // A db.key, or the recovery key as shown by the desk (groups of four, spaces or new lines).
    given = readFileSync(resolve(keyFile), 'utf8').replace(/\s+/g, '').toLowerCase();
  } catch {
    throw new AppError('BACKUP_NOT_FOUND', { file: 'key-file' });
  }
  if (!HEX_KEY.test(given)) throw new UsageError('Le fichier de clé doit contenir la clé de 64 caractères hexadécimaux (un db.key de Pupitre).');
  const sealed = statOrNull(`${ctx.dataDir}/${STORE_FILES.sealedKey}`) !== null || statOrNull(`${ctx.dataDir}/${STORE_FILES.passphrase}`) !== null;
  if (given !== currentKey && sealed) {
    throw new UsageError(
      'Cette installation protège sa clé par le trousseau du système ou une phrase secrète : elle ne peut pas prendre la clé d’une autre installation. Restaurez dans un nouveau dossier de données (--data-dir).',
    );
  }
  return { backupKey: given, currentKey, installKeyFile: given !== currentKey };
}


