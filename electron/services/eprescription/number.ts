/**
 * The e-prescription number (« numéro unique de prescription », carried by the QR code of the
 * ordonnance numérique and printed under it as « e-prescription N° … »). MODELLED (README, Status):
 * its length, alphabet, allocation rule and any check character are in the CNAM specification
 * distributed under agreement, not in public material (research: cards.md §4, wave2.md §3.1).
 *
 * What is public and followed here:
 * - the official CI-SIS eP-MED-DM example (ANS TestContenuCDA-3-0, eP-MED-DM_2024.01_PosoStruct.xml)
 *   carries the number as `documentationOf/serviceEvent/id` with root 1.2.250.1.215.500.1.1 and the
 *   extension « calculé selon la règle fournie dans les spécifications de la Cnam », example
 *   `01S2TBPZ2JCNZZYGHZ`: 18 upper-case alphanumerics;
 * - the QR code carries only the identifier (Ordre des pharmaciens; the 2019 PEM2D experiment that
 *   put the data itself in the code was abandoned).
 *
 * The model: 18 characters from [0-9A-Z] drawn from a cryptographic random source (no meaning, no
 * invented checksum), allocated by this installation when the prescriber validates, so that a
 * prescription can be written offline. Everything that depends on the rule is in this module:
 * replacing it is replacing `allocateNumber`, `NUMBER_PATTERN` and `qrPayloadOf`/`numberFromQrPayload`.
 */
import { randomInt } from 'node:crypto';

/** OID of the e-prescription identifier (root of serviceEvent/id in the official eP-MED-DM example). */
export const EPRESCRIPTION_NUMBER_ROOT = '1.2.250.1.215.500.1.1';

export const NUMBER_LENGTH = 18;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Modelled shape of a number (the official example's). */
export const NUMBER_PATTERN = /^[0-9A-Z]{18}$/;

/** A new number (modelled rule: see the module comment). `random(n)` returns an integer in [0, n). */
export function allocateNumber(random: (n: number) => number = randomInt): string {
  let out = '';
  for (let i = 0; i < NUMBER_LENGTH; i++) out += ALPHABET[random(ALPHABET.length)];
  return out;
}

/**
 * A number as typed or scanned: spaces, dashes and dots removed (it is read aloud and typed in
 * groups), upper-cased. Null when what remains does not have the modelled shape.
 */
export function normalizeNumber(input: string): string | null {
  const compact = input.replace(/[\s.\-_]/g, '').toUpperCase();
  return NUMBER_PATTERN.test(compact) ? compact : null;
}

/** The number in groups of six, as printed under the QR code and shown on screen. */
export function formatNumber(number: string): string {
  return number.replace(/(.{6})(?=.)/g, '$1 ');
}

/** What the QR code of the printed ordonnance carries (modelled: the number itself). */
export function qrPayloadOf(number: string): string {
  return number;
}

/** The number a scanned QR payload carries, or null when it is not an e-prescription code. */
export function numberFromQrPayload(payload: string): string | null {
  const trimmed = payload.trim();
  // A scanner may add a suffix (CR/LF) or the code may hold the number alone: nothing else.
  return NUMBER_PATTERN.test(trimmed.toUpperCase()) ? trimmed.toUpperCase() : null;
}
