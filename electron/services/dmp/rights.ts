/**
 * The functional rights matrix of the DMP (PDT-INF-526 v1.8, 25/09/2024, "Matrice des droits
 * fonctionnels"), as far as this client uses it. Columns: direct authentication with a CPS
 * (médecin traitant or not, in normal / régulation (centre_15) / bris de glace mode; PS non
 * médecin in normal / bris de glace), CPE (non-PS staff, normal mode only) and indirect
 * authentication with a structure certificate (normal mode). Read from dmp.md §6 (text extracted
 * from the PDF table); rows not used by Pupitre are left out. The simulator applies the same table,
 * and the UI hides what it refuses.
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

const yes: RightsDecision = { allowed: true };
const no = (reason: string): RightsDecision => ({ allowed: false, reason });

const DOCTOR = '10';

export function isAllowed(operation: DmpOperation, actor: DmpActor, document?: DocumentContext): RightsDecision {
  const emergency = actor.purposeOfUse !== 'normal';
  // Emergency modes exist in direct CPS authentication only; régulation (centre_15) is for doctors.
  if (emergency && actor.credential !== 'CPS') return no('Le mode urgence n’est possible qu’avec une carte CPS.');
  if (actor.purposeOfUse === 'centre_15' && actor.profession !== DOCTOR) return no('Le mode régulation (centre 15) est réservé aux médecins.');
  switch (operation) {
    case 'TD0.2':
    case 'TD3.1-reference':
      return yes;
    case 'TD0.3':
      // Authorisation management: professionals with a CPS, normal mode.
      if (actor.credential !== 'CPS') return no('La gestion de l’autorisation d’accès nécessite une carte CPS.');
      return emergency ? no('La gestion de l’autorisation se fait en mode normal.') : yes;
    case 'TD2.1':
      // Feeding: CPS, CPE (TD2.2) and the structure certificate ("imputabilité à la structure").
      return emergency && actor.purposeOfUse === 'centre_15' ? no('L’alimentation n’est pas ouverte en mode régulation.') : yes;
    case 'TD3.1':
    case 'TD3.2':
      // Metadata search and consultation: not with a CPE nor in indirect mode.
      if (actor.credential !== 'CPS') return no('La consultation du DMP nécessite une carte CPS (mode direct).');
      return yes;
    case 'TD3.3a':
    case 'TD3.3b':
      // Masking and patient visibility: CPS holders in normal mode only.
      if (actor.credential !== 'CPS') return no('Masquer un document ou changer sa visibilité nécessite une carte CPS.');
      if (emergency) return no('Masquer un document ou changer sa visibilité se fait en mode normal.');
      return yes;
    case 'TD3.3c':
    case 'TD3.3d':
      if (emergency) return no('La suppression et l’archivage se font en mode normal.');
      if (document === undefined) return yes;
      if (document.patientDocument) {
        return actor.treatingDoctor ? yes : no('Seul le médecin traitant DMP peut supprimer ou archiver un document ajouté par le patient.');
      }
      return document.own ? yes : no('Vous ne pouvez supprimer ou archiver que vos propres documents.');
    default:
      return no('Opération inconnue.');
  }
}

/** Whether a masked document (MASQUE_PS) is visible to the caller: its author always; others not. */
export function canSeeMasked(actor: DmpActor, document: DocumentContext): boolean {
  // PDT-INF-526 footnotes: masked documents stay visible to their author ("ses propres documents
  // uniquement"); in emergency modes only with the patient's authorisation (not modelled: hidden).
  return document.own && actor.purposeOfUse === 'normal';
}
