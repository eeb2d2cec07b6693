/**
 * A HidBackend whose devices and reports come from a recording or from the caller: tests, the
 * bench, `pupitre scan listen --replay`, and the demo's virtual scanner. Unplugging a device makes
 * its open handles fail as hidraw does (read error), so the watcher sees exactly what a pulled
 * scanner looks like.
 */
import { HidOpenError, type HidBackend, type HidDeviceHandle, type HidDeviceInfo } from './backend';
import { deviceInfoOf, type HidRecording, type RecordedDevice } from './recording';

interface ReplayHandle {
  path: string;
  data: Set<(report: Uint8Array) => void>;
  error: Set<(error: Error) => void>;
  closed: boolean;
}

export class ReplayHidBackend implements HidBackend {
  readonly kind = 'replay' as const;
  private readonly known = new Map<string, RecordedDevice>();
  private readonly plugged = new Set<string>();
  private readonly handles = new Set<ReplayHandle>();
  private readonly changeListeners = new Set<() => void>();
  /** Feature reports received, per path (tests check the HID-POS mode switch). */
  readonly featureReports: Array<{ path: string; report: Uint8Array }> = [];

  constructor(devices: readonly RecordedDevice[] = []) {
    for (const device of devices) this.known.set(device.path, device);
  }

  async devices(): Promise<HidDeviceInfo[]> {
    return [...this.plugged].map((path) => deviceInfoOf(this.known.get(path) as RecordedDevice));
  }

  async open(path: string): Promise<HidDeviceHandle> {
    const device = this.known.get(path);
    if (device === undefined || !this.plugged.has(path)) throw new HidOpenError('gone', 'device not plugged');
    if (device.openError !== undefined) throw new HidOpenError(device.openError, `replayed open failure: ${device.openError}`);
    const handle: ReplayHandle = { path, data: new Set(), error: new Set(), closed: false };
    this.handles.add(handle);
    return {
      onData: (listener) => handle.data.add(listener),
      onError: (listener) => handle.error.add(listener),
      sendFeatureReport: async (report) => {
        if (handle.closed) throw new Error('device closed');
        this.featureReports.push({ path, report: Uint8Array.from(report) });
        if (device.featureReport === 'refuse') throw new Error('feature report refused (replayed)');
        return report.length + 1;
      },
      close: async () => {
        handle.closed = true;
        this.handles.delete(handle);
      },
    };
  }

  watchChanges(onChange: () => void): () => void {
    this.changeListeners.add(onChange);
    return () => this.changeListeners.delete(onChange);
  }

  /** Declares (or replaces) a device and plugs it in. */
  plug(device: RecordedDevice): void {
    this.known.set(device.path, device);
    this.plugged.add(device.path);
    this.changed();
  }

  /** Unplugs: open handles get a read error first, as hidraw gives. */
  unplug(path: string): void {
    if (!this.plugged.delete(path)) return;
    for (const handle of [...this.handles]) {
      if (handle.path !== path || handle.closed) continue;
      for (const listener of handle.error) listener(new Error('could not read from HID device'));
    }
    this.changed();
  }

  /** Delivers one input report to every open handle of `path`. */
  send(path: string, report: Uint8Array): void {
    for (const handle of this.handles) {
      if (handle.path !== path || handle.closed) continue;
      for (const listener of handle.data) listener(Uint8Array.from(report));
    }
  }

  isPlugged(path: string): boolean {
    return this.plugged.has(path);
  }

  /** Someone (the watcher) has the device open and listens to its reports. */
  isOpen(path: string): boolean {
    return [...this.handles].some((h) => h.path === path && !h.closed && h.data.size > 0);
  }

  /**
   * Plays a recording: `wait(ms)` paces it (real time by default; tests pass a manual clock's
   * advance). Returns when the last event has been delivered.
   */
  async play(recording: HidRecording, options: { wait?: (ms: number) => Promise<void>; speed?: number } = {}): Promise<void> {
    for (const device of recording.devices) this.known.set(device.path, device);
    const speed = options.speed ?? 1;
    const wait = options.wait ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    let clock = 0;
    const events = [...recording.events].sort((a, b) => a.at - b.at);
    for (const event of events) {
      const delay = (event.at - clock) / speed;
      clock = event.at;
      if (delay > 0) await wait(delay);
      if (event.type === 'plug') {
        const device = this.known.get(event.path);
        if (device === undefined) throw new Error(`recording plugs an undeclared device ${event.path}`);
        this.plug(device);
      } else if (event.type === 'unplug') this.unplug(event.path);
      else this.send(event.path, Uint8Array.from(Buffer.from(event.hex, 'hex')));
    }
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }
}

/** Real devices and virtual ones side by side (demo mode: a desk scanner still works). */
export class CompositeHidBackend implements HidBackend {
  readonly kind = 'composite' as const;

  constructor(private readonly backends: readonly HidBackend[]) {}

  async devices(): Promise<HidDeviceInfo[]> {
    const lists = await Promise.all(this.backends.map((b) => b.devices().catch(() => [] as HidDeviceInfo[])));
    return lists.flatMap((list, index) => list.map((d) => ({ ...d, path: `${index}|${d.path}` })));
  }

  async open(path: string): Promise<HidDeviceHandle> {
    const bar = path.indexOf('|');
    const backend = this.backends[Number(path.slice(0, bar))];
    if (backend === undefined) throw new HidOpenError('gone', 'unknown backend');
    return backend.open(path.slice(bar + 1));
  }

  watchChanges(onChange: () => void): () => void {
    const stops = this.backends.map((b) => b.watchChanges?.(onChange) ?? (() => undefined));
    return () => stops.forEach((stop) => stop());
  }
}
