/**
 * The small interface HID access hides behind (ARCHITECTURE.md §2, native/hid): node-hid in
 * production, a replay of recorded report sequences for tests, the bench and support, and the
 * demo's virtual scanner. A HID device cannot be created on the test machines (no /dev/uhid), so
 * everything above this interface is tested with recordings.
 */

export interface HidDeviceInfo {
  /** Opaque path to open the device (hidraw node on Linux). */
  path: string;
  vendorId: number;
  productId: number;
  product: string | null;
  manufacturer: string | null;
  /** Top-level collection usage page (0x8C for HID-POS scanners), when the OS reports it. */
  usagePage: number | null;
  usage: number | null;
  interface: number;
}

export interface HidDeviceHandle {
  /** Input reports, report ID first. */
  onData(listener: (report: Uint8Array) => void): void;
  /** Read failure: on Linux the device was unplugged (hidraw read returns an error). */
  onError(listener: (error: Error) => void): void;
  sendFeatureReport(report: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** Why a device could not be opened: the watcher turns `permission` into the udev advice. */
export class HidOpenError extends Error {
  constructor(
    readonly reason: 'permission' | 'busy' | 'gone' | 'other',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HidOpenError';
  }
}

export interface HidBackend {
  readonly kind: 'node-hid' | 'replay' | 'composite';
  devices(): Promise<HidDeviceInfo[]>;
  /** Throws HidOpenError. */
  open(path: string): Promise<HidDeviceHandle>;
  /**
   * Calls `onChange` when devices may have been plugged or unplugged (hot-plug), sooner than the
   * watcher's poll; returns the unsubscribe function. Optional: the watcher polls anyway.
   */
  watchChanges?(onChange: () => void): () => void;
}
