/**
 * The prescription as the prescriber writes it and the pharmacist reads it, aligned with what the
 * CI-SIS eP-MED-DM 2024.01 content profile carries (FR-Traitement-prescrit, FR-Dispositif-medical,
 * FR-Produit-de-sante, FR-Quantite-de-produit, FR-Autorisation-Substitution, FR-En-rapport-avec-ALD…)
 * and with the ANS FHIR ePrescription IG's FrMedicationRequest (structured dosage or free text).
 */

/** A code with its code system OID (CIS, CIP13, UCD, LPP, EMDN…). */
export interface ProductCode {
  code: string;
  codeSystem: string;
  /** Short name of the code system (CIS, CIP, UCD, LPP…) for display. */
  system: string;
  displayName?: string;
}

/** Units a dose is expressed in (UCUM code or annotation in the CDA; French words on screen). */
export const DOSE_UNITS = {
  comprimé: { ucum: '{tablet}', one: 'comprimé', many: 'comprimés' },
  gélule: { ucum: '{capsule}', one: 'gélule', many: 'gélules' },
  sachet: { ucum: '{sachet}', one: 'sachet', many: 'sachets' },
  application: { ucum: '{application}', one: 'application', many: 'applications' },
  goutte: { ucum: '[drp]', one: 'goutte', many: 'gouttes' },
  bouffée: { ucum: '{puff}', one: 'bouffée', many: 'bouffées' },
  suppositoire: { ucum: '{suppository}', one: 'suppositoire', many: 'suppositoires' },
  ampoule: { ucum: '{ampoule}', one: 'ampoule', many: 'ampoules' },
  dose: { ucum: '{dose}', one: 'dose', many: 'doses' },
  patch: { ucum: '{patch}', one: 'patch', many: 'patchs' },
  cuillère: { ucum: '{spoonful}', one: 'cuillère-mesure', many: 'cuillères-mesure' },
  mL: { ucum: 'mL', one: 'mL', many: 'mL' },
  mg: { ucum: 'mg', one: 'mg', many: 'mg' },
  g: { ucum: 'g', one: 'g', many: 'g' },
  UI: { ucum: '[iU]', one: 'UI', many: 'UI' },
} as const;
export type DoseUnit = keyof typeof DOSE_UNITS;

/**
 * Structured posology (IHE PCC "normal" dosing: one dose, one frequency, one duration; CI-SIS
 * FR-Traitement-prescrit with templateId 1.3.6.1.4.1.19376.1.9.1.3.6 "Posologie structurée").
 */
export interface StructuredPosology {
  kind: 'structured';
  /** Dose per intake: a value, or a range « 1 à 2 ». */
  dose: { low: number; high?: number | undefined; unit: DoseUnit };
  /** « 3 fois par jour », « 1 fois par semaine », or « toutes les 6 heures ». */
  frequency: { times: number; per: 'jour' | 'semaine' } | { everyHours: number };
  /** Treatment duration. */
  duration: { value: number; unit: 'jour' | 'semaine' | 'mois' };
  /** EDQM route of administration (JDV_RouteofAdministration_CISIS), e.g. 20053000 Voie orale. */
  route?: string | undefined;
  /** « Si besoin » with its condition (precondition of the intake), e.g. « si douleur ». */
  asNeeded?: { condition: string } | undefined;
  /** Maximum per day (maxDoseQuantity), e.g. 6 comprimés par jour. */
  maxPerDay?: { value: number; unit: DoseUnit } | undefined;
}

export interface TextPosology {
  kind: 'text';
  text: string;
}

export type Posology = StructuredPosology | TextPosology;

/**
 * « Non substituable » and its mention (arrêté du 12 novembre 2019, art. L5125-23 CSP): MTE (marge
 * thérapeutique étroite), EFG (enfant de moins de 6 ans, pas de forme galénique adaptée), CIF
 * (contre-indication formelle et démontrée à un excipient).
 */
export type NonSubstitutionReason = 'MTE' | 'EFG' | 'CIF';
export const NON_SUBSTITUTION_LABELS: Record<NonSubstitutionReason, string> = {
  MTE: 'marge thérapeutique étroite',
  EFG: 'enfant de moins de 6 ans, aucune forme galénique adaptée parmi les génériques',
  CIF: 'contre-indication formelle et démontrée à un excipient',
};

export interface MedicationLine {
  kind: 'medication';
  /** Line identifier (the CDA entry id: the base and the dispensation refer to it). */
  id: string;
  /** Name as prescribed (from the drug list, or free text for a magistral preparation or DCI). */
  name: string;
  /** CIS and CIP13 when chosen from the drug list. */
  codes: ProductCode[];
  posology: Posology;
  /** Number of boxes (EDQM packaging « Boîte »), when given. */
  boxes?: number | undefined;
  /** Number of renewals (repeatNumber; 0 = none). */
  renewals: number;
  substitution: { allowed: true } | { allowed: false; reason: NonSubstitutionReason };
  /** FR-En-rapport-avec-ALD (mandatory in eP-MED-DM). */
  ald: boolean;
  patientInstructions?: string | undefined;
  dispenserInstructions?: string | undefined;
}

export interface DeviceLine {
  kind: 'device';
  id: string;
  name: string;
  /** LPP code (1.2.250.1.215.200.2.1) when known. */
  codes: ProductCode[];
  quantity: number;
  renewals: number;
  ald: boolean;
  /** Rental duration in days (LPP rental lines). */
  rentalDays?: number | undefined;
}

export type PrescriptionLine = MedicationLine | DeviceLine;

export interface Prescriber {
  /** IdNat (8 + RPPS). */
  idNat: string;
  rpps: string | null;
  givenName: string;
  surname: string;
  /** TRE_G15 profession and TRE_R38 specialty as read on the card. */
  profession: { code: string; label: string } | null;
  specialty: { code: string; label: string } | null;
  /** Numéro AM (identifiant de facturation, from the settings). */
  amNumber: string;
  structure: { id: string; name: string; address: string; phone: string };
}

export interface PrescriptionPatient {
  id: string;
  /** Qualified INS, when the identity is qualified. */
  ins: { matricule: string; oid: string } | null;
  birthName: string;
  firstNames: string;
  usedName: string | null;
  usedGivenName: string | null;
  sex: 'M' | 'F';
  /** yyyy-MM-dd. */
  birthDate: string;
  birthPlaceCode: string | null;
  weightKg?: number | undefined;
}

export interface Prescription {
  number: string;
  /** ISO instant the prescriber validated it. */
  createdAt: string;
  /** Validity of the prescription (serviceEvent effectiveTime), yyyy-MM-dd. */
  validFrom: string;
  validUntil: string;
  prescriber: Prescriber;
  patient: PrescriptionPatient;
  lines: PrescriptionLine[];
  /** The patient's answer: may the prescriber consult what was delivered on this prescription. */
  consent: 'OUI' | 'NON';
  /** Place written on the ordonnance (« Fait à … »). */
  place: string;
}

/** What a pharmacist does with a line. */
export type LineOutcome =
  | { kind: 'delivered' }
  | { kind: 'substituted'; cip13: string; name: string }
  | { kind: 'adapted'; quantity: number; reason: string }
  | { kind: 'not-delivered'; reason: string };

export interface DispensedLine {
  lineId: string;
  outcome: LineOutcome;
}

/** JDV_CompletudeDispensation_CISIS (HL7 ActCode): first/next dispensation, complete/partial. */
export type DispensationCompleteness = 'FFC' | 'FFP' | 'RFC' | 'RFP';

export type BaseStatus = 'non dispensée' | 'partiellement dispensée' | 'dispensée' | 'annulée';
