/**
 * Local patient base (services/patients): identities with their RNIV status and history, search,
 * duplicates, CSV import with a column-mapping step. Messages never carry health data.
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { boundedText } from '../text';
import {
  birthDateSchema,
  identityAttributeSchema,
  identityAttributesSchema,
  identityDeviceCodeSchema,
  identityHistoryEntrySchema,
  identityStateSchema,
  identityStatusSchema,
  sexSchema,
  strictTraitsInputSchema,
  strictTraitsSchema,
  usedTraitsInputSchema,
  usedTraitsSchema,
} from './identity';

export const patientsErrors = {
  PATIENT_NOT_FOUND: "Ce patient n'existe pas dans la base locale de ce poste. Relancez la recherche.",
  PATIENT_DUPLICATE_SUSPECTED:
    "Un patient semblable existe déjà (mêmes traits, ou nom, prénoms, date de naissance et sexe très proches : doublon potentiel). Ouvrez la fiche existante, ou confirmez qu'il s'agit d'une autre personne.",
  PATIENT_VERSION_CONFLICT: 'Cette fiche a été modifiée entre-temps. Rechargez-la puis refaites la modification.',
  PATIENT_SEARCH_EMPTY: 'Saisissez au moins deux lettres du nom, une date de naissance ou un NIR pour lancer la recherche.',
  PATIENTS_IMPORT_UNREADABLE:
    "Le fichier n'a pas pu être lu comme un export CSV (séparateur point-virgule, virgule ou tabulation ; encodage UTF-8, UTF-16 ou Windows-1252). Vérifiez le fichier exporté.",
  PATIENTS_IMPORT_NOT_TEXT:
    "Ce fichier n'est pas un fichier texte CSV (il contient des données binaires : classeur Excel .xlsx, PDF, archive…). Dans le tableur ou l'ancien logiciel, enregistrez-le au format CSV puis importez ce fichier.",
  PATIENTS_IMPORT_EMPTY: 'Ce fichier est vide. Vérifiez que l’export de l’ancien logiciel a bien abouti.',
  PATIENTS_IMPORT_NO_HEADER:
    'La première ligne du fichier doit donner le nom des colonnes (Nom, Prénoms, Date de naissance, Sexe…). Ajoutez-la ou réexportez le fichier avec les en-têtes.',
  PATIENTS_IMPORT_DUPLICATE_HEADER:
    'Deux colonnes du fichier portent le même nom : renommez l’une d’elles dans le fichier pour que chaque colonne soit reconnue.',
  PATIENTS_IMPORT_UNTERMINATED_QUOTE:
    'Un guillemet ouvert n’est jamais refermé (voir la ligne indiquée dans le détail) : le fichier est tronqué ou mal exporté. Réexportez-le ou corrigez la ligne.',
  PATIENTS_IMPORT_TOO_MANY_COLUMNS: 'Une ligne du fichier compte plus de 200 colonnes : ce n’est pas un export de patients. Vérifiez le fichier choisi.',
  PATIENT_FIELD_INVALID:
    'Une valeur ne peut pas être enregistrée : trop longue, avec un caractère de contrôle, ou commençant par un signe de formule (=, +, -, @). Le détail indique le champ ; corrigez la valeur.',
  PATIENTS_IMPORT_MAPPING_INVALID:
    'La correspondance des colonnes est incomplète ou incohérente : associez une colonne au nom de naissance, aux prénoms, à la date de naissance et au sexe, chacune une seule fois.',
  PATIENTS_IMPORT_INVALID:
    "Des lignes du fichier sont invalides : rien n'a été importé. Corrigez les lignes signalées dans l'aperçu puis relancez l'import.",
  PATIENTS_IMPORT_TOO_LARGE:
    "Le fichier dépasse ce qu'un import accepte (20 Mo et 100 000 lignes). Découpez l'export en plusieurs fichiers et importez-les l'un après l'autre.",
  PATIENT_INS_ALREADY_ATTACHED:
    "Cet INS est déjà rattaché à une autre fiche de ce poste : un INS ne désigne qu'un patient. Les deux fiches sont proposées comme doublon potentiel : comparez-les, puis fusionnez-les ou indiquez qu'il s'agit de deux personnes distinctes.",
  PATIENT_MERGED:
    "Cette fiche a été fusionnée dans une autre fiche : elle reste consultable, mais plus rien ne s'y enregistre (identité, ordonnance, facture, droits). Ouvrez la fiche conservée.",
  PATIENT_MERGE_REFUSED:
    "Ces deux fiches ne peuvent pas être fusionnées : deux INS différents désignent deux personnes, et une fiche qui porte un INS doit être celle que l'on conserve. Vérifiez le sens de la fusion ou marquez les fiches comme distinctes.",
  PATIENT_CHANGE_REASON_REQUIRED:
    "Indiquez le motif de la modification de l'identité (au moins trois caractères) : il est conservé dans l'historique de l'identité.",
} as const;

export const patientSchema = z.object({
  id: z.string(),
  /** Incremented on every change; pass it back to `patients.update` to detect concurrent edits. */
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  strictTraits: strictTraitsSchema,
  usedTraits: usedTraitsSchema,
  identity: identityStateSchema,
  /** A NIR typed or imported (e.g. from the practice's previous software), not verified by INSi. */
  declaredNir: z.string().nullable(),
  /** The patient's number in the software an import came from. */
  externalId: z.string().nullable(),
  /** True when the INS may reference and exchange health data (QUAL only, EXI SI 08). */
  insShareable: z.boolean(),
  /** The birth place by name (commune at the date of birth or country); never a bare code. */
  birthPlaceLabel: z.string().nullable(),
  /** Set when this record was merged into another: open that one. */
  mergedInto: z.string().nullable(),
});

export const patientSummarySchema = z.object({
  id: z.string(),
  birthName: z.string(),
  usedName: z.string().nullable(),
  firstGivenName: z.string(),
  usedGivenName: z.string().nullable(),
  birthDate: birthDateSchema,
  sex: sexSchema,
  status: identityStatusSchema,
  attributes: identityAttributesSchema,
  /** 'approx': found by tolerant matching (a typo away), shown after the exact matches. */
  match: z.enum(['exact', 'approx']),
});

export const importFieldSchema = z.enum([
  'birthName',
  'birthGivenNames',
  'firstGivenName',
  'birthDate',
  'sex',
  'birthPlaceCode',
  'usedName',
  'usedGivenName',
  'declaredNir',
  'externalId',
  'ignore',
]);

/** CSV column header → field. */
export const importMappingSchema = z.record(boundedText(200), importFieldSchema);

/** Largest file an import accepts (the renderer checks it before sending the file). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
/** Most lines of data an import accepts. */
export const IMPORT_MAX_LINES = 100_000;

const importInputSchema = z.object({
  /** The file's bytes, base64 (≤ 20 Mo once decoded); a larger file gets the size message, not INVALID_PARAMS. */
  contentBase64: z.string().max(28 * 1024 * 1024, { error: 'PATIENTS_IMPORT_TOO_LARGE' }),
});

export const importLineIssueSchema = z.object({
  /** Line number in the file (the header is line 1). */
  line: z.number().int(),
  reasons: z.array(z.string()),
});

export const importValidationSchema = z.object({
  lines: z.number().int(),
  valid: z.number().int(),
  invalid: z.number().int(),
  /** Valid lines whose patient is already in the base (same external number or strict traits). */
  existing: z.number().int(),
  /** Valid lines repeating an earlier line of the same file. */
  duplicatesInFile: z.number().int(),
  toCreate: z.number().int(),
  /** Invalid lines with their reasons in French (the first 1 000). */
  issues: z.array(importLineIssueSchema),
  issuesTruncated: z.boolean(),
});

export const duplicatePairSchema = z.object({
  a: patientSummarySchema,
  b: patientSummarySchema,
  /** 'same-ins': one INS attempted on two records; 'likeness': names, first names, birth date and sex alike. */
  reason: z.enum(['same-ins', 'likeness']),
  /** Where it was found: insi, creation, import, vitale, migration. */
  source: z.string(),
  detectedAt: z.string(),
  detectedBy: z.string(),
});

export const patientsMethods = {
  /** Free text (names, JJ/MM/AAAA, NIR) and/or structured criteria; accent- and case-insensitive, prefix and tolerant. */
  'patients.search': defineMethod({
    params: z.object({
      query: z.string().max(200).optional(),
      birthDate: z.string().max(20).optional(),
      nir: z.string().max(30).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    }),
    result: z.object({ results: z.array(patientSummarySchema), approximate: z.boolean() }),
  }),
  'patients.get': defineMethod({
    params: z.object({ id: z.string().max(100) }),
    result: z.object({ patient: patientSchema, history: z.array(identityHistoryEntrySchema) }),
  }),
  'patients.create': defineMethod({
    params: z.object({
      strictTraits: strictTraitsInputSchema,
      usedTraits: usedTraitsInputSchema.partial().optional(),
      declaredNir: boundedText(30).nullable().optional(),
      externalId: boundedText(100, { noFormula: true }).nullable().optional(),
      /** The user saw the suspected duplicates and confirmed this is another person (remembered: the pair is not proposed again). */
      acknowledgeDuplicates: z.boolean().default(false),
      source: z.enum(['desk', 'vitale']).default('desk'),
    }),
    result: z.object({ patient: patientSchema, duplicates: z.array(patientSummarySchema) }),
  }),
  'patients.update': defineMethod({
    params: z.object({
      id: z.string().max(100),
      expectedVersion: z.number().int().optional(),
      strictTraits: strictTraitsInputSchema.optional(),
      usedTraits: usedTraitsInputSchema.partial().optional(),
      declaredNir: boundedText(30).nullable().optional(),
      /** Why the identity changes: required for strict and used traits, kept in the identity history. */
      reason: boundedText(500).optional(),
    }),
    result: z.object({ patient: patientSchema }),
  }),
  /** Probable duplicates of traits about to be created (desk form, carte Vitale): same traits or alike. */
  'patients.duplicates.find': defineMethod({
    params: z.object({ strictTraits: strictTraitsInputSchema }),
    result: z.object({ candidates: z.array(patientSummarySchema) }),
  }),
  /** Open « doublons potentiels »: the same INS attempted on two records, or records alike. */
  'patients.duplicates.list': defineMethod({
    params: z.object({ limit: z.number().int().min(1).max(500).default(100) }),
    result: z.object({ pairs: z.array(duplicatePairSchema) }),
  }),
  /** Both records side by side, with their identity histories (each read is audited). */
  'patients.duplicates.compare': defineMethod({
    params: z.object({ a: z.string().max(100), b: z.string().max(100) }),
    result: z.object({
      a: z.object({ patient: patientSchema, history: z.array(identityHistoryEntrySchema) }),
      b: z.object({ patient: patientSchema, history: z.array(identityHistoryEntrySchema) }),
      pair: duplicatePairSchema.nullable(),
    }),
  }),
  /** Merges `mergedId` into `keptId` (nothing deleted; unsent DMP documents and their jobs follow). */
  'patients.merge': defineMethod({
    params: z.object({ keptId: z.string().max(100), mergedId: z.string().max(100), reason: z.string().min(3).max(500) }),
    result: z.object({ patient: patientSchema, moved: z.array(z.object({ label: z.string(), count: z.number().int() })) }),
  }),
  /** Two records are two people: remembered, the pair is not proposed again. */
  'patients.markDistinct': defineMethod({
    params: z.object({ a: z.string().max(100), b: z.string().max(100), reason: z.string().min(3).max(500) }),
    result: z.object({ ok: z.literal(true) }),
  }),
  /** Records the identity device a person checked; the device has no default (RNIV EXI SI 10/23). */
  'patients.recordIdentityCheck': defineMethod({
    params: z.object({
      id: z.string().max(100),
      device: identityDeviceCodeSchema,
      /** For a minor's livret de famille or birth extract: the parent's high-trust document. */
      parentDevice: identityDeviceCodeSchema.nullable().optional(),
    }),
    result: z.object({ patient: patientSchema, entry: identityHistoryEntrySchema }),
  }),
  'patients.setIdentityAttribute': defineMethod({
    params: z.object({
      id: z.string().max(100),
      attribute: identityAttributeSchema,
      value: z.boolean(),
      reason: z.string().max(500).optional(),
    }),
    result: z.object({ patient: patientSchema, entry: identityHistoryEntrySchema }),
  }),
  /** The INS datamatrix of a QUAL identity, as SVG for the print preview. */
  'patients.datamatrix': defineMethod({
    params: z.object({ id: z.string().max(100) }),
    result: z.object({ content: z.string(), svg: z.string() }),
  }),
  /** Reads the file, detects separator and encoding, suggests a mapping; validates every line when a mapping is given. */
  'patients.import.preview': defineMethod({
    params: importInputSchema.extend({ mapping: importMappingSchema.optional() }),
    result: z.object({
      encoding: z.enum(['utf-8', 'windows-1252', 'utf-16le', 'utf-16be']),
      separator: z.enum([';', ',', '\t', '|']),
      headers: z.array(z.string()),
      sampleRows: z.array(z.array(z.string())),
      suggestedMapping: importMappingSchema,
      alreadyImported: z.boolean(),
      validation: importValidationSchema.nullable(),
      /** Lines to create that look like a patient already here (probable duplicates, listed for review after import). */
      probableDuplicates: z.number().int().nullable(),
    }),
  }),
  /** Imports every line or none; the same file imported again creates nothing. */
  'patients.import.commit': defineMethod({
    params: importInputSchema.extend({ mapping: importMappingSchema }),
    result: z.object({
      importId: z.number().int(),
      alreadyImported: z.boolean(),
      created: z.number().int(),
      existing: z.number().int(),
      duplicatesInFile: z.number().int(),
      probableDuplicates: z.number().int(),
    }),
  }),
} as const;

export const patientsEvents = {
  /** A patient was created or changed (traits, identity status); the renderer refreshes its views. */
  'patients.changed': z.object({ id: z.string(), reason: z.enum(['created', 'updated', 'identity']) }),
  'patients.imported': z.object({ importId: z.number().int(), created: z.number().int() }),
  /** Progress of a preview or an import, which run off the host's event loop (a worker thread). */
  'patients.import.progress': z.object({
    phase: z.enum(['reading', 'checking', 'writing']),
    done: z.number().int(),
    total: z.number().int(),
  }),
} as const;

export type Patient = z.infer<typeof patientSchema>;
export type PatientSummary = z.infer<typeof patientSummarySchema>;
export type ImportField = z.infer<typeof importFieldSchema>;
export type ImportMapping = z.infer<typeof importMappingSchema>;
export type ImportValidation = z.infer<typeof importValidationSchema>;
export type DuplicatePair = z.infer<typeof duplicatePairSchema>;
