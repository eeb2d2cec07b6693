/**
 * SQL of the patient tables, as named prepared statements (STYLE.md: SQL next to the service that
 * owns the table, never values concatenated into it). Maps rows to typed records.
 */
import type { IdentityHistoryEntry, IdentityState, IdentityStatus, StrictTraits, UsedTraits } from '../../contract/domains/identity';
import type { PatientSummary } from '../../contract/domains/patients';
import type { Environment } from '../../contract';
import type { Db } from '../../platform/db';
import { deriveStatus, foldForComparison, strictTraitsKey, type DocumentCheck } from '../identity';
import { assertStorable, type StoredField } from './fields';
import { allowedEdits, deleteNeighbourhood, editDistance, isVariant, prefixQuery, searchWords, tolerantQuery, trigrams, type PrefixTerms } from './search';

export interface PatientRecord {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  traits: StrictTraits;
  used: UsedTraits;
  identity: IdentityState;
  declaredNir: string | null;
  externalId: string | null;
  importId: number | null;
  /** Set once this record was merged into another (it stays, read-only, with its history). */
  mergedInto?: string | null;
  mergedAt?: string | null;
}

/** A probable duplicate pair, in id order. */
export interface DuplicatePairRow {
  id_low: string;
  id_high: string;
  reason: 'same-ins' | 'likeness';
  source: string;
  detected_at: string;
  detected_by: string;
  status: 'open' | 'merged' | 'distinct';
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
}

interface PatientRow {
  seq: number;
  id: string;
  version: number;
  created_at: string;
  updated_at: string;
  birth_name: string;
  birth_given_names: string;
  first_given_name: string;
  birth_year: number;
  birth_month: number | null;
  birth_day: number | null;
  birth_date: string;
  birth_date_estimated: number;
  sex: 'M' | 'F';
  birth_place_code: string | null;
  used_name: string | null;
  used_given_name: string | null;
  identity_status: IdentityState['status'];
  attr_homonyme: number;
  attr_douteuse: number;
  attr_fictive: number;
  ins_matricule: string | null;
  ins_oid: string | null;
  insi_confirmed_at: string | null;
  document_check: string | null;
  declared_nir: string | null;
  external_id: string | null;
  import_id: number | null;
  merged_into?: string | null;
  merged_at?: string | null;
}

type SummaryRow = Pick<
  PatientRow,
  | 'seq'
  | 'id'
  | 'birth_name'
  | 'used_name'
  | 'first_given_name'
  | 'used_given_name'
  | 'birth_year'
  | 'birth_month'
  | 'birth_day'
  | 'birth_date'
  | 'birth_date_estimated'
  | 'sex'
  | 'identity_status'
  | 'attr_homonyme'
  | 'attr_douteuse'
  | 'attr_fictive'
>;

const SUMMARY_COLUMNS = `p.seq, p.id, p.birth_name, p.used_name, p.first_given_name, p.used_given_name, p.birth_year, p.birth_month,
  p.birth_day, p.birth_date, p.birth_date_estimated, p.sex, p.identity_status, p.attr_homonyme, p.attr_douteuse, p.attr_fictive`;

function toRecord(row: PatientRow): PatientRecord {
  const identity: Omit<IdentityState, 'status'> = {
    attributes: { homonyme: row.attr_homonyme === 1, douteuse: row.attr_douteuse === 1, fictive: row.attr_fictive === 1 },
    ins: row.ins_matricule !== null && row.ins_oid !== null ? { matricule: row.ins_matricule, oid: row.ins_oid as never } : null,
    insiConfirmedAt: row.insi_confirmed_at,
    documentCheck: row.document_check === null ? null : (JSON.parse(row.document_check) as DocumentCheck),
  };
  const status = row.identity_status;
  if (status !== deriveStatus(identity)) {
    // The row was edited outside Pupitre: trust the facts, not the stored status.
    return toRecord({ ...row, identity_status: deriveStatus(identity) });
  }
  return {
    id: row.id,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    traits: {
      birthName: row.birth_name,
      birthGivenNames: row.birth_given_names,
      firstGivenName: row.first_given_name,
      birthDate: {
        year: row.birth_year,
        month: row.birth_month,
        day: row.birth_day,
        date: row.birth_date,
        estimated: row.birth_date_estimated === 1,
      },
      sex: row.sex,
      birthPlaceCode: row.birth_place_code,
    },
    used: { usedName: row.used_name, usedGivenName: row.used_given_name },
    identity: { ...identity, status },
    declaredNir: row.declared_nir,
    externalId: row.external_id,
    importId: row.import_id,
    mergedInto: row.merged_into ?? null,
    mergedAt: row.merged_at ?? null,
  };
}

/** The text columns fields.ts bounds (issue 14: lengths, control characters, formulas). */
function storedFields(record: PatientRecord): Partial<Record<StoredField, string | null>> {
  return {
    birthName: record.traits.birthName,
    birthGivenNames: record.traits.birthGivenNames,
    firstGivenName: record.traits.firstGivenName,
    birthPlaceCode: record.traits.birthPlaceCode,
    usedName: record.used.usedName,
    usedGivenName: record.used.usedGivenName,
    declaredNir: record.declaredNir,
    externalId: record.externalId,
  };
}

function toSummary(row: SummaryRow, match: 'exact' | 'approx'): PatientSummary {
  return {
    id: row.id,
    birthName: row.birth_name,
    usedName: row.used_name,
    firstGivenName: row.first_given_name,
    usedGivenName: row.used_given_name,
    birthDate: {
      year: row.birth_year,
      month: row.birth_month,
      day: row.birth_day,
      date: row.birth_date,
      estimated: row.birth_date_estimated === 1,
    },
    sex: row.sex,
    status: row.identity_status,
    attributes: { homonyme: row.attr_homonyme === 1, douteuse: row.attr_douteuse === 1, fictive: row.attr_fictive === 1 },
    match,
  };
}

function toParams(record: PatientRecord) {
  const { traits, used, identity } = record;
  return {
    id: record.id,
    version: record.version,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    birthName: traits.birthName,
    birthGivenNames: traits.birthGivenNames,
    firstGivenName: traits.firstGivenName,
    birthYear: traits.birthDate.year,
    birthMonth: traits.birthDate.month,
    birthDay: traits.birthDate.day,
    birthDate: traits.birthDate.date,
    birthDateEstimated: traits.birthDate.estimated ? 1 : 0,
    sex: traits.sex,
    birthPlaceCode: traits.birthPlaceCode,
    usedName: used.usedName,
    usedGivenName: used.usedGivenName,
    status: identity.status,
    homonyme: identity.attributes.homonyme ? 1 : 0,
    douteuse: identity.attributes.douteuse ? 1 : 0,
    fictive: identity.attributes.fictive ? 1 : 0,
    insMatricule: identity.ins?.matricule ?? null,
    insOid: identity.ins?.oid ?? null,
    insiConfirmedAt: identity.insiConfirmedAt,
    documentCheck: identity.documentCheck === null ? null : JSON.stringify(identity.documentCheck),
    declaredNir: record.declaredNir,
    externalId: record.externalId,
    strictKey: strictTraitsKey(traits),
    sortName: `${foldForComparison(traits.birthName)} ${foldForComparison(traits.firstGivenName)}`,
    importId: record.importId,
  };
}

export interface SearchFilters {
  words: string[];
  birthDate: { date: string } | { year: number } | null;
  nir: string | null;
  limit: number;
}

/**
 * Above this many FTS hits, walking the (covering) name index in order is cheaper than reading
 * and sorting the hits, which sit on as many scattered table pages (bench/patients-search).
 */
const FTS_DRIVER_MAX_HITS = 300;

/**
 * A query word of 4 letters or more is searched as the vocabulary terms it starts when there are
 * at most this many (cheaper than FTS5's prefix merge; bench/patients-search), else as a prefix.
 */
const PREFIX_TERMS_MAX = 8;

/** At most this many tolerated variants per query word, closest first. */
const MAX_VARIANTS = 20;

/**
 * The name ranges `[word, next word)` of names starting with one of the words, in name order and
 * without overlap (a word that starts with another one is inside that one's range).
 */
export function prefixRanges(words: readonly string[]): Array<[string, string]> {
  const sorted = [...new Set(words.filter((word) => word !== ''))].sort();
  const kept: string[] = [];
  for (const word of sorted) if (!kept.some((prefix) => word.startsWith(prefix))) kept.push(word);
  return kept.map((word) => [word, word.slice(0, -1) + String.fromCharCode(word.charCodeAt(word.length - 1) + 1)]);
}

/** Which patients a worklist covers: by RNIV status, by import, or an explicit list. */
export type InsiCandidateSelection =
  | { kind: 'status'; statuses: readonly IdentityStatus[] }
  | { kind: 'import'; importId: number }
  | { kind: 'patients'; ids: readonly string[] };

/** Qualified identities need no INSi call; douteuse and fictive ones must not get one (RNIV). */
const INSI_ELIGIBLE = "identity_status <> 'QUAL' AND attr_douteuse = 0 AND attr_fictive = 0 AND merged_into IS NULL";

export class PatientStore {
  private readonly statements;
  private readonly searchCache = new Map<string, ReturnType<Db['prepare']>>();

  constructor(
    private readonly db: Db,
    /** Every statement is scoped to the current environment's patients. */
    private readonly environment: () => Environment,
  ) {
    this.statements = {
      insert: db.prepare(`
        INSERT INTO patients (id, environment, version, created_at, updated_at, birth_name, birth_given_names, first_given_name, birth_year,
          birth_month, birth_day, birth_date, birth_date_estimated, sex, birth_place_code, used_name, used_given_name,
          identity_status, attr_homonyme, attr_douteuse, attr_fictive, ins_matricule, ins_oid, insi_confirmed_at,
          document_check, declared_nir, external_id, strict_key, sort_name, import_id)
        VALUES (@id, @environment, @version, @createdAt, @updatedAt, @birthName, @birthGivenNames, @firstGivenName, @birthYear,
          @birthMonth, @birthDay, @birthDate, @birthDateEstimated, @sex, @birthPlaceCode, @usedName, @usedGivenName,
          @status, @homonyme, @douteuse, @fictive, @insMatricule, @insOid, @insiConfirmedAt,
          @documentCheck, @declaredNir, @externalId, @strictKey, @sortName, @importId)`),
      update: db.prepare(`
        UPDATE patients SET version = @version, updated_at = @updatedAt, birth_name = @birthName,
          birth_given_names = @birthGivenNames, first_given_name = @firstGivenName, birth_year = @birthYear,
          birth_month = @birthMonth, birth_day = @birthDay, birth_date = @birthDate, birth_date_estimated = @birthDateEstimated,
          sex = @sex, birth_place_code = @birthPlaceCode, used_name = @usedName, used_given_name = @usedGivenName,
          identity_status = @status, attr_homonyme = @homonyme, attr_douteuse = @douteuse, attr_fictive = @fictive,
          ins_matricule = @insMatricule, ins_oid = @insOid, insi_confirmed_at = @insiConfirmedAt,
          document_check = @documentCheck, declared_nir = @declaredNir, strict_key = @strictKey, sort_name = @sortName
        WHERE id = @id AND environment = @environment AND version = @version - 1`),
      byId: db.prepare('SELECT * FROM patients WHERE id = ? AND environment = ?'),
      seqById: db.prepare('SELECT seq FROM patients WHERE id = ?').pluck(),
      countAll: db.prepare('SELECT COUNT(*) FROM patients WHERE environment = ?').pluck(),
      candidatesByStatus: db.prepare(`SELECT id FROM patients WHERE environment = ? AND ${INSI_ELIGIBLE} AND identity_status IN (SELECT value FROM json_each(?)) ORDER BY seq`).pluck(),
      candidatesByImport: db.prepare(`SELECT id FROM patients WHERE environment = ? AND ${INSI_ELIGIBLE} AND import_id = ? ORDER BY seq`).pluck(),
      candidatesById: db.prepare(`SELECT id FROM patients WHERE environment = ? AND ${INSI_ELIGIBLE} AND id IN (SELECT value FROM json_each(?)) ORDER BY seq`).pluck(),
      byStrictKey: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM patients p WHERE p.environment = ? AND p.strict_key = ? AND p.merged_into IS NULL ORDER BY p.seq LIMIT 20`),
      byInsNir: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM patients p WHERE p.environment = ? AND p.ins_nir = ? ORDER BY p.seq LIMIT 20`),
      idByExternalId: db.prepare('SELECT id FROM patients WHERE environment = ? AND external_id = ? AND merged_into IS NULL ORDER BY seq LIMIT 1').pluck(),
      idByStrictKey: db.prepare('SELECT id FROM patients WHERE environment = ? AND strict_key = ? AND merged_into IS NULL ORDER BY seq LIMIT 1').pluck(),
      // Probable duplicates are looked for among the living records born the same day, of the same sex.
      sameBirth: db.prepare('SELECT * FROM patients WHERE environment = ? AND birth_date = ? AND sex = ? AND merged_into IS NULL ORDER BY seq LIMIT 500'),
      idWithIns: db.prepare('SELECT id FROM patients WHERE environment = ? AND ins_nir = ? AND ins_matricule IS NOT NULL AND id <> ? LIMIT 1').pluck(),
      markMerged: db.prepare('UPDATE patients SET merged_into = @into, merged_at = @at, version = version + 1, updated_at = @at WHERE id = @id AND environment = @environment AND merged_into IS NULL'),
      pairGet: db.prepare('SELECT * FROM patient_duplicate_pairs WHERE environment = ? AND id_low = ? AND id_high = ?'),
      pairInsert: db.prepare(`INSERT INTO patient_duplicate_pairs (environment, id_low, id_high, reason, source, detected_at, detected_by)
        VALUES (@environment, @low, @high, @reason, @source, @at, @actor)
        ON CONFLICT (environment, id_low, id_high) DO UPDATE SET reason = 'same-ins', source = excluded.source, detected_at = excluded.detected_at,
          detected_by = excluded.detected_by, status = 'open', resolved_at = NULL, resolved_by = NULL, resolution = NULL
        -- One INS attempted on both records outweighs an earlier « distinct » decided on likeness.
        WHERE excluded.reason = 'same-ins' AND status <> 'merged'`),
      pairResolve: db.prepare(`UPDATE patient_duplicate_pairs SET status = @status, resolved_at = @at, resolved_by = @actor, resolution = @resolution
        WHERE environment = @environment AND id_low = @low AND id_high = @high`),
      pairsOpen: db.prepare("SELECT * FROM patient_duplicate_pairs WHERE environment = ? AND status = 'open' ORDER BY reason = 'same-ins' DESC, detected_at DESC LIMIT ?"),
      summaryById: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM patients p WHERE p.id = ? AND p.environment = ?`),
      ftsHits: db.prepare('SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? LIMIT ?').pluck(),
      ftsDelete: db.prepare('DELETE FROM patients_fts WHERE rowid = ?'),
      ftsInsert: db.prepare('INSERT INTO patients_fts (rowid, terms) VALUES (?, ?)'),
      termInsert: db.prepare('INSERT OR IGNORE INTO patient_terms (term) VALUES (?)'),
      termFtsInsert: db.prepare('INSERT INTO patient_terms_fts (term, neighbours) VALUES (?, ?)'),
      termTrigramInsert: db.prepare('INSERT INTO patient_terms_trigram (term) VALUES (?)'),
      termsUnder: db.prepare('SELECT term FROM patient_terms WHERE term >= ? AND term < ? LIMIT ?').pluck(),
      termNeighbours: db.prepare('SELECT term FROM patient_terms_fts WHERE patient_terms_fts MATCH ? LIMIT 500').pluck(),
      termTrigrams: db.prepare('SELECT term FROM patient_terms_trigram WHERE patient_terms_trigram MATCH ? ORDER BY rank LIMIT 300').pluck(),
      historyInsert: db.prepare(`
        INSERT INTO patient_identity_history (patient_id, at, actor, event, from_status, to_status, details)
        VALUES (@patientId, @at, @actor, @event, @from, @to, @details)`),
      historyList: db.prepare('SELECT at, actor, event, from_status, to_status, details FROM patient_identity_history WHERE patient_id = ? ORDER BY id'),
      importByFingerprint: db.prepare('SELECT id FROM patient_imports WHERE environment = ? AND fingerprint = ?').pluck(),
      importInsert: db.prepare(`
        INSERT INTO patient_imports (environment, fingerprint, imported_at, actor, encoding, separator, mapping, line_count, created_count, existing_count)
        VALUES (@environment, @fingerprint, @importedAt, @actor, @encoding, @separator, @mapping, @lineCount, @createdCount, @existingCount)`),
      importCounts: db.prepare('UPDATE patient_imports SET created_count = @created, existing_count = @existing WHERE id = @id'),
      importFinish: db.prepare(
        'UPDATE patient_imports SET fingerprint = @fingerprint, created_count = @created, existing_count = @existing, line_count = @lines WHERE id = @id',
      ),
      importCreatedCount: db.prepare('SELECT count(*) FROM patients WHERE import_id = ?').pluck(),
    };
  }

  /** Number of patients in the current environment. */
  count(): number {
    return this.statements.countAll.get(this.environment()) as number;
  }

  /** Ids of the patients an INSi worklist may cover, in creation order (see INSI_ELIGIBLE). */
  insiCandidates(selection: InsiCandidateSelection): string[] {
    const environment = this.environment();
    const ids =
      selection.kind === 'status'
        ? this.statements.candidatesByStatus.all(environment, JSON.stringify(selection.statuses))
        : selection.kind === 'import'
          ? this.statements.candidatesByImport.all(environment, selection.importId)
          : this.statements.candidatesById.all(environment, JSON.stringify(selection.ids));
    return ids as string[];
  }

  get(id: string): PatientRecord | null {
    const row = this.statements.byId.get(id, this.environment()) as PatientRow | undefined;
    return row === undefined ? null : toRecord(row);
  }

  insert(record: PatientRecord): void {
    assertStorable(storedFields(record));
    const info = this.statements.insert.run({ ...toParams(record), environment: this.environment() });
    this.index(Number(info.lastInsertRowid), record, false);
  }

  /** Living records born the same day with the same sex (candidates for the likeness comparison). */
  sameBirth(birthDate: string, sex: 'M' | 'F'): PatientRecord[] {
    return (this.statements.sameBirth.all(this.environment(), birthDate, sex) as PatientRow[]).map(toRecord);
  }

  /** Another record of this environment holding this INS (13 characters), if any. */
  otherWithIns(nir13: string, excludeId: string): string | null {
    return (this.statements.idWithIns.get(this.environment(), nir13, excludeId) as string | undefined) ?? null;
  }

  summary(id: string): PatientSummary | null {
    const row = this.statements.summaryById.get(id, this.environment()) as SummaryRow | undefined;
    return row === undefined ? null : toSummary(row, 'exact');
  }

  /** Marks a record merged into another and takes it out of the name index (searches no longer find it). */
  markMerged(id: string, into: string, at: string): boolean {
    const info = this.statements.markMerged.run({ id, into, at, environment: this.environment() });
    if (info.changes !== 1) return false;
    const seq = this.statements.seqById.get(id) as number;
    this.statements.ftsDelete.run(seq);
    return true;
  }

  pair(a: string, b: string): DuplicatePairRow | null {
    const [low, high] = a < b ? [a, b] : [b, a];
    return (this.statements.pairGet.get(this.environment(), low, high) as DuplicatePairRow | undefined) ?? null;
  }

  /** Records a probable duplicate pair (an open pair stays open; a resolved one is not reopened). */
  recordPair(a: string, b: string, reason: DuplicatePairRow['reason'], source: string, at: string, actor: string): void {
    const [low, high] = a < b ? [a, b] : [b, a];
    this.statements.pairInsert.run({ environment: this.environment(), low, high, reason, source, at, actor });
  }

  resolvePair(a: string, b: string, status: 'merged' | 'distinct', at: string, actor: string, resolution: Record<string, unknown>): void {
    const [low, high] = a < b ? [a, b] : [b, a];
    if (this.pair(a, b) === null) this.recordPair(a, b, 'likeness', 'desk', at, actor);
    this.statements.pairResolve.run({ environment: this.environment(), low, high, status, at, actor, resolution: JSON.stringify(resolution) });
  }

  openPairs(limit: number): DuplicatePairRow[] {
    return this.statements.pairsOpen.all(this.environment(), limit) as DuplicatePairRow[];
  }

  /** Writes a new version of the record; false when another write got there first. */
  update(record: PatientRecord): boolean {
    assertStorable(storedFields(record));
    const info = this.statements.update.run({ ...toParams(record), environment: this.environment() });
    if (info.changes !== 1) return false;
    const seq = this.statements.seqById.get(record.id) as number;
    this.index(seq, record, true);
    return true;
  }

  private index(seq: number, record: PatientRecord, replace: boolean): void {
    const words = searchWords(record.traits.birthName, record.used.usedName, record.traits.birthGivenNames, record.used.usedGivenName);
    if (replace) this.statements.ftsDelete.run(seq);
    this.statements.ftsInsert.run(seq, words.join(' '));
    for (const word of words) {
      if (this.statements.termInsert.run(word).changes === 1) {
        this.statements.termFtsInsert.run(word, deleteNeighbourhood(word).join(' '));
        this.statements.termTrigramInsert.run(word);
      }
    }
  }

  appendHistory(patientId: string, entry: IdentityHistoryEntry): void {
    this.statements.historyInsert.run({
      patientId,
      at: entry.at,
      actor: entry.actor,
      event: entry.event,
      from: entry.from,
      to: entry.to,
      details: JSON.stringify(entry.details),
    });
  }

  history(patientId: string): IdentityHistoryEntry[] {
    const rows = this.statements.historyList.all(patientId) as Array<{
      at: string;
      actor: string;
      event: string;
      from_status: IdentityHistoryEntry['from'];
      to_status: IdentityHistoryEntry['to'];
      details: string;
    }>;
    return rows.map((r) => ({ at: r.at, actor: r.actor, event: r.event, from: r.from_status, to: r.to_status, details: JSON.parse(r.details) as Record<string, unknown> }));
  }

  duplicatesOf(traits: StrictTraits, excludeId?: string): PatientSummary[] {
    const rows = this.statements.byStrictKey.all(this.environment(), strictTraitsKey(traits)) as SummaryRow[];
    return rows.filter((r) => r.id !== excludeId).map((r) => toSummary(r, 'exact'));
  }

  patientsWithIns(nir13: string, excludeId?: string): PatientSummary[] {
    const rows = this.statements.byInsNir.all(this.environment(), nir13) as SummaryRow[];
    return rows.filter((r) => r.id !== excludeId).map((r) => toSummary(r, 'exact'));
  }

  /** The existing patient an import line designates: same external number, else same strict traits. */
  existingFor(externalId: string | null, strictKey: string): string | null {
    if (externalId !== null) {
      const id = this.statements.idByExternalId.get(this.environment(), externalId) as string | undefined;
      if (id !== undefined) return id;
    }
    return (this.statements.idByStrictKey.get(this.environment(), strictKey) as string | undefined) ?? null;
  }

  importIdFor(fingerprint: string): number | null {
    return (this.statements.importByFingerprint.get(this.environment(), fingerprint) as number | undefined) ?? null;
  }

  insertImport(params: {
    fingerprint: string;
    importedAt: string;
    actor: string;
    encoding: string;
    separator: string;
    mapping: string;
    lineCount: number;
  }): number {
    return Number(this.statements.importInsert.run({ ...params, environment: this.environment(), createdCount: 0, existingCount: 0 }).lastInsertRowid);
  }

  setImportCounts(id: number, created: number, existing: number): void {
    this.statements.importCounts.run({ id, created, existing });
  }

  /** Marks an import written in batches as complete: it takes its file's fingerprint (service.ts). */
  finishImport(id: number, params: { fingerprint: string; existing: number; lines: number }): number {
    const created = this.statements.importCreatedCount.get(id) as number;
    this.statements.importFinish.run({ id, fingerprint: params.fingerprint, created, existing: params.existing, lines: params.lines });
    return created;
  }

  /**
   * Vocabulary words within the tolerated distance of a query word, closest first. One typo:
   * the word's delete neighbourhood meets the terms' (exact for substitutions, insertions,
   * deletions and adjacent transpositions), plus the terms starting like the word without its
   * last letter (still typing: DUPOM → DUPONT). Two typos (words of 8 letters or more): shared
   * trigrams, when one typo found nothing.
   */
  variantsOf(word: string): string[] {
    const max = allowedEdits(word);
    if (max === 0) return [];
    const neighbours = deleteNeighbourhood(word).map((w) => `"${w}"`).join(' OR ');
    const query = `neighbours : (${neighbours}) OR term : "${word.slice(0, -1)}"*`;
    let candidates = this.statements.termNeighbours.all(query) as string[];
    let variants = candidates.filter((term) => isVariant(word, term));
    if (variants.length === 0 && max > 1) {
      candidates = this.statements.termTrigrams.all(trigrams(word).map((g) => `"${g}"`).join(' OR ')) as string[];
      variants = candidates.filter((term) => isVariant(word, term));
    }
    // Closest first: the distance of each variant computed once (not in the comparator).
    return variants
      .map((term) => ({ term, distance: editDistance(word, term.slice(0, Math.max(word.length, Math.min(term.length, word.length + 1))), max) }))
      .sort((a, b) => a.distance - b.distance || a.term.localeCompare(b.term))
      .slice(0, MAX_VARIANTS)
      .map((v) => v.term);
  }

  private run(sql: string, params: Record<string, unknown>): SummaryRow[] {
    let statement = this.searchCache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.searchCache.set(sql, statement);
    }
    return statement.all(params) as SummaryRow[];
  }

  /**
   * Runs one search; `match` is the FTS5 expression or null when searching by date/NIR only.
   * Results are ordered with the patients whose name starts with one of the `leading` words first
   * (what the desk types first is the birth name: the first query word, and in the tolerant pass
   * its variants too — DUPOMT lists the DUPONT first), then by name.
   *
   * The driving index is chosen explicitly (SQLite would otherwise walk the name index and probe
   * the FTS result for every patient): the NIR indexes, the birth-date index, or the FTS hits when
   * they are few. For a broad match (thousands of hits), the name index is read in order, first
   * the ranges of names starting with a leading word, then the rest, each stopping at the limit.
   */
  search(filters: SearchFilters, match: string | null, excludeSeqs: ReadonlySet<number>, leading: readonly string[] = filters.words.slice(0, 1)): Array<SummaryRow> {
    const conditions: string[] = ['p.environment = @environment'];
    const limit = filters.limit + excludeSeqs.size;
    const params: Record<string, unknown> = { limit, environment: this.environment() };
    const ranges = prefixRanges(leading).map(([from, to], i) => {
      params[`from${i}`] = from;
      params[`to${i}`] = to;
      return `(p.sort_name >= @from${i} AND p.sort_name < @to${i})`;
    });
    const inRanges = ranges.join(' OR ');
    let order = 'p.sort_name, p.seq';
    if (ranges.length > 0) order = `CASE WHEN ${inRanges} THEN 0 ELSE 1 END, ${order}`;
    if (match !== null) params.match = match;
    if (filters.birthDate !== null) {
      if ('date' in filters.birthDate) {
        conditions.push('p.birth_date = @birthDate');
        params.birthDate = filters.birthDate.date;
      } else {
        conditions.push('p.birth_year = @birthYear');
        params.birthYear = filters.birthDate.year;
      }
    }
    const inFts = 'p.seq IN (SELECT rowid FROM patients_fts WHERE patients_fts MATCH @match)';
    // Merged records are out of the FTS index; the paths that do not go through it skip them here
    // (the name-index walk reads only the covering index and always goes through the FTS match).
    const live = [...conditions, 'p.merged_into IS NULL'];
    // SQL text depends only on which criteria are present and on the number of leading ranges
    // (fixed fragments, at most MAX_VARIANTS + 1); values are bound.
    const select = (from: string, where: string[], orderBy: string) =>
      this.run(`SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT @limit`, params);

    let rows: SummaryRow[];
    let hits: number[];
    if (filters.nir !== null) {
      params.nir = filters.nir;
      const from = `(SELECT seq FROM patients WHERE environment = @environment AND ins_nir = @nir
                     UNION SELECT seq FROM patients WHERE environment = @environment AND declared_nir = @nir) n
                   CROSS JOIN patients p ON p.seq = n.seq`;
      rows = select(from, match === null ? live : [...live, inFts], order);
    } else if (filters.birthDate !== null && 'date' in filters.birthDate) {
      rows = select('patients p INDEXED BY patients_birth_date', match === null ? live : [...live, inFts], order);
    } else if (match === null) {
      rows = select('patients p INDEXED BY patients_birth_year', live, order);
    } else if ((hits = this.statements.ftsHits.all(match, FTS_DRIVER_MAX_HITS + 1) as number[]).length <= FTS_DRIVER_MAX_HITS) {
      // Few hits: read them (already found, passed as a JSON array) and sort them.
      params.hits = JSON.stringify(hits);
      delete params.match;
      rows = select('json_each(@hits) h CROSS JOIN patients p ON p.seq = h.value', conditions, order);
    } else {
      const from = filters.birthDate !== null ? 'patients p INDEXED BY patients_birth_year' : 'patients p INDEXED BY patients_sort_name';
      rows = [];
      // One range at a time, in name order (prefixRanges sorts them and they do not overlap).
      for (let i = 0; i < ranges.length && rows.length < limit; i += 1) rows.push(...select(from, [...conditions, `p.sort_name >= @from${i}`, `p.sort_name < @to${i}`, inFts], 'p.sort_name, p.seq'));
      if (rows.length < limit) rows.push(...select(from, ranges.length === 0 ? [...conditions, inFts] : [...conditions, `NOT (${inRanges})`, inFts], 'p.sort_name, p.seq'));
      rows = rows.slice(0, limit);
    }
    return rows.filter((r) => !excludeSeqs.has(r.seq)).slice(0, filters.limit);
  }

  /** Vocabulary terms under each query word of 4 letters or more, when there are at most PREFIX_TERMS_MAX. */
  private prefixTerms(words: readonly string[]): PrefixTerms {
    const terms = new Map<string, string[]>();
    for (const word of words) {
      if (word.length < 4 || terms.has(word)) continue;
      const [from, to] = prefixRanges([word])[0] as [string, string];
      const found = this.statements.termsUnder.all(from, to, PREFIX_TERMS_MAX + 1) as string[];
      if (found.length <= PREFIX_TERMS_MAX) terms.set(word, found);
    }
    return terms;
  }

  /** Exact (prefix) matches first, then tolerant matches when there is room. */
  searchPatients(filters: SearchFilters): { results: PatientSummary[]; approximate: boolean } {
    if (filters.words.length === 0) {
      return { results: this.search(filters, null, new Set()).map((r) => toSummary(r, 'exact')), approximate: false };
    }
    const terms = this.prefixTerms(filters.words);
    const exact = this.search(filters, prefixQuery(filters.words, terms), new Set());
    const results = exact.map((r) => toSummary(r, 'exact'));
    if (exact.length >= filters.limit) return { results, approximate: false };
    const variants = new Map<string, string[]>();
    for (const word of filters.words) {
      const found = this.variantsOf(word);
      if (found.length > 0) variants.set(word, found);
    }
    if (variants.size === 0) return { results, approximate: false };
    const seen = new Set(exact.map((r) => r.seq));
    const first = filters.words[0] as string;
    const approx = this.search({ ...filters, limit: filters.limit - exact.length }, tolerantQuery(filters.words, variants, terms), seen, [first, ...(variants.get(first) ?? [])]);
    return { results: [...results, ...approx.map((r) => toSummary(r, 'approx'))], approximate: approx.length > 0 };
  }
}

/** One identity « récupérée » awaiting the check of its identity document (the desk's follow-up list). */
export interface IdentityToVerify {
  id: string;
  birthName: string;
  firstGivenName: string;
  /** yyyy-MM-dd (INSi form; may hold 00 for an unknown day or month). */
  birthDate: string;
  sex: 'M' | 'F';
  /** When INSi returned the identity (ISO), null if unknown. */
  retrievedAt: string | null;
  /** The practice software's file number (import), null when the patient was created here. */
  externalId: string | null;
}

export type ToVerifySort = 'name' | 'retrieved' | 'birthDate';

/** Fixed ORDER BY clauses: the user picks one by name, never writes SQL. */
const TO_VERIFY_ORDER: Record<ToVerifySort, string> = {
  name: 'sort_name, seq',
  retrieved: 'insi_confirmed_at IS NULL, insi_confirmed_at DESC, sort_name, seq',
  birthDate: 'birth_date, sort_name, seq',
};

/**
 * RNIV: an identity « récupérée » has its INS from INSi but its identity document not yet checked;
 * the desk checks it at the next visit. Filter on the folded name (`sort_name`), sorted as asked.
 */
export function identitiesToVerify(db: Db, environment: Environment, query: { text: string | null; sort: ToVerifySort; limit: number }): { rows: IdentityToVerify[]; total: number } {
  const where = "environment = @environment AND identity_status = 'RECUP' AND (@text IS NULL OR instr(sort_name, @text) > 0)";
  const params = { environment, text: query.text === null || query.text === '' ? null : foldForComparison(query.text) };
  const rows = db
    .prepare(
      `SELECT id, birth_name, first_given_name, birth_date, sex, insi_confirmed_at, external_id FROM patients WHERE ${where} ORDER BY ${TO_VERIFY_ORDER[query.sort]} LIMIT @limit`,
    )
    .all({ ...params, limit: query.limit }) as Array<{ id: string; birth_name: string; first_given_name: string; birth_date: string; sex: 'M' | 'F'; insi_confirmed_at: string | null; external_id: string | null }>;
  const total = db.prepare(`SELECT count(*) FROM patients WHERE ${where}`).pluck().get(params) as number;
  return {
    rows: rows.map((r) => ({ id: r.id, birthName: r.birth_name, firstGivenName: r.first_given_name, birthDate: r.birth_date, sex: r.sex, retrievedAt: r.insi_confirmed_at, externalId: r.external_id })),
    total,
  };
}

/** « NOM PRÉNOM » of these patients of `environment` (the audit screen, the File d'envoi). */
export function displayNames(db: Db, environment: Environment, ids: readonly string[]): Map<string, string> {
  if (ids.length === 0) return new Map();
  const rows = db
    .prepare('SELECT id, birth_name, first_given_name FROM patients WHERE environment = ? AND id IN (SELECT value FROM json_each(?))')
    .all(environment, JSON.stringify([...new Set(ids)])) as Array<{ id: string; birth_name: string; first_given_name: string }>;
  return new Map(rows.map((r) => [r.id, `${r.birth_name} ${r.first_given_name}`]));
}

/** Ids of the patients whose folded name contains `text` (the audit screen's patient filter). */
export function idsByName(db: Db, environment: Environment, text: string, limit = 500): string[] {
  const folded = foldForComparison(text);
  if (folded === '') return [];
  return db.prepare('SELECT id FROM patients WHERE environment = ? AND instr(sort_name, ?) > 0 LIMIT ?').pluck().all(environment, folded, limit) as string[];
}
