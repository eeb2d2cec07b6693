/**
 * HidBackend over node-hid 3.x (hidapi; on Linux its hidraw backend, the only one that reports
 * the usage page: research cards.md §6). Enumeration costs a bus scan (node-hid README « Cost of
 * HID.devices() »), so hot-plug is signalled on Linux by inotify on /dev (a hidraw node appears
 * or goes away) and the watcher only enumerates then, plus a slow safety poll.
 */
import { accessSync, constants, watch, type FSWatcher } from 'node:fs';
import { createRequire } from 'node:module';
import type * as NodeHid from 'node-hid';
import { HidOpenError, type HidBackend, type HidDeviceHandle, type HidDeviceInfo } from './backend';

const require = createRequire(import.meta.url);
let loaded: typeof NodeHid | null = null;
/** Loaded on first use: a host without HID access (or a broken addon build) still starts. */
const nodeHid = (): typeof NodeHid => (loaded ??= require('node-hid') as typeof NodeHid);

export class NodeHidBackend implements HidBackend {
  readonly kind = 'node-hid' as const;

  async devices(): Promise<HidDeviceInfo[]> {
    const list = await nodeHid().devicesAsync();
    return list
      .filter((d) => typeof d.path === 'string' && d.path !== '')
      .map((d) => ({
        path: d.path as string,
        vendorId: d.vendorId,
        productId: d.productId,
        product: d.product ?? null,
        manufacturer: d.manufacturer ?? null,
        usagePage: d.usagePage ?? null,
        usage: d.usage ?? null,
        interface: d.interface,
      }));
  }

  async open(path: string): Promise<HidDeviceHandle> {
    let device: NodeHid.HIDAsync;
    try {
      device = await nodeHid().HIDAsync.open(path);
    } catch (error) {
      throw new HidOpenError(openFailureReason(path), 'cannot open HID device', { cause: error });
    }
    return {
      onData: (listener) => device.on('data', (data: Buffer) => listener(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))),
      onError: (listener) => device.on('error', (error: unknown) => listener(error instanceof Error ? error : new Error(String(error)))),
      sendFeatureReport: (report) => device.sendFeatureReport(Buffer.from(report)),
      close: async () => {
        device.removeAllListeners('data');
        await device.close().catch(() => undefined);
      },
    };
  }

  watchChanges(onChange: () => void): () => void {
    if (process.platform !== 'linux') return () => undefined;
    let watcher: FSWatcher;
    try {
      watcher = watch('/dev', { persistent: false }, (_event, name) => {
        if (typeof name === 'string' && name.startsWith('hidraw')) onChange();
      });
    } catch {
      return () => undefined;
    }
    watcher.on('error', () => undefined);
    return () => watcher.close();
  }
}

/**
 * node-hid says only « cannot open device »: on Linux the hidraw node tells why. EACCES is the
 * missing udev rule (build/udev/70-pupitre-hidpos.rules); ENOENT a device that just went away.
 */
export function openFailureReason(path: string, access: (path: string, mode: number) => void = accessSync): HidOpenError['reason'] {
  if (!path.startsWith('/dev/')) return 'other';
  try {
    access(path, constants.R_OK | constants.W_OK);
    return 'busy';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return 'permission';
    if (code === 'ENOENT') return 'gone';
    return 'other';
  }
}
