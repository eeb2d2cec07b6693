/**
 * Demo wiring of the DMP (ARCHITECTURE.md §7): in the `démo` environment the host starts the DMP
 * simulator on loopback (mutual TLS with the demo PKI) and uses the demo practitioner's virtual CPS
 * (signature key for the VIHF, authentication certificate for TLS) as the inserted card, and the
 * demo structure's ORG AUTH_CLI / ORG SIGN certificates for the indirect mode. One of the few
 * product files allowed to import `fixtures/`.
 */
import { addBulkDocuments, startDmpSimulator, type DmpSimMode } from '../../fixtures/sim/dmp';
import { demoDmpPractitioner, demoDmpStructure, dmpTransports } from '../../fixtures/wiring/dmp';
import { ensureSharedTestPki } from '../../fixtures/sim/pki';
import type { Clock } from '../platform/clock';
import type { HttpTransport } from '../platform/http';
import type { DmpPractitioner, DmpStructureCredentials } from '../services/dmp';

export interface DemoDmp {
  url: string;
  practitioner: DmpPractitioner;
  structure: DmpStructureCredentials;
  transports: Record<'CPS' | 'STRUCTURE', HttpTransport>;
  control(change: { mode?: string | undefined; latencyMs?: number | undefined; extraDocuments?: number | undefined }): Promise<{ mode: string; url: string; documents: number }>;
  close(): Promise<void>;
}

export async function startDemoDmp(clock: Clock, options: { port?: number } = {}): Promise<DemoDmp> {
  // One demo PKI per machine for every demo piece: the virtual cards' SoftHSM2 tokens hold its keys,
  // and SoftHSM2 reads its configuration once per process (README, Design).
  const pki = await ensureSharedTestPki();
  const sim = await startDmpSimulator({
    pki,
    now: () => clock.now(),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  const transports = dmpTransports(pki);
  let mode: DmpSimMode = 'up';
  return {
    url: sim.url,
    practitioner: demoDmpPractitioner(pki),
    structure: demoDmpStructure(pki),
    transports,
    async control(change) {
      if (change.mode !== undefined) {
        mode = change.mode as DmpSimMode;
        await sim.setMode(mode);
      }
      if (change.latencyMs !== undefined) sim.setLatency(change.latencyMs);
      if (change.extraDocuments !== undefined && change.extraDocuments > 0) addBulkDocuments(sim.registry, change.extraDocuments, clock.now());
      return { mode, url: sim.url, documents: sim.registry.contents.size };
    },
    async close() {
      transports.CPS.close();
      transports.STRUCTURE.close();
      await sim.close();
    },
  };
}

/**
 * The demo DMP, started on first use: generating the demo PKI takes seconds the first time, and a
 * host that never opens the DMP (CLI commands, most tests) should not pay for it.
 */
export interface LazyDemoDmp {
  ready(): Promise<DemoDmp>;
  current(): DemoDmp | null;
  close(): Promise<void>;
}

export function lazyDemoDmp(clock: Clock): LazyDemoDmp {
  let started: Promise<DemoDmp> | null = null;
  let value: DemoDmp | null = null;
  return {
    ready() {
      started ??= startDemoDmp(clock).then((demo) => {
        value = demo;
        return demo;
      });
      return started;
    },
    current: () => value,
    async close() {
      if (started !== null) await (await started.catch(() => null))?.close();
    },
  };
}
