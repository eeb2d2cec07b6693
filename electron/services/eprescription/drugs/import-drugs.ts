/**
 * Use case: import the drug list from a folder of BDPM files (`pupitre drugs import DIR`, the demo
 * seed). The list is replaced as a whole in one transaction: a failed import leaves the previous
 * list in place. CIS_bdpm.txt and CIS_CIP_bdpm.txt are required; CIS_COMPO_bdpm.txt (substances,
 * searched by DCI) and CIS_GENER_bdpm.txt (generic groups, for substitution) are used when present.
 * Rejected lines are reported with file and line number; a file where more than 5 % of the lines are
 * rejected is refused (it is not the published format).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../../contract';
import { inTransaction, type Db } from '../../../platform/db';
import { parseCompositions, parseGenericGroups, parsePresentations, parseSpecialties, type ParsedFile, type RejectedLine } from './bdpm';
import { drugWords, sortKey } from './fold';
import { createDrugStore } from './store';

export const BDPM_FILES = {
  specialties: 'CIS_bdpm.txt',
  presentations: 'CIS_CIP_bdpm.txt',
  compositions: 'CIS_COMPO_bdpm.txt',
  groups: 'CIS_GENER_bdpm.txt',
} as const;

/** Largest BDPM file read (the published files are a few MB). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_REJECTED_SHARE = 0.05;

export interface DrugImportReport {
  importedAt: string;
  specialties: number;
  presentations: number;
  compositions: number;
  groups: number;
  /** At most the first 50, with the total in `rejectedCount`. */
  rejected: RejectedLine[];
  rejectedCount: number;
  encodings: Record<string, string>;
}

function readBounded(path: string): Buffer {
  if (statSync(path).size > MAX_FILE_BYTES) throw new AppError('DRUGS_IMPORT_INVALID', { file: path.split(/[\\/]/).pop() ?? path, reason: 'trop volumineux' });
  return readFileSync(path);
}

function check<T>(parsed: ParsedFile<T>, file: string): void {
  if (parsed.lines === 0) throw new AppError('DRUGS_IMPORT_INVALID', { file, reason: 'fichier vide' });
  if (parsed.rejected.length > parsed.lines * MAX_REJECTED_SHARE) {
    const first = parsed.rejected[0];
    throw new AppError('DRUGS_IMPORT_INVALID', { file, line: first?.line ?? 0, reason: first?.reason ?? '', rejected: parsed.rejected.length, lines: parsed.lines });
  }
}

export function importDrugs(db: Db, input: { dir: string; actor: string; now: string }): DrugImportReport {
  const path = (name: string) => join(input.dir, name);
  const missing = [BDPM_FILES.specialties, BDPM_FILES.presentations].filter((f) => !existsSync(path(f)));
  if (missing.length > 0) throw new AppError('DRUGS_IMPORT_FILES_MISSING', { missing });

  const specialties = parseSpecialties(readBounded(path(BDPM_FILES.specialties)));
  check(specialties, BDPM_FILES.specialties);
  const presentations = parsePresentations(readBounded(path(BDPM_FILES.presentations)));
  check(presentations, BDPM_FILES.presentations);
  const compositions = existsSync(path(BDPM_FILES.compositions)) ? parseCompositions(readBounded(path(BDPM_FILES.compositions))) : null;
  if (compositions !== null) check(compositions, BDPM_FILES.compositions);
  const groups = existsSync(path(BDPM_FILES.groups)) ? parseGenericGroups(readBounded(path(BDPM_FILES.groups))) : null;
  if (groups !== null) check(groups, BDPM_FILES.groups);

  const groupOf = new Map((groups?.rows ?? []).map((g) => [g.cis, g]));
  const substancesOf = new Map<string, string[]>();
  for (const c of compositions?.rows ?? []) {
    if (c.nature !== 'SA') continue;
    const list = substancesOf.get(c.cis) ?? [];
    list.push(c.substance);
    substancesOf.set(c.cis, list);
  }
  const known = new Set(specialties.rows.map((s) => s.cis));
  const store = createDrugStore(db);
  const rejected: RejectedLine[] = [...specialties.rejected, ...presentations.rejected, ...(compositions?.rejected ?? []), ...(groups?.rejected ?? [])];
  let presentationCount = 0;

  inTransaction(db, () => {
    store.clear();
    for (const s of specialties.rows) {
      const group = groupOf.get(s.cis);
      const result = store.insertSpecialty.run({
        cis: s.cis,
        name: s.name,
        sortName: sortKey(s.name),
        form: s.form,
        routes: s.routes.join(';'),
        ammStatus: s.ammStatus,
        commercialised: s.commercialised ? 1 : 0,
        holder: s.holder,
        group: group?.groupId ?? null,
        groupLabel: group?.groupLabel ?? null,
        groupType: group?.type ?? null,
      });
      if (result.changes === 0) continue;
      store.insertWords.run(Number(result.lastInsertRowid), drugWords(s.name, ...(substancesOf.get(s.cis) ?? [])).join(' '));
    }
    for (const p of presentations.rows) {
      if (!known.has(p.cis)) {
        rejected.push({ file: BDPM_FILES.presentations, line: 0, reason: `présentation ${p.cip13} d'une spécialité absente (CIS ${p.cis})` });
        continue;
      }
      presentationCount += store.insertPresentation.run({ ...p, commercialised: p.commercialised ? 1 : 0, reimbursement: p.reimbursementRate }).changes;
    }
    for (const c of compositions?.rows ?? []) {
      if (known.has(c.cis)) store.insertSubstance.run({ cis: c.cis, code: c.substanceCode, name: c.substance, dosage: c.dosage, nature: c.nature });
    }
    store.writeList.run({
      imported_at: input.now,
      actor: input.actor,
      source: input.dir.split(/[\\/]/).filter((p) => p !== '').pop() ?? input.dir,
      specialties: specialties.rows.length,
      presentations: presentationCount,
      compositions: compositions?.rows.length ?? 0,
      groups: new Set((groups?.rows ?? []).map((g) => g.groupId)).size,
      rejected: String(rejected.length),
    });
  });

  return {
    importedAt: input.now,
    specialties: specialties.rows.length,
    presentations: presentationCount,
    compositions: compositions?.rows.length ?? 0,
    groups: new Set((groups?.rows ?? []).map((g) => g.groupId)).size,
    rejected: rejected.slice(0, 50),
    rejectedCount: rejected.length,
    encodings: {
      [BDPM_FILES.specialties]: specialties.encoding,
      [BDPM_FILES.presentations]: presentations.encoding,
      ...(compositions === null ? {} : { [BDPM_FILES.compositions]: compositions.encoding }),
      ...(groups === null ? {} : { [BDPM_FILES.groups]: groups.encoding }),
    },
  };
}
