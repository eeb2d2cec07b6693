/**
 * The INS datamatrix recogniser for the scan pipeline (TEAM.md interface agreement): a payload
 * that starts with the ANS header `IS01` + 22 zeros is an INS datamatrix (datamatrix.ts); it is
 * read back to the identity it carries, and said invalid when a block is missing or wrong (the
 * matricule key, the OID, the traits' lexical form) — never guessed. The summary and details are
 * broadcast with `scan.received`: no name, INS or date in them.
 */
import type { ScanRecogniser, ScanRecognition } from '../scan';
import { DATAMATRIX_HEADER, DatamatrixPayloadError, decodeInsDatamatrix, type InsDatamatrixPayload } from './datamatrix';
import { insOidInfo } from './matricule';

/** An INS datamatrix is an ECC200 DataMatrix; a keyboard-wedge or NFC source cannot say which. */
const SYMBOLOGIES = new Set(['datamatrix', 'unknown', 'keyboard']);

export function insDatamatrixText(payload: Uint8Array): string | null {
  if (payload.length < DATAMATRIX_HEADER.length) return null;
  const text = Buffer.from(payload).toString('latin1');
  return text.startsWith(DATAMATRIX_HEADER) ? text : null;
}

/** The identity a scanned INS datamatrix carries; throws DatamatrixPayloadError when invalid. */
export function readInsDatamatrix(payload: Uint8Array): InsDatamatrixPayload {
  const text = insDatamatrixText(payload);
  if (text === null) throw new DatamatrixPayloadError('header IS01 + 22 zeros expected');
  return decodeInsDatamatrix(text);
}

export const insDatamatrixRecogniser: ScanRecogniser = {
  kind: 'ins-datamatrix',
  recognise(payload, symbology): ScanRecognition | null {
    if (!SYMBOLOGIES.has(symbology) || insDatamatrixText(payload) === null) return null;
    try {
      const identity = readInsDatamatrix(payload);
      const oid = insOidInfo(identity.oid);
      return {
        kind: 'ins-datamatrix',
        summary: `Datamatrix INS lu (${oid?.label ?? 'INS'}).`,
        details: { valid: true, oidKind: oid?.kind ?? null, birthPlace: identity.birthPlaceCode !== null },
      };
    } catch (error) {
      if (!(error instanceof DatamatrixPayloadError)) throw error;
      // The message names the block (S1…S7), never its value.
      const block = /\bS[1-7]\b/.exec(error.message)?.[0] ?? 'structure';
      return { kind: 'ins-datamatrix', summary: `Datamatrix INS illisible : bloc ${block} invalide ou manquant.`, details: { valid: false, block } };
    }
  },
};
