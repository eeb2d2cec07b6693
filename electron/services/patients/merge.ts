/**
 * Merging two records of one person (« fusion de doublons »), with a trace and nothing deleted
 * (ARCHITECTURE.md §4):
 * - the record kept (« survivant ») keeps its identity; the merged record stays in the base,
 *   read-only, marked with the record it was merged into, out of the name search, with its whole
 *   identity history; both histories get an entry naming the other record, the person and the
 *   reason;
 * - the INS decides which record may survive: a record holding an INS is never merged into one
 *   without (the INS would be lost), and two records with different INS are two people (INSi says
 *   so) and cannot be merged;
 * - what other services keep for the merged record moves to the record kept when it is still to
 *   happen — unsent DMP documents and their outbox jobs — through the participants the
 *   composition root registers; what already happened (sent documents, done jobs, the DMP list
 *   cache, the audit trail) stays under the merged record, where its history is;
 * - the merge is audited on both records, with what moved.
 */
import { AppError } from '../../contract';
import type { PatientRecord } from './store';

/** Another service's data about a patient that follows a merge (DMP sendings, outbox jobs). */
export interface MergeParticipant {
  /** French name of what moves, for the history (« documents DMP à envoyer »). */
  label: string;
  /** Moves what is still to happen from one patient to the other; returns how many items moved. */
  reassign(fromPatientId: string, toPatientId: string): number;
}

/** Refuses a merge the identity forbids; returns nothing when it may go ahead. */
export function assertMergeAllowed(kept: PatientRecord, merged: PatientRecord): void {
  if (kept.id === merged.id) throw new AppError('PATIENT_MERGE_REFUSED', { reason: 'same-record' });
  if ((kept.mergedInto ?? null) !== null || (merged.mergedInto ?? null) !== null) throw new AppError('PATIENT_MERGED', { reason: 'already-merged' });
  const a = kept.identity.ins;
  const b = merged.identity.ins;
  if (a !== null && b !== null && a.matricule.slice(0, 13) !== b.matricule.slice(0, 13)) {
    throw new AppError('PATIENT_MERGE_REFUSED', { reason: 'different-ins' });
  }
  if (a === null && b !== null) throw new AppError('PATIENT_MERGE_REFUSED', { reason: 'keep-the-ins' });
}
