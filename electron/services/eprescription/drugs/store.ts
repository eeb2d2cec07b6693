/** SQL of the drug list (tables in ../schema.ts), as named prepared statements. */
import type { Db } from '../../../platform/db';

export interface SpecialtyRow {
  rowid: number;
  cis: string;
  name: string;
  form: string;
  routes: string;
  commercialised: number;
  generic_group: string | null;
  generic_label: string | null;
}

export interface PresentationRow {
  cip13: string;
  cis: string;
  label: string;
  commercialised: number;
}

export interface DrugListRow {
  imported_at: string;
  actor: string;
  source: string;
  specialties: number;
  presentations: number;
  compositions: number;
  groups: number;
  rejected: string;
}

const SPECIALTY_COLUMNS = 's.rowid AS rowid, s.cis, s.name, s.form, s.routes, s.commercialised, s.generic_group, s.generic_label';

export function createDrugStore(db: Db) {
  return {
    clear: () => {
      db.exec('DELETE FROM drug_fts; DELETE FROM drug_substance; DELETE FROM drug_presentation; DELETE FROM drug_specialty; DELETE FROM drug_list;');
    },
    insertSpecialty: db.prepare<{
      cis: string;
      name: string;
      sortName: string;
      form: string;
      routes: string;
      ammStatus: string;
      commercialised: number;
      holder: string;
      group: string | null;
      groupLabel: string | null;
      groupType: number | null;
    }>(
      `INSERT INTO drug_specialty (cis, name, sort_name, form, routes, amm_status, commercialised, holder, generic_group, generic_label, generic_type)
       VALUES (@cis, @name, @sortName, @form, @routes, @ammStatus, @commercialised, @holder, @group, @groupLabel, @groupType)
       ON CONFLICT (cis) DO NOTHING`,
    ),
    insertPresentation: db.prepare<{ cip13: string; cip7: string; cis: string; label: string; status: string; commercialised: number; reimbursement: string }>(
      `INSERT INTO drug_presentation (cip13, cip7, cis, label, status, commercialised, reimbursement)
       VALUES (@cip13, @cip7, @cis, @label, @status, @commercialised, @reimbursement) ON CONFLICT (cip13) DO NOTHING`,
    ),
    insertSubstance: db.prepare<{ cis: string; code: string; name: string; dosage: string; nature: string }>(
      'INSERT INTO drug_substance (cis, code, name, dosage, nature) VALUES (@cis, @code, @name, @dosage, @nature)',
    ),
    insertWords: db.prepare<[number, string]>('INSERT INTO drug_fts (rowid, words) VALUES (?, ?)'),
    rowidOf: db.prepare<[string], { rowid: number }>('SELECT rowid FROM drug_specialty WHERE cis = ?'),
    writeList: db.prepare<DrugListRow>(
      `INSERT INTO drug_list (id, imported_at, actor, source, specialties, presentations, compositions, groups, rejected)
       VALUES (1, @imported_at, @actor, @source, @specialties, @presentations, @compositions, @groups, @rejected)`,
    ),
    list: db.prepare<[], DrugListRow>('SELECT * FROM drug_list WHERE id = 1'),
    // Marketed first; then the names that begin with the first word typed (DOLI → DOLIPRANE before
    // CODOLIPRANE, PARACETAMOL → the paracétamol generics before the combinations); then A–Z.
    search: db.prepare<[string, string, string, number], SpecialtyRow>(
      `SELECT ${SPECIALTY_COLUMNS} FROM drug_fts f JOIN drug_specialty s ON s.rowid = f.rowid
       WHERE drug_fts MATCH ? ORDER BY s.commercialised DESC, (substr(s.sort_name, 1, length(?)) = ?) DESC, s.sort_name LIMIT ?`,
    ),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM drug_fts WHERE drug_fts MATCH ?'),
    byCis: db.prepare<[string], SpecialtyRow>(`SELECT ${SPECIALTY_COLUMNS} FROM drug_specialty s WHERE s.cis = ?`),
    byCip13: db.prepare<[string], SpecialtyRow>(`SELECT ${SPECIALTY_COLUMNS} FROM drug_presentation p JOIN drug_specialty s ON s.cis = p.cis WHERE p.cip13 = ?`),
    byCip7: db.prepare<[string], SpecialtyRow>(`SELECT ${SPECIALTY_COLUMNS} FROM drug_presentation p JOIN drug_specialty s ON s.cis = p.cis WHERE p.cip7 = ?`),
    group: db.prepare<[string], SpecialtyRow>(`SELECT ${SPECIALTY_COLUMNS} FROM drug_specialty s WHERE s.generic_group = ? ORDER BY s.generic_type, s.commercialised DESC, s.sort_name`),
    presentationsOf: db.prepare<[string], PresentationRow>('SELECT cip13, cis, label, commercialised FROM drug_presentation WHERE cis = ? ORDER BY commercialised DESC, label'),
    presentation: db.prepare<[string], PresentationRow>('SELECT cip13, cis, label, commercialised FROM drug_presentation WHERE cip13 = ?'),
    substancesOf: db.prepare<[string], { name: string; dosage: string }>("SELECT name, dosage FROM drug_substance WHERE cis = ? AND nature = 'SA' ORDER BY rowid"),
  };
}

export type DrugStore = ReturnType<typeof createDrugStore>;
