/**
 * Identifiers, template ids and code systems of the CI-SIS eP-MED-DM 2024.01 and eDISP-MED 2024.01
 * content profiles, each with where it is stated: the official Schematrons
 * (../shared/reference/cda/schematrons, CI-SIS_EP-MED-DM_2024.01.sch, CI-SIS_eDISP-MED_2024.01.sch
 * and their include/specificationsVolets) and the official example documents of ANS
 * TestContenuCDA-3-0 (ExemplesCDA/eP-MED-DM_2024.01_PosoStruct.xml, …_PosoNonStruct.xml,
 * eDISP-MED_2024.01.xml). Value sets come from the CDA service (generated from the official SVS files).
 */
import { lookupValueSet } from '../../cda';

export const HL7_NS = 'urn:hl7-org:v3';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** IHE Pharm namespace of the medication extensions (pharm:formCode, pharm:ingredient…), as in the examples. */
export const PHARM_NS = 'urn:ihe:pharm:medication';

export const CDA_TYPE_ID = { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' } as const;

/** Document-level template ids (Entete_EP-MED-DM_2024.01.sch, Entete_eDISP-MED_2024.01.sch). */
export const TEMPLATES = {
  hl7France: '2.16.840.1.113883.2.8.2.1',
  ciSis: '1.2.250.1.213.1.1.1.1',
  ihePharmPre: '1.3.6.1.4.1.19376.1.9.1.1.1',
  ihePharmDis: '1.3.6.1.4.1.19376.1.9.1.1.3',
  ihePcc: '1.3.6.1.4.1.19376.1.5.3.1.1.1',
  epMedDm: '1.2.250.1.213.1.1.1.39',
  eDispMed: '1.2.250.1.213.1.1.1.54',
  /** Model version written as the extension of the profile template id in the examples. */
  version: '2024.01',
} as const;

/** Section template ids and LOINC codes. */
export const SECTIONS = {
  /** FR-Code-a-barres (example: templateId 1.2.250.1.213.1.1.2.223, LOINC 57723-9). */
  barcode: { templates: ['1.2.250.1.213.1.1.2.223'], code: '57723-9', displayName: 'Numéro de code à barres unique' },
  /** FR-Prescription-medicaments (S_prescriptionMedicaments.sch; IHE PRE Prescription Section). */
  medications: { templates: ['1.3.6.1.4.1.19376.1.9.1.2.1', '1.2.250.1.213.1.1.2.171'], code: '57828-6', displayName: 'Prescriptions' },
  /** FR-Prescription-dispositifs-medicaux (S_prescriptionDispositifsMedicaux.sch: code 46264-8). */
  devices: { templates: ['1.2.250.1.213.1.1.2.222'], code: '46264-8', displayName: 'Dispositifs médicaux' },
  /** FR-Commentaire-non-code. */
  comment: { templates: ['2.16.840.1.113883.10.12.201', '1.3.6.1.4.1.19376.1.4.1.2.16', '1.2.250.1.213.1.1.2.73'], code: '55112-7', displayName: 'Commentaire' },
  /** FR-Signes-vitaux. */
  vitalSigns: {
    templates: ['2.16.840.1.113883.10.20.1.16', '1.3.6.1.4.1.19376.1.5.3.1.3.25', '1.3.6.1.4.1.19376.1.5.3.1.1.5.3.2', '1.2.250.1.213.1.1.2.75'],
    code: '8716-3',
    displayName: 'Signes vitaux',
  },
  /** FR-Document-PDF-copie (mandatory in eP-MED-DM 2024.01: CI-SIS_EP-MED-DM_2024.01.sch). */
  pdfCopy: { templates: ['1.2.250.1.213.1.1.2.243'], code: '55108-5', displayName: 'Copie du document' },
  /** FR-Dispensation-medicaments (S_dispensationMedicaments.sch: code 60590-7). */
  dispensed: { templates: ['1.3.6.1.4.1.19376.1.9.1.2.3', '2.16.840.1.113883.10.20.1.8', '1.2.250.1.213.1.1.2.236'], code: '60590-7', displayName: 'Médicaments délivrés' },
} as const;

/** Entry template ids. */
export const ENTRIES = {
  /** FR-Traitement-prescrit (CCD Medication activity, PCC Medications, PRE Prescription Item, CI-SIS). */
  prescribed: ['2.16.840.1.113883.10.20.1.24', '1.3.6.1.4.1.19376.1.5.3.1.4.7', '1.3.6.1.4.1.19376.1.9.1.3.2', '1.2.250.1.213.1.1.3.83'],
  /** Posologie structurée (IHE Pharm Dosage Instructions). */
  structuredDosage: '1.3.6.1.4.1.19376.1.9.1.3.6',
  /** Mode d'administration « normal » (PCC Normal Dosing). */
  normalDosing: '1.3.6.1.4.1.19376.1.5.3.1.4.7.1',
  /** FR-Produit-de-sante (CCD Product, PCC Product Entry, CI-SIS). */
  product: ['2.16.840.1.113883.10.20.1.53', '1.3.6.1.4.1.19376.1.5.3.1.4.7.2', '1.2.250.1.213.1.1.3.43'],
  /** Medicine Entry (IHE Pharm PRE). */
  medicine: '1.3.6.1.4.1.19376.1.9.1.3.1',
  /** FR-Instructions-au-patient. */
  patientInstructions: ['2.16.840.1.113883.10.20.1.49', '1.3.6.1.4.1.19376.1.5.3.1.4.3', '1.2.250.1.213.1.1.3.33'],
  /** FR-Instructions-au-dispensateur. */
  dispenserInstructions: ['2.16.840.1.113883.10.20.1.43', '1.3.6.1.4.1.19376.1.5.3.1.4.3.1', '1.2.250.1.213.1.1.3.34'],
  /** FR-Quantite-de-produit. */
  quantity: ['1.3.6.1.4.1.19376.1.9.1.3.8', '1.2.250.1.213.1.1.3.86'],
  /** FR-Autorisation-Substitution. */
  substitutionPermission: ['1.3.6.1.4.1.19376.1.9.1.3.9.1', '1.2.250.1.213.1.1.3.87'],
  /** FR-Simple-observation base (PCC Simple Observation, CI-SIS). */
  simpleObservation: ['1.3.6.1.4.1.19376.1.5.3.1.4.13', '1.2.250.1.213.1.1.3.48'],
  /** FR-Dispositif-medical (CCD Supply Activity, CI-SIS). */
  device: ['2.16.840.1.113883.10.20.1.34', '1.2.250.1.213.1.1.3.20'],
  /** FR-Traitement-dispense (CCD Supply, PCC Supply Entry, DIS Dispense Item, CI-SIS). */
  dispensed: ['2.16.840.1.113883.10.20.1.34', '1.3.6.1.4.1.19376.1.5.3.1.4.7.3', '1.3.6.1.4.1.19376.1.9.1.3.4', '1.2.250.1.213.1.1.3.204'],
  /** FR-Reference-item-prescription (IHE Pharm Reference to Prescription Item, CI-SIS). */
  prescriptionReference: ['1.3.6.1.4.1.19376.1.9.1.3.11', '1.2.250.1.213.1.1.3.90'],
  /** FR-Notes-du-dispensateur (eDISP-MED example: CI-SIS 1.2.250.1.213.1.1.3.207). */
  dispenserNotes: ['2.16.840.1.113883.10.20.1.43', '1.3.6.1.4.1.19376.1.5.3.1.4.3.1', '1.2.250.1.213.1.1.3.207'],
  /** FR-Acte-substitution. */
  substitutionAct: ['1.3.6.1.4.1.19376.1.9.1.3.9.2', '1.2.250.1.213.1.1.3.206'],
  /** FR-Signes-vitaux organizer and observation. */
  vitalSignsOrganizer: ['2.16.840.1.113883.10.20.1.32', '2.16.840.1.113883.10.20.1.35', '1.3.6.1.4.1.19376.1.5.3.1.4.13.1', '1.2.250.1.213.1.1.3.49'],
  vitalSign: ['2.16.840.1.113883.10.20.1.31', '1.3.6.1.4.1.19376.1.5.3.1.4.13', '1.3.6.1.4.1.19376.1.5.3.1.4.13.2', '1.2.250.1.213.1.1.3.50'],
  /** FR-Document-attache, FR-Type-document-attache. */
  attachedDocument: '1.2.250.1.213.1.1.3.18',
  attachedDocumentType: '1.2.250.1.213.1.1.3.48.18',
  /** CCD ObservationMedia, FR-Image-illustrative (the QR code). */
  illustration: ['2.16.840.1.113883.10.12.304', '1.2.250.1.213.1.1.3.103'],
} as const;

/** TA_ASIP code system (1.2.250.1.213.1.1.4.322) flags of a line, with their CI-SIS template. */
export const LINE_FLAGS = {
  ald: { template: '1.2.250.1.213.1.1.3.48.13', code: 'MED-574', displayName: 'En rapport avec une ALD' },
  atmp: { template: '1.2.250.1.213.1.1.3.48.14', code: 'GEN-180', displayName: 'En rapport avec un accident du travail ou une maladie professionnelle' },
  prevention: { template: '1.2.250.1.213.1.1.3.48.34', code: 'GEN-295', displayName: 'En rapport avec la prévention' },
  nonReimbursable: { template: '1.2.250.1.213.1.1.3.48.15', code: 'GEN-181', displayName: 'Non remboursable' },
  offLabel: { template: '1.2.250.1.213.1.1.3.48.12', code: 'GEN-179', displayName: 'Hors Autorisation de Mise sur le Marché (AMM)' },
} as const;

export const CODE_SYSTEMS = {
  loinc: '2.16.840.1.113883.6.1',
  /** Code CIS (spécialité), BDPM. */
  cis: '1.2.250.1.213.2.3.1',
  /** Code CIP (présentation: CIP13, or CIP7), BDPM. */
  cip: '1.2.250.1.213.2.3.2',
  /** Code UCD (unité commune de dispensation). */
  ucd: '1.2.250.1.213.2.3.3',
  /** Médicabase MV (virtual medicinal product), as in the example's translation. */
  mv: '1.2.250.1.213.2.59',
  atc: '2.16.840.1.113883.6.73',
  /** EDQM Standard Terms (routes, dose forms, packaging). */
  edqm: '0.4.0.127.0.16.1.1.2.1',
  /** LPP (liste des produits et prestations), as in the example's device. */
  lpp: '1.2.250.1.215.200.2.1',
  /** EMDN (European Medical Device Nomenclature), as in the example's device. */
  emdn: '1.2.250.1.213.2.68',
  /** Substance Management Service substances (SMS), as in the examples' ingredients. */
  sms: '2.16.840.1.113883.3.6905.2',
  taAsip: '1.2.250.1.213.1.1.4.322',
  actCode: '2.16.840.1.113883.5.4',
  substitution: '2.16.840.1.113883.5.1070',
  iheActCode: '1.3.6.1.4.1.19376.1.5.3.2',
  /** IHE Pharmacy Item Type List (PREItem). */
  ihePharmItemType: '1.3.6.1.4.1.19376.1.9.2.2',
  /** JDV_J01 XdsAuthorSpecialty. */
  authorSpecialty: '1.2.250.1.213.1.1.4.5',
  facilityType: '1.2.250.1.71.4.2.4',
  practiceSetting: '1.2.250.1.213.1.1.4.9',
  confidentiality: '2.16.840.1.113883.5.25',
  gender: '2.16.840.1.113883.5.1',
} as const;

/** Short names of the code systems a product code may carry (for display and the CLI's JSON). */
export const SYSTEM_NAMES: Record<string, string> = {
  [CODE_SYSTEMS.cis]: 'CIS',
  [CODE_SYSTEMS.cip]: 'CIP',
  [CODE_SYSTEMS.ucd]: 'UCD',
  [CODE_SYSTEMS.mv]: 'MV',
  [CODE_SYSTEMS.atc]: 'ATC',
  [CODE_SYSTEMS.lpp]: 'LPP',
  [CODE_SYSTEMS.emdn]: 'EMDN',
  [CODE_SYSTEMS.edqm]: 'EDQM',
  [CODE_SYSTEMS.sms]: 'SMS',
};

/** EDQM packaging « Boîte » (the unit of FR-Quantite-de-produit in the example). */
export const EDQM_BOX = { code: '30009000', displayName: 'Boîte' } as const;

/** Identifiant national de PS / de structure. */
export const IDNAT_PS_OID = '1.2.250.1.71.4.2.1';
export const IDNAT_STRUCT_OID = '1.2.250.1.71.4.2.2';

/** French label of an EDQM route code of JDV_RouteofAdministration_CISIS. */
export function routeLabel(code: string): string | undefined {
  return lookupValueSet('route', code)?.displayName;
}

/** The routes a prescriber picks from, most frequent in town first (codes from the JDV). */
export const COMMON_ROUTES: readonly string[] = ['20053000', '20067000', '20003000', '20070000', '20049000', '20051000', '20001000', '20020000', '20061000', '20072000', '20066000', '20035000', '20045000', '20054000'];
