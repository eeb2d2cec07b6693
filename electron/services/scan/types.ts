/**
 * The types every scan source and every domain recogniser shares (TEAM.md interface agreement:
 * the pipeline knows no domain format; the composition root hands it the recognisers).
 */
import type { ScanDetails, ScanKind, ScanSource } from '../../contract/domains/scan';

export type RecognisedKind = Exclude<ScanKind, 'unknown'>;

export interface ScanRecognition {
  kind: RecognisedKind;
  /** What was read, in French, for the toast (no name, NIR or date: events are broadcast). */
  summary: string;
  /** Non-identifying kind-specific fields (the OID's kind, a format version…). */
  details?: ScanDetails;
}

/**
 * A domain's classifier. It must be pure and fast (every scan goes through every recogniser
 * until one claims it), and answer null for anything that is not its format — never guess.
 */
export interface ScanRecogniser {
  kind: RecognisedKind;
  recognise(payload: Uint8Array, symbology: string): ScanRecognition | null;
}

/** What a source hands over: `{ source, symbology, payload bytes, receivedAt }` and provenance. */
export interface IncomingScan {
  source: ScanSource;
  /** Canonical symbology, or `unknown` when the source cannot tell (then `aim` may). */
  symbology: string;
  /** AIM identifier (ISO/IEC 15424) when the source gives one. */
  aim?: string | null;
  payload: Uint8Array;
  /** ms since the epoch; the pipeline's clock when absent. */
  receivedAt?: number;
  trusted?: boolean;
  trustNote?: string | null;
  /** Untrusted keyboard-wedge payload: the other reading of the same keys (other layout). */
  alternative?: Uint8Array | null;
  /** Scanner or camera label. */
  device?: string | null;
  /** Registered scanner (HID, NFC) the scan came from, for its « last scan ». */
  scannerId?: string | null;
  /** The renderer window that submitted it, echoed so that only that window routes it. */
  clientRef?: string | null;
}

/** The bytes of a scan, handed once to the domain that acts on it. */
export interface TakenScan {
  scanId: string;
  payload: Uint8Array;
  kind: ScanKind;
  source: ScanSource;
  symbology: string;
  trusted: boolean;
  receivedAt: number;
}
