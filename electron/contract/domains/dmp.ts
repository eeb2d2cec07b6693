/**
 * DMP (Mon espace santé) through the DMPi: status of a patient's DMP (TD0.2), documents (TD3.1,
 * TD3.2), sending through the outbox (TD2.1), masking, visibility, deletion and archiving (TD3.3),
 * authorisation (TD0.3). Messages never carry health data: ids, codes and French labels only.
 */
import { z } from 'zod';
import { defineMethod } from '../define';

export const dmpErrors = {
  DMP_NOT_CONFIGURED: "L'adresse du service DMP n'est pas configurée pour cet environnement. Renseignez-la dans Paramètres → Services.",
  DMP_INS_NOT_QUALIFIED:
    "L'identité de ce patient n'est pas qualifiée : le DMP n'est accessible qu'avec une INS qualifiée. Vérifiez l'identité (pièce d'identité + INSi) puis réessayez.",
  DMP_PATIENT_IDENTITY_CHANGED:
    "L'identité de ce patient a changé depuis la mise en attente du document (INS retiré, identité douteuse ou fictive, ou autre INS) : le document n'est pas envoyé, il a été écrit pour l'identité d'alors. Vérifiez l'identité ; si le même INS est qualifié à nouveau, relancez l'envoi, sinon annulez-le et refaites le document.",
  DMP_CARD_REQUIRED: 'Insérez votre carte CPS ou CPE et saisissez votre code pour accéder au DMP.',
  DMP_NOT_AUTHORIZED:
    "Le DMP refuse l'accès : vous n'êtes pas autorisé sur ce dossier. Recueillez le consentement du patient puis ajoutez l'autorisation, ou utilisez le mode bris de glace en cas d'urgence.",
  DMP_FORBIDDEN_BY_RIGHTS: "Cette action n'est pas permise avec votre carte et ce mode d'accès (matrice des droits du DMP).",
  DMP_NOT_FOUND: "Ce patient n'a pas de DMP. Il peut en ouvrir un sur Mon espace santé.",
  DMP_CLOSED: 'Le DMP de ce patient est fermé : il ne peut plus être consulté ni alimenté.',
  DMP_VIHF_REFUSED:
    "Le DMP a refusé le jeton d'authentification (VIHF) : le certificat de signature ou les informations du professionnel ne conviennent pas. Vérifiez la carte utilisée, puis l'écran Diagnostic.",
  DMP_SIGNATURE_REFUSED:
    "Le DMP a refusé la signature du lot de documents (signature absente ou invalide) : rien n'a été enregistré. Vérifiez la carte utilisée puis renvoyez le document ; si l'erreur persiste, consultez l'écran Diagnostic.",
  DMP_BREAK_GLASS_OPPOSED: "Le patient s'est opposé à l'accès en mode bris de glace ou urgence : l'accès est refusé.",
  DMP_BREAK_GLASS_REASON_REQUIRED: 'Le mode bris de glace exige un motif : saisissez la raison de cet accès en urgence.',
  DMP_CONTENT_UNREADABLE:
    "Le document à envoyer est introuvable ou altéré sur ce poste (par exemple une base copiée sur un autre poste sans son dossier « dmp-envois » ; une sauvegarde Pupitre, elle, contient ces documents). Renvoyez-le depuis le dossier du patient.",
  DMP_DOCUMENT_NOT_FOUND: "Ce document n'est plus disponible dans le DMP (supprimé, archivé ou remplacé). Actualisez la liste.",
  DMP_REJECTED: "Le DMP a refusé la demande. Vérifiez les informations du document ou du patient ; si l'erreur persiste, contactez le support.",
  DMP_UNAVAILABLE: 'Le service DMP est momentanément indisponible. Pupitre réessaiera automatiquement ; vous pouvez continuer à travailler.',
  DMP_OFFLINE_READ:
    'Le DMP ne répond pas : la consultation sera possible au retour du service (actualisez alors). Les documents déjà affichés restent disponibles ici, et les envois partiront d’eux-mêmes.',
  DMP_RESPONSE_INVALID: "La réponse du DMP est illisible. Pupitre vérifiera auprès du service avant de renvoyer quoi que ce soit.",
  DMP_FILE_TOO_LARGE:
    "Ce fichier dépasse la taille qu'un document envoyé au DMP peut avoir (20 Mo). Réduisez-le (PDF compressé, moins de pages) puis réessayez.",
  DMP_FILE_INVALID: "Ce fichier ne peut pas être envoyé au DMP : seuls un PDF ou un document CDA (XML) sont acceptés. Choisissez un autre fichier.",
  DMP_CDA_METADATA_INCOMPLETE:
    "L'en-tête de ce document CDA ne donne pas toutes les métadonnées exigées par le DMP (voir le détail) : faites compléter le document par le logiciel qui l'a produit, ou envoyez-le en PDF.",
  DMP_TYPE_REQUIRED: "Choisissez le type du document (compte rendu, ordonnance, synthèse…) avant l'envoi.",
  DMP_SEND_UNAVAILABLE: "L'envoi au DMP n'est pas disponible sur ce poste (file d'envoi ou module CDA absent). Consultez l'écran Diagnostic.",
  DMP_CONSENT_REQUIRED: "Confirmez que le patient a donné son consentement avant d'ajouter l'autorisation d'accès.",
} as const;

export const purposeOfUseSchema = z.enum(['normal', 'bris_de_glace', 'centre_15']);
export const dmpAccessSchema = z.object({
  purposeOfUse: purposeOfUseSchema.default('normal'),
  /** Mandatory with bris_de_glace / centre_15: kept in the local audit trail. */
  reason: z.string().max(500).optional(),
});

export const dmpStatusSchema = z.object({
  existence: z.enum(['active', 'closed', 'absent']),
  authorisation: z.enum(['VALIDE', 'EXPIRE', 'INTERDIT', 'NON_EXISTE']).nullable(),
  treatingDoctor: z.boolean(),
  mesAttachment: z.boolean().nullable(),
  oppositions: z.array(z.string()),
  checkedAt: z.string(),
});

const rightSchema = z.object({ allowed: z.boolean(), reason: z.string().nullable() });
export const dmpRightsSchema = z.object({
  consult: rightSchema,
  send: rightSchema,
  mask: rightSchema,
  visibility: rightSchema,
  delete: rightSchema,
  archive: rightSchema,
  authorisation: rightSchema,
  breakGlass: rightSchema,
});

export const codedSchema = z.object({ code: z.string(), codeSystem: z.string(), displayName: z.string() });

export const dmpDocumentSchema = z.object({
  uniqueId: z.string(),
  entryUuid: z.string(),
  title: z.string(),
  mimeType: z.string(),
  typeCode: codedSchema.nullable(),
  classCode: codedSchema.nullable(),
  formatCode: codedSchema.nullable(),
  status: z.enum(['Approved', 'Deprecated', 'Archived', 'Deleted']),
  /** MASQUE_PS, INVISIBLE_PATIENT, INVISIBLE_REPRESENTANTS_LEGAUX. */
  restrictions: z.array(z.string()),
  authorName: z.string(),
  authorIdNat: z.string(),
  institution: z.string().nullable(),
  /** ISO instants (XDS times are UTC: EX_3.1-1070, shown in local time by the renderer). */
  creationTime: z.string().nullable(),
  serviceStartTime: z.string().nullable(),
  firstSeenAt: z.string(),
  isNew: z.boolean(),
  own: z.boolean(),
  patientDocument: z.boolean(),
  size: z.number().nullable(),
});

export const dmpSendingSchema = z.object({
  uniqueId: z.string(),
  title: z.string(),
  typeCode: codedSchema,
  createdAt: z.string(),
  state: z.enum(['queued', 'sending', 'waiting-card', 'sent', 'failed', 'cancelled']),
  message: z.string().nullable(),
  jobId: z.string().nullable(),
  replaces: z.string().nullable(),
});

const patientParam = z.object({ patientId: z.string().max(100) });

export const dmpMethods = {
  /** "Sans clic" opening: TD0.2, then the first search (last two years, preferred types) or what changed since the last call. */
  'dmp.open': defineMethod({
    params: patientParam.extend({ access: dmpAccessSchema.optional(), widen: z.boolean().default(false) }),
    result: z.object({
      /** Null only offline, for a patient whose DMP was never checked from this desk. */
      status: dmpStatusSchema.nullable(),
      rights: dmpRightsSchema,
      documents: z.array(dmpDocumentSchema),
      newCount: z.number().int(),
      /** What the automatic search was limited to, shown so the user can widen it. */
      filter: z.object({ since: z.string().nullable(), typeCodes: z.array(z.string()), widened: z.boolean() }),
      lastCallAt: z.string().nullable(),
      /** False when the documents could not be listed (consultation not allowed, DMP absent…). */
      listed: z.boolean(),
      listError: z.object({ code: z.string(), message: z.string() }).nullable(),
      /** Set when the DMP could not be reached: everything above is the last known state. */
      offline: z.object({ lastCheckedAt: z.string().nullable() }).nullable(),
    }),
  }),
  /** The last known status and documents, from the local copy (no call). */
  'dmp.cached': defineMethod({
    params: patientParam,
    result: z.object({ status: dmpStatusSchema.nullable(), documents: z.array(dmpDocumentSchema), lastCallAt: z.string().nullable() }),
  }),
  'dmp.document.get': defineMethod({
    params: patientParam.extend({ uniqueId: z.string().max(200), access: dmpAccessSchema.optional() }),
    result: z.object({
      uniqueId: z.string(),
      mimeType: z.string(),
      /** The PDF to show (a PDF, or the PDF inside a CDA N1), base64. */
      pdfBase64: z.string().nullable(),
      /** The CDA narrative block, sanitised HTML (structured CDA). */
      html: z.string().nullable(),
      /** The raw document, base64 (CDA XML or PDF). */
      contentBase64: z.string(),
    }),
  }),
  'dmp.document.markSeen': defineMethod({
    params: patientParam.extend({ uniqueIds: z.array(z.string().max(200)).max(5000) }),
    result: z.object({ updated: z.number().int() }),
  }),
  'dmp.documentTypes': defineMethod({
    params: z.object({}),
    result: z.object({ types: z.array(codedSchema), preferred: z.array(z.string()) }),
  }),
  /** Queues a document for the DMP (works offline); the PDF is wrapped in a CDA N1 document. */
  'dmp.send': defineMethod({
    params: patientParam.extend({
      fileName: z.string().max(300),
      /** ≤ 20 Mo decoded. */
      contentBase64: z.string().max(28 * 1024 * 1024, { error: 'DMP_FILE_TOO_LARGE' }),
      typeCode: z.string().max(40).optional(),
      title: z.string().max(300).optional(),
      visibility: z
        .object({
          hiddenFromPatient: z.boolean().default(false),
          maskedFromProfessionals: z.boolean().default(false),
          hiddenFromLegalRepresentatives: z.boolean().default(false),
        })
        .default({ hiddenFromPatient: false, maskedFromProfessionals: false, hiddenFromLegalRepresentatives: false }),
      replaces: z.string().max(200).optional(),
    }),
    result: z.object({ sending: dmpSendingSchema }),
  }),
  'dmp.sendings': defineMethod({
    params: patientParam,
    result: z.object({ sendings: z.array(dmpSendingSchema) }),
  }),
  /** TD3.3a/b: masking from professionals, visibility for the patient or legal representatives. */
  'dmp.document.setVisibility': defineMethod({
    params: patientParam.extend({
      uniqueId: z.string().max(200),
      maskedFromProfessionals: z.boolean().optional(),
      hiddenFromPatient: z.boolean().optional(),
      hiddenFromLegalRepresentatives: z.boolean().optional(),
    }),
    result: z.object({ document: dmpDocumentSchema }),
  }),
  /** TD3.3c (delete) / TD3.3d (archive). */
  'dmp.document.setStatus': defineMethod({
    params: patientParam.extend({ uniqueId: z.string().max(200), status: z.enum(['Deleted', 'Archived']) }),
    result: z.object({ ok: z.literal(true) }),
  }),
  /** TD0.3: adds (with the patient's consent recorded locally) or removes the caller's authorisation. */
  'dmp.authorisation.set': defineMethod({
    params: patientParam.extend({ action: z.enum(['AJOUT', 'SUPPRESSION']), patientConsent: z.boolean().default(false) }),
    result: z.object({ status: dmpStatusSchema }),
  }),
  /** Démo only: the state of the local DMP simulator (to show offline sending). */
  'dmp.demo.simulator': defineMethod({
    params: z.object({
      mode: z.enum(['up', 'down', 'http-500', 'timeout', 'malformed']).optional(),
      latencyMs: z.number().int().min(0).max(60_000).optional(),
      /** Adds this many generated documents to the first demo patient's DMP (benchmarks of long lists). */
      extraDocuments: z.number().int().min(0).max(10_000).optional(),
    }),
    result: z.object({ mode: z.string(), url: z.string(), documents: z.number().int() }),
  }),
} as const;

export const dmpEvents = {
  /** A patient's DMP view changed (new documents, a sending finished): the renderer refreshes it. */
  'dmp.changed': z.object({ patientId: z.string(), reason: z.enum(['opened', 'sending', 'sent', 'failed', 'updated']) }),
} as const;
