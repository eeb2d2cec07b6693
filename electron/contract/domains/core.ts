/** Methods, events and error codes of the application core: host, settings, audit, demo. */
import { z } from 'zod';
import { defineMethod } from '../define';

export const coreErrors = {
  INTERNAL:
    "Une erreur interne est survenue. L'opération n'a pas été effectuée ; réessayez, puis consultez l'écran Diagnostic si le problème persiste.",
  UNKNOWN_METHOD: "Cette action n'est pas reconnue par le service local. Mettez Pupitre à jour.",
  INVALID_PARAMS: 'La demande contient des données invalides. Vérifiez la saisie puis réessayez.',
  INVALID_RESULT:
    "Le service local a produit une réponse invalide. L'opération a été interrompue ; signalez-le avec l'écran Diagnostic.",
  MESSAGE_TOO_LARGE: 'La demande est trop volumineuse pour être traitée.',
  MALFORMED_MESSAGE: 'Message illisible reçu par le service local.',
  HOST_UNAVAILABLE:
    'Le service local de Pupitre ne répond pas. Il redémarre automatiquement ; patientez quelques secondes.',
  DB_NEWER_SCHEMA:
    'Cette base de données a été créée par une version plus récente de Pupitre. Elle n’a pas été modifiée : installez la dernière version de Pupitre.',
  SEALED_FILE_UNREADABLE:
    "Un document chiffré de cette installation est introuvable ou altéré (fichier absent, modifié ou venant d'une autre installation). Restaurez la dernière sauvegarde (Paramètres → Sauvegardes) ou recréez le document.",
  DB_KEY_INVALID:
    'La base de données ne peut pas être ouverte avec la clé de cette installation. Vérifiez le dossier de données ou restaurez la clé.',
  DB_MIGRATION_FAILED:
    "La mise à jour de la base de données a échoué ; rien n'a été modifié. Consultez l'écran Diagnostic.",
  SETTINGS_INVALID: 'Ce paramètre est invalide. Corrigez la valeur puis réessayez.',
  SETTINGS_UNKNOWN_KEY: "Ce paramètre n'existe pas.",
  SETTINGS_CERTIFICATE_WRONG_KIND:
    'Ce certificat ne convient pas ici : {expected}. Choisissez le fichier PKCS#12 (.p12) reçu de l’ANS pour cet usage (espace de commande des certificats IGC-Santé).',
  SETTINGS_CERTIFICATE_EXPIRED:
    'Ce certificat de structure a expiré le {expiredOn} : il serait refusé par le téléservice. Commandez son renouvellement auprès de l’ANS puis indiquez le nouveau fichier.',
  SETTINGS_RETENTION_RANGE:
    'La durée de conservation de l’historique des envois doit être un nombre entier de jours, de {min} à {max} (30 par défaut).',
  SETTINGS_INSI_RATE_RANGE:
    'Le rythme de la liste de travail INSi doit être un nombre entier d’appels par seconde, de {min} à {max} (5 par défaut).',
  SETTINGS_DMP_TYPES_INVALID:
    'Les types de documents préférés se choisissent dans la liste des types du DMP, {max} au plus. Reprenez le choix dans Paramètres.',
  SETTINGS_HTTPS_REQUIRED:
    'HTTPS est obligatoire pour l’adresse d’un téléservice : saisissez l’adresse complète en « https://… » fournie avec votre accréditation (GIE SESAM-Vitale pour l’INSi, ANS pour le DMP).',
  AUDIT_CHAIN_BROKEN:
    "Le journal d'audit a été altéré : une entrée ne correspond plus à la chaîne. Prévenez le responsable de la sécurité.",
  NOT_AVAILABLE_YET: "Cette fonction n'est pas encore disponible dans cette version de Pupitre.",
  DEMO_ONLY: 'Cette action n’est possible qu’en mode démo.',
  HOST_ALREADY_RUNNING:
    'Pupitre est déjà ouvert sur ce dossier de données ({program}, processus {pid}, depuis {since}). Utilisez la fenêtre déjà ouverte, ou fermez-la avant d’en ouvrir une autre ; les commandes « pupitre » peuvent travailler à côté.',
  TEXT_TOO_LONG: 'Un champ dépasse la longueur permise. Raccourcissez la saisie puis réessayez (le détail indique le champ).',
  TEXT_CONTROL_CHARACTER:
    'Un champ contient un caractère invisible interdit (caractère de contrôle, souvent issu d’un copier-coller). Retapez la valeur puis réessayez.',
  TEXT_FORMULA:
    'Un champ commence par =, +, - ou @ : un tableur le prendrait pour une formule. Il est refusé par sécurité ; corrigez la valeur puis réessayez.',
  WORKER_FAILED:
    "Un traitement lourd (import, lecture d'un gros document) s'est arrêté de façon inattendue. Réessayez : un import interrompu reprend là où il s'était arrêté. Si cela se répète, consultez l'écran Diagnostic.",
  FILE_NOT_FOUND: 'Fichier introuvable : vérifiez le nom et le dossier du fichier indiqué.',
  FILE_UNREADABLE: 'Ce fichier ne peut pas être lu (droits insuffisants, ou c’est un dossier). Vérifiez le fichier indiqué.',
} as const;

export const environmentSchema = z.enum(['demo', 'test', 'production']);
export type Environment = z.infer<typeof environmentSchema>;

export const lpsIdentitySchema = z.object({
  name: z.string(),
  version: z.string(),
  /** CNDA authorisation number ("numéro d'autorisation" / IDAM); empty until homologated. */
  cndaAuthorisation: z.string(),
  installationId: z.string().uuid(),
});

export const endpointsSchema = z.object({
  insi: z.string(),
  dmp: z.string(),
  /** Base e-prescription (modelled teleservice, services/eprescription). */
  eprescription: z.string(),
});

/** The professional of this desk as printed on documents and billed (the card does not carry them). */
export const practitionerSettingsSchema = z.object({
  /** Numéro AM (identifiant de facturation Assurance Maladie, 9 caractères), printed on the ordonnance and billed under. */
  amNumber: z.string(),
  /** Address of the practice, one line per line. */
  address: z.string(),
  phone: z.string(),
  /** Code spécialité AMO (2 chiffres, « 01 » médecine générale); empty until configured. */
  specialty: z.string(),
  /** Secteur conventionnel: decides whether an overage (dépassement) may be billed. */
  conventionSector: z.enum(['', 'secteur-1', 'secteur-2', 'secteur-2-optam']),
});

/** Billing: the holiday calendar of the legal transmission deadlines (art. R161-47). */
export const billingSettingsSchema = z.object({
  /** `alsace-moselle` adds Good Friday and 26 December (local law of Bas-Rhin, Haut-Rhin, Moselle). */
  holidays: z.enum(['national', 'alsace-moselle']),
});

/** A certificate file as the settings show it: never its passphrase. */
export const certificateInfoSchema = z.object({ file: z.string(), subject: z.string(), expiresAt: z.string() });

/**
 * Structure certificates (PKCS#12 files of IGC-Santé « personne morale » certificates): INSi mutual
 * TLS with INSI-MANU or INSI-AUTO (insi.md §1.1), and the DMP indirect mode with ORG AUTH_CLI (TLS)
 * and ORG SIGN (VIHF signature) (dmp.md §1.2). Null until configured.
 */
export const structureCertificatesSchema = z.object({
  insi: certificateInfoSchema.extend({ kind: z.enum(['INSI-MANU', 'INSI-AUTO']), structureId: z.string() }).nullable(),
  dmp: z
    .object({
      structureId: z.string(),
      structureName: z.string(),
      /** TRE_R02 secteur d'activité of the structure, written in the VIHF. */
      activitySector: z.string(),
      authentication: certificateInfoSchema,
      signature: certificateInfoSchema,
    })
    .nullable(),
});

/** Scheduled encrypted backups (issue 14, point 4). */
export const backupSettingsSchema = z.object({
  folder: z.string(),
  intervalHours: z.number().int().min(1).max(168),
  keep: z.number().int().min(1).max(365),
});

/**
 * How long the File d'envoi keeps a done job (its payload copy and attempt log), in days (issue 15).
 * The records the law asks to keep live in each domain's own tables, not in the outbox.
 */
export const OUTBOX_RETENTION_DAYS = { min: 7, max: 3650, default: 30 } as const;
export const outboxSettingsSchema = z.object({
  retentionDays: z.number().int().min(OUTBOX_RETENTION_DAYS.min).max(OUTBOX_RETENTION_DAYS.max),
});

/**
 * Pace of the INSi worklist, in calls started per second across its concurrent jobs. No public
 * figure of the teleservice's limit was found (research/insi.md): 5 a second is a cautious default
 * (an 18 000-patient base in an hour), to set to what the structure's accreditation says.
 */
export const INSI_WORKLIST_RATE = { min: 1, max: 20, default: 5 } as const;
export const insiSettingsSchema = z.object({
  worklistRequestsPerSecond: z.number().int().min(INSI_WORKLIST_RATE.min).max(INSI_WORKLIST_RATE.max),
});

/**
 * The practitioner's usual DMP document types (XDS typeCode, JDV_J07 codes): the first search of a
 * patient's DMP lists these (the last two years; « Élargir » lists everything), and the sending
 * dialog offers them first. Empty: every type.
 */
export const DMP_PREFERRED_TYPES_MAX = 20;
export const dmpSettingsSchema = z.object({
  preferredTypeCodes: z.array(z.string()).max(DMP_PREFERRED_TYPES_MAX),
});

export const settingsSchema = z.object({
  /**
   * The environment this desk runs in: fixed when the host starts (démo wires the virtual cards and
   * the simulators, test and production the real readers and teleservices), never switched under
   * running services.
   */
  environment: environmentSchema,
  /** An environment chosen since the start, applied at the next start of Pupitre; null when none. */
  pendingEnvironment: environmentSchema.nullable(),
  endpoints: endpointsSchema,
  lps: lpsIdentitySchema,
  pkcs11Module: z.string(),
  allowedOrigins: z.array(z.string()),
  certificates: structureCertificatesSchema,
  practitioner: practitionerSettingsSchema,
  backup: backupSettingsSchema,
  billing: billingSettingsSchema,
  outbox: outboxSettingsSchema,
  insi: insiSettingsSchema,
  dmp: dmpSettingsSchema,
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingKeySchema = z.enum([
  'environment',
  'endpoints.insi',
  'endpoints.dmp',
  'lps.cndaAuthorisation',
  'pkcs11Module',
  'allowedOrigins',
  /** Value { file, passphrase } (null removes it). Security-sensitive: it authenticates the structure. */
  'certificates.insi',
  /** Value { authenticationFile, signatureFile, passphrase, activitySector? } (null removes them). Security-sensitive. */
  'certificates.dmp',
  'endpoints.eprescription',
  'practitioner.amNumber',
  'practitioner.address',
  'practitioner.phone',
  'backup.folder',
  'backup.intervalHours',
  'backup.keep',
  'practitioner.specialty',
  'practitioner.conventionSector',
  'billing.holidays',
  'outbox.retentionDays',
  'insi.worklistRequestsPerSecond',
  'dmp.preferredTypeCodes',
]);
export type SettingKey = z.infer<typeof settingKeySchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  patientRef: z.string().nullable(),
  action: z.string(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** An entry as the screen shows it: who by name, which patient by name. */
export const auditEntryViewSchema = auditEntrySchema.extend({
  actorName: z.string(),
  /** « NOM PRÉNOM » of the patient, null when the entry concerns none (or one of another environment). */
  patientName: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;

export const diagnosticCheckSchema = z.object({
  id: z.string(),
  label: z.string(),
  status: z.enum(['ok', 'warn', 'error']),
  detail: z.string(),
  /** The next thing to do, in French, when status is not ok. */
  next: z.string().optional(),
});
export type DiagnosticCheck = z.infer<typeof diagnosticCheckSchema>;

export const coreMethods = {
  'diagnostic.run': defineMethod({
    params: z.object({}),
    result: z.object({ checks: z.array(diagnosticCheckSchema) }),
  }),
  'app.info': defineMethod({
    params: z.object({}),
    result: z.object({
      name: z.string(),
      version: z.string(),
      environment: environmentSchema,
      dataDir: z.string(),
      startedAt: z.string(),
      transport: z.enum(['electron', 'websocket', 'in-process']),
    }),
  }),
  'settings.get': defineMethod({ params: z.object({}), result: settingsSchema }),
  'settings.set': defineMethod({
    params: z.object({ key: settingKeySchema, value: z.unknown() }),
    result: settingsSchema,
  }),
  /** The audit trail for people: filtered by patient (name or reference), person, action (or « dmp. ») and local dates (AAAA-MM-JJ). */
  'audit.list': defineMethod({
    params: z.object({
      limit: z.number().int().min(1).max(500).default(100),
      patientRef: z.string().optional(),
      patient: z.string().max(100).optional(),
      actor: z.string().max(200).optional(),
      action: z.string().max(100).optional(),
      from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    }),
    result: z.object({ entries: z.array(auditEntryViewSchema) }),
  }),
  /** The people who acted on this desk (card holders, by name) and the actions recorded, for the filters. */
  'audit.people': defineMethod({
    params: z.object({}),
    result: z.object({
      people: z.array(z.object({ actor: z.string(), name: z.string(), cardType: z.string().nullable() })),
      actions: z.array(z.string()),
    }),
  }),
  'audit.verify': defineMethod({
    params: z.object({}),
    result: z.object({ ok: z.boolean(), checked: z.number().int(), brokenAt: z.number().int().nullable() }),
  }),
} as const;

export const coreEvents = {
  'host.ready': z.object({ at: z.string(), environment: environmentSchema }),
  'host.restarted': z.object({ at: z.string(), reason: z.string() }),
  'settings.changed': z.object({ key: z.string() }),
} as const;
