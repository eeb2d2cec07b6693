/**
 * Demo wiring of INSi (ARCHITECTURE.md §7): in the `démo` environment the host starts the INSi
 * simulator on loopback (demo PKI, mutual TLS) answering the CNDA test identities and, for any other
 * traits, a deterministic synthetic answer; the demo structure's INSI-MANU certificate stands in for
 * the structure mode. One of the few product files allowed to import `fixtures/`.
 */
import { DEMO_IDAM, startInsiSimulator } from '../../fixtures/sim/insi';
import { insiTransports } from '../../fixtures/wiring/insi';
import { ensureSharedTestPki } from '../../fixtures/sim/pki';
import type { Clock } from '../platform/clock';
import type { HttpTransport } from '../platform/http';
import type { StrictTraits } from '../services/identity';

export interface DemoInsi {
  url: string;
  idam: string;
  /** OU of the INSI-MANU certificate: the Emetteur in structure mode. */
  structureEmitter: string;
  transports: Record<'cps' | 'structure', HttpTransport>;
  setLatency(ms: number): void;
  /**
   * Makes the simulated national register know this person with all the birth first names (the
   * real RNIPP knows everyone: INSi answers with the full list whichever first name was asked).
   */
  enrol(traits: StrictTraits): void;
  close(): Promise<void>;
}

export async function startDemoInsi(clock: Clock, options: { idams?: string[]; latencyMs?: number } = {}): Promise<DemoInsi> {
  // One demo PKI per machine for every demo piece (see demo-dmp.ts).
  const pki = await ensureSharedTestPki();
  const sim = await startInsiSimulator({
    pki,
    idams: [DEMO_IDAM, ...(options.idams ?? [])],
    synthesize: true,
    now: () => clock.now(),
    latencyMs: options.latencyMs ?? 0,
  });
  const transports = insiTransports(pki);
  return {
    url: sim.url,
    idam: DEMO_IDAM,
    structureEmitter: pki.structure.identity.identifier,
    transports,
    setLatency: (ms) => sim.setLatency(ms),
    enrol: (traits) => {
      const two = (n: number | null): string => String(n ?? 0).padStart(2, '0');
      const birthDate = `${traits.birthDate.year}-${two(traits.birthDate.month)}-${two(traits.birthDate.day)}`;
      sim.enrol([{ birthName: traits.birthName, givenNames: traits.birthGivenNames.split(' '), sex: traits.sex, birthDate, birthPlaceCode: traits.birthPlaceCode }]);
    },
    async close() {
      transports.cps.close();
      transports.structure.close();
      await sim.close();
    },
  };
}
