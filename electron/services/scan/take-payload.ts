/**
 * Use case: a domain takes the bytes of a scan by id, once (e.g. `apcv.openFromScan`). The
 * payload never crosses to the renderer; after this call the pipeline no longer holds it.
 */
import { AppError } from '../../contract';
import type { ScanKind } from '../../contract/domains/scan';
import type { ScanPipeline } from './pipeline';
import type { TakenScan } from './types';

export interface TakeOptions {
  /** Refuse (and keep) a scan of another kind: a wrong click must not consume the scan. */
  kind?: ScanKind;
  /** Refuse (and keep) a payload the keyboard wedge could not carry faithfully. */
  requireTrusted?: boolean;
}

export function takePayload(pipeline: ScanPipeline, scanId: string, options: TakeOptions = {}): TakenScan {
  const held = pipeline.recent.peek(scanId);
  if (held === null) throw new AppError('SCAN_NOT_FOUND');
  if (options.kind !== undefined && held.kind !== options.kind) throw new AppError('SCAN_WRONG_KIND', { expected: options.kind, kind: held.kind });
  if (options.requireTrusted === true && !held.trusted) throw new AppError('SCAN_UNTRUSTED');
  const taken = pipeline.recent.take(scanId) as TakenScan;
  pipeline.logger.info('scan.taken', { kind: taken.kind, source: taken.source });
  return taken;
}
