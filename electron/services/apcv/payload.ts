/**
 * The appli carte Vitale payload (QR code or NFC answer) and the scan recogniser.
 *
 * Public facts (cards.md §3, wave2.md §4.1): the QR code shown by the app is read by a 2D scanner
 * or a webcam and passed to the SI ApCV in `<Donnees>` of authentifierUtilisateurProximite,
 * **opaque, byte for byte**. Its format, size and signature are NOT public (SESAM-Vitale 1.40
 * addendum 8, under agreement), nor is the NFC application identifier.
 *
 * MODELLED (one adapter, this file): the shape recognised here is the one the demo simulator
 * (fixtures/sim/apcv) prints in its QR codes — `ApCV-DEMO:1:` followed by an opaque base64url
 * token. It is not the real app's format; a real QR code is not claimed by this recogniser and is
 * reported as an unknown code by the scan pipeline. How the bytes go into `<Donnees>` is modelled
 * too: printable UTF-8 text as it is (what a QR code in byte mode carries), anything else base64.
 */

/** Prefix of the modelled QR payload (fixtures/sim/apcv writes it). */
export const MODELLED_APCV_PREFIX = 'ApCV-DEMO:1:';
const MODELLED_SHAPE = /^ApCV-DEMO:1:[A-Za-z0-9_-]{16,128}$/;
/** QR symbologies a 2D scanner reports (AIM ]Q for QR; `qr`/`QR_CODE` from zxing), and NFC. */
const SYMBOLOGIES = new Set(['qr', 'qrcode', 'qr_code', ']q1', ']q2', ']q3', ']q4', ']q5', ']q6', 'nfc']);
const MAX_PAYLOAD_BYTES = 4096;

/** What the scan pipeline's recogniser interface expects back (TEAM.md interface agreement). */
export interface ApcvRecognition {
  kind: 'apcv';
  /** French, shown in the toast; no personal data (the payload is opaque). */
  summary: string;
  /** Which shape claimed it: only the modelled demo shape exists today. */
  shape: 'modelled-demo';
}

function isText(bytes: Uint8Array): string | null {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    // Printable only: no control characters except none at all (a QR payload is one line).
    return /^[\x20-\x7E\u00A0-\uFFFF]*$/.test(text) ? text : null;
  } catch {
    return null;
  }
}

/**
 * Scan recogniser for the appli carte Vitale: claims a payload of the modelled shape, whatever the
 * source (the symbology is only a hint: a keyboard-wedge scanner reports none).
 */
export function recogniseApcvPayload(payload: Uint8Array, symbology: string): ApcvRecognition | null {
  if (payload.byteLength === 0 || payload.byteLength > MAX_PAYLOAD_BYTES) return null;
  const hint = symbology.trim().toLowerCase();
  if (hint !== '' && hint !== 'unknown' && !SYMBOLOGIES.has(hint)) return null;
  const text = isText(payload);
  if (text === null || !MODELLED_SHAPE.test(text.trim())) return null;
  return { kind: 'apcv', summary: 'Appli carte Vitale (QR code)', shape: 'modelled-demo' };
}

/** `<Donnees>` content for a payload (modelled encoding, see the module comment). Byte for byte. */
export function donneesFromPayload(payload: Uint8Array): string {
  const text = isText(payload);
  return text ?? Buffer.from(payload).toString('base64');
}

/** Bounds checked before anything is sent (a payload is never logged). */
export function checkPayloadSize(payload: Uint8Array): boolean {
  return payload.byteLength > 0 && payload.byteLength <= MAX_PAYLOAD_BYTES;
}
