/**
 * The e-prescription scan recogniser given to the scan pipeline by the composition root (TEAM.md
 * interface agreement: `ScanRecogniser { kind, recognise(payload, symbology) }`, services/scan).
 * It claims a payload that carries an e-prescription number (number.ts, modelled shape) and says
 * so in French; the number itself stays with the payload in the host (the scan service hands the
 * bytes over by scan id), the summary shows only its last characters.
 */
import { formatNumber, numberFromQrPayload } from './number';

export interface EprescriptionRecognition {
  kind: 'eprescription';
  /** French, for the toast and the scan log: no health data. */
  summary: string;
  /** The last four characters, to tell two ordonnances apart on screen. */
  numberEnd: string;
}

export interface EprescriptionRecogniser {
  kind: 'eprescription';
  recognise(payload: Uint8Array, symbology: string): EprescriptionRecognition | null;
}

/** Largest payload looked at: an e-prescription code carries a short identifier only. */
const MAX_PAYLOAD = 256;

export function recogniseEprescriptionPayload(payload: Uint8Array, _symbology: string): EprescriptionRecognition | null {
  if (payload.byteLength === 0 || payload.byteLength > MAX_PAYLOAD) return null;
  // The identifier is ASCII; anything else (binary INS datamatrix, UTF-8 text) is not ours.
  for (const byte of payload) if (byte > 0x7e || (byte < 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09)) return null;
  const number = numberFromQrPayload(Buffer.from(payload).toString('latin1'));
  if (number === null) return null;
  return { kind: 'eprescription', summary: `Ordonnance numérique (n° …${number.slice(-4)})`, numberEnd: number.slice(-4) };
}

/** The recogniser object the scan pipeline takes. */
export const eprescriptionRecogniser: EprescriptionRecogniser = {
  kind: 'eprescription',
  recognise: recogniseEprescriptionPayload,
};

/** The number of a payload already recognised (the dispensation screen opens it by scan id). */
export function numberOfPayload(payload: Uint8Array): string | null {
  return numberFromQrPayload(Buffer.from(payload).toString('latin1'));
}

export { formatNumber };
