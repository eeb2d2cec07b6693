/**
 * Demo wiring of billing (ARCHITECTURE.md §7): the billing simulator on loopback with the shared
 * demo PKI, its mailbox kept in the data directory (so `pupitre billing sync` in a terminal and
 * the desk see the same acknowledgements), the structure's client certificate for the lot
 * transport, the demo practitioner's billing identity, and the Démo panel's switches (network
 * down, lost ARL, refused lots, ARL delay). One of the few product files allowed to import fixtures/.
 */
import { join } from 'node:path';
import { DEMO_BILLING } from '../../fixtures/sim/apcv';
import { startBillingSimulator, type BillingSimulator } from '../../fixtures/sim/billing';
import { ensureSharedTestPki } from '../../fixtures/sim/pki';
import type { DemoBillingState } from '../contract/domains/billing';
import type { Clock } from '../platform/clock';
import { HttpClient } from '../platform/http';

/** ARLs come back quickly in démo (a real caisse answers within hours). */
const DEMO_ARL_DELAY_MS = 2_000;
const DEMO_PAYMENT_DELAY_MS = 3_000;

export interface DemoBilling {
  url: string;
  transport: HttpClient;
  identity: { amNumber: string; specialty: string; conventionSector: 'secteur-1' };
  state(): DemoBillingState;
  configure(change: { down?: boolean; arlDelayMs?: number; loseNextArl?: boolean; garbleNextArl?: boolean; refuseNextLot?: boolean; refuseAll?: boolean }): Promise<DemoBillingState>;
  close(): Promise<void>;
}

export async function startDemoBilling(clock: Clock, dataDir: string): Promise<DemoBilling> {
  const pki = await ensureSharedTestPki();
  const sim: BillingSimulator = await startBillingSimulator({
    pki,
    now: () => clock.now(),
    arlDelayMs: DEMO_ARL_DELAY_MS,
    paymentDelayMs: DEMO_PAYMENT_DELAY_MS,
    stateFile: join(dataDir, 'demo-facturation.json'),
  });
  const credential = pki.structure.dmpAuthentication;
  const transport = new HttpClient({ tls: { ca: pki.caBundlePem, clientCertificate: { kind: 'pem', key: credential.privateKeyPem, cert: credential.chainPem.slice(0, 2).join('') } } });
  const state = (): DemoBillingState => {
    const controls = sim.controls();
    return {
      down: sim.isDown(),
      arlDelayMs: controls.arlDelayMs,
      loseNextArl: controls.loseNextArl > 0,
      garbleNextArl: controls.garbleNextArl > 0,
      refuseNextLot: controls.refuseNextLot > 0,
      refuseAll: controls.refuseAll,
      lotsReceived: sim.lotsReceived(),
      invoicesReceived: sim.acceptedInvoices().size,
    };
  };
  return {
    url: sim.url,
    transport,
    identity: { amNumber: DEMO_BILLING.billingNumber, specialty: DEMO_BILLING.specialtyCode, conventionSector: 'secteur-1' },
    state,
    async configure(change) {
      if (change.down !== undefined) await sim.setDown(change.down);
      sim.configure({
        ...(change.arlDelayMs === undefined ? {} : { arlDelayMs: change.arlDelayMs }),
        ...(change.loseNextArl === undefined ? {} : { loseNextArl: change.loseNextArl ? 1 : 0 }),
        ...(change.garbleNextArl === undefined ? {} : { garbleNextArl: change.garbleNextArl ? 1 : 0 }),
        ...(change.refuseNextLot === undefined ? {} : { refuseNextLot: change.refuseNextLot ? 1 : 0 }),
        ...(change.refuseAll === undefined ? {} : { refuseAll: change.refuseAll }),
      });
      return state();
    },
    async close() {
      transport.close();
      await sim.close();
    },
  };
}
