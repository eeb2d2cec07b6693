/**
 * What other services keep about a patient that is only true of the INS the record was qualified
 * with when they fetched it: the DMP's document list, fetched under that INS. When the record stops
 * being qualified with that INS (marked douteuse or fictive, strict traits corrected, another INS
 * returned by INSi; douteuse and fictive invalidate the stored INS: insi.md §2.3–2.4, rniv.ts), that data is another
 * person's, or may be: the watchers drop it in the same transaction as the identity change, so no
 * screen can show it under the record afterwards (identity safety, issue 15 audit).
 */
import type { IdentityState } from '../../contract/domains/identity';

export interface QualifiedInsWatcher {
  /** French name of what is dropped (« liste des documents DMP »). */
  label: string;
  /** The record's qualified INS changed (or the record is no longer qualified): drop what was fetched under the former. */
  qualifiedInsChanged(patientId: string): void;
}

/** The INS a record is qualified with (matricule and OID), or null when it is not qualified. */
export function qualifiedInsKey(identity: IdentityState): string | null {
  if (identity.status !== 'QUAL' || identity.ins === null) return null;
  return `${identity.ins.matricule}|${identity.ins.oid}`;
}
