/** Use case: what the top bar, the Diagnostic screen and `pupitre doctor` show of the scanners. */
import type { ScannerView, ScanSourceStats } from '../../contract/domains/scan';
import type { UdevRuleLocation } from './hid-source';
import type { ScanPipeline } from './pipeline';

export interface ScannerStatus {
  scanners: ScannerView[];
  sources: ScanSourceStats[];
  udevRule: UdevRuleLocation | null;
  retentionSeconds: number;
}

export function scannerStatus(pipeline: ScanPipeline, udev: UdevRuleLocation | null): ScannerStatus {
  return {
    scanners: pipeline.registry.list(),
    sources: pipeline.registry.sourceStats(),
    udevRule: udev,
    retentionSeconds: Math.round(pipeline.recent.retentionMs / 1000),
  };
}
