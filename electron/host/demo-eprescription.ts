/**
 * Demo wiring of the base e-prescription (ARCHITECTURE.md §7): in the `démo` environment the host
 * starts the simulator on loopback (TLS with the demo PKI, assertion PS checked against the demo CA)
 * on first use, and the demo drug list is imported into an empty list. One of the few product files
 * allowed to import `fixtures/`.
 */
import { appPath } from '../platform/app-root';
import { startEprescriptionSimulator, type ErxSimMode, type ErxSimulator } from '../../fixtures/sim/eprescription';
import { erxTransport } from '../../fixtures/wiring/eprescription';
import { ensureSharedTestPki } from '../../fixtures/sim/pki';
import type { Clock } from '../platform/clock';
import type { HttpTransport } from '../platform/http';

export interface DemoBase {
  url: string;
  transport: HttpTransport;
  sim: ErxSimulator;
  close(): Promise<void>;
}

export interface LazyDemoBase {
  ready(): Promise<DemoBase>;
  current(): DemoBase | null;
  control(change: { mode?: ErxSimMode | undefined; cancel?: string | undefined }): Promise<{ mode: string; url: string; prescriptions: number }>;
  close(): Promise<void>;
}

/** The demo base, started on first use (generating the demo PKI takes seconds the first time). */
export function lazyDemoBase(clock: Clock): LazyDemoBase {
  let started: Promise<DemoBase> | null = null;
  let value: DemoBase | null = null;
  const ready = (): Promise<DemoBase> => {
    started ??= (async () => {
      const pki = await ensureSharedTestPki();
      const sim = await startEprescriptionSimulator({ pki, now: () => clock.now() });
      const transport = erxTransport(pki);
      value = {
        url: sim.url,
        transport,
        sim,
        close: async () => {
          transport.close();
          await sim.close();
        },
      };
      return value;
    })();
    return started;
  };
  return {
    ready,
    current: () => value,
    async control(change) {
      const demo = await ready();
      if (change.mode !== undefined) await demo.sim.setMode(change.mode);
      if (change.cancel !== undefined) demo.sim.cancel(change.cancel);
      return { mode: demo.sim.mode(), url: demo.url, prescriptions: demo.sim.prescriptions.size };
    },
    async close() {
      if (started !== null) await (await started.catch(() => null))?.close();
    },
  };
}

/** The short real BDPM extract shipped for the demo (fixtures/data/bdpm, README there). */
export const DEMO_BDPM_DIR = appPath(import.meta.url, 'fixtures', 'data', 'bdpm');
