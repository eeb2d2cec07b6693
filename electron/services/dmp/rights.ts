/**
 * The functional rights matrix of the DMP (PDT-INF-526 v1.8, 25/09/2024, "DMP-Compatibilité :
 * Matrice des droits fonctionnels", page 2), as far as this client uses it: the desk checks it
 * before asking, hides what it refuses and says why. The DMP applies it anyway (its simulator has
 * its own transcription); rights.conformance.test.ts compares these decisions with the PDF cell by
 * cell.
 *
 * Columns of the matrix: direct authentication with a CPS/CPF — PS non médecin (normal, régulation,
 * bris de glace), médecin non MT (normal, régulation, bris de glace), médecin du travail, médecin
 * traitant DMP (normal, bris de glace) —, CPE (non-PS staff, normal) and indirect authentication
 * with a structure certificate (normal, régulation). A médecin traitant in régulation mode uses the
 * médecin's régulation column; the médecin du travail is not told apart (no code for it in the
 * card data Pupitre reads). Footnotes applied: (6)/(8) the caller's own documents, (9) the
 * structure's documents, (7) masked documents in emergency modes only with the patient's
 * agreement (not known here: refused), * a patient's document only by the médecin traitant.
 */
import type { PurposeOfUse } from './codes';

export type DmpOperation =
  | 'TD0.2'
  | 'TD0.3'
  | 'TD2.1'
  | 'TD3.1'
  | 'TD3.1-reference'
  | 'TD3.2'
  | 'TD3.3a'
  | 'TD3.3b'
  | 'TD3.3c'
  | 'TD3.3d';

export interface DmpActor {
  /** CPS / CPF (direct), CPE (direct, non-PS), or the structure certificate (indirect). */
  credential: 'CPS' | 'CPE' | 'STRUCTURE';
  /** TRE_G15 profession of the card holder (10 = médecin). */
  profession: string | null;
  /** TD0.2 STATUT_MT: the caller is the patient's médecin traitant DMP. */
  treatingDoctor: boolean;
  purposeOfUse: PurposeOfUse;
}

export interface DocumentContext {
  /** The document was authored by the caller (or by the caller's structure for CPE/indirect). */
  own: boolean;
  /** A document the patient added (classCode 90 / DOCPAT*). */
  patientDocument: boolean;
}

export type RightsDecision = { allowed: true } | { allowed: false; reason: string };

/** A column of the matrix Pupitre can tell apart. */
type Column =
  | 'ps-normal'
  | 'ps-regulation'
  | 'ps-bris-de-glace'
  | 'medecin-normal'
  | 'medecin-regulation'
  | 'medecin-bris-de-glace'
  | 'mt-normal'
  | 'mt-bris-de-glace'
  | 'cpe'
  | 'structure-normal'
  | 'structure-regulation';

const DOCTOR = '10';
const EMERGENCY = { bris_de_glace: 'bris-de-glace', centre_15: 'regulation' } as const;

function columnOf(actor: DmpActor): Column | null {
  const purpose = actor.purposeOfUse;
  if (actor.credential === 'STRUCTURE') return purpose === 'normal' ? 'structure-normal' : purpose === 'centre_15' ? 'structure-regulation' : null;
  if (actor.credential === 'CPE') return purpose === 'normal' ? 'cpe' : null;
  const mode = purpose === 'normal' ? 'normal' : EMERGENCY[purpose];
  if (actor.profession !== DOCTOR) return `ps-${mode}`;
  return actor.treatingDoctor && mode !== 'regulation' ? `mt-${mode}` : `medecin-${mode}`;
}

const CPS_NORMAL: readonly Column[] = ['ps-normal', 'medecin-normal', 'mt-normal'];
const CPS_ALL: readonly Column[] = ['ps-normal', 'ps-regulation', 'ps-bris-de-glace', 'medecin-normal', 'medecin-regulation', 'medecin-bris-de-glace', 'mt-normal', 'mt-bris-de-glace'];
const EVERYONE: readonly Column[] = [...CPS_ALL, 'cpe', 'structure-normal', 'structure-regulation'];

interface Rule {
  /** What the user tries, for the French refusal. */
  what: string;
  allowed: readonly Column[];
  /** Columns allowed on their own documents only (footnotes 6 and 8). */
  ownOnly?: readonly Column[];
  /** Columns allowed on the structure's documents only (footnote 9). */
  structureOnly?: readonly Column[];
  /** A patient's document: only the médecin traitant (the rows marked *). */
  patientDocumentsByTreatingDoctorOnly?: boolean;
}

const RULES: Record<DmpOperation, Rule> = {
  'TD0.2': { what: 'Le test d’existence du DMP', allowed: EVERYONE },
  // "Se déclarer autorisé" and "Supprimer son autorisation": both allowed only in these columns.
  'TD0.3': { what: 'La gestion de l’autorisation d’accès', allowed: CPS_NORMAL },
  // TD2.1, and TD2.2 for a CPE; indirect feeding is imputed to the structure (footnote 4).
  'TD2.1': { what: 'L’alimentation du DMP', allowed: EVERYONE },
  'TD3.1': { what: 'La consultation du DMP', allowed: CPS_ALL },
  // Reference search, e.g. before deleting (footnote 5 for CPE and structure).
  'TD3.1-reference': { what: 'La recherche d’un document par sa référence', allowed: EVERYONE },
  'TD3.2': { what: 'La consultation d’un document', allowed: CPS_ALL },
  'TD3.3a': { what: 'Masquer un document aux professionnels', allowed: CPS_NORMAL },
  'TD3.3b': { what: 'Changer la visibilité d’un document pour le patient', allowed: CPS_NORMAL },
  'TD3.3c': {
    what: 'Supprimer un document',
    allowed: EVERYONE,
    ownOnly: CPS_ALL,
    structureOnly: ['cpe', 'structure-normal', 'structure-regulation'],
    patientDocumentsByTreatingDoctorOnly: true,
  },
  'TD3.3d': {
    what: 'Archiver un document',
    allowed: ['ps-normal', 'medecin-normal', 'medecin-regulation', 'medecin-bris-de-glace', 'mt-normal', 'mt-bris-de-glace'],
    ownOnly: ['ps-normal', 'medecin-normal'],
    patientDocumentsByTreatingDoctorOnly: true,
  },
};

const WITH: Record<Column, string> = {
  'ps-normal': 'avec une carte CPS de professionnel non médecin',
  'ps-regulation': 'à un professionnel non médecin en mode régulation (centre 15)',
  'ps-bris-de-glace': 'à un professionnel non médecin en mode bris de glace',
  'medecin-normal': 'avec votre carte CPS',
  'medecin-regulation': 'en mode régulation (centre 15)',
  'medecin-bris-de-glace': 'en mode bris de glace',
  'mt-normal': 'avec votre carte CPS',
  'mt-bris-de-glace': 'en mode bris de glace',
  cpe: 'avec une carte CPE',
  'structure-normal': 'avec le certificat de la structure',
  'structure-regulation': 'avec le certificat de la structure en mode régulation',
};

export function isAllowed(operation: DmpOperation, actor: DmpActor, document?: DocumentContext): RightsDecision {
  const rule = RULES[operation];
  if (rule === undefined) return { allowed: false, reason: 'Opération inconnue.' };
  const column = columnOf(actor);
  if (column === null) {
    return { allowed: false, reason: actor.credential === 'CPE' ? 'Le mode urgence n’est possible qu’avec une carte CPS.' : 'Le mode bris de glace n’est possible qu’avec une carte CPS.' };
  }
  if (!rule.allowed.includes(column)) return { allowed: false, reason: `${rule.what} n’est pas permis ${WITH[column]} (matrice des droits du DMP).` };
  if (document === undefined) return { allowed: true };
  if (rule.patientDocumentsByTreatingDoctorOnly === true && document.patientDocument) {
    return column.startsWith('mt-') ? { allowed: true } : { allowed: false, reason: `${rule.what} ajouté par le patient : seul son médecin traitant DMP le peut.` };
  }
  if (rule.ownOnly?.includes(column) === true && !document.own) return { allowed: false, reason: `${rule.what} : seulement vos propres documents.` };
  if (rule.structureOnly?.includes(column) === true && !document.own) return { allowed: false, reason: `${rule.what} : seulement les documents de la structure.` };
  return { allowed: true };
}

/**
 * Whether a masked document (MASQUE_PS) is visible to the caller (TD3.2 "documents masqués aux PS"):
 * the médecin traitant in normal mode, and otherwise its author in normal mode (footnote 6); in
 * emergency modes only with the patient's agreement (footnote 7, not known here: hidden).
 */
export function canSeeMasked(actor: DmpActor, document: DocumentContext): boolean {
  const column = columnOf(actor);
  if (column === 'mt-normal') return true;
  return (column === 'ps-normal' || column === 'medecin-normal') && document.own;
}
