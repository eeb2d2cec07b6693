/**
 * Classification: the recognisers the composition root gave, in order; the first that claims the
 * payload wins. Anything none claims is `unknown`, said plainly and never guessed. A recogniser
 * that throws is a bug in that domain: it is logged (without the payload) and skipped, so one
 * domain cannot stop the others' scans.
 */
import type { ScanDetails, ScanKind } from '../../contract/domains/scan';
import type { Logger } from '../../platform/log';
import { symbologyLabel } from './symbology';
import type { ScanRecogniser } from './types';

export interface Classification {
  kind: ScanKind;
  summary: string;
  details: ScanDetails;
}

const MAX_SUMMARY = 200;

export function classifyPayload(recognisers: readonly ScanRecogniser[], payload: Uint8Array, symbology: string, logger: Logger): Classification {
  for (const recogniser of recognisers) {
    let recognition;
    try {
      recognition = recogniser.recognise(payload, symbology);
    } catch (error) {
      logger.warn('scan.recogniser_failed', { recogniser: recogniser.kind, error: error instanceof Error ? error.name : 'unknown' });
      continue;
    }
    if (recognition === null) continue;
    if (recognition.kind !== recogniser.kind) {
      logger.warn('scan.recogniser_kind_mismatch', { recogniser: recogniser.kind, claimed: recognition.kind });
      continue;
    }
    return { kind: recognition.kind, summary: recognition.summary.slice(0, MAX_SUMMARY), details: recognition.details ?? {} };
  }
  return unknownClassification(payload, symbology);
}

/** Printable text (ASCII/Latin-1 letters, digits, punctuation, spaces): what a person could read. */
export function isPrintableText(payload: Uint8Array): boolean {
  return payload.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b >= 0xa0);
}

export function unknownClassification(payload: Uint8Array, symbology: string): Classification {
  const text = isPrintableText(payload);
  const what = symbology === 'unknown' || symbology === 'keyboard' ? 'Code' : symbologyLabel(symbology);
  return {
    kind: 'unknown',
    summary: `${what} non reconnu (${payload.length} ${text ? 'caractères' : 'octets'}) : ni appli carte Vitale, ni ordonnance numérique, ni datamatrix INS.`,
    details: { text },
  };
}
