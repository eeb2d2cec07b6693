/**
 * DMP: DMPi client, "sans clic" sync and the sending queue `dmp.send`. In démo the simulator and
 * the structure certificates stand in (demo-dmp.ts, started on first use); the caller is the card
 * session (CPS inserted, PIN typed). Mutual TLS with the CPS authentication key needs a
 * PKCS#11-backed TLS engine that node:https does not have (modelled; see README): in démo the TLS
 * client certificate is the demo CPS authentication certificate's PEM; elsewhere the CPS transport
 * carries none yet.
 */
import { join } from 'node:path';
import { DMP_LPS_TLS, HttpClient, type HttpTransport } from '../../platform/http';
import type { CardsService } from '../../services/cards';
import { DMP_CONTENT_FOLDER, DmpService } from '../../services/dmp';
import type { XdsDocumentMetadata } from '../../services/cda';
import type { WorkerPool } from '../../platform/worker';
import type { PatientsService } from '../../services/patients';
import { lazyDemoDmp } from '../demo-dmp';
import { createDmpHandlers, dmpPatientOf, dmpPractitionerFrom, uuidOid, type DemoSimulatorChange } from '../handlers/dmp';
import { structureSigner, structureTransport } from './structure-certificates';
import type { WiringContext } from './context';

export function wireDmp(ctx: WiringContext, deps: { patients: PatientsService; cards: CardsService }): DmpService {
  const { settings, outbox, dispatcher } = ctx;
  const demo = ctx.environment === 'demo' ? lazyDemoDmp(ctx.clock) : null;
  if (demo !== null) ctx.closers.push(() => demo.close());
  // Outside démo, the indirect mode uses the ORG AUTH_CLI / ORG SIGN certificates of Paramètres.
  const certificates = () => settings.structureCertificate('dmp');
  const authentication = () => {
    const c = certificates();
    return c === null ? null : { file: c.authentication.file, subject: c.authentication.subject, passphrase: c.passphrase };
  };
  const signature = structureSigner(() => {
    const c = certificates();
    return c === null ? null : { file: c.signature.file, subject: c.signature.subject, passphrase: c.passphrase };
  }, ctx.clock);
  const structureTls = structureTransport(authentication, 'DMP_CARD_REQUIRED', { tls: { ...DMP_LPS_TLS } });
  const cpsTls = new HttpClient({ tls: { ...DMP_LPS_TLS } });
  ctx.closers.push(() => {
    structureTls.close();
    cpsTls.close();
  });
  const productionTransports: Record<'CPS' | 'STRUCTURE', HttpTransport> = { CPS: cpsTls, STRUCTURE: structureTls };
  const productionStructure = () => {
    const c = certificates();
    const signer = signature();
    return c === null || signer === null ? null : { id: c.structureId, name: c.structureName, activitySector: c.activitySector, signer };
  };
  const dmp = new DmpService({
    db: ctx.db,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    ...(demo === null ? {} : { prepare: async () => void (await demo.ready()) }),
    http: (credential) => demo?.current()?.transports[credential] ?? productionTransports[credential],
    practitioner: () => dmpPractitionerFrom(deps.cards.practitionerSession(), { id: '', name: '', activitySector: 'SA07' }),
    structure: () => (demo !== null ? (demo.current()?.structure ?? null) : productionStructure()),
    patient: (id) => dmpPatientOf(deps.patients.get(id, 'dmp').patient),
    settings: () => {
      const current = settings.get();
      return {
        endpoint: demo?.current()?.url ?? current.endpoints.dmp,
        lps: { id: current.lps.installationId, name: current.lps.name, version: current.lps.version, homologation: current.lps.cndaAuthorisation || 'NON-HOMOLOGUE' },
        lpsOid: uuidOid(current.lps.installationId),
        preferredTypeCodes: current.dmp.preferredTypeCodes,
        indirectSending: demo !== null || current.certificates.dmp !== null,
      };
    },
    outbox,
    // Documents waiting to be sent: sealed files beside the database (README « Design »).
    contentFolder: join(ctx.dataDir, DMP_CONTENT_FOLDER),
    notify: (event, payload) => dispatcher.emit(event, payload),
    // An imported CDA (up to 16 MB) is read in the worker thread: the desk keeps answering.
    ...(ctx.workers === undefined
      ? {}
      : { readCdaMetadata: (bytes: Uint8Array, extraConfidentiality: string[]) => (ctx.workers as WorkerPool).run<XdsDocumentMetadata>('cda.metadata', { bytes, extraConfidentiality }) }),
  });
  const simulator =
    demo === null
      ? undefined
      : async (change: DemoSimulatorChange) => {
          const state = await (await demo.ready()).control(change);
          // The DMP is back: send what waits now rather than at the next probe.
          if (change.mode === 'up') void outbox.syncNow();
          return state;
        };
  dispatcher.register(createDmpHandlers(dmp, { actor: () => ctx.actor.current(), ...(simulator === undefined ? {} : { simulator }) }));
  // Pre-warm (issue 15): once the card's PIN is typed, a connection to the DMP waits in the pool;
  // the VIHFs signed during a session are forgotten when it ends.
  deps.cards.onChange((change) => {
    if (change.reason === 'session-opened') void dmp.prewarm(null);
    if (change.reason === 'session-closed') dmp.cardSessionEnded();
  });
  // A merged patient record's unsent DMP documents follow the record kept (patients/merge.ts).
  deps.patients.addMergeParticipant({ label: 'documents DMP à envoyer', reassign: (from, to) => dmp.reassignUnsentDocuments(from, to) });
  // The list of documents kept here is the DMP of the INS it was fetched under: it goes when the
  // record's qualified INS changes, in the same transaction (patients/qualified-ins.ts).
  deps.patients.addQualifiedInsWatcher({ label: 'liste des documents DMP', qualifiedInsChanged: (patientId) => dmp.forgetList(patientId) });
  return dmp;
}
