/**
 * Scheduled encrypted backups (issue 14, point 4): the service, its contract handlers, its
 * Diagnostic check; the schedule runs in the app and `pupitre serve`, not in one-shot CLI hosts.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, messageFor } from '../../contract';
import type { RestoreOutcomeView } from '../../contract/domains/storage';
import type { RestoreOutcome } from '../../platform/db';
import { BackupService, RestoreRequests } from '../../services/backup';
import { DMP_CONTENT_FOLDER, inlineOutgoingFiles } from '../../services/dmp';
import type { DoctorCheck } from '../doctor';
import type { WiringContext } from './context';

export interface BackupWiringOptions {
  keyHex: string;
  /** Last schema version this Pupitre knows (a newer backup is refused). */
  supportedVersion: number;
  /** What this start did with a restore asked for from the desk. */
  lastRestore: RestoreOutcome | null;
}

/** Tables every Pupitre base has since its first version: a file without them is not one. */
export const REQUIRED_TABLES = ['settings', 'audit_log'] as const;

export function wireBackup(ctx: WiringContext, options: BackupWiringOptions): BackupService {
  const { keyHex } = options;
  const backup = new BackupService({
    db: ctx.db,
    keyHex,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    settings: () => ctx.settings.get().backup,
    actor: () => ctx.actor.current(),
    notify: (run) => ctx.dispatcher.emit('backup.completed', run),
    // Documents waiting for the DMP live in sealed files beside the base: the backup carries them.
    completeCopy: (copy) => inlineOutgoingFiles(copy, join(ctx.dataDir, DMP_CONTENT_FOLDER)),
  });
  const restores = new RestoreRequests({
    dataDir: ctx.dataDir,
    keyHex,
    folder: () => ctx.settings.get().backup.folder,
    supportedVersion: options.supportedVersion,
    requiredTables: REQUIRED_TABLES,
    clock: ctx.clock,
    audit: ctx.audit.write,
  });
  const lastRestore = options.lastRestore === null ? null : outcomeView(options.lastRestore);
  ctx.dispatcher.register({
    'backup.status': () => ({ ...backup.status(), pendingRestore: restores.pending(), lastRestore }),
    'backup.requestRestore': async ({ file }) => ({ pendingRestore: await restores.request(file, ctx.actor.current()) }),
    'backup.cancelRestore': () => ({ cancelled: restores.cancel(ctx.actor.current()) }),
    'backup.run': async (_params, context) => {
      const result = await backup.run(context.transport === 'in-process' ? 'cli' : 'manual');
      if (!result.run.ok) throw new AppError((result.run.errorCode ?? 'BACKUP_FAILED') as 'BACKUP_FAILED', { file: result.run.file });
      return result;
    },
  });
  ctx.doctorChecks.push(backupDoctorCheck(backup, ctx.dataDir, ctx.clock.now));
  ctx.doctorChecks.push(restoreDoctorCheck(restores, lastRestore, ctx.dataDir));
  if (ctx.transport !== 'in-process') backup.start();
  ctx.closers.push(() => backup.stop());
  return backup;
}

function outcomeView(outcome: RestoreOutcome): RestoreOutcomeView {
  return {
    ok: outcome.ok,
    at: outcome.at,
    file: outcome.backupPath.split(/[\\/]/).pop() ?? outcome.backupPath,
    backupAt: outcome.backupCreatedAt,
    message: outcome.errorCode === null ? null : messageFor(outcome.errorCode),
    errorCode: outcome.errorCode,
  };
}

/** The Diagnostic screen's view of backups: recent enough, succeeding, on another disk. */
export function backupDoctorCheck(backup: BackupService, dataDir: string, now: () => number): DoctorCheck {
  return {
    id: 'backup',
    label: 'Sauvegardes chiffrées',
    run: () => {
      const status = backup.status();
      const intervalMs = status.intervalHours * 3600_000;
      const last = status.lastSuccessAt === null ? null : Date.parse(status.lastSuccessAt);
      if (status.lastRun !== null && !status.lastRun.ok) {
        return {
          status: 'error',
          detail: `la dernière sauvegarde a échoué (${new Date(status.lastRun.at).toLocaleString('fr-FR')})`,
          next: 'Vérifiez que le dossier des sauvegardes est accessible et qu’il reste de la place, puis « Sauvegarder maintenant » dans Paramètres.',
        };
      }
      if (last === null) {
        return { status: 'warn', detail: 'aucune sauvegarde encore', next: 'Lancez « Sauvegarder maintenant » dans Paramètres (ou « pupitre backup »).' };
      }
      const detail = `dernière le ${new Date(last).toLocaleString('fr-FR')}, ${status.backups.length} gardée(s) dans ${status.folder}`;
      if (now() - last > 2 * intervalMs) {
        return { status: 'warn', detail, next: 'Les sauvegardes ne se font plus : laissez Pupitre ouvert ou lancez « pupitre backup ».' };
      }
      if (sameDisk(status.folder, dataDir)) {
        return {
          status: 'warn',
          detail: `${detail} — sur le même disque que la base`,
          next: 'Une panne de ce disque emporterait aussi les sauvegardes : choisissez un dossier sur un autre disque (Paramètres → Sauvegardes) ou copiez-les ailleurs.',
        };
      }
      return { status: 'ok', detail };
    },
  };
}

/**
 * The Diagnostic screen's view of restores: one asked for and not done yet, one that failed at this
 * start, and the bases set aside by earlier restores (encrypted, but a full copy of the data each).
 */
export function restoreDoctorCheck(restores: RestoreRequests, lastRestore: RestoreOutcomeView | null, dataDir: string): DoctorCheck {
  return {
    id: 'restore',
    label: 'Restauration',
    run: () => {
      if (lastRestore !== null && !lastRestore.ok) {
        return {
          status: 'error',
          detail: `la restauration demandée n’a pas été faite ; la base en place est intacte. ${lastRestore.message ?? ''}`.trim(),
          next: 'Choisissez une autre sauvegarde dans Paramètres → Sauvegardes.',
        };
      }
      const pending = restores.pending();
      if (pending !== null) {
        return {
          status: 'warn',
          detail: `restauration de la sauvegarde ${pending.backupAt === null ? pending.file : `du ${new Date(pending.backupAt).toLocaleString('fr-FR')}`} prévue à la prochaine ouverture`,
          next: 'Fermez Pupitre puis rouvrez-le pour la faire, ou annulez-la dans Paramètres → Sauvegardes.',
        };
      }
      const aside = setAsideBases(dataDir);
      if (aside.count === 0) return { status: 'ok', detail: lastRestore?.ok === true ? 'sauvegarde restaurée à cette ouverture' : 'aucune en attente' };
      return {
        status: 'ok',
        detail: `${aside.count} ancienne(s) base(s) gardée(s) après une restauration (${(aside.bytes / 1e6).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo, fichiers pupitre.db.avant-restauration-…) : supprimez-les quand tout est vérifié`,
      };
    },
  };
}

function setAsideBases(dataDir: string): { count: number; bytes: number } {
  let count = 0;
  let bytes = 0;
  try {
    for (const name of readdirSync(dataDir)) {
      if (!name.startsWith('pupitre.db.avant-restauration-')) continue;
      if (/^pupitre\.db\.avant-restauration-[^.]+$/.test(name) && !/-(wal|shm)$/.test(name)) count += 1;
      bytes += statSync(join(dataDir, name)).size;
    }
  } catch {
    // An unreadable data directory is the data-dir check's business.
  }
  return { count, bytes };
}

function sameDisk(a: string, b: string): boolean {
  try {
    return statSync(a).dev === statSync(b).dev;
  } catch {
    return false;
  }
}
