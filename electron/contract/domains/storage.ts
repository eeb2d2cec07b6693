/**
 * The encrypted store and its backups (issue 14, points 3 and 4): every way the database can fail
 * to open has its own code and says the next step; backups are encrypted copies checked before
 * they are kept and before they are restored.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

const RESTORE = 'restaurez la dernière sauvegarde (Pupitre fermé : « pupitre restore FICHIER »)';

export const storageErrors = {
  DB_MISSING: `La base de données de Pupitre a disparu ou a été vidée alors qu’elle existait. Pupitre ne crée pas de base vide à sa place, pour ne rien perdre : remettez le fichier pupitre.db à sa place, ou ${RESTORE}.`,
  DB_DAMAGED: `La base de données de Pupitre est endommagée (le contrôle d’intégrité a échoué). Pupitre s’arrête pour ne pas aggraver les dégâts : ${RESTORE}, puis faites vérifier le disque.`,
  DB_UNREADABLE: `La base de données ne peut pas être lue : la clé de chiffrement ne correspond pas, ou le fichier est endommagé. Vérifiez que le dossier de données et sa clé vont ensemble, sinon ${RESTORE}.`,
  DB_KEY_MISSING:
    'La clé de chiffrement de cette installation est introuvable alors que la base de données existe. Pupitre n’en crée pas de nouvelle : remettez dans le dossier de données la copie du fichier db.key que vous avez gardée, ou donnez la clé de secours (variable PUPITRE_DB_KEY).',
  DB_KEY_FILE_DAMAGED:
    'Le fichier de la clé de chiffrement (db.key) est vide ou endommagé. Pupitre ne le remplace pas, car la base existante a été chiffrée avec l’ancienne clé : remettez la copie de db.key que vous avez gardée.',
  DB_DISK_FULL:
    'Le disque est plein : Pupitre ne peut plus rien enregistrer. Rien de ce qui était enregistré n’est perdu ; libérez de la place sur le disque du dossier de données, puis recommencez.',
  DB_READ_ONLY:
    'Le dossier de données est sur un disque en lecture seule (clé USB verrouillée, partage réseau ou système monté en lecture seule) : Pupitre ne peut pas y écrire. Remettez ce disque en écriture ou choisissez un autre dossier de données.',
  DB_PERMISSION_DENIED:
    'Votre compte n’a pas le droit d’écrire dans le dossier de données de Pupitre. Rendez-le propriétaire du dossier (ou donnez-lui le droit d’écriture), ou choisissez un autre dossier de données.',
  DB_IO_ERROR: `Le disque a renvoyé une erreur de lecture ou d’écriture. Faites vérifier le disque ; si l’erreur persiste, ${RESTORE} sur un autre disque.`,
  DB_IN_USE:
    'La base de données est ouverte par Pupitre (application ou « pupitre serve ») : fermez-le avant de restaurer une sauvegarde.',
  BACKUP_FOLDER_UNAVAILABLE:
    'Le dossier des sauvegardes n’est pas accessible en écriture. Vérifiez qu’il existe (disque externe branché, partage réseau monté) ou choisissez-en un autre dans Paramètres.',
  BACKUP_FAILED:
    "La sauvegarde n'a pas pu être faite ; la base de données n'a pas été modifiée. Consultez l'écran Diagnostic puis recommencez.",
  BACKUP_NOT_FOUND: 'Fichier de sauvegarde introuvable : vérifiez son chemin.',
  BACKUP_DAMAGED:
    'Cette sauvegarde est endommagée (son empreinte ou le contrôle d’intégrité ne correspond pas) : elle n’a pas été restaurée. Choisissez une sauvegarde plus ancienne.',
  BACKUP_OTHER_KEY:
    "Cette sauvegarde a été chiffrée avec une autre clé que celle de cette installation : elle n'a pas été restaurée. Indiquez la clé de l'installation d'origine (--key-file FICHIER ou clé de secours).",
  BACKUP_UNREADABLE:
    "Cette sauvegarde ne peut pas être lue : elle a été chiffrée avec une autre clé, ou elle est endommagée (son fichier de description .json manque pour le savoir). Elle n'a pas été restaurée.",
  BACKUP_NOT_PUPITRE: "Ce fichier n'est pas une base de données de Pupitre : il n'a pas été restauré.",
  BACKUP_NEWER_SCHEMA:
    "Cette sauvegarde a été faite par une version plus récente de Pupitre : installez cette version avant de la restaurer. Rien n'a été modifié.",
} as const;

export const backupEntrySchema = z.object({
  file: z.string(),
  at: z.string(),
  sizeBytes: z.number().int(),
  schemaVersion: z.number().int(),
});
export type BackupEntry = z.infer<typeof backupEntrySchema>;

export const backupRunSchema = z.object({
  at: z.string(),
  ok: z.boolean(),
  /** Set when the run failed: a stable code whose French message the screen shows. */
  errorCode: z.string().nullable(),
  file: z.string().nullable(),
  trigger: z.enum(['scheduled', 'manual', 'cli']),
});
export type BackupRun = z.infer<typeof backupRunSchema>;

export const pendingRestoreSchema = z.object({
  file: z.string(),
  /** When the backup was made. */
  backupAt: z.string().nullable(),
  requestedAt: z.string(),
});
export type PendingRestore = z.infer<typeof pendingRestoreSchema>;

/** What the last start did with a restore asked for from the desk. */
export const restoreOutcomeSchema = z.object({
  ok: z.boolean(),
  at: z.string(),
  file: z.string(),
  backupAt: z.string().nullable(),
  /** French: why it was not done (the base in place was kept). */
  message: z.string().nullable(),
  /** Stable code, for a details line only. */
  errorCode: z.string().nullable(),
});
export type RestoreOutcomeView = z.infer<typeof restoreOutcomeSchema>;

export const backupStatusSchema = z.object({
  folder: z.string(),
  intervalHours: z.number().int(),
  keep: z.number().int(),
  lastRun: backupRunSchema.nullable(),
  lastSuccessAt: z.string().nullable(),
  /** When the next scheduled backup is due (null when the schedule does not run in this host). */
  nextAt: z.string().nullable(),
  backups: z.array(backupEntrySchema),
  /** A restore confirmed in the desk, done at the next start. */
  pendingRestore: pendingRestoreSchema.nullable(),
  /** The restore this start did (or refused), if one was asked for. */
  lastRestore: restoreOutcomeSchema.nullable(),
});
export type BackupStatus = z.infer<typeof backupStatusSchema>;

export const storageMethods = {
  'backup.status': defineMethod({ params: z.object({}), result: backupStatusSchema }),
  /** « Sauvegarder maintenant »: an encrypted, verified copy in the backup folder, then rotation. */
  'backup.run': defineMethod({ params: z.object({}), result: z.object({ run: backupRunSchema, backup: backupEntrySchema.nullable() }) }),
  /**
   * Restore one of the backups of the folder (by file name), after the desk's confirmation: the
   * backup is verified now (digest, key, integrity, version) and restored at the next start of
   * Pupitre, before the base is opened. Desk and terminal only (not in CONNECTOR_METHODS).
   */
  'backup.requestRestore': defineMethod({
    params: z.object({ file: z.string().min(1).max(200), confirm: z.literal(true) }),
    result: z.object({ pendingRestore: pendingRestoreSchema }),
  }),
  'backup.cancelRestore': defineMethod({ params: z.object({}), result: z.object({ cancelled: z.boolean() }) }),
} as const;

export const storageEvents = {
  'backup.completed': backupRunSchema,
} as const;
