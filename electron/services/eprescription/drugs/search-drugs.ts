/**
 * Use case: search the drug list as the prescriber types (name, strength, substance) or by code
 * (CIS 8 digits, CIP7, CIP13). Every word matches as a prefix in the FTS5 index of folded words;
 * marketed specialties first, then alphabetical. Benchmarked in bench/eprescription.bench.ts against
 * the patient search.
 */
import type { Db } from '../../../platform/db';
import type { DrugView } from '../../../contract/domains/eprescription';
import { drugWords } from './fold';
import { createDrugStore, type DrugStore, type SpecialtyRow } from './store';

export interface DrugSearchResult {
  drugs: DrugView[];
  total: number;
  source: { importedAt: string; specialties: number; presentations: number } | null;
}

const stores = new WeakMap<Db, DrugStore>();

export function drugStore(db: Db): DrugStore {
  let store = stores.get(db);
  if (store === undefined) {
    store = createDrugStore(db);
    stores.set(db, store);
  }
  return store;
}

export function drugView(store: DrugStore, row: SpecialtyRow): DrugView {
  return {
    cis: row.cis,
    name: row.name,
    form: row.form,
    routes: row.routes === '' ? [] : row.routes.split(';'),
    commercialised: row.commercialised === 1,
    substances: [...new Set(store.substancesOf.all(row.cis).map((s) => (s.dosage === '' ? s.name : `${s.name} ${s.dosage}`)))],
    presentations: store.presentationsOf.all(row.cis).map((p) => ({ cip13: p.cip13, label: p.label, commercialised: p.commercialised === 1 })),
    genericGroup: row.generic_group === null ? null : { id: row.generic_group, label: row.generic_label ?? '' },
  };
}

export function searchDrugs(db: Db, text: string, limit = 20): DrugSearchResult {
  const store = drugStore(db);
  const list = store.list.get();
  const source = list === undefined ? null : { importedAt: list.imported_at, specialties: list.specialties, presentations: list.presentations };
  const query = text.trim();
  const compact = query.replace(/\s+/g, '');
  let rows: SpecialtyRow[] = [];
  let total = 0;
  if (/^\d{13}$/.test(compact)) rows = store.byCip13.all(compact);
  else if (/^\d{8}$/.test(compact)) rows = store.byCis.all(compact);
  else if (/^\d{7}$/.test(compact)) rows = store.byCip7.all(compact);
  if (rows.length > 0) return { drugs: rows.map((r) => drugView(store, r)), total: rows.length, source };

  const words = drugWords(query);
  // One letter matches thousands of names: wait for two characters (a digit alone is a strength).
  if (words.length === 0 || words.every((w) => w.length < 2 && !/^\d$/.test(w))) return { drugs: [], total: 0, source };
  const match = words.map((w) => `"${w}"*`).join(' AND ');
  const first = words[0] ?? '';
  rows = store.search.all(match, first, first, limit);
  total = rows.length < limit ? rows.length : store.count.get(match)?.n ?? rows.length;
  return { drugs: rows.map((r) => drugView(store, r)), total, source };
}

/** Specialties of the generic group of `cis` (princeps first), for substitution. */
export function genericsOf(db: Db, cis: string): DrugView[] {
  const store = drugStore(db);
  const specialty = store.byCis.get(cis);
  if (specialty === undefined || specialty.generic_group === null) return [];
  return store.group.all(specialty.generic_group).map((r) => drugView(store, r));
}

/** A presentation by CIP13 (the pharmacist types or scans the box's code). */
export function presentationByCip13(db: Db, cip13: string): { cip13: string; label: string; specialty: string } | null {
  const store = drugStore(db);
  const p = store.presentation.get(cip13);
  if (p === undefined) return null;
  return { cip13: p.cip13, label: p.label, specialty: store.byCis.get(p.cis)?.name ?? '' };
}
