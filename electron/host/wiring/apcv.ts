/**
 * Appli carte Vitale + ADRi. Démo: the simulators (demo-apcv.ts) and the demo practitioner's billing
 * identity. Elsewhere the SI ApCV and ADRi answers, the QR payload and the professional's billing
 * identity on the card are not public (addendum 8, under agreement): no client is built, every
 * scan gets APCV_NOT_CONFIGURED and rights stay « non vérifiés » (not-configured) — said plainly,
 * never guessed.
 */
import { AdriClient, AdriService } from '../../services/adri';
import { ApcvClient, ApcvService, type ScanPayloadPort } from '../../services/apcv';
import type { CardsService } from '../../services/cards';
import type { PatientsService } from '../../services/patients';
import { createApcvHandlers } from '../handlers/apcv';
import { DESK_ACTOR } from '../handlers/core';
import type { HandlerMap } from '../rpc';
import { patientRecordIdentity } from './patient-record';
import type { WiringContext } from './context';

const SWEEP_INTERVAL_MS = 5_000;
const NOT_CONFIGURED = 'à configurer (spécifications SESAM-Vitale de l’appli carte Vitale, addendum 8, sous convention)';

export async function wireApcv(
  ctx: WiringContext,
  deps: { patients: PatientsService; cards: CardsService; takeScanPayload?: ScanPayloadPort },
): Promise<{ apcv: ApcvService; adri: AdriService }> {
  const demo = ctx.environment === 'demo' ? await (await import('../demo-apcv')).startDemoApcv(ctx.clock) : null;
  if (demo !== null) ctx.closers.push(() => demo.close());
  const lps = () => {
    const current = ctx.settings.get();
    return { idam: current.lps.cndaAuthorisation || 'PUPITRE-DEMO-0001', name: current.lps.name, version: current.lps.version, instance: current.lps.installationId };
  };
  const card = () => {
    const session = deps.cards.practitionerSession();
    if (session === null) return null;
    const holder = {
      idNat: session.holder.idNat,
      // The numéro de facturation of a CPS situation is in the card's « données métier » (modelled): démo only.
      billingNumber: demo?.billing.billingNumber ?? null,
      activitySector: session.holder.situations[0]?.activitySector ?? null,
    };
    return { holder, signer: session.signer };
  };

  const apcv = new ApcvService({
    client: demo === null ? null : new ApcvClient({ transport: demo.transport, baseUrl: () => demo.apcvUrl, lps, clock: ctx.clock }),
    mode: demo === null ? 'unavailable' : 'simulator',
    endpoint: () => demo?.apcvUrl ?? NOT_CONFIGURED,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    practitioner: () => {
      const c = card();
      return c === null ? null : { ...c, professional: demo === null ? null : demo.billing };
    },
    ...(deps.takeScanPayload === undefined ? {} : { takeScanPayload: deps.takeScanPayload }),
    notify: (change) => ctx.dispatcher.emit('apcv.changed', change),
    deskActor: DESK_ACTOR,
  });
  const adri = new AdriService({
    db: ctx.db,
    client: demo === null ? null : new AdriClient({ transport: demo.transport, endpoint: () => demo.adriUrl, lps, clock: ctx.clock }),
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    credentials: card,
    patientIdentity: (id, actor) => patientRecordIdentity(deps.patients, id, actor),
    notify: (change) => ctx.dispatcher.emit('adri.changed', change),
  });
  ctx.dispatcher.register(createApcvHandlers(apcv, adri, { actor: () => ctx.actor.current() }));
  if (demo !== null) {
    const handlers: HandlerMap = {
      'demo.apcv.list': async () => ({ apps: demo.apps, serviceDown: demo.serviceDown(), latencyMs: demo.latency() }),
      'demo.apcv.configure': async ({ serviceDown, latencyMs }) => {
        if (serviceDown !== undefined) {
          await demo.setServiceDown(serviceDown);
          if (!serviceDown) apcv.resetReachability();
        }
        if (latencyMs !== undefined) demo.setLatency(latencyMs);
        return { serviceDown: demo.serviceDown(), latencyMs: demo.latency() };
      },
    };
    ctx.dispatcher.register(handlers);
  }
  if (ctx.transport !== 'in-process') {
    const timer = setInterval(() => apcv.sweep(), SWEEP_INTERVAL_MS);
    timer.unref();
    ctx.closers.push(() => clearInterval(timer));
  }
  return { apcv, adri };
}
