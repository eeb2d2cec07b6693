/**
 * Use case: a source delivers `{ source, symbology, payload bytes, receivedAt }`; the pipeline
 * classifies it, keeps the bytes in memory for the domains, counts it for the scanner status and
 * tells the renderer what was read (`scan.received`: never the payload). The log line has the
 * source, kind and size only.
 *
 * A keyboard-wedge payload whose layout could not be decided comes with the other reading of the
 * same keys: when a recogniser claims exactly one of the two (a valid INS datamatrix carries its
 * own check: matricule key, OID, lexical form), that one is the payload and it is trusted.
 */
import { AppError } from '../../contract';
import type { ScanEvent } from '../../contract/domains/scan';
import { classifyPayload, type Classification } from './classify';
import type { ScanPipeline } from './pipeline';
import { canonicalSymbology } from './symbology';
import type { IncomingScan } from './types';

/** The largest symbol a desk scanner reads: QR code version 40, 2 953 bytes; with room for framing. */
export const MAX_SCAN_BYTES = 16 * 1024;

export function receiveScan(pipeline: ScanPipeline, incoming: IncomingScan): ScanEvent {
  let { payload } = incoming;
  if (payload.length === 0 || payload.length > MAX_SCAN_BYTES) throw new AppError('SCAN_PAYLOAD_INVALID', { bytes: payload.length });
  const receivedAt = incoming.receivedAt ?? pipeline.clock.now();
  const symbology = canonicalSymbology(incoming.symbology, incoming.aim);
  let classification = classifyPayload(pipeline.currentRecognisers(), payload, symbology, pipeline.logger);
  let trusted = incoming.trusted ?? true;
  const alternative = incoming.alternative;
  if (!trusted && alternative && alternative.length > 0 && alternative.length <= MAX_SCAN_BYTES) {
    const other = classifyPayload(pipeline.currentRecognisers(), alternative, symbology, pipeline.logger);
    const claimed = (c: Classification) => c.kind !== 'unknown' && c.details.valid !== false;
    const [mainClaimed, otherClaimed] = [claimed(classification), claimed(other)];
    if (otherClaimed && !mainClaimed) {
      payload = alternative;
      classification = other;
    }
    if (otherClaimed !== mainClaimed) {
      trusted = true;
      classification = { ...classification, details: { ...classification.details, keyboardLayout: 'decided-by-recogniser' } };
    }
  }
  const id = pipeline.newId();
  pipeline.recent.remember({ scanId: id, payload, kind: classification.kind, source: incoming.source, symbology, trusted, receivedAt });
  const at = new Date(receivedAt).toISOString();
  const event: ScanEvent = {
    id,
    source: incoming.source,
    symbology,
    aim: incoming.aim ?? null,
    receivedAt: at,
    kind: classification.kind,
    summary: classification.summary,
    trusted,
    trustNote: trusted ? null : (incoming.trustNote ?? 'Contenu transmis de façon non fiable.'),
    length: payload.length,
    device: incoming.device ?? null,
    clientRef: incoming.clientRef ?? null,
    details: classification.details,
  };
  pipeline.registry.noteScan(incoming.source, incoming.scannerId ?? null, classification.kind, trusted, at);
  pipeline.logger.info('scan.received', { source: incoming.source, symbology, kind: classification.kind, bytes: payload.length, trusted });
  pipeline.notify({ event: 'scan.received', payload: event });
  if (incoming.scannerId) pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'scan', scannerId: incoming.scannerId, message: null } });
  return event;
}
