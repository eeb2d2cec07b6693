/**
 * INSi: client + worklist queue `insi.lookup`. Démo: the simulator and the demo INSI-MANU
 * structure certificate (demo-insi.ts). Elsewhere: the card session's assertion PS over server
 * TLS, or the structure certificate (INSI-MANU / INSI-AUTO) of Paramètres over mutual TLS.
 */
import { HttpClient, type HttpTransport } from '../../platform/http';
import type { CardsService } from '../../services/cards';
import { InsiClient, InsiService, type InsiAuthMode, type InsiPatientsPort } from '../../services/insi';
import { isEndpointConfigured } from '../../services/settings';
import type { PatientsService } from '../../services/patients';
import { startDemoInsi, type DemoInsi } from '../demo-insi';
import { createInsiHandlers } from '../handlers/insi';
import { structureTransport } from './structure-certificates';
import type { WiringContext } from './context';

export async function wireInsi(ctx: WiringContext, deps: { patients: PatientsService; cards: CardsService }): Promise<InsiService> {
  const { settings } = ctx;
  const demo = ctx.environment === 'demo' ? await startDemoInsi(ctx.clock, { idams: [settings.get().lps.cndaAuthorisation].filter(Boolean) }) : null;
  if (demo !== null) ctx.closers.push(() => demo.close());
  const serverTls = new HttpClient({});
  ctx.closers.push(() => serverTls.close());
  // Outside démo: the INSI-MANU / INSI-AUTO certificate of Paramètres (mutual TLS), when set.
  const certificate = () => settings.structureCertificate('insi');
  const structureTls = structureTransport(certificate, 'INSI_NO_CREDENTIALS');
  ctx.closers.push(() => structureTls.close());
  const transport = (mode: InsiAuthMode): HttpTransport => demo?.transports[mode] ?? (mode === 'structure' ? structureTls : serverTls);
  const insi = new InsiService({
    client: new InsiClient({
      transport,
      endpoint: () => demo?.url ?? settings.get().endpoints.insi,
      lps: () => {
        const current = settings.get();
        return { idam: current.lps.cndaAuthorisation || (demo?.idam ?? ''), name: current.lps.name, version: current.lps.version, instance: current.lps.installationId };
      },
      clock: ctx.clock,
    }),
    patients: demo === null ? deps.patients : enrollingInDemo(deps.patients, demo),
    selectPatients: (selection) => deps.patients.insiCandidates(selection),
    db: ctx.db,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    practitioner: () => {
      const session = deps.cards.practitionerSession();
      return session === null ? null : { holder: { idNat: session.holder.idNat, activitySector: session.holder.situations[0]?.activitySector ?? null }, signer: session.signer };
    },
    // The Emetteur is the structure id (OU) of the INSi certificate (insi.md §1.1).
    structure: () => {
      if (demo !== null) return { emitter: demo.structureEmitter };
      const configured = certificate();
      return configured === null ? null : { emitter: configured.structureId };
    },
    outbox: ctx.outbox,
    // Pacing of the worklist: Paramètres → INSi, read at each call; démo runs faster against the
    // local simulator.
    worklist: { concurrency: 4, requestsPerSecond: demo === null ? () => settings.get().insi.worklistRequestsPerSecond : 50 },
    notify: (progress) => ctx.dispatcher.emit('insi.worklist.progress', progress),
    endpointConfigured: () => demo !== null || isEndpointConfigured(settings.get().endpoints.insi),
  });
  ctx.dispatcher.register(createInsiHandlers(insi, { actor: () => ctx.actor.current() }));
  return insi;
}

/**
 * Démo: the simulated national register learns each patient the desk asks INSi about, with all the
 * birth first names, as the real RNIPP knows everyone. Without it a synthetic answer could only echo
 * the first name asked, and the acceptance rule would refuse most of an imported base.
 */
function enrollingInDemo(patients: PatientsService, demo: DemoInsi): InsiPatientsPort {
  return new Proxy(patients, {
    get(target, key) {
      if (key === 'insiQueryTraits') {
        return (id: string, actor: string) => {
          const traits = target.insiQueryTraits(id, actor);
          demo.enrol(traits);
          return traits;
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
