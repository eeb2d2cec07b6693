/**
 * Téléservice INSi (services/insi): look-ups by traits (rechercherInsAvecTraitsIdentite) or from the
 * carte Vitale (rechercherInsAvecCarteVitale) with the CNDA first-name retry strategy, the field by
 * field comparison of local and INSi traits, acceptance (→ RECUP/QUAL), saved-response parsing, and
 * the worklist that looks up a whole patient base through the outbox queue `insi.lookup`.
 * Error messages and details never carry health data.
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { identityStatusSchema, insiAcceptanceSchema, insOidSchema, sexSchema, strictTraitsInputSchema } from './identity';

export const insiErrors = {
  INSI_NOT_FOUND:
    "L'INSi n'a trouvé aucune identité (code 01), y compris en essayant chaque prénom puis la liste complète. Vérifiez le nom de naissance, tous les prénoms de naissance, la date et le sexe sur un justificatif, puis réessayez.",
  INSI_SEVERAL_IDENTITIES:
    "L'INSi a trouvé plusieurs identités (code 02). Ajoutez les autres prénoms de naissance puis le lieu de naissance (code INSEE) et relancez la recherche.",
  INSI_SOFTWARE_NOT_AUTHORIZED:
    "Le téléservice INSi refuse ce logiciel : le numéro d'autorisation CNDA (IDAM) est inconnu. Vérifiez « lps.cndaAuthorisation » dans les Paramètres.",
  INSI_RIGHTS_INSUFFICIENT:
    "Le téléservice INSi refuse l'accès : droits insuffisants (le certificat de structure doit être nommé INSI-AUTO ou INSI-MANU, ou la carte CPx doit être valide). Vérifiez la carte ou le certificat configuré.",
  INSI_AUTHENTICATION_REFUSED:
    "Le téléservice INSi n'a pas accepté l'authentification (assertion de la carte CPx invalide ou expirée). Retirez puis réinsérez la carte et réessayez.",
  INSI_TEMPORARILY_UNAVAILABLE:
    'Le téléservice INSi est momentanément indisponible. La recherche sera relancée automatiquement ; vous pouvez aussi réessayer dans quelques minutes.',
  INSI_REQUEST_REJECTED:
    "Le téléservice INSi a refusé la demande comme incomplète ou mal formée (un trait obligatoire manque ou est invalide). Corrigez les traits d'identité puis réessayez.",
  INSI_FAULT: "Le téléservice INSi a renvoyé une erreur. Le code est indiqué dans le détail ; réessayez, et si cela se répète, consultez l'écran Diagnostic.",
  INSI_RESPONSE_INVALID:
    "La réponse du téléservice INSi est illisible ou incomplète. Aucune identité n'a été enregistrée ; réessayez, et si cela se répète, consultez l'écran Diagnostic.",
  INSI_NO_CREDENTIALS:
    "Aucun moyen d'authentification INSi n'est disponible : insérez une carte CPS ou CPE et saisissez son code, ou configurez le certificat de structure INSI-MANU/INSI-AUTO.",
  INSI_ENDPOINT_NOT_CONFIGURED:
    "L'adresse du téléservice INSi n'est pas configurée pour cet environnement. Renseignez « endpoints.insi » dans les Paramètres.",
  INSI_LOOKUP_EXPIRED:
    "Ce résultat INSi n'est plus disponible (trop ancien ou déjà utilisé). Interrogez à nouveau l'INSi avant d'accepter l'identité.",
  INSI_WORKLIST_NOT_FOUND: "Cette liste de travail INSi n'existe pas. Relancez-la depuis l'écran Identités.",
  INSI_WORKLIST_EMPTY: "Aucun patient ne correspond à cette sélection (les identités qualifiées, douteuses ou fictives sont exclues).",
} as const;

export const insiCodeCrSchema = z.enum(['00', '01', '02']);

export const insiInsSchema = z.object({
  /** NIR/NIA, 13 characters. */
  number: z.string(),
  /** Key as returned (2 digits); `keyValid` says whether it matches the number. */
  key: z.string(),
  keyValid: z.boolean(),
  /** 15 characters: number + key. */
  matricule: z.string(),
  oid: z.string(),
  kind: z.enum(['NIR', 'NIA', 'TEST', 'DEMO', 'UNKNOWN']),
});

export const insiHistoryEntrySchema = insiInsSchema.extend({ startDate: z.string().nullable(), endDate: z.string().nullable() });

/** Traits of the TIQ block (INSi lexical form). */
export const insiTraitsSchema = z.object({
  birthName: z.string(),
  /** ListePrenom; the Prenom element when the list is absent. */
  birthGivenNames: z.string(),
  firstGivenName: z.string(),
  sex: sexSchema,
  /** YYYY-MM-DD as returned (DateLunaire: may hold 00 components). */
  birthDate: z.string(),
  birthPlaceCode: z.string().nullable(),
});

export const insiIdentitySchema = z.object({
  active: insiInsSchema,
  history: z.array(insiHistoryEntrySchema),
  traits: insiTraitsSchema,
});

export const insiResultSchema = z.object({
  code: insiCodeCrSchema,
  label: z.string(),
  identity: insiIdentitySchema.nullable(),
});

export const insiAttemptSchema = z.object({
  /** First names sent, in order (one name, or the whole list). */
  givenNames: z.array(z.string()),
  withBirthPlace: z.boolean(),
  code: insiCodeCrSchema,
});

export const comparisonRowSchema = z.object({
  field: z.enum(['birthName', 'birthGivenNames', 'firstGivenName', 'sex', 'birthDate', 'birthPlaceCode']),
  label: z.string(),
  local: z.string().nullable(),
  insi: z.string().nullable(),
  same: z.boolean(),
});

export const insiLookupSchema = z.object({
  /** Pass it to `insi.accept`; valid for a short time, once. */
  lookupId: z.string(),
  outcome: z.enum(['found', 'not-found', 'several']),
  result: insiResultSchema,
  attempts: z.array(insiAttemptSchema),
  /** French guidance for the desk (what to do next). */
  guidance: z.string(),
  /** Local vs INSi traits, field by field; null when nothing was found or no patient is open. */
  comparison: z.array(comparisonRowSchema).nullable(),
  /** The acceptance rule for the open patient: accept, confirm (reason + second confirmation) or block. */
  acceptance: insiAcceptanceSchema.nullable(),
  authentication: z.enum(['cps', 'structure']),
});

export const vitaleBeneficiarySchema = z.object({
  /** NIR of the beneficiary when on the card (13 characters, + key optional). */
  beneficiaryNir: z.string().max(20).nullable(),
  /** NIR of the ouvrant-droit (insured person). */
  insuredNir: z.string().max(20),
  birthName: z.string().max(100),
  /** As read from the card: AAAAMMJJ or JJ/MM/AAAA or AAAA-MM-JJ (lunar dates allowed). */
  birthDate: z.string().max(20),
  birthRank: z.number().int().min(1).max(9),
});

export const worklistSelectionSchema = z.discriminatedUnion('kind', [
  /** Every identity that is neither qualified nor blocked (douteuse/fictive), optionally one status. */
  z.object({ kind: z.literal('status'), statuses: z.array(identityStatusSchema).min(1).max(4) }),
  z.object({ kind: z.literal('import'), importId: z.number().int() }),
  z.object({ kind: z.literal('patients'), ids: z.array(z.string()).min(1).max(100_000) }),
]);

export const worklistItemStatusSchema = z.enum(['pending', 'found', 'not-found', 'several', 'error', 'skipped']);

export const worklistProgressSchema = z.object({
  worklistId: z.string(),
  createdAt: z.string(),
  total: z.number().int(),
  pending: z.number().int(),
  found: z.number().int(),
  notFound: z.number().int(),
  several: z.number().int(),
  error: z.number().int(),
  skipped: z.number().int(),
  /** Estimated seconds left from the observed throughput; null before the first result. */
  etaSeconds: z.number().nullable(),
  finished: z.boolean(),
});

export const worklistItemSchema = z.object({
  patientId: z.string(),
  status: worklistItemStatusSchema,
  /** French reason (not found, several, what failed): a sentence, never a code. */
  reason: z.string().nullable(),
  /** The stable error code of a failed look-up, for support (details line, report's last column). */
  errorCode: z.string().nullable(),
  statusAfter: identityStatusSchema.nullable(),
  updatedAt: z.string(),
});

export const identityToVerifySchema = z.object({
  id: z.string(),
  birthName: z.string(),
  firstGivenName: z.string(),
  /** JJ/MM/AAAA. */
  birthDate: z.string(),
  sex: z.enum(['M', 'F']),
  /** When INSi returned the identity (ISO instant), null if unknown. */
  retrievedAt: z.string().nullable(),
  /** The practice software's file number when the patient was imported, else null. */
  fileNumber: z.string().nullable(),
});

export const insiMethods = {
  /** Looks up an INS from traits typed at the desk (not tied to a patient record). */
  'insi.searchTraits': defineMethod({
    params: z.object({ traits: strictTraitsInputSchema }),
    result: insiLookupSchema,
  }),
  /** Looks up the INS of a local patient from its strict traits, with the CNDA retry strategy. */
  'insi.lookupPatient': defineMethod({
    params: z.object({ patientId: z.string() }),
    result: insiLookupSchema,
  }),
  /** Looks up the INS from the carte Vitale data (rechercherInsAvecCarteVitale). */
  'insi.lookupVitale': defineMethod({
    params: z.object({ patientId: z.string().nullable(), beneficiary: vitaleBeneficiarySchema }),
    result: insiLookupSchema,
  }),
  /**
   * Attaches a found identity to a patient through the acceptance rule: INSi traits replace local
   * traits, PROV→RECUP, VALI→QUAL. A look-up made for another patient is refused; one from the free
   * INSi form may go to any patient. « confirm » needs the reason and the second confirmation.
   */
  'insi.accept': defineMethod({
    params: z.object({
      patientId: z.string(),
      lookupId: z.string(),
      confirmation: z.object({ reason: z.string().min(3).max(500), samePerson: z.literal(true) }).optional(),
    }),
    result: z.object({ status: identityStatusSchema, matricule: z.string(), oid: insOidSchema }),
  }),
  /** The desk refuses a found identity (not the same person): recorded in the identity history. */
  'insi.reject': defineMethod({
    params: z.object({ patientId: z.string(), lookupId: z.string(), reason: z.string().min(3).max(500) }),
    result: z.object({ ok: z.literal(true) }),
  }),
  /** What attaching a free-form result to this patient would do: comparison and acceptance rule. */
  'insi.preview': defineMethod({
    params: z.object({ patientId: z.string(), lookupId: z.string() }),
    result: z.object({ comparison: z.array(comparisonRowSchema), acceptance: insiAcceptanceSchema }),
  }),
  /** Creates a patient from a free-form result (the INSi traits) with its INS attached (RECUP). */
  'insi.createPatient': defineMethod({
    params: z.object({ lookupId: z.string(), acknowledgeDuplicates: z.boolean().default(false) }),
    result: z.object({ patientId: z.string(), status: identityStatusSchema }),
  }),
  /** Parses a saved INSi response (RESULTAT or SOAP fault). */
  'insi.parse': defineMethod({
    params: z.object({ xml: z.string().max(2_000_000) }),
    result: insiResultSchema,
  }),
  'insi.worklist.start': defineMethod({
    params: z.object({ selection: worklistSelectionSchema }),
    result: worklistProgressSchema,
  }),
  'insi.worklist.progress': defineMethod({
    params: z.object({ worklistId: z.string() }),
    result: worklistProgressSchema,
  }),
  'insi.worklist.list': defineMethod({
    params: z.object({}),
    result: z.object({ worklists: z.array(worklistProgressSchema) }),
  }),
  'insi.worklist.items': defineMethod({
    params: z.object({ worklistId: z.string(), status: worklistItemStatusSchema.optional(), limit: z.number().int().min(1).max(5000).default(500) }),
    result: z.object({ items: z.array(worklistItemSchema) }),
  }),
  /** CSV report (UTF-8, `;`): patient id, result, reason, status after. */
  'insi.worklist.report': defineMethod({
    params: z.object({ worklistId: z.string() }),
    result: z.object({ fileName: z.string(), csv: z.string() }),
  }),
  /**
   * Identities « récupérée » now — found by a worklist, at the desk or before any run — whose
   * identity document is to check at the next visit; filtered by name, sorted (issue 13).
   */
  'insi.worklist.toVerify': defineMethod({
    params: z.object({
      limit: z.number().int().min(1).max(1000).default(200),
      text: z.string().max(100).optional(),
      sort: z.enum(['name', 'retrieved', 'birthDate']).default('retrieved'),
    }),
    result: z.object({ patients: z.array(identityToVerifySchema), total: z.number().int() }),
  }),
} as const;

export const insiEvents = {
  'insi.worklist.progress': worklistProgressSchema,
} as const;

export type InsiCodeCr = z.infer<typeof insiCodeCrSchema>;
export type InsiIns = z.infer<typeof insiInsSchema>;
export type InsiHistoryEntry = z.infer<typeof insiHistoryEntrySchema>;
export type InsiTraits = z.infer<typeof insiTraitsSchema>;
export type InsiIdentity = z.infer<typeof insiIdentitySchema>;
export type InsiResult = z.infer<typeof insiResultSchema>;
export type InsiAttempt = z.infer<typeof insiAttemptSchema>;
export type ComparisonRow = z.infer<typeof comparisonRowSchema>;
export type InsiLookup = z.infer<typeof insiLookupSchema>;
export type VitaleBeneficiary = z.infer<typeof vitaleBeneficiarySchema>;
export type WorklistSelection = z.infer<typeof worklistSelectionSchema>;
export type WorklistItemStatus = z.infer<typeof worklistItemStatusSchema>;
export type WorklistProgress = z.infer<typeof worklistProgressSchema>;
export type WorklistItem = z.infer<typeof worklistItemSchema>;
