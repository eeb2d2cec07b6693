/**
 * Finds HID-POS scanners (usage page 0x8C) and keeps them open while they are plugged in:
 *
 * - enumeration, filtered on the usage page (a keyboard-mode scanner is owned by the OS and is
 *   not listed here: it is the renderer's keyboard wedge);
 * - hot-plug: the backend's change signal (inotify on /dev on Linux) or a poll, whichever comes
 *   first; refreshes never overlap;
 * - the feature report some makers need to switch to HID-POS (`0xFE 0x01`, Honeywell: research
 *   cards.md §6 after WebHidBarcodeScanner); a refusal is reported, not fatal;
 * - report reassembly per device (reassembler.ts) and a scan lost when the device goes away
 *   mid-scan (read error or gone from the list);
 * - a device that cannot be opened for lack of permission is listed as such, so the UI and
 *   `pupitre doctor` can give the udev rule to install instead of a stack trace.
 *
 * Payload bytes go to listeners only; nothing here logs them.
 */
import type { Logger } from '../../electron/platform/log';
import { HidOpenError, type HidBackend, type HidDeviceHandle, type HidDeviceInfo } from './backend';
import { HidPosReassembler, type AssembledScan } from './reassembler';
import { HID_POS_SCANNER_USAGES, HID_POS_USAGE_PAGE } from './report';

export type HidScannerState = 'ready' | 'permission-denied' | 'error' | 'removed';

export interface HidScannerSnapshot {
  id: string;
  path: string;
  vendorId: number;
  productId: number;
  label: string;
  state: HidScannerState;
  /** The HID-POS feature report was sent: true accepted, false refused, null not needed. */
  modeSwitch: boolean | null;
}

export type HidPosEvent =
  | { type: 'added'; scanner: HidScannerSnapshot }
  | { type: 'removed'; scanner: HidScannerSnapshot }
  | { type: 'state'; scanner: HidScannerSnapshot }
  | { type: 'scan'; scanner: HidScannerSnapshot; scan: AssembledScan }
  | { type: 'scan-lost'; scanner: HidScannerSnapshot; reason: 'timeout' | 'interrupted' | 'removed' | 'too-long'; reports: number };

/**
 * Feature report that switches a scanner to HID-POS, by USB vendor id. Honeywell (0x0C2E):
 * report 0xFE, value 0x01 (research cards.md §6; WebHidBarcodeScanner `open()`).
 */
export const HID_POS_MODE_FEATURE: ReadonlyMap<number, Uint8Array> = new Map([[0x0c2e, Uint8Array.of(0xfe, 0x01)]]);

export interface HidPosWatcherOptions {
  backend: HidBackend;
  logger: Logger;
  now: () => number;
  /** Poll interval; 10 s when the backend signals changes, 2 s otherwise. */
  pollMs?: number;
  continuationTimeoutMs?: number;
  modeFeatures?: ReadonlyMap<number, Uint8Array>;
  /** Sees every raw input report (`pupitre scan listen --record`); never logged. */
  onRawReport?: (device: HidDeviceInfo, report: Uint8Array, at: number) => void;
}

interface OpenScanner {
  snapshot: HidScannerSnapshot;
  handle: HidDeviceHandle | null;
  reassembler: HidPosReassembler;
  timer: NodeJS.Timeout | null;
}

export function isHidPosScanner(device: HidDeviceInfo): boolean {
  return device.usagePage === HID_POS_USAGE_PAGE && (device.usage === null || HID_POS_SCANNER_USAGES.has(device.usage));
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export class HidPosWatcher {
  private readonly scanners = new Map<string, OpenScanner>();
  private readonly listeners = new Set<(event: HidPosEvent) => void>();
  private running = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  private refreshing: Promise<void> | null = null;
  private again = false;
  private readonly logger: Logger;

  constructor(private readonly options: HidPosWatcherOptions) {
    this.logger = options.logger.child('hid');
  }

  on(listener: (event: HidPosEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  list(): HidScannerSnapshot[] {
    return [...this.scanners.values()].map((s) => ({ ...s.snapshot }));
  }

  /** Enumerates now and then on every change signal and poll. Resolves after the first pass. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unwatch = this.options.backend.watchChanges?.(() => void this.refresh()) ?? null;
    await this.refresh();
    this.schedulePoll();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.unwatch?.();
    this.unwatch = null;
    await this.refreshing;
    for (const scanner of this.scanners.values()) await this.closeScanner(scanner);
    this.scanners.clear();
  }

  /** One enumeration pass; concurrent calls coalesce into one more pass. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.pass();
      } while (this.again && this.running);
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private schedulePoll(): void {
    if (!this.running) return;
    const every = this.options.pollMs ?? (this.unwatch ? 10_000 : 2_000);
    this.pollTimer = setTimeout(() => {
      void this.refresh().finally(() => this.schedulePoll());
    }, every);
    this.pollTimer.unref?.();
  }

  private async pass(): Promise<void> {
    let devices: HidDeviceInfo[];
    try {
      devices = (await this.options.backend.devices()).filter(isHidPosScanner);
    } catch (error) {
      this.logger.warn('hid.enumeration_failed', { error: describe(error) });
      return;
    }
    if (!this.running) return;
    const byPath = new Map(devices.map((d) => [d.path, d]));
    for (const [path, scanner] of [...this.scanners]) {
      if (!byPath.has(path)) await this.remove(scanner);
    }
    for (const device of byPath.values()) {
      const known = this.scanners.get(device.path);
      if (known === undefined) await this.add(device);
      else if (known.handle === null) await this.openScanner(known, device);
    }
  }

  private async add(device: HidDeviceInfo): Promise<void> {
    const snapshot: HidScannerSnapshot = {
      id: `hid:${hex4(device.vendorId)}:${hex4(device.productId)}:${device.path}`,
      path: device.path,
      vendorId: device.vendorId,
      productId: device.productId,
      label: [device.manufacturer, device.product].filter((p) => p !== null && p !== '').join(' ') || `Douchette USB ${hex4(device.vendorId)}:${hex4(device.productId)}`,
      state: 'error',
      modeSwitch: null,
    };
    const scanner: OpenScanner = {
      snapshot,
      handle: null,
      reassembler: new HidPosReassembler({ now: this.options.now, ...(this.options.continuationTimeoutMs === undefined ? {} : { continuationTimeoutMs: this.options.continuationTimeoutMs }) }),
      timer: null,
    };
    this.scanners.set(device.path, scanner);
    this.logger.info('hid.scanner_added', { vendorId: hex4(device.vendorId), productId: hex4(device.productId), label: snapshot.label });
    await this.openScanner(scanner, device, true);
  }

  private async openScanner(scanner: OpenScanner, device: HidDeviceInfo, first = false): Promise<void> {
    const before = scanner.snapshot.state;
    let handle: HidDeviceHandle;
    try {
      handle = await this.options.backend.open(device.path);
    } catch (error) {
      const reason = error instanceof HidOpenError ? error.reason : 'other';
      scanner.snapshot.state = reason === 'permission' ? 'permission-denied' : 'error';
      if (first || before !== scanner.snapshot.state) {
        this.logger.warn('hid.open_failed', { reason, vendorId: hex4(device.vendorId), productId: hex4(device.productId) });
      }
      if (first) this.emit({ type: 'added', scanner: { ...scanner.snapshot } });
      else if (before !== scanner.snapshot.state) this.emit({ type: 'state', scanner: { ...scanner.snapshot } });
      return;
    }
    scanner.handle = handle;
    const observe = this.options.onRawReport;
    handle.onData((report) => {
      observe?.(device, report, this.options.now());
      this.onReport(scanner, report);
    });
    handle.onError((error) => void this.onDeviceError(scanner, error));
    const feature = (this.options.modeFeatures ?? HID_POS_MODE_FEATURE).get(device.vendorId);
    if (feature !== undefined) {
      try {
        await handle.sendFeatureReport(feature);
        scanner.snapshot.modeSwitch = true;
      } catch (error) {
        scanner.snapshot.modeSwitch = false;
        this.logger.warn('hid.mode_switch_refused', { vendorId: hex4(device.vendorId), error: describe(error) });
      }
    }
    scanner.snapshot.state = 'ready';
    this.emit(first ? { type: 'added', scanner: { ...scanner.snapshot } } : { type: 'state', scanner: { ...scanner.snapshot } });
  }

  private onReport(scanner: OpenScanner, report: Uint8Array): void {
    for (const event of scanner.reassembler.push(report)) {
      if (event.type === 'scan') {
        this.logger.info('hid.scan', { scanner: scanner.snapshot.label, bytes: event.scan.payload.length, reports: event.scan.reports, aim: event.scan.aim });
        this.emit({ type: 'scan', scanner: { ...scanner.snapshot }, scan: event.scan });
      } else {
        this.lost(scanner, event.reason, event.reports);
      }
    }
    if (scanner.timer) clearTimeout(scanner.timer);
    scanner.timer = null;
    if (scanner.reassembler.pending) {
      scanner.timer = setTimeout(() => {
        scanner.timer = null;
        for (const event of scanner.reassembler.expire()) if (event.type === 'incomplete') this.lost(scanner, event.reason, event.reports);
      }, (this.options.continuationTimeoutMs ?? 500) + 20);
      scanner.timer.unref?.();
    }
  }

  private lost(scanner: OpenScanner, reason: 'timeout' | 'interrupted' | 'removed' | 'too-long', reports: number): void {
    this.logger.warn('hid.scan_lost', { scanner: scanner.snapshot.label, reason, reports });
    this.emit({ type: 'scan-lost', scanner: { ...scanner.snapshot }, reason, reports });
  }

  /** hidraw reads fail when the device is unplugged: the scan in progress is lost. */
  private async onDeviceError(scanner: OpenScanner, error: Error): Promise<void> {
    if (this.scanners.get(scanner.snapshot.path) !== scanner) return;
    this.logger.info('hid.device_error', { scanner: scanner.snapshot.label, error: describe(error) });
    await this.remove(scanner);
    void this.refresh();
  }

  private async remove(scanner: OpenScanner): Promise<void> {
    if (this.scanners.get(scanner.snapshot.path) !== scanner) return;
    this.scanners.delete(scanner.snapshot.path);
    for (const event of scanner.reassembler.removed()) if (event.type === 'incomplete') this.lost(scanner, event.reason, event.reports);
    await this.closeScanner(scanner);
    scanner.snapshot.state = 'removed';
    this.logger.info('hid.scanner_removed', { label: scanner.snapshot.label });
    this.emit({ type: 'removed', scanner: { ...scanner.snapshot } });
  }

  private async closeScanner(scanner: OpenScanner): Promise<void> {
    if (scanner.timer) clearTimeout(scanner.timer);
    scanner.timer = null;
    const handle = scanner.handle;
    scanner.handle = null;
    await handle?.close().catch(() => undefined);
  }

  private emit(event: HidPosEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn('hid.listener_failed', { error: describe(error) });
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
