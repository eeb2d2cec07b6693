/** SQL of the DMP tables (schema.ts), as named prepared statements. */
import type { Db } from '../../platform/db';
import type { DmpStatus } from './td02';
import type { DocumentEntry, XdsDocumentMetadata } from './xds';

export interface StoredDocument {
  entry: DocumentEntry;
  firstSeenAt: string;
  seen: boolean;
}

export interface OutgoingRow {
  uniqueId: string;
  patientId: string;
  createdAt: string;
  actor: string;
  metadata: XdsDocumentMetadata;
  replaces: string | null;
  jobId: string | null;
  sentAt: string | null;
  /** Digest of the canonical form computed when queued (XAdES manifest), or null: computed when sent. */
  canonicalDigest: { algorithm: 'sha256'; value: string } | null;
}

/** Where an outgoing document's bytes are: a sealed file beside the database, or a blob in it. */
export type OutgoingContentRef = { kind: 'file'; file: string; key: Buffer; size: number } | { kind: 'blob'; content: Buffer };

export type DmpStore = ReturnType<typeof createDmpStore>;

/**
 * A patient's list is shown only under the INS it was fetched with (`ins_key`, schema.ts,
 * dmpMigrations3): the rows of a list kept before that step are read as absent until an opening
 * searches again.
 */
const LISTED_UNDER_AN_INS = 'EXISTS (SELECT 1 FROM dmp_patient_state s WHERE s.patient_id = dmp_documents.patient_id AND s.ins_key IS NOT NULL)';

export function createDmpStore(db: Db) {
  const statements = {
    getState: db.prepare<[string], { status_json: string | null; checked_at: string | null; last_call_at: string | null; ins_key: string }>(
      'SELECT status_json, checked_at, last_call_at, ins_key FROM dmp_patient_state WHERE patient_id = ? AND ins_key IS NOT NULL',
    ),
    putStatus: db.prepare<[string, string, string, string]>(
      `INSERT INTO dmp_patient_state (patient_id, status_json, checked_at, ins_key) VALUES (?, ?, ?, ?)
       ON CONFLICT (patient_id) DO UPDATE SET status_json = excluded.status_json, checked_at = excluded.checked_at, ins_key = excluded.ins_key`,
    ),
    putLastCall: db.prepare<[string, string, string]>(
      `INSERT INTO dmp_patient_state (patient_id, last_call_at, ins_key) VALUES (?, ?, ?)
       ON CONFLICT (patient_id) DO UPDATE SET last_call_at = excluded.last_call_at, ins_key = excluded.ins_key`,
    ),
    documents: db.prepare<[string], { entry_json: string; first_seen_at: string; seen: number }>(
      `SELECT entry_json, first_seen_at, seen FROM dmp_documents
       WHERE patient_id = ? AND ${LISTED_UNDER_AN_INS}
       ORDER BY first_seen_at DESC`,
    ),
    document: db.prepare<[string, string], { entry_json: string; first_seen_at: string; seen: number }>(
      `SELECT entry_json, first_seen_at, seen FROM dmp_documents
       WHERE patient_id = ? AND unique_id = ? AND ${LISTED_UNDER_AN_INS}`,
    ),
    rawInsKey: db.prepare<[string], { ins_key: string | null }>('SELECT ins_key FROM dmp_patient_state WHERE patient_id = ?'),
    anyDocument: db.prepare<[string, string], { seen: number }>('SELECT seen FROM dmp_documents WHERE patient_id = ? AND unique_id = ?'),
    listedIds: db.prepare<[string], { unique_id: string }>('SELECT unique_id FROM dmp_documents WHERE patient_id = ?'),
    forgetDocument: db.prepare<[string, string]>('DELETE FROM dmp_documents WHERE patient_id = ? AND unique_id = ?'),
    forgetDocuments: db.prepare<[string]>('DELETE FROM dmp_documents WHERE patient_id = ?'),
    forgetState: db.prepare<[string]>('DELETE FROM dmp_patient_state WHERE patient_id = ?'),
    adoptState: db.prepare<[string, string]>('INSERT OR REPLACE INTO dmp_patient_state (patient_id, ins_key) VALUES (?, ?)'),
    byLogicalId: db.prepare<[string, string], { unique_id: string }>(
      `SELECT unique_id FROM dmp_documents
       WHERE patient_id = ? AND logical_id = ? AND ${LISTED_UNDER_AN_INS}`,
    ),
    upsertDocument: db.prepare<[string, string, string, string, string, string, string, number]>(
      `INSERT INTO dmp_documents (patient_id, unique_id, entry_uuid, logical_id, entry_json, first_seen_at, updated_at, seen)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (patient_id, unique_id) DO UPDATE SET entry_uuid = excluded.entry_uuid, logical_id = excluded.logical_id,
         entry_json = excluded.entry_json, updated_at = excluded.updated_at
       WHERE dmp_documents.entry_json IS NOT excluded.entry_json`,
    ),
    markSeen: db.prepare<[string, string]>('UPDATE dmp_documents SET seen = 1 WHERE patient_id = ? AND unique_id = ? AND seen = 0'),
    insertOutgoing: db.prepare<[string, string, string, string, string, string | null, string | null, string | null]>(
      `INSERT INTO dmp_outgoing (unique_id, patient_id, created_at, actor, metadata_json, replaces, job_id, canonical_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertContent: db.prepare<[string, Buffer]>('INSERT INTO dmp_outgoing_content (unique_id, content) VALUES (?, ?)'),
    insertContentFile: db.prepare<[string, string, Buffer, number]>('INSERT INTO dmp_outgoing_file (unique_id, file, file_key, size) VALUES (?, ?, ?, ?)'),
    contentFile: db.prepare<[string], { file: string; file_key: Buffer; size: number }>('SELECT file, file_key, size FROM dmp_outgoing_file WHERE unique_id = ?'),
    contentFiles: db.prepare<[], { file: string }>('SELECT file FROM dmp_outgoing_file'),
    setOutgoingSent: db.prepare<[string, string]>('UPDATE dmp_outgoing SET sent_at = ? WHERE unique_id = ? AND sent_at IS NULL'),
    outgoing: db.prepare<[string], OutgoingDbRow>(
      'SELECT unique_id, patient_id, created_at, actor, metadata_json, replaces, job_id, sent_at, canonical_digest FROM dmp_outgoing WHERE unique_id = ?',
    ),
    outgoingContent: db.prepare<[string], { content: Buffer }>('SELECT content FROM dmp_outgoing_content WHERE unique_id = ?'),
    outgoingByPatient: db.prepare<[string], OutgoingDbRow>(
      'SELECT unique_id, patient_id, created_at, actor, metadata_json, replaces, job_id, sent_at, canonical_digest FROM dmp_outgoing WHERE patient_id = ? ORDER BY created_at DESC, rowid DESC',
    ),
  };

  const toOutgoing = (row: OutgoingDbRow): OutgoingRow => ({
    uniqueId: row.unique_id,
    patientId: row.patient_id,
    createdAt: row.created_at,
    actor: row.actor,
    metadata: JSON.parse(row.metadata_json) as XdsDocumentMetadata,
    replaces: row.replaces,
    jobId: row.job_id,
    sentAt: row.sent_at,
    canonicalDigest: row.canonical_digest?.startsWith('sha256:') === true ? { algorithm: 'sha256', value: row.canonical_digest.slice('sha256:'.length) } : null,
  });
  const toStored = (row: { entry_json: string; first_seen_at: string; seen: number }): StoredDocument => ({
    entry: JSON.parse(row.entry_json) as DocumentEntry,
    firstSeenAt: row.first_seen_at,
    seen: row.seen === 1,
  });

  /** Drops what is kept of a patient's DMP: its status, last call and document list. */
  const forgetList = (patientId: string): void => {
    statements.forgetState.run(patientId);
    statements.forgetDocuments.run(patientId);
  };
  /** What is kept under another INS (or under none) never becomes visible by a write under this one. */
  const forgetUnlessUnder = (patientId: string, insKey: string): void => {
    if (statements.rawInsKey.get(patientId)?.ins_key !== insKey) forgetList(patientId);
  };

  const reassignUnsent = db.prepare<[string, string]>('UPDATE dmp_outgoing SET patient_id = ? WHERE patient_id = ? AND sent_at IS NULL');
  return {
    /** Unsent documents of a merged record follow the record kept; sent ones stay where they were sent from. */
    reassignUnsent(fromPatientId: string, toPatientId: string): number {
      return reassignUnsent.run(toPatientId, fromPatientId).changes;
    },
    /** The status and last call kept for a patient, with the INS they belong to (`insKey`, null: nothing kept). */
    state(patientId: string): { status: (DmpStatus & { checkedAt: string }) | null; lastCallAt: string | null; insKey: string | null } {
      const row = statements.getState.get(patientId);
      if (row === undefined) return { status: null, lastCallAt: null, insKey: null };
      const status = row.status_json === null || row.checked_at === null ? null : { ...(JSON.parse(row.status_json) as DmpStatus), checkedAt: row.checked_at };
      return { status, lastCallAt: row.last_call_at, insKey: row.ins_key };
    },
    putStatus(patientId: string, status: DmpStatus, at: string, insKey: string): void {
      forgetUnlessUnder(patientId, insKey);
      statements.putStatus.run(patientId, JSON.stringify(status), at, insKey);
    },
    putLastCall(patientId: string, at: string, insKey: string): void {
      forgetUnlessUnder(patientId, insKey);
      statements.putLastCall.run(patientId, at, insKey);
    },
    forgetList,
    /**
     * A list kept without its INS (before the INS was recorded with it), taken back under `insKey`
     * by a first search: the entries it found again (`keep`) stay with their « vu » marks, the
     * others go, and so do the status and the last call.
     */
    adoptList(patientId: string, insKey: string, keep: ReadonlySet<string>): void {
      for (const { unique_id: uniqueId } of statements.listedIds.all(patientId)) if (!keep.has(uniqueId)) statements.forgetDocument.run(patientId, uniqueId);
      statements.adoptState.run(patientId, insKey);
    },
    documents(patientId: string): StoredDocument[] {
      return statements.documents.all(patientId).map(toStored);
    },
    document(patientId: string, uniqueId: string): StoredDocument | null {
      const row = statements.document.get(patientId, uniqueId);
      return row === undefined ? null : toStored(row);
    },
    uniqueIdForLogicalId(patientId: string, logicalId: string): string | null {
      return statements.byLogicalId.get(patientId, logicalId)?.unique_id ?? null;
    },
    /**
     * Inserts or updates (a new metadata version keeps its first-seen date); returns true when new.
     * An entry the DMP lists again unchanged is not rewritten (a widened search of 2 000 documents
     * re-lists the ones already here: no page to encrypt, nothing in the WAL).
     */
    upsertDocument(patientId: string, entry: DocumentEntry, at: string, seen: boolean): boolean {
      const existed = statements.anyDocument.get(patientId, entry.uniqueId) !== undefined;
      statements.upsertDocument.run(patientId, entry.uniqueId, entry.entryUuid, entry.logicalId, JSON.stringify(entry), at, at, seen ? 1 : 0);
      return !existed;
    },
    markSeen(patientId: string, uniqueIds: readonly string[]): number {
      let n = 0;
      for (const id of uniqueIds) n += statements.markSeen.run(patientId, id).changes;
      return n;
    },
    /** The row and where its bytes are (a sealed file already written and flushed, or the bytes themselves). */
    insertOutgoing(row: Omit<OutgoingRow, 'sentAt'>, content: { kind: 'file'; file: string; key: Buffer; size: number } | { kind: 'blob'; content: Uint8Array }): void {
      const digest = row.canonicalDigest === null ? null : `${row.canonicalDigest.algorithm}:${row.canonicalDigest.value}`;
      statements.insertOutgoing.run(row.uniqueId, row.patientId, row.createdAt, row.actor, JSON.stringify(row.metadata), row.replaces, row.jobId, digest);
      if (content.kind === 'file') statements.insertContentFile.run(row.uniqueId, content.file, content.key, content.size);
      else statements.insertContent.run(row.uniqueId, Buffer.from(content.content.buffer, content.content.byteOffset, content.content.byteLength));
    },
    setOutgoingSent(uniqueId: string, at: string): void {
      statements.setOutgoingSent.run(at, uniqueId);
    },
    outgoing(uniqueId: string): OutgoingRow | null {
      const row = statements.outgoing.get(uniqueId);
      return row === undefined ? null : toOutgoing(row);
    },
    outgoingContent(uniqueId: string): OutgoingContentRef | null {
      const file = statements.contentFile.get(uniqueId);
      if (file !== undefined) return { kind: 'file', file: file.file, key: file.file_key, size: file.size };
      const blob = statements.outgoingContent.get(uniqueId)?.content;
      return blob === undefined ? null : { kind: 'blob', content: blob };
    },
    /** Every sealed file a row names (the others are left by a crash: see SealedFileStore.sweep). */
    contentFiles(): Set<string> {
      return new Set(statements.contentFiles.all().map((r) => r.file));
    },
    outgoingByPatient(patientId: string): OutgoingRow[] {
      return statements.outgoingByPatient.all(patientId).map(toOutgoing);
    },
  };
}

interface OutgoingDbRow {
  unique_id: string;
  patient_id: string;
  created_at: string;
  actor: string;
  metadata_json: string;
  replaces: string | null;
  job_id: string | null;
  sent_at: string | null;
  canonical_digest: string | null;
}
