/**
 * What the patient store accepts in its text columns, whatever the way in (desk, CSV import,
 * INSi result, a future caller): issue 14 point 5 found a 5 MB used name and a NUL byte stored.
 * The contract bounds the same fields (contract/text.ts); the store checks again because an
 * import's cells never pass through the contract one by one.
 *
 * - Lengths: strict traits in their INSi form are short (the longest French birth names stay well
 *   under 100 characters); used traits are as typed, bounded like them.
 * - No control character (NUL, C0/C1 controls, line breaks): nothing a person types in a name.
 * - No formula sign (=, +, -, @, OWASP « CSV injection ») at the start of the free-text columns a
 *   spreadsheet may one day receive (used traits, number in the previous software). Strict traits
 *   are letters, spaces, hyphens and apostrophes by normalisation (SEL-MP-043) and never start so.
 */
import { AppError } from '../../contract';
import { hasControlCharacter, startsLikeFormula } from '../../contract/text';

export const FIELD_MAX_CHARS = {
  birthName: 100,
  birthGivenNames: 200,
  firstGivenName: 100,
  usedName: 100,
  usedGivenName: 100,
  birthPlaceCode: 5,
  declaredNir: 15,
  externalId: 100,
} as const;

export type StoredField = keyof typeof FIELD_MAX_CHARS;

const FREE_TEXT: ReadonlySet<StoredField> = new Set(['usedName', 'usedGivenName', 'externalId']);

export type FieldProblem = 'too-long' | 'control-character' | 'formula';

/** Why `value` cannot be stored in `field`, or null when it can. */
export function fieldProblem(field: StoredField, value: string | null | undefined): FieldProblem | null {
  if (value === null || value === undefined) return null;
  if (value.length > FIELD_MAX_CHARS[field]) return 'too-long';
  if (hasControlCharacter(value)) return 'control-character';
  if (FREE_TEXT.has(field) && startsLikeFormula(value)) return 'formula';
  return null;
}

/** Throws PATIENT_FIELD_INVALID (field name and reason in the details, never the value). */
export function assertStorable(values: Partial<Record<StoredField, string | null | undefined>>): void {
  for (const [field, value] of Object.entries(values) as Array<[StoredField, string | null | undefined]>) {
    const problem = fieldProblem(field, value);
    if (problem !== null) throw new AppError('PATIENT_FIELD_INVALID', { field, reason: problem, maxChars: FIELD_MAX_CHARS[field] });
  }
}

/** The French reason of a problem, for an import line. */
export function fieldProblemText(problem: FieldProblem, field: StoredField): string {
  switch (problem) {
    case 'too-long':
      return `valeur trop longue (${FIELD_MAX_CHARS[field]} caractères au plus).`;
    case 'control-character':
      return 'la valeur contient un caractère de contrôle (invisible) : retapez-la dans l’ancien logiciel.';
    case 'formula':
      return 'la valeur commence par =, +, - ou @, qu’un tableur prendrait pour une formule : elle est refusée par sécurité.';
  }
}
