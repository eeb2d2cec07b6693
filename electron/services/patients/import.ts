/**
 * Validation of a CSV import against a column mapping: every line is checked and every problem
 * reported with the line number and a French reason; the plan lists the patients to create.
 */
import { AppError } from '../../contract';
import type { StrictTraits, UsedTraits } from '../../contract/domains/identity';
import type { ImportField, ImportMapping, ImportValidation } from '../../contract/domains/patients';
import { cleanUsedTraits, normalizeStrictTraits, parseMatricule, parseSex, strictTraitsKey } from '../identity';
import { MAX_CELL_CHARS, type CsvRow, type CsvTable } from './csv';
import { fieldProblem, fieldProblemText } from './fields';
import type { PatientStore } from './store';

export interface PlannedPatient {
  line: number;
  traits: StrictTraits;
  used: UsedTraits;
  declaredNir: string | null;
  externalId: string | null;
}

export interface ImportPlan {
  validation: ImportValidation;
  toCreate: PlannedPatient[];
}

const REQUIRED: ImportField[] = ['birthName', 'birthDate', 'sex'];
const MAX_ISSUES = 1000;

const MATRICULE_REASONS: Record<string, string> = {
  FORMAT: 'il doit comporter 13 caractères, éventuellement suivis de la clé',
  SEX: 'le premier chiffre doit être 1, 2, 3, 4, 7 ou 8',
  MONTH: 'le mois (positions 4–5) est invalide',
  DEPARTMENT: 'le département (positions 6–7) est invalide',
  KEY_MISMATCH: 'la clé ne correspond pas au numéro',
};

/** Checks the mapping against the file's headers; returns the column index of each field. */
export function resolveMapping(headers: readonly string[], mapping: ImportMapping): Map<ImportField, number> {
  const columns = new Map<ImportField, number>();
  const duplicated = new Set<ImportField>();
  let unknownColumns = 0;
  for (const [header, field] of Object.entries(mapping)) {
    const index = headers.indexOf(header);
    if (index === -1) {
      unknownColumns += 1;
      continue;
    }
    if (field === 'ignore') continue;
    if (columns.has(field)) duplicated.add(field);
    columns.set(field, index);
  }
  const missing = REQUIRED.filter((f) => !columns.has(f));
  if (!columns.has('birthGivenNames') && !columns.has('firstGivenName')) missing.push('birthGivenNames');
  if (missing.length > 0 || duplicated.size > 0 || unknownColumns > 0) {
    throw new AppError('PATIENTS_IMPORT_MAPPING_INVALID', { missing, duplicated: [...duplicated], unknownColumns });
  }
  return columns;
}

/** What one line of an import comes to. */
export type ImportLineOutcome =
  | { kind: 'invalid'; reasons: string[] }
  | { kind: 'existing' }
  | { kind: 'duplicate-in-file' }
  | { kind: 'create'; patient: PlannedPatient };

/**
 * Checks the lines of an import one at a time (a file is never held as a list of rows): French
 * reasons for each invalid line, duplicates within the file, patients already in the base, and
 * the patients to create. `summary()` gives the validation the preview shows.
 */
export class ImportValidator {
  private readonly columns: Map<ImportField, number>;
  private readonly issues: ImportValidation['issues'] = [];
  private readonly seenExternal = new Set<string>();
  private readonly seenStrict = new Set<string>();
  private lines = 0;
  private invalid = 0;
  private existing = 0;
  private duplicatesInFile = 0;
  private toCreate = 0;

  constructor(
    private readonly headers: readonly string[],
    mapping: ImportMapping,
    private readonly store: Pick<PatientStore, 'existingFor'>,
    private readonly today: string,
  ) {
    this.columns = resolveMapping(headers, mapping);
  }

  private cell(cells: string[], field: ImportField): string | undefined {
    const index = this.columns.get(field);
    return index === undefined ? undefined : cells[index]?.trim();
  }

  private column(field: ImportField): string {
    return this.headers[this.columns.get(field) ?? -1] ?? field;
  }

  check({ line, cells }: CsvRow): ImportLineOutcome {
    this.lines += 1;
    const reasons = this.reasonsFor(cells);
    let outcome: ImportLineOutcome;
    if (reasons.reasons.length > 0 || reasons.traits === null) outcome = { kind: 'invalid', reasons: reasons.reasons };
    else {
      const { traits, declaredNir } = reasons;
      const externalId = this.cell(cells, 'externalId') || null;
      const strictKey = strictTraitsKey(traits);
      if ((externalId !== null && this.seenExternal.has(externalId)) || this.seenStrict.has(strictKey)) {
        this.duplicatesInFile += 1;
        outcome = { kind: 'duplicate-in-file' };
      } else if (this.store.existingFor(externalId, strictKey) !== null) {
        this.existing += 1;
        outcome = { kind: 'existing' };
      } else {
        this.toCreate += 1;
        outcome = {
          kind: 'create',
          patient: {
            line,
            traits,
            used: cleanUsedTraits({ usedName: this.cell(cells, 'usedName') ?? null, usedGivenName: this.cell(cells, 'usedGivenName') ?? null }),
            declaredNir,
            externalId,
          },
        };
      }
      if (externalId !== null) this.seenExternal.add(externalId);
      this.seenStrict.add(strictKey);
    }
    if (outcome.kind === 'invalid') {
      this.invalid += 1;
      if (this.issues.length < MAX_ISSUES) this.issues.push({ line, reasons: outcome.reasons });
    }
    return outcome;
  }

  private reasonsFor(cells: string[]): { reasons: string[]; traits: StrictTraits | null; declaredNir: string | null } {
    const reasons: string[] = [];
    const headerCount = this.headers.length;
    if (cells.length !== headerCount) {
      reasons.push(`La ligne compte ${cells.length} colonne${cells.length > 1 ? 's' : ''} au lieu de ${headerCount} : vérifiez les séparateurs et les guillemets.`);
      return { reasons, traits: null, declaredNir: null };
    }
    // Cells stored as typed (used traits, number in the previous software): bounded, printable, no formula.
    for (const field of ['usedName', 'usedGivenName', 'externalId'] as const) {
      const problem = fieldProblem(field, this.cell(cells, field));
      if (problem !== null) reasons.push(`Colonne « ${this.column(field)} » : ${fieldProblemText(problem, field)}`);
    }
    const tooLong = [...this.columns.entries()].find(([, index]) => (cells[index]?.length ?? 0) > MAX_CELL_CHARS);
    if (tooLong !== undefined) {
      reasons.push(`Colonne « ${this.column(tooLong[0])} » : valeur trop longue (${MAX_CELL_CHARS} caractères au plus).`);
      return { reasons, traits: null, declaredNir: null };
    }
    const sexText = this.cell(cells, 'sex') ?? '';
    const sex = parseSex(sexText);
    if (sex === null) reasons.push(`Colonne « ${this.column('sex')} » : sexe ${sexText === '' ? 'absent' : `« ${sexText} » non reconnu`} (attendu M ou F).`);
    const givenNames = this.cell(cells, 'birthGivenNames') || this.cell(cells, 'firstGivenName') || '';
    const birthDate = this.cell(cells, 'birthDate') ?? '';
    const normalized = normalizeStrictTraits(
      {
        birthName: this.cell(cells, 'birthName') ?? '',
        birthGivenNames: givenNames,
        firstGivenName: this.cell(cells, 'firstGivenName'),
        birthDate,
        sex: sex ?? 'M',
        birthPlaceCode: this.cell(cells, 'birthPlaceCode') ?? null,
      },
      { today: this.today },
    );
    if (!normalized.ok) {
      for (const error of normalized.errors) {
        const source = error.field === 'birthGivenNames' && !this.columns.has('birthGivenNames') ? 'firstGivenName' : error.field;
        const where = this.columns.has(source as ImportField) ? `Colonne « ${this.column(source as ImportField)} » : ` : '';
        reasons.push(birthDate === '' && error.field === 'birthDate' ? `${where}date de naissance absente.` : `${where}${error.message}`);
      }
    } else {
      for (const field of ['birthName', 'birthGivenNames', 'firstGivenName'] as const) {
        const problem = fieldProblem(field, normalized.traits[field]);
        if (problem !== null) reasons.push(`Colonne « ${this.column(field === 'firstGivenName' && !this.columns.has('firstGivenName') ? 'birthGivenNames' : field)} » : ${fieldProblemText(problem, field)}`);
      }
    }
    let declaredNir: string | null = null;
    const nirText = this.cell(cells, 'declaredNir') ?? '';
    if (nirText !== '') {
      const parsed = parseMatricule(nirText, { requireKey: false });
      if (parsed.ok) declaredNir = parsed.matricule.number;
      else reasons.push(`Colonne « ${this.column('declaredNir')} » : NIR invalide (${MATRICULE_REASONS[parsed.reason] ?? parsed.message}).`);
    }
    return { reasons, traits: normalized.ok ? normalized.traits : null, declaredNir };
  }

  summary(): ImportValidation {
    return {
      lines: this.lines,
      valid: this.lines - this.invalid,
      invalid: this.invalid,
      existing: this.existing,
      duplicatesInFile: this.duplicatesInFile,
      toCreate: this.toCreate,
      issues: [...this.issues],
      issuesTruncated: this.invalid > this.issues.length,
    };
  }
}

/** Every line validated; the plan lists the patients to create (small files, tests). */
export function validateImport(table: CsvTable, mapping: ImportMapping, store: Pick<PatientStore, 'existingFor'>, today: string): ImportPlan {
  const validator = new ImportValidator(table.headers, mapping, store, today);
  const toCreate: PlannedPatient[] = [];
  for (const row of table.rows()) {
    const outcome = validator.check(row);
    if (outcome.kind === 'create') toCreate.push(outcome.patient);
  }
  return { validation: validator.summary(), toCreate };
}
