/**
 * Ordonnance numérique (ARCHITECTURE.md §2, services/eprescription): the prescriber writes,
 * prints and registers a prescription (eP-MED-DM copy to the DMP); the pharmacist fetches it by
 * its number (QR code or typed), records the dispensation (eDISP-MED copy to the DMP when chosen);
 * the drug list (BDPM). Messages never carry health data; details carry field names and codes only.
 */
import { z } from 'zod';
import { defineMethod } from '../define';
import { codedValueSchema } from './cda';

export const eprescriptionErrors = {
  ERX_PRESCRIPTION_INVALID: 'La prescription est incomplète ou invalide (voir le champ signalé dans le détail). Corrigez la ligne concernée puis validez à nouveau.',
  ERX_CARD_REQUIRED: 'Insérez votre carte CPS et saisissez votre code : l’ordonnance numérique est établie et transmise au nom du titulaire de la carte.',
  ERX_NOT_A_PRESCRIBER: 'La carte insérée n’est pas celle d’un prescripteur : seul un professionnel habilité à prescrire peut établir une ordonnance.',
  ERX_NOT_A_PHARMACIST: 'La dispensation est réservée aux pharmaciens : insérez une carte CPS de pharmacien.',
  ERX_AM_NUMBER_MISSING: 'Renseignez votre numéro AM (Paramètres → Praticien) : il figure obligatoirement sur l’ordonnance.',
  ERX_AM_NUMBER_OTHER_PRACTITIONER:
    'Le numéro AM des Paramètres est celui d’un autre praticien de ce poste (il a facturé avec sa carte) : il ne peut pas figurer sur votre ordonnance. Saisissez votre propre numéro AM (Paramètres → Praticien) avec votre carte dans le lecteur.',
  ERX_NUMBER_INVALID: 'Ce numéro d’ordonnance numérique n’est pas lisible : vérifiez les caractères imprimés sous le QR code et saisissez-les à nouveau.',
  ERX_NOT_FOUND: 'Cette ordonnance n’existe pas sur ce poste. Vérifiez le numéro, ou ouvrez le patient concerné.',
  ERX_UNKNOWN_NUMBER:
    'La base ordonnance numérique ne connaît pas ce numéro. Vérifiez la saisie ; si l’ordonnance est récente, le prescripteur ne l’a peut-être pas encore transmise : délivrez sur la base de l’ordonnance papier.',
  ERX_PATIENT_MISMATCH:
    'La fiche patient choisie n’est pas celle du patient de l’ordonnance (INS ou date de naissance différents) : rien n’est enregistré. Ouvrez la fiche du bon patient, ou enregistrez la délivrance sans choisir de fiche.',
  ERX_ALREADY_DISPENSED: 'Cette ordonnance a déjà été entièrement délivrée : une nouvelle délivrance n’est pas possible.',
  ERX_CANCELLED: 'Le prescripteur a annulé cette ordonnance : ne la délivrez pas et contactez le prescripteur.',
  ERX_UNAVAILABLE:
    'La base ordonnance numérique est momentanément injoignable. Ce qui doit lui être transmis attend dans la file d’envoi et partira automatiquement ; vous pouvez continuer à travailler.',
  ERX_RIGHTS_REFUSED:
    'La base ordonnance numérique refuse l’accès avec cette carte (authentification ou profession non autorisée). Vérifiez la carte insérée puis l’écran Diagnostic.',
  ERX_RESPONSE_INVALID: 'La réponse de la base ordonnance numérique est illisible. Pupitre vérifiera auprès du service avant de renvoyer quoi que ce soit.',
  ERX_TELESERVICE_NOT_AVAILABLE:
    'Le téléservice ordonnance numérique n’est pas encore disponible dans cette version de Pupitre (spécifications distribuées sous convention par le GIE SESAM-Vitale). L’ordonnance papier reste valable.',
  ERX_LINE_EXHAUSTED: 'Une ligne a déjà été délivrée autant de fois que l’ordonnance le permet (renouvellements compris) : elle ne peut plus l’être.',
  ERX_DISPENSATION_INVALID: 'La délivrance saisie est incomplète (voir la ligne signalée) : précisez le médicament substitué (CIP13), la quantité adaptée ou le motif de non-délivrance.',
  ERX_NOTHING_DELIVERED: 'Aucune ligne n’est délivrée : indiquez au moins une ligne délivrée, substituée ou adaptée, ou n’enregistrez pas de délivrance.',
  ERX_DOCUMENT_UNREADABLE:
    'Ce document n’est ni une prescription eP-MED-DM ni une dispensation eDISP-MED lisible (CI-SIS). Vérifiez le fichier choisi ou demandez-le au logiciel qui l’a produit.',
  DRUGS_IMPORT_FILES_MISSING:
    'Les fichiers de la base de données publique des médicaments sont introuvables dans ce dossier : CIS_bdpm.txt et CIS_CIP_bdpm.txt sont nécessaires (à télécharger sur base-donnees-publique.medicaments.gouv.fr).',
  DRUGS_IMPORT_INVALID: 'Un fichier de la base publique des médicaments n’a pas le format attendu (voir le fichier et la ligne dans le détail). La liste en place est conservée.',
} as const;

export const productCodeSchema = z.object({
  code: z.string().max(40),
  codeSystem: z.string().max(64),
  system: z.string().max(20),
  displayName: z.string().max(500).optional(),
});

const doseUnitSchema = z.enum(['comprimé', 'gélule', 'sachet', 'application', 'goutte', 'bouffée', 'suppositoire', 'ampoule', 'dose', 'patch', 'cuillère', 'mL', 'mg', 'g', 'UI']);

export const posologySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('structured'),
    dose: z.object({ low: z.number().positive().max(10_000), high: z.number().positive().max(10_000).optional(), unit: doseUnitSchema }),
    frequency: z.union([z.object({ times: z.number().int().min(1).max(24), per: z.enum(['jour', 'semaine']) }), z.object({ everyHours: z.number().positive().max(168) })]),
    duration: z.object({ value: z.number().positive().max(366), unit: z.enum(['jour', 'semaine', 'mois']) }),
    route: z.string().max(12).optional(),
    asNeeded: z.object({ condition: z.string().max(200) }).optional(),
    maxPerDay: z.object({ value: z.number().positive().max(100_000), unit: doseUnitSchema }).optional(),
  }),
  z.object({ kind: z.literal('text'), text: z.string().max(1000) }),
]);

const nonSubstitutionSchema = z.enum(['MTE', 'EFG', 'CIF']);

export const medicationInputSchema = z.object({
  kind: z.literal('medication'),
  name: z.string().max(300),
  codes: z.array(productCodeSchema).max(5).default([]),
  posology: posologySchema,
  boxes: z.number().int().min(1).max(99).optional(),
  renewals: z.number().int().min(0).max(12).default(0),
  substitution: z.union([z.object({ allowed: z.literal(true) }), z.object({ allowed: z.literal(false), reason: nonSubstitutionSchema })]).default({ allowed: true }),
  ald: z.boolean().default(false),
  patientInstructions: z.string().max(500).optional(),
  dispenserInstructions: z.string().max(500).optional(),
});

export const deviceInputSchema = z.object({
  kind: z.literal('device'),
  name: z.string().max(300),
  codes: z.array(productCodeSchema).max(3).default([]),
  quantity: z.number().int().min(1).max(999),
  renewals: z.number().int().min(0).max(12).default(0),
  ald: z.boolean().default(false),
  rentalDays: z.number().int().min(1).max(366).optional(),
});

export const lineInputSchema = z.discriminatedUnion('kind', [medicationInputSchema, deviceInputSchema]);

const lineViewSchema = z.discriminatedUnion('kind', [
  medicationInputSchema.extend({ id: z.string() }),
  deviceInputSchema.extend({ id: z.string() }),
]);

/** Registration in the base and copy to the DMP, as the prescriber sees them. */
const deliveryStateSchema = z.object({
  state: z.enum(['queued', 'sending', 'waiting-card', 'done', 'failed', 'cancelled', 'not-sent']),
  /** French detail (why it waits, why it failed, why it is not sent). */
  message: z.string().nullable(),
  jobId: z.string().nullable(),
});

export const prescriptionViewSchema = z.object({
  number: z.string(),
  /** Grouped by six for display. */
  numberText: z.string(),
  patientId: z.string(),
  createdAt: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  prescriber: z.object({ idNat: z.string(), name: z.string() }),
  consent: z.enum(['OUI', 'NON']),
  lines: z.array(lineViewSchema),
  /** Each line's posology in plain French. */
  posologies: z.array(z.string()),
  registration: deliveryStateSchema,
  dmp: deliveryStateSchema,
  /** Last status the base gave (non dispensée, partiellement dispensée, dispensée, annulée), when known. */
  baseStatus: z.string().nullable(),
  printedAt: z.string().nullable(),
});

const outcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('delivered') }),
  z.object({ kind: z.literal('substituted'), cip13: z.string().regex(/^\d{13}$/), name: z.string().max(300) }),
  z.object({ kind: z.literal('adapted'), quantity: z.number().int().min(1).max(99), reason: z.string().max(300) }),
  z.object({ kind: z.literal('not-delivered'), reason: z.string().max(300) }),
]);

/** A line as the pharmacist sees it: what was prescribed, what is left. */
const dispensationLineSchema = z.object({
  id: z.string(),
  kind: z.enum(['medication', 'device']),
  name: z.string(),
  codes: z.array(productCodeSchema),
  posology: z.string(),
  quantity: z.string().nullable(),
  renewals: z.number().int(),
  substitutable: z.boolean(),
  nonSubstitution: z.string().nullable(),
  /** Deliveries already recorded for this line (in the base and here). */
  delivered: z.number().int(),
  /** 1 + renewals − delivered. */
  remaining: z.number().int(),
  ald: z.boolean(),
});

const dispensationRecordSchema = z.object({
  id: z.string(),
  recordedAt: z.string(),
  pharmacist: z.string(),
  completeness: z.enum(['FFC', 'FFP', 'RFC', 'RFP']),
  lines: z.array(z.object({ lineId: z.string(), outcome: outcomeSchema })),
  execution: deliveryStateSchema,
  dmp: deliveryStateSchema,
  /** Recorded on this desk (others come from the base). */
  local: z.boolean(),
});

export const dispensationViewSchema = z.object({
  number: z.string(),
  numberText: z.string(),
  status: z.enum(['non dispensée', 'partiellement dispensée', 'dispensée', 'annulée']),
  /** Where the lines come from: the base (online) or this desk's copy fetched earlier. */
  source: z.enum(['base', 'copie locale']),
  fetchedAt: z.string(),
  prescriber: z.object({ name: z.string(), idNat: z.string(), specialty: z.string().nullable() }),
  patient: z.object({ name: z.string(), birthDate: z.string().nullable(), ins: z.boolean() }),
  createdAt: z.string().nullable(),
  validUntil: z.string().nullable(),
  lines: z.array(dispensationLineSchema),
  dispensations: z.array(dispensationRecordSchema),
  /** False when nothing is left to deliver (status dispensée, or cancelled). */
  canDispense: z.boolean(),
});

/** The lines of any eP-MED-DM / eDISP-MED document (CLI `eprescription read --json` gives the same shape). */
export const readMedicationSchema = z.object({
  codes: z.array(z.object({ code: z.string(), codeSystem: z.string(), system: z.string().nullable(), displayName: z.string().nullable() })),
  name: z.string(),
  posology: z.object({ text: z.string(), structured: z.unknown().nullable() }),
  quantity: z.object({ value: z.number(), unit: z.string().nullable(), unitLabel: z.string().nullable() }).nullable(),
  substitution: z.object({ allowed: z.boolean(), code: z.string(), reason: z.string().nullable() }).nullable(),
  renewals: z.number().int().nullable(),
  ald: z.boolean().nullable(),
  id: z.string().nullable(),
  prescriptionLineId: z.string().nullable().optional(),
});
export const readDeviceSchema = z.object({
  codes: z.array(z.object({ code: z.string(), codeSystem: z.string(), system: z.string().nullable(), displayName: z.string().nullable() })),
  name: z.string(),
  quantity: z.number().nullable(),
  renewals: z.number().int().nullable(),
  ald: z.boolean().nullable(),
  id: z.string().nullable(),
});
export const readDocumentSchema = z.object({
  kind: z.enum(['eP-MED-DM', 'eDISP-MED']),
  number: z.string().nullable(),
  documentId: z.string().nullable(),
  title: z.string().nullable(),
  effectiveTime: z.string().nullable(),
  author: z
    .object({
      idNat: z.string().nullable(),
      name: z.string().nullable(),
      given: z.string().nullable(),
      family: z.string().nullable(),
      code: z.object({ code: z.string(), displayName: z.string().nullable() }).nullable(),
      organization: z.object({ id: z.string().nullable(), name: z.string().nullable() }).nullable(),
    })
    .nullable(),
  patient: z.object({ name: z.string().nullable(), ins: z.string().nullable(), birthDate: z.string().nullable() }).nullable(),
  validity: z.object({ from: z.string().nullable(), until: z.string().nullable() }).nullable(),
  medications: z.array(readMedicationSchema),
  devices: z.array(readDeviceSchema),
});

export const drugSchema = z.object({
  cis: z.string(),
  name: z.string(),
  form: z.string(),
  routes: z.array(z.string()),
  commercialised: z.boolean(),
  substances: z.array(z.string()),
  presentations: z.array(z.object({ cip13: z.string(), label: z.string(), commercialised: z.boolean() })),
  /** Generic group, when CIS_GENER_bdpm.txt was imported (substitution within the group). */
  genericGroup: z.object({ id: z.string(), label: z.string() }).nullable(),
});

const numberOrScan = z.union([z.object({ number: z.string().max(64) }), z.object({ scanId: z.string().max(100) })]);

export const eprescriptionMethods = {
  /** Drug list search (BDPM): name, substance, CIS or CIP13; as fast as the patient search. */
  'eprescription.drugs.search': defineMethod({
    params: z.object({ text: z.string().max(200), limit: z.number().int().min(1).max(50).default(20) }),
    result: z.object({ drugs: z.array(drugSchema), total: z.number().int(), source: z.object({ importedAt: z.string(), specialties: z.number().int(), presentations: z.number().int() }).nullable() }),
  }),
  /** Specialties of the same generic group (the pharmacist substitutes within it). */
  'eprescription.drugs.generics': defineMethod({
    params: z.object({ cis: z.string().max(20) }),
    result: z.object({ drugs: z.array(drugSchema) }),
  }),
  /** Routes of administration offered in the form (JDV_RouteofAdministration_CISIS). */
  'eprescription.routes': defineMethod({ params: z.object({}), result: z.object({ routes: z.array(codedValueSchema) }) }),
  /**
   * Validates a prescription: allocates its number, builds the PDF and the eP-MED-DM, and queues its
   * registration in the base and its copy to the DMP (one transaction; works offline).
   */
  'eprescription.prescribe': defineMethod({
    params: z.object({
      patientId: z.string().max(100),
      lines: z.array(lineInputSchema).min(1).max(30),
      consent: z.enum(['OUI', 'NON']),
      weightKg: z.number().positive().max(400).optional(),
      place: z.string().max(100).optional(),
    }),
    result: z.object({ prescription: prescriptionViewSchema }),
  }),
  'eprescription.list': defineMethod({ params: z.object({ patientId: z.string().max(100) }), result: z.object({ prescriptions: z.array(prescriptionViewSchema) }) }),
  'eprescription.get': defineMethod({ params: z.object({ number: z.string().max(64) }), result: z.object({ prescription: prescriptionViewSchema }) }),
  /** The paper ordonnance, A4 or A5 (base64 PDF). */
  'eprescription.pdf': defineMethod({
    params: z.object({ number: z.string().max(64), format: z.enum(['A4', 'A5']).default('A4') }),
    result: z.object({ pdfBase64: z.string(), fileName: z.string() }),
  }),
  /** Records that the ordonnance was printed (audit trail). */
  'eprescription.printed': defineMethod({
    params: z.object({ number: z.string().max(64), format: z.enum(['A4', 'A5']) }),
    result: z.object({ printedAt: z.string() }),
  }),
  /** Pharmacist: fetches a prescription from the base by its number (typed, or a scan by id). */
  'eprescription.dispensation.open': defineMethod({ params: numberOrScan, result: z.object({ dispensation: dispensationViewSchema }) }),
  /** Pharmacist: records what was delivered; the execution goes to the base through the outbox. */
  'eprescription.dispensation.record': defineMethod({
    params: z.object({
      number: z.string().max(64),
      lines: z.array(z.object({ lineId: z.string().max(100), outcome: outcomeSchema })).min(1).max(30),
      /** Also send an eDISP-MED document to the patient's DMP (qualified INS needed). */
      sendToDmp: z.boolean().default(false),
      /** Local patient the dispensation concerns (DMP copy); optional. */
      patientId: z.string().max(100).optional(),
    }),
    result: z.object({ dispensation: dispensationViewSchema }),
  }),
  /** Reads an eP-MED-DM or eDISP-MED document: a file, or a document of the patient's DMP. */
  'eprescription.document.read': defineMethod({
    params: z.union([z.object({ contentBase64: z.string().max(40 * 1024 * 1024) }), z.object({ patientId: z.string().max(100), uniqueId: z.string().max(200) })]),
    result: z.object({ document: readDocumentSchema }),
  }),
  /** Démo only: the state of the local base e-prescription simulator. */
  'eprescription.demo.simulator': defineMethod({
    params: z.object({ mode: z.enum(['up', 'down', 'slow']).optional(), cancel: z.string().max(64).optional() }),
    result: z.object({ mode: z.string(), url: z.string(), prescriptions: z.number().int() }),
  }),
} as const;

export const eprescriptionEvents = {
  /** A prescription or dispensation changed (registered, sent to the DMP, failed): the screens refresh. */
  'eprescription.changed': z.object({ number: z.string(), patientId: z.string().nullable(), reason: z.enum(['prescribed', 'registered', 'dmp', 'dispensed', 'executed', 'failed']) }),
} as const;

export type PrescriptionView = z.infer<typeof prescriptionViewSchema>;
export type DispensationView = z.infer<typeof dispensationViewSchema>;
export type ReadDocument = z.infer<typeof readDocumentSchema>;
export type DrugView = z.infer<typeof drugSchema>;
export type LineInput = z.infer<typeof lineInputSchema>;
