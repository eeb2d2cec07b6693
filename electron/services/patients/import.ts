/**
 * Validation of a CSV import against a column mapping: every line is checked and every problem
 * reported with the line number and a French reason; the plan lists the patients to create.
 */
import { AppError } from '../../contract';
import type { StrictTraits, UsedTraits } from '../../contract/domains/identity';
import type { ImportField, ImportMapping, ImportValidation } from '../../contract/domains/patients';
import { cleanUsedTraits, normalizeStrictTraits, parseMatricule, parseSex, strictTraitsKey } from '../identity';
import type { CsvTable } from './csv';
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

export function validateImport(table: CsvTable, mapping: ImportMapping, store: Pick<PatientStore, 'existingFor'>, today: string): ImportPlan {
  const columns = resolveMapping(table.headers, mapping);
  const cell = (cells: string[], field: ImportField): string | undefined => {
    const index = columns.get(field);
    return index === undefined ? undefined : cells[index]?.trim();
  };
  const issues: ImportValidation['issues'] = [];
  const toCreate: PlannedPatient[] = [];
  const seenExternal = new Set<string>();
  const seenStrict = new Set<string>();
  let invalid = 0;
  let existing = 0;
  let duplicatesInFile = 0;

  for (const { line, cells } of table.rows) {
    const reasons: string[] = [];
    if (cells.length !== table.headers.length) {
      reasons.push(`La ligne compte ${cells.length} colonne${cells.length > 1 ? 's' : ''} au lieu de ${table.headers.length} : vérifiez les séparateurs et les guillemets.`);
    } else {
      const column = (field: ImportField) => table.headers[columns.get(field) ?? -1] ?? field;
      const sexText = cell(cells, 'sex') ?? '';
      const sex = parseSex(sexText);
      if (sex === null) reasons.push(`Colonne « ${column('sex')} » : sexe ${sexText === '' ? 'absent' : `« ${sexText} » non reconnu`} (attendu M ou F).`);
      const givenNames = cell(cells, 'birthGivenNames') || cell(cells, 'firstGivenName') || '';
      const birthDate = cell(cells, 'birthDate') ?? '';
      const traits = normalizeStrictTraits(
        {
          birthName: cell(cells, 'birthName') ?? '',
          birthGivenNames: givenNames,
          firstGivenName: cell(cells, 'firstGivenName'),
          birthDate,
          sex: sex ?? 'M',
          birthPlaceCode: cell(cells, 'birthPlaceCode') ?? null,
        },
        { today },
      );
      if (!traits.ok) {
        for (const error of traits.errors) {
          const source = error.field === 'birthGivenNames' && !columns.has('birthGivenNames') ? 'firstGivenName' : error.field;
          const where = columns.has(source as ImportField) ? `Colonne « ${column(source as ImportField)} » : ` : '';
          reasons.push(birthDate === '' && error.field === 'birthDate' ? `${where}date de naissance absente.` : `${where}${error.message}`);
        }
      }
      let declaredNir: string | null = null;
      const nirText = cell(cells, 'declaredNir') ?? '';
      if (nirText !== '') {
        const parsed = parseMatricule(nirText, { requireKey: false });
        if (parsed.ok) declaredNir = parsed.matricule.number;
        else reasons.push(`Colonne « ${column('declaredNir')} » : NIR invalide (${MATRICULE_REASONS[parsed.reason] ?? parsed.message}).`);
      }
      if (reasons.length === 0 && traits.ok) {
        const externalId = cell(cells, 'externalId') || null;
        const strictKey = strictTraitsKey(traits.traits);
        if ((externalId !== null && seenExternal.has(externalId)) || seenStrict.has(strictKey)) {
          duplicatesInFile += 1;
        } else if (store.existingFor(externalId, strictKey) !== null) {
          existing += 1;
        } else {
          toCreate.push({
            line,
            traits: traits.traits,
            used: cleanUsedTraits({ usedName: cell(cells, 'usedName') ?? null, usedGivenName: cell(cells, 'usedGivenName') ?? null }),
            declaredNir,
            externalId,
          });
        }
        if (externalId !== null) seenExternal.add(externalId);
        seenStrict.add(strictKey);
      }
    }
    if (reasons.length > 0) {
      invalid += 1;
      if (issues.length < MAX_ISSUES) issues.push({ line, reasons });
    }
  }
  return {
    validation: {
      lines: table.rows.length,
      valid: table.rows.length - invalid,
      invalid,
      existing,
      duplicatesInFile,
      toCreate: toCreate.length,
      issues,
      issuesTruncated: invalid > issues.length,
    },
    toCreate,
  };
}
