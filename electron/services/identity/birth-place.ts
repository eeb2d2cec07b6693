/**
 * Birth places: the INS birth place is the INSEE code (COG) of the commune **at the date of
 * birth**, or 99xxx for a country abroad (insi.md §2.2). The desk types a name and picks from a
 * completion list; every screen shows the name, never the bare code (« 75056 » → « Paris »).
 *
 * Communes come from Etalab's `@etalab/decoupage-administratif` (version read from its
 * package.json, COG 2026 for 6.0.0): current communes, municipal arrondissements (Paris, Lyon,
 * Marseille), and — so that communes merged since a birth are still found — the communes
 * déléguées and associées with their own code and name, plus every former code listed under its
 * current commune (`anciensCodes`). A former code with no commune déléguée/associée row has no
 * name in that dataset (INSEE's historical file « communes depuis 1943 » is not on npm): it is
 * found by the name of the commune it joined and shown as « ancienne commune rattachée à … ».
 * Countries come from INSEE's country list (data/insee-countries.ts).
 *
 * The dataset (8 MB of JSON) is read once, lazily, by the host only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { INSEE_COUNTRIES, INSEE_COUNTRIES_VINTAGE } from './data/insee-countries';
import { foldForComparison } from './normalize';

export type BirthPlaceKind = 'commune' | 'commune-deleguee' | 'commune-associee' | 'ancienne-commune' | 'arrondissement' | 'pays';

export interface BirthPlace {
  code: string;
  /** Name as INSEE writes it; for a nameless former code, the name of the commune it joined. */
  name: string;
  kind: BirthPlaceKind;
  /** Department name (communes), null for a country. */
  department: string | null;
  /** The current commune a merged/associated/former code now belongs to. */
  current: { code: string; name: string } | null;
  /** What the desk reads: « Clermont-Ferrand (Puy-de-Dôme) », « Saint-Bois, commune déléguée d'Arboys en Bugey (Ain) », « Espagne ». */
  label: string;
}

interface RawCommune {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  chefLieu?: string;
  commune?: string;
  anciensCodes?: string[];
  population?: number;
}

interface Entry extends BirthPlace {
  /**
   * The name folded for comparison, computed for every entry on the first search only: folding
   * the ~40 000 names cost about a second at start-up, where the demo seed and patient views
   * only need labels by code (issue 15).
   */
  folded: string | null;
  /** Ranking: current communes by population first. */
  weight: number;
}

interface Index {
  byCode: Map<string, Entry[]>;
  entries: Entry[];
  /** code → the current commune code it belongs to (itself for a current commune). */
  lineage: Map<string, string>;
  datasetVersion: string;
}

let index: Index | null = null;

function load(): Index {
  if (index !== null) return index;
  const require = createRequire(import.meta.url);
  const communes = JSON.parse(readFileSync(require.resolve('@etalab/decoupage-administratif/data/communes.json'), 'utf8')) as RawCommune[];
  const departements = JSON.parse(readFileSync(require.resolve('@etalab/decoupage-administratif/data/departements.json'), 'utf8')) as Array<{
    code: string;
    nom: string;
  }>;
  const pkg = JSON.parse(readFileSync(require.resolve('@etalab/decoupage-administratif/package.json'), 'utf8')) as { version: string };
  const departmentName = new Map(departements.map((d) => [d.code, d.nom]));
  const current = new Map(communes.filter((c) => c.type === 'commune-actuelle').map((c) => [c.code, c]));
  const byCode = new Map<string, Entry[]>();
  const lineage = new Map<string, string>();
  const entries: Entry[] = [];
  const add = (entry: Entry) => {
    entries.push(entry);
    const list = byCode.get(entry.code);
    if (list === undefined) byCode.set(entry.code, [entry]);
    else list.push(entry);
  };
  const make = (code: string, name: string, kind: BirthPlaceKind, department: string | null, parent: RawCommune | null, weight: number): Entry => {
    const place = department === null || department === name ? '' : ` (${department})`;
    let label: string;
    if (kind === 'commune' || kind === 'arrondissement') label = `${name}${place}`;
    else if (kind === 'ancienne-commune') label = `Ancienne commune rattachée à ${parent?.nom ?? name}${place}`;
    else {
      const what = kind === 'commune-deleguee' ? 'commune déléguée' : 'commune associée';
      label = parent === null || parent.nom === name ? `${name}, ${what}${place}` : `${name}, ${what} de ${parent.nom}${place}`;
    }
    return {
      code,
      name,
      kind,
      department,
      current: parent === null ? null : { code: parent.code, name: parent.nom },
      label,
      folded: null,
      weight,
    };
  };
  for (const c of communes) {
    const department = c.departement === undefined ? null : (departmentName.get(c.departement) ?? null);
    if (c.type === 'commune-actuelle') {
      add(make(c.code, c.nom, 'commune', department, null, c.population ?? 0));
      lineage.set(c.code, c.code);
    } else if (c.type === 'arrondissement-municipal') {
      const parent = c.commune === undefined ? null : (current.get(c.commune) ?? null);
      add(make(c.code, c.nom, 'arrondissement', department, parent, (c.population ?? 0) / 10));
      if (parent !== null) lineage.set(c.code, parent.code);
    } else {
      const parent = c.chefLieu === undefined ? null : (current.get(c.chefLieu) ?? null);
      add(make(c.code, c.nom, c.type, department, parent, 0));
      if (parent !== null && !lineage.has(c.code)) lineage.set(c.code, parent.code);
    }
  }
  for (const c of current.values()) {
    for (const old of c.anciensCodes ?? []) {
      if (!lineage.has(old) || lineage.get(old) === old) {
        if (!current.has(old)) lineage.set(old, c.code);
      }
      if (!byCode.has(old)) {
        const department = c.departement === undefined ? null : (departmentName.get(c.departement) ?? null);
        add(make(old, c.nom, 'ancienne-commune', department, c, -1));
      }
    }
  }
  for (const country of INSEE_COUNTRIES) {
    const label = country.until === undefined ? country.name : `${country.name} (jusqu’en ${country.until})`;
    add({ code: country.code, name: country.name, kind: 'pays', department: null, current: null, label, folded: null, weight: 1_000 });
    lineage.set(country.code, country.code);
  }
  index = { byCode, entries, lineage, datasetVersion: pkg.version };
  return index;
}

/** Where the names come from, for the README and the Diagnostic screen. */
export function birthPlaceSources(): { communes: string; countries: string } {
  return { communes: `@etalab/decoupage-administratif ${load().datasetVersion}`, countries: `INSEE ${INSEE_COUNTRIES_VINTAGE}` };
}

/** The place a code designates, or null when the code is in neither list. */
export function describeBirthPlace(code: string): BirthPlace | null {
  const list = load().byCode.get(code.toUpperCase());
  if (list === undefined || list[0] === undefined) return null;
  // A code that is both a commune déléguée and the current commune (the chef-lieu keeps its code):
  // the current commune is what the code designates today.
  const entry = list.find((e) => e.kind === 'commune') ?? list[0];
  return strip(entry);
}

/** The name to show for a code; an unknown code is said to be unknown, never shown bare. */
export function birthPlaceLabel(code: string | null): string | null {
  if (code === null) return null;
  return describeBirthPlace(code)?.label ?? 'Lieu de naissance absent du référentiel INSEE';
}

function strip(entry: Entry): BirthPlace {
  return { code: entry.code, name: entry.name, kind: entry.kind, department: entry.department, current: entry.current, label: entry.label };
}

/** Common abbreviations typed at the desk (« ST ETIENNE », « STE FOY »). */
function expand(folded: string): string {
  return folded
    .split(' ')
    .map((w) => (w === 'ST' ? 'SAINT' : w === 'STE' ? 'SAINTE' : w))
    .join(' ');
}

/**
 * Completion: places whose name starts with what was typed (accents, case, hyphens and
 * apostrophes ignored), best first — the exact name, then current communes by population, then
 * communes déléguées/associées and former codes, countries among them by name. Five characters
 * that are a known code find that code.
 */
let foldedAll = false;

/** The index with every name folded (the first search pays it once). */
function searchable(): Index {
  const loaded = load();
  if (!foldedAll) {
    for (const entry of loaded.entries) entry.folded ??= foldForComparison(entry.name);
    foldedAll = true;
  }
  return loaded;
}

/** An entry's folded name (set by `searchable`). */
const foldedOf = (entry: Entry): string => entry.folded ?? foldForComparison(entry.name);

export function searchBirthPlaces(query: string, limit = 20): BirthPlace[] {
  const { byCode, entries } = searchable();
  const text = query.trim();
  if (/^(?:\d{5}|2[AB]\d{3})$/i.test(text)) return (byCode.get(text.toUpperCase()) ?? []).map(strip);
  const folded = expand(foldForComparison(text));
  if (folded.length < 2) return [];
  const words = folded.split(' ');
  const hits: Entry[] = [];
  for (const entry of entries) {
    if (foldedOf(entry).startsWith(folded)) hits.push(entry);
    else if (words.length > 1) {
      // « saint etienne loire » : every typed word starts a word of the name.
      const nameWords = foldedOf(entry).split(' ');
      if (words.every((w) => nameWords.some((n) => n.startsWith(w)))) hits.push(entry);
    }
  }
  const rank = (e: Entry) => (foldedOf(e) === folded ? 0 : 1);
  hits.sort((a, b) => rank(a) - rank(b) || b.weight - a.weight || a.name.localeCompare(b.name, 'fr'));
  return hits.slice(0, limit).map(strip);
}

/**
 * Whether two codes designate the same place once commune mergers are followed (a commune
 * déléguée or associée, a former code or a municipal arrondissement and the commune it belongs
 * to now). Used by the INSi acceptance rule: a birth place typed as today's commune while INSi
 * returns the code at the date of birth is a history difference, not another person.
 */
export function sameBirthPlaceLineage(a: string, b: string): boolean {
  if (a === b) return true;
  const { lineage } = load();
  const ra = lineage.get(a.toUpperCase());
  const rb = lineage.get(b.toUpperCase());
  return ra !== undefined && ra === rb;
}
