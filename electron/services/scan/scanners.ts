/**
 * Scanner status: the HID-POS scanners and contactless readers the host sees, with their mode,
 * state, last scan and what to do when nothing arrives; and per-source counters (the keyboard
 * wedge and the webcam live in the renderer: the host knows them by their scans).
 */
import type { ScanKind, ScannerView, ScanSource, ScanSourceStats } from '../../contract/domains/scan';

export class ScannerRegistry {
  private readonly scanners = new Map<string, ScannerView>();
  private readonly sources = new Map<ScanSource, ScanSourceStats>();

  upsert(view: Omit<ScannerView, 'lastScanAt' | 'lastScanKind' | 'scans'>): ScannerView {
    const previous = this.scanners.get(view.id);
    const next: ScannerView = { lastScanAt: previous?.lastScanAt ?? null, lastScanKind: previous?.lastScanKind ?? null, scans: previous?.scans ?? 0, ...view };
    this.scanners.set(view.id, next);
    return next;
  }

  remove(id: string): boolean {
    return this.scanners.delete(id);
  }

  get(id: string): ScannerView | undefined {
    return this.scanners.get(id);
  }

  noteScan(source: ScanSource, scannerId: string | null, kind: ScanKind, trusted: boolean, at: string): void {
    const stats = this.sources.get(source) ?? { source, lastScanAt: null, lastScanKind: null, lastTrusted: null, scans: 0 };
    this.sources.set(source, { ...stats, lastScanAt: at, lastScanKind: kind, lastTrusted: trusted, scans: stats.scans + 1 });
    const scanner = scannerId === null ? undefined : this.scanners.get(scannerId);
    if (scanner) this.scanners.set(scanner.id, { ...scanner, lastScanAt: at, lastScanKind: kind, scans: scanner.scans + 1 });
  }

  list(): ScannerView[] {
    return [...this.scanners.values()].sort((a, b) => a.source.localeCompare(b.source) || a.label.localeCompare(b.label));
  }

  sourceStats(): ScanSourceStats[] {
    return [...this.sources.values()].sort((a, b) => a.source.localeCompare(b.source));
  }
}
