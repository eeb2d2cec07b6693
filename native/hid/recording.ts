/**
 * A HID recording: which devices were plugged, and what each sent, with times. Written by
 * `pupitre scan listen --record FICHIER` on a desk with a real scanner, replayed by the replay
 * backend in tests, the bench and support (`pupitre scan listen --replay FICHIER`). Recordings
 * hold payloads: they are health data when they come from a real desk.
 */
import { z } from 'zod';
import type { HidDeviceInfo } from './backend';

export const RECORDING_FORMAT = 'pupitre-hid-recording/1';

const hexBytes = z
  .string()
  .transform((s) => s.replace(/[\s:]/g, ''))
  .refine((s) => /^([0-9a-fA-F]{2})*$/.test(s), 'hex bytes');

export const recordedDeviceSchema = z.object({
  path: z.string().min(1),
  vendorId: z.number().int().min(0).max(0xffff),
  productId: z.number().int().min(0).max(0xffff),
  product: z.string().nullable().default(null),
  manufacturer: z.string().nullable().default(null),
  usagePage: z.number().int().nullable().default(0x8c),
  usage: z.number().int().nullable().default(0x02),
  interface: z.number().int().default(0),
  /** Replay only: how `open` fails (`permission`: no udev rule), or how the mode switch answers. */
  openError: z.enum(['permission', 'busy', 'gone', 'other']).optional(),
  featureReport: z.enum(['accept', 'refuse']).default('accept'),
});

export const recordedEventSchema = z.discriminatedUnion('type', [
  z.object({ at: z.number().nonnegative(), type: z.literal('plug'), path: z.string() }),
  z.object({ at: z.number().nonnegative(), type: z.literal('unplug'), path: z.string() }),
  z.object({ at: z.number().nonnegative(), type: z.literal('report'), path: z.string(), hex: hexBytes }),
]);

export const recordingSchema = z.object({
  format: z.literal(RECORDING_FORMAT),
  /** Where the sequence comes from (device and firmware, or the manual it follows). */
  source: z.string(),
  devices: z.array(recordedDeviceSchema),
  events: z.array(recordedEventSchema),
});

export type RecordedDevice = z.output<typeof recordedDeviceSchema>;
export type RecordedEvent = z.output<typeof recordedEventSchema>;
export type HidRecording = z.output<typeof recordingSchema>;

export function parseRecording(json: unknown): HidRecording {
  return recordingSchema.parse(json);
}

export function deviceInfoOf(device: RecordedDevice): HidDeviceInfo {
  return {
    path: device.path,
    vendorId: device.vendorId,
    productId: device.productId,
    product: device.product,
    manufacturer: device.manufacturer,
    usagePage: device.usagePage,
    usage: device.usage,
    interface: device.interface,
  };
}

/** Collects what a watcher saw into a recording (`--record`). */
export class HidRecorder {
  private readonly devices = new Map<string, RecordedDevice>();
  private readonly events: RecordedEvent[] = [];
  private readonly startedAt: number;

  constructor(
    private readonly now: () => number,
    private readonly source: string,
  ) {
    this.startedAt = now();
  }

  report(device: HidDeviceInfo, report: Uint8Array, at = this.now()): void {
    if (!this.devices.has(device.path)) {
      this.devices.set(device.path, { ...device, featureReport: 'accept' });
      this.events.push({ at: 0, type: 'plug', path: device.path });
    }
    this.events.push({ at: Math.max(0, at - this.startedAt), type: 'report', path: device.path, hex: Buffer.from(report).toString('hex') });
  }

  toJSON(): HidRecording {
    return { format: RECORDING_FORMAT, source: this.source, devices: [...this.devices.values()], events: [...this.events] };
  }
}
