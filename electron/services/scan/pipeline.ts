/**
 * The state every scan use case works on: recognisers, recent payloads, scanner status, and the
 * notification callback the host turns into contract events. The use cases live in their own
 * files (receive-scan, take-payload, scanner-status, the sources); this class only binds them.
 */
import { randomUUID } from 'node:crypto';
import type { ScanEvent, ScannersChange } from '../../contract/domains/scan';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/log';
import { RecentScans, DEFAULT_RETENTION_MS } from './recent-scans';
import { receiveScan } from './receive-scan';
import { ScannerRegistry } from './scanners';
import { takePayload, type TakeOptions } from './take-payload';
import type { IncomingScan, ScanRecogniser, TakenScan } from './types';

export type ScanNotification = { event: 'scan.received'; payload: ScanEvent } | { event: 'scan.scanners.changed'; payload: ScannersChange };

export interface ScanPipelineDeps {
  clock: Clock;
  logger: Logger;
  /** Given by the composition root, in the order they are tried. */
  recognisers: readonly ScanRecogniser[];
  notify: (notification: ScanNotification) => void;
  retentionMs?: number;
  newId?: () => string;
}

export class ScanPipeline {
  readonly recent: RecentScans;
  readonly registry = new ScannerRegistry();
  readonly logger: Logger;
  readonly newId: () => string;
  private recognisers: readonly ScanRecogniser[];

  constructor(readonly deps: ScanPipelineDeps) {
    this.logger = deps.logger.child('scan');
    this.recent = new RecentScans(deps.clock, deps.retentionMs ?? DEFAULT_RETENTION_MS);
    this.newId = deps.newId ?? (() => randomUUID());
    this.recognisers = deps.recognisers;
  }

  get clock(): Clock {
    return this.deps.clock;
  }

  currentRecognisers(): readonly ScanRecogniser[] {
    return this.recognisers;
  }

  /** A domain wired after the pipeline adds its recogniser (composition order). */
  addRecogniser(recogniser: ScanRecogniser): void {
    this.recognisers = [...this.recognisers, recogniser];
  }

  receive(incoming: IncomingScan): ScanEvent {
    return receiveScan(this, incoming);
  }

  takePayload(scanId: string, options?: TakeOptions): TakenScan {
    return takePayload(this, scanId, options);
  }

  notify(notification: ScanNotification): void {
    this.deps.notify(notification);
  }

  close(): void {
    this.recent.clear();
  }
}
