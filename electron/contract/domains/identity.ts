/**
 * INS domain (ARCHITECTURE.md §2, services/identity): matricule INS and OIDs, strict and used
 * traits, lexical normalisation for INSi, RNIV statuses and attributes, identity devices.
 * Shapes shared with the patients domain live here; messages never carry health data.
 */
import { z } from 'zod';
import { boundedText } from '../text';
import { defineMethod } from '../define';

export const identityErrors = {
  INS_MATRICULE_INVALID:
    'Le matricule INS est invalide (13 caractères suivis d’une clé de 2 chiffres). Vérifiez la saisie ou interrogez l’INSi.',
  INS_OID_UNKNOWN: "L'autorité d'affectation (OID) de cet INS est inconnue. L'INS n'a pas été enregistré.",
  INS_OID_ENVIRONMENT_MISMATCH:
    "Cet INS appartient à un domaine de test ou de démonstration qui ne peut pas être mélangé avec l'environnement en cours. Il n'a pas été enregistré ; vérifiez l'environnement dans les Paramètres.",
  IDENTITY_TRAITS_INVALID:
    'Certains traits d’identité sont invalides ou ne peuvent pas être transmis à l’INSi. Corrigez les champs signalés puis réessayez.',
  IDENTITY_BIRTH_DATE_INVALID:
    'La date de naissance est invalide. Saisissez-la au format JJ/MM/AAAA (00 pour un jour ou un mois inconnu).',
  IDENTITY_INSI_BLOCKED:
    "Cette identité est marquée douteuse ou fictive : l'appel au téléservice INSi est bloqué. Levez le doute (contrôle d'un justificatif) avant d'interroger l'INSi.",
  IDENTITY_QUALIFIED_LOCKED:
    "Cette identité est qualifiée : ses traits stricts ne peuvent plus être modifiés. Interrogez à nouveau l'INSi, ou marquez l'identité douteuse si une erreur est constatée.",
  IDENTITY_ATTRIBUTES_INCOMPATIBLE:
    "Ces attributs ne peuvent pas être combinés : une identité fictive ne peut être ni douteuse ni homonyme. Retirez d'abord l'autre attribut.",
  IDENTITY_DEVICE_REQUIRED:
    "Choisissez le dispositif d'identité contrôlé (passeport, carte d'identité…) : aucun n'est présélectionné.",
  IDENTITY_PARENT_DEVICE_REQUIRED:
    "Pour un mineur, le livret de famille ou l'extrait d'acte de naissance doit être accompagné du justificatif d'identité à haut niveau de confiance d'un parent. Indiquez-le.",
  IDENTITY_INSI_TRAITS_INCOHERENT:
    "Les traits renvoyés par l'INSi ne correspondent pas à l'identité locale : il s'agit probablement d'une autre personne. L'INS n'a pas été rattaché et le refus est inscrit dans l'historique de l'identité. Relancez la recherche (bon bénéficiaire, traits vérifiés sur un justificatif) ou corrigez les traits locaux s'ils sont erronés.",
  IDENTITY_INSI_CONFIRMATION_REQUIRED:
    "Les traits INSi diffèrent de l'identité locale sur un point acceptable. Vérifiez-le sur le justificatif d'identité, puis indiquez le motif et confirmez une seconde fois pour accepter l'identité INSi.",
  IDENTITY_DATAMATRIX_NOT_QUALIFIED:
    "Le datamatrix INS ne peut être produit que pour une identité qualifiée. Qualifiez l'identité (INSi et contrôle d'un justificatif) puis réessayez.",
} as const;

export const sexSchema = z.enum(['M', 'F']);

export const birthDateSchema = z.object({
  year: z.number().int(),
  /** null: unknown month (« 00 »). */
  month: z.number().int().min(1).max(12).nullable(),
  /** null: unknown day (« 00 »). */
  day: z.number().int().min(1).max(31).nullable(),
  /** The date completed per the Guide INS [EXI ID 11], as YYYY-MM-DD. */
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  /** True when the date was completed from a partial date. */
  estimated: z.boolean(),
});

export const cogSchema = z.string().regex(/^(?:\d{5}|2[AB]\d{3})$/);

/** Strict traits as stored (INSi lexical form). */
export const strictTraitsSchema = z.object({
  birthName: z.string(),
  birthGivenNames: z.string(),
  firstGivenName: z.string(),
  birthDate: birthDateSchema,
  sex: sexSchema,
  birthPlaceCode: cogSchema.nullable(),
});

/** Strict traits as typed in the form or read from an import; normalised by the service. */
export const strictTraitsInputSchema = z.object({
  birthName: boundedText(300),
  birthGivenNames: boundedText(300),
  /** Defaults to the first name of the list. */
  firstGivenName: boundedText(300).optional(),
  /** JJ/MM/AAAA or AAAA-MM-JJ; 00 for an unknown day or month. */
  birthDate: boundedText(20),
  sex: sexSchema,
  birthPlaceCode: boundedText(10).nullable().optional(),
});

/** Used traits (nom/prénom utilisés): for display only, never sent to INSi. */
export const usedTraitsSchema = z.object({
  usedName: z.string().nullable(),
  usedGivenName: z.string().nullable(),
});

/**
 * Used traits as typed: kept as they are, so bounded here (100 characters, as the store), without
 * control characters and never a spreadsheet formula.
 */
export const usedTraitsInputSchema = z.object({
  usedName: boundedText(100, { noFormula: true }).nullable(),
  usedGivenName: boundedText(100, { noFormula: true }).nullable(),
});

export const identityStatusSchema = z.enum(['PROV', 'RECUP', 'VALI', 'QUAL']);
export const identityAttributeSchema = z.enum(['homonyme', 'douteuse', 'fictive']);
export const identityAttributesSchema = z.object({ homonyme: z.boolean(), douteuse: z.boolean(), fictive: z.boolean() });

export const insOidSchema = z.enum(['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11']);
export const insSchema = z.object({ matricule: z.string().regex(/^\d{5}(?:\d{2}|2[AB])\d{8}$/), oid: insOidSchema });

export const identityDeviceCodeSchema = z.enum([
  'passeport',
  'carte-identite',
  'titre-sejour',
  'identite-numerique',
  'appli-carte-vitale',
  'livret-famille',
  'extrait-acte-naissance',
  'permis-conduire',
  'carte-vitale',
]);

export const identityDeviceSchema = z.object({
  code: identityDeviceCodeSchema,
  label: z.string(),
  /** 'high': qualifies alone; 'minor-with-parent': high trust for a minor with a parent's high-trust document; 'low': recorded only. */
  trust: z.enum(['high', 'minor-with-parent', 'low']),
  note: z.string(),
});

export const documentCheckSchema = z.object({
  device: identityDeviceCodeSchema,
  parentDevice: identityDeviceCodeSchema.nullable(),
  highTrust: z.boolean(),
  checkedBy: z.string(),
  checkedAt: z.string(),
});

export const identityStateSchema = z.object({
  status: identityStatusSchema,
  attributes: identityAttributesSchema,
  /** The INS last retrieved from INSi; null when none or invalidated (douteuse/fictive). */
  ins: insSchema.nullable(),
  /** When INSi last confirmed the INS with coherent traits; null once a strict trait changed. */
  insiConfirmedAt: z.string().nullable(),
  /** The last high-trust document check still valid; null once a strict trait changed. */
  documentCheck: documentCheckSchema.nullable(),
});

export const identityHistoryEntrySchema = z.object({
  at: z.string(),
  actor: z.string(),
  event: z.string(),
  from: identityStatusSchema,
  to: identityStatusSchema,
  details: z.record(z.string(), z.unknown()),
});

export const traitFieldSchema = z.enum(['birthName', 'birthGivenNames', 'firstGivenName', 'usedName', 'usedGivenName']);

export const normalizationStepSchema = z.object({
  rule: z.enum(['unicode', 'whitespace', 'apostrophe', 'hyphen', 'transliterate', 'uppercase', 'separator-spacing']),
  label: z.string(),
  before: z.string(),
  after: z.string(),
  replacements: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
});

export const normalizationResultSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    field: traitFieldSchema,
    input: z.string(),
    value: z.string(),
    changed: z.boolean(),
    steps: z.array(normalizationStepSchema),
  }),
  z.object({
    ok: z.literal(false),
    field: traitFieldSchema,
    input: z.string(),
    error: z.object({
      code: z.string(),
      message: z.string(),
      characters: z.array(z.object({ char: z.string(), position: z.number().int(), codePoint: z.string() })).optional(),
    }),
    steps: z.array(normalizationStepSchema),
  }),
]);

export const matriculeCheckSchema = z.discriminatedUnion('valid', [
  z.object({
    valid: z.literal(true),
    matricule: z.string(),
    key: z.string(),
    fields: z.object({
      sex: sexSchema,
      provisional: z.boolean(),
      yearOfBirth: z.string(),
      monthOfBirth: z.number().int().nullable(),
      department: z.string(),
      commune: z.string(),
      birthPlaceKind: z.enum(['metropole', 'corse', 'outre-mer', 'etranger']),
      birthPlaceCode: z.string(),
      order: z.string(),
    }),
    oid: z
      .object({
        oid: z.string(),
        kind: z.enum(['NIR', 'NIA', 'TEST', 'DEMO']),
        label: z.string(),
        production: z.boolean(),
        allowedHere: z.boolean(),
        message: z.string().nullable(),
      })
      .nullable(),
  }),
  z.object({
    valid: z.literal(false),
    reason: z.enum(['FORMAT', 'SEX', 'MONTH', 'DEPARTMENT', 'KEY_MISMATCH', 'KEY_MISSING', 'OID_UNKNOWN']),
    message: z.string(),
    expectedKey: z.string().nullable(),
  }),
]);

/** One trait of the INSi acceptance rule (services/identity/acceptance.ts). */
export const acceptanceFindingSchema = z.object({
  field: z.enum(['birthName', 'givenNames', 'birthDate', 'sex', 'birthPlace']),
  kind: z.enum([
    'identical',
    'completed',
    'absent-at-insi',
    'punctuation',
    'spelling',
    'compound',
    'order',
    'used-first-name',
    'name-missing-in-insi',
    'place-history',
    'different',
    'less-precise',
  ]),
  /** none: identical; info: INSi completes; minor: acceptable with a reason and a second confirmation; major: another person. */
  severity: z.enum(['none', 'info', 'minor', 'major']),
  label: z.string(),
  message: z.string(),
});

/** Whether an INSi identity may be attached to a local patient, and why. */
export const insiAcceptanceSchema = z.object({
  decision: z.enum(['accept', 'confirm', 'block']),
  findings: z.array(acceptanceFindingSchema),
  /** French explanation with the next step. */
  message: z.string(),
});

/** A birth place (commune at the date of birth, or country), by name. */
export const birthPlaceSchema = z.object({
  code: z.string(),
  name: z.string(),
  kind: z.enum(['commune', 'commune-deleguee', 'commune-associee', 'ancienne-commune', 'arrondissement', 'pays']),
  department: z.string().nullable(),
  current: z.object({ code: z.string(), name: z.string() }).nullable(),
  label: z.string(),
});

export const identityMethods = {
  /** Checks a matricule INS (format, key, fields) and, if given, its OID against the environment. */
  'ins.check': defineMethod({
    params: z.object({ matricule: z.string().max(40), oid: z.string().max(40).optional() }),
    result: matriculeCheckSchema,
  }),
  /** Live normalisation preview of identity traits for INSi, with the transformation steps. */
  'ins.normalize': defineMethod({
    params: z.object({
      values: z.array(z.object({ field: traitFieldSchema, value: z.string().max(300) })).min(1).max(10),
    }),
    result: z.object({
      results: z.array(normalizationResultSchema),
      /** Premier prénom consistent with the start of the list ([EXI ID 10]); null when not both given. */
      firstGivenNameConsistent: z.boolean().nullable(),
    }),
  }),
  /** Identity devices for the picker; the list carries no default (RNIV EXI SI 10/23). */
  /** Birth place completion: communes (with those merged since), municipal arrondissements, countries. */
  'identity.places.search': defineMethod({
    params: z.object({ query: z.string().max(100), limit: z.number().int().min(1).max(50).default(15) }),
    result: z.object({ places: z.array(birthPlaceSchema) }),
  }),
  'identity.devices': defineMethod({
    params: z.object({}),
    result: z.object({ devices: z.array(identityDeviceSchema) }),
  }),
} as const;

export const identityEvents = {} as const;

export type StrictTraits = z.infer<typeof strictTraitsSchema>;
export type StrictTraitsInput = z.input<typeof strictTraitsInputSchema>;
export type UsedTraits = z.infer<typeof usedTraitsSchema>;
export type BirthDate = z.infer<typeof birthDateSchema>;
export type Sex = z.infer<typeof sexSchema>;
export type IdentityStatus = z.infer<typeof identityStatusSchema>;
export type IdentityAttribute = z.infer<typeof identityAttributeSchema>;
export type IdentityAttributes = z.infer<typeof identityAttributesSchema>;
export type IdentityDeviceCode = z.infer<typeof identityDeviceCodeSchema>;
export type IdentityDevice = z.infer<typeof identityDeviceSchema>;
export type DocumentCheck = z.infer<typeof documentCheckSchema>;
export type IdentityState = z.infer<typeof identityStateSchema>;
export type IdentityHistoryEntry = z.infer<typeof identityHistoryEntrySchema>;
export type MatriculeCheck = z.infer<typeof matriculeCheckSchema>;
export type AcceptanceFinding = z.infer<typeof acceptanceFindingSchema>;
export type InsiAcceptance = z.infer<typeof insiAcceptanceSchema>;
export type BirthPlaceView = z.infer<typeof birthPlaceSchema>;
