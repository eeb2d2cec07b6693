/**
 * Demo wiring of the appli carte Vitale and ADRi (ARCHITECTURE.md §7): the SI ApCV and ADRi
 * simulators on loopback with the shared demo PKI (the virtual CPS signs the assertions), the demo
 * apps whose QR codes the Démo panel shows, and the « service en panne » switch. One of the few
 * product files allowed to import `fixtures/`.
 */
import { DEMO_APPS, DEMO_BILLING, qrPayloadOf, startApcvSimulator, UNKNOWN_APP } from '../../fixtures/sim/apcv';
import { startAdriSimulator } from '../../fixtures/sim/adri';
import { ensureSharedTestPki } from '../../fixtures/sim/pki';
import type { Clock } from '../platform/clock';
import { HttpClient } from '../platform/http';

export interface DemoApcv {
  apcvUrl: string;
  adriUrl: string;
  transport: HttpClient;
  billing: { billingNumber: string; specialtyCode: string };
  apps: Array<{ id: string; label: string; payload: string }>;
  setServiceDown(down: boolean): Promise<void>;
  serviceDown(): boolean;
  setLatency(ms: number): void;
  latency(): number;
  close(): Promise<void>;
}

export async function startDemoApcv(clock: Clock): Promise<DemoApcv> {
  const pki = await ensureSharedTestPki();
  const apcv = await startApcvSimulator({ pki, now: () => clock.now() });
  const adri = await startAdriSimulator({ pki, now: () => clock.now(), synthesize: true });
  const transport = new HttpClient({ tls: { ca: pki.caBundlePem } });
  return {
    apcvUrl: apcv.url,
    adriUrl: adri.url,
    transport,
    billing: { ...DEMO_BILLING },
    apps: [...DEMO_APPS, UNKNOWN_APP].map((app) => ({ id: app.id, label: app.label, payload: qrPayloadOf(app) })),
    async setServiceDown(down) {
      await apcv.setDown(down);
      await adri.setDown(down);
    },
    serviceDown: () => apcv.isDown(),
    setLatency(ms) {
      apcv.setLatency(ms);
      adri.setLatency(ms);
    },
    latency: () => apcv.latency(),
    async close() {
      transport.close();
      await apcv.close();
      await adri.close();
    },
  };
}
