/**
 * Composition root: builds the service graph with its dependencies (db, clock, logger, settings)
 * and registers the contract handlers. Nothing else in the product creates services.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Environment } from '../contract';
import type { Clock } from '../platform/clock';
import { migrate, openDatabase, type Db } from '../platform/db';
import type { Logger } from '../platform/log';
import { AuditTrail } from '../services/audit';
import { DmpService, type DmpPractitioner } from '../services/dmp';
import { DMP_LPS_TLS, HttpClient, type HttpTransport } from '../platform/http';
import { Outbox } from '../services/outbox';
import { PatientsService } from '../services/patients';
import { InsiClient, InsiService, type InsiAuthMode } from '../services/insi';
import { SettingsService } from '../services/settings';
import { PcscliteBackend, PcscSupervisor } from '../../native/pcsc';
import { CardsService } from '../services/cards';
import { cardsDoctorChecks, createCardsHandlers, pkcs11SignerFactory } from './handlers/cards';
import { baseChecks, runChecks, type DoctorCheck } from './doctor';
import { createCdaHandlers } from './handlers/cda';
import { createCoreHandlers, DESK_ACTOR } from './handlers/core';
import { createDmpHandlers, dmpPatientOf, dmpPractitionerFrom, uuidOid, type DemoSimulatorChange } from './handlers/dmp';
import { lazyDemoDmp } from './demo-dmp';
import { createOutboxHandlers, outboxDoctorCheck } from './handlers/outbox';
import { createPatientsHandlers } from './handlers/patients';
import { createInsiHandlers } from './handlers/insi';
import { startDemoInsi } from './demo-insi';
import { seedDemoData } from './demo';
import { migrations } from './migrations';
import { RpcDispatcher } from './rpc';

export interface HostOptions {
  dataDir: string;
  /** 64 hex characters; the caller gets it from safeStorage (Electron) or the key file. */
  keyHex: string;
  clock: Clock;
  logger: Logger;
  /** Forces the environment at start (e.g. `pupitre serve --demo`), otherwise the stored one. */
  environment?: Environment;
  transport: 'electron' | 'websocket' | 'in-process';
  /** Folder of the built renderer, when this host serves it (for the Diagnostic screen). */
  rendererDir?: string;
}

export interface Host {
  dispatcher: RpcDispatcher;
  logger: Logger;
  db: Db;
  settings: SettingsService;
  audit: AuditTrail;
  environment: Environment;
  startedAt: string;
  /** Checks shown by `pupitre doctor` and the Diagnostic screen; capabilities append theirs. */
  doctorChecks: DoctorCheck[];
  /** Durable queue of remote exchanges: services register their queues on it during composition. */
  outbox: Outbox;
  patients: PatientsService;
  /** CPS/CPE and Vitale cards; watches readers in the background except for in-process (CLI) hosts. */
  cards: CardsService;
  /** Starts background work (the outbox loop); compose does it itself for the electron and websocket transports. */
  startBackground(): void;
  close(): Promise<void>;
}

export const APP_NAME = 'Pupitre';
export const APP_VERSION = readPackageVersion();
/** Running outbox jobs get this long to finish at shutdown; the rest go back to pending. */
const OUTBOX_SHUTDOWN_GRACE_MS = 5_000;

export async function composeHost(options: HostOptions): Promise<Host> {
  const logger = options.logger.child('host');
  const db = openDatabase({ path: join(options.dataDir, 'pupitre.db'), keyHex: options.keyHex });
  const closers: Array<() => Promise<void> | void> = [
    () => {
      db.close();
    },
  ];
  try {
    const report = migrate(db, migrations);
    if (report.applied.length > 0) logger.info('db.migrated', { from: report.from, to: report.to });

    const audit = new AuditTrail(db, options.clock);
    const settings = new SettingsService(db, options.clock, { name: APP_NAME, version: APP_VERSION }, audit.write);
    if (options.environment !== undefined && settings.get().environment !== options.environment) {
      settings.set('environment', options.environment, 'système');
    }
    const environment = settings.get().environment;
    const startedAt = new Date(options.clock.now()).toISOString();

    const doctorChecks = baseChecks({
      dataDir: options.dataDir,
      environment: () => settings.get().environment,
      pkcs11Module: () => settings.get().pkcs11Module,
      dbVersion: () => db.pragma('user_version', { simple: true }) as number,
      ...(options.rendererDir === undefined ? {} : { rendererDir: options.rendererDir }),
    });

    const dispatcher = new RpcDispatcher(options.logger.child('rpc'));
    dispatcher.register(
      createCoreHandlers({
        settings,
        audit,
        emit: (event, payload) => dispatcher.emit(event, payload),
        diagnostics: async () => runChecks(doctorChecks),
        info: () => ({
          name: APP_NAME,
          version: APP_VERSION,
          environment: settings.get().environment,
          dataDir: options.dataDir,
          startedAt,
          transport: options.transport,
        }),
      }),
    );

    // --- outbox ---
    // Built before the domain services so that they can register their queues on `outbox`; the
    // loop starts only after every registration (see "outbox: start" below).
    const outbox = new Outbox({
      db,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      notify: (event, payload) => dispatcher.emit(event, payload),
    });
    // Retry and cancel are audited under the card holder once the cards block has named them
    // (`actor`, declared by the patients block below, is read at call time).
    dispatcher.register(createOutboxHandlers(outbox, { actor: () => actor.current() }));
    doctorChecks.push(outboxDoctorCheck(outbox));
    // --- end outbox ---

    // --- patients ---
    // Who acts, for the audit trail and identity history: the desk until a card session names the
    // professional (the cards block replaces `actor.current`).
    const actor = { current: (): string => DESK_ACTOR };
    const patients = new PatientsService({
      db,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      environment: () => settings.get().environment,
      notify: (notification) => dispatcher.emit(notification.event, notification.payload),
    });
    dispatcher.register(createPatientsHandlers(patients, { actor: () => actor.current() }));
    const seeded = seedDemoData(patients);
    if (seeded > 0) logger.info('demo.patients_seeded', { count: seeded });
    // --- end patients ---

    // --- cda ---
    // Pure functions over the CI-SIS value sets: no state, no dependency.
    dispatcher.register(createCdaHandlers());
    // --- end cda ---

    // --- cards ---
    // Demo: virtual cards through pcscd+vpcd when reachable, else in-process (demo-cards.ts, loaded
    // only in demo so production never loads fixtures). Other environments: pcsclite + PKCS#11.
    const demoCards = environment === 'demo' ? await (await import('./demo-cards')).attachDemoCards({ dataDir: options.dataDir, logger, clock: options.clock }) : null;
    const pcsc = new PcscSupervisor({ createBackend: demoCards?.createBackend ?? (() => new PcscliteBackend()), logger: options.logger.child('pcsc') });
    const cards = new CardsService({
      pcsc,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      notify: (change) => dispatcher.emit('cards.changed', change),
      signerFactory: demoCards?.signerFactory ?? pkcs11SignerFactory(() => settings.get().pkcs11Module, options.clock),
      deskActor: DESK_ACTOR,
    });
    dispatcher.register(createCardsHandlers(cards));
    if (demoCards) dispatcher.register(demoCards.handlers);
    actor.current = () => cards.practitionerSession()?.holder.idNat ?? DESK_ACTOR;
    doctorChecks.push(...cardsDoctorChecks(cards));
    if (options.transport !== 'in-process') cards.start();
    closers.push(async () => {
      await cards.stop();
      await demoCards?.close();
    });
    // --- end cards ---

    // --- dmp ---
    // DMPi client + "sans clic" sync + sending queue `dmp.send`. In démo the simulator and the
    // structure certificates stand in (demo-dmp.ts); the caller is the card session (CPS inserted,
    // PIN typed). Mutual TLS with the CPS authentication key needs a PKCS#11-backed TLS engine that
    // node:https does not have (modelled; see README): in démo the TLS client certificate is the
    // demo CPS authentication certificate's PEM; elsewhere the CPS transport carries none yet.
    const dmpDemo = settings.get().environment === 'demo' ? lazyDemoDmp(options.clock) : null;
    if (dmpDemo !== null) closers.push(() => dmpDemo.close());
    const dmpProductionTransports: Record<'CPS' | 'STRUCTURE', HttpTransport> = {
      CPS: new HttpClient({ tls: { ...DMP_LPS_TLS } }),
      STRUCTURE: new HttpClient({ tls: { ...DMP_LPS_TLS } }),
    };
    const dmpCard = { current: (): DmpPractitioner | null => dmpPractitionerFrom(cards.practitionerSession(), { id: '', name: '', activitySector: 'SA07' }) };
    const dmp = new DmpService({
      db,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      ...(dmpDemo === null ? {} : { prepare: async () => void (await dmpDemo.ready()) }),
      http: (credential) => dmpDemo?.current()?.transports[credential] ?? dmpProductionTransports[credential],
      practitioner: () => dmpCard.current(),
      structure: () => dmpDemo?.current()?.structure ?? null,
      patient: (id) => dmpPatientOf(patients.get(id, 'dmp').patient),
      settings: () => {
        const current = settings.get();
        return {
          endpoint: dmpDemo?.current()?.url ?? current.endpoints.dmp,
          lps: { id: current.lps.installationId, name: current.lps.name, version: current.lps.version, homologation: current.lps.cndaAuthorisation || 'NON-HOMOLOGUE' },
          lpsOid: uuidOid(current.lps.installationId),
          preferredTypeCodes: [],
          indirectSending: dmpDemo !== null,
        };
      },
      outbox,
      notify: (event, payload) => dispatcher.emit(event, payload),
    });
    const dmpSimulator =
      dmpDemo === null
        ? undefined
        : async (change: DemoSimulatorChange) => {
            const state = await (await dmpDemo.ready()).control(change);
            // The DMP is back: send what waits now rather than at the next probe.
            if (change.mode === 'up') void outbox.syncNow();
            return state;
          };
    dispatcher.register(createDmpHandlers(dmp, { actor: () => actor.current(), ...(dmpSimulator === undefined ? {} : { simulator: dmpSimulator }) }));
    // Sendings that wait for the card resume when a card is inserted or its PIN typed.
    dispatcher.subscribe((event) => {
      if (event === 'cards.changed') outbox.wake('cards.changed');
    });
    // --- end dmp ---

    // --- insi ---
    // INSi client + worklist queue `insi.lookup`. Démo: the simulator and the demo INSI-MANU
    // structure certificate (demo-insi.ts). Elsewhere: the card session's assertion PS over server
    // TLS; the structure certificate (mutual TLS) is not configurable in Paramètres yet (modelled).
    const insiDemo = settings.get().environment === 'demo' ? await startDemoInsi(options.clock, { idams: [settings.get().lps.cndaAuthorisation].filter(Boolean) }) : null;
    if (insiDemo !== null) closers.push(() => insiDemo.close());
    const insiServerTls = new HttpClient({});
    closers.push(() => insiServerTls.close());
    const insiTransport = (mode: InsiAuthMode): HttpTransport => insiDemo?.transports[mode] ?? insiServerTls;
    const insi = new InsiService({
      client: new InsiClient({
        transport: insiTransport,
        endpoint: () => insiDemo?.url ?? settings.get().endpoints.insi,
        lps: () => {
          const current = settings.get();
          return { idam: current.lps.cndaAuthorisation || (insiDemo?.idam ?? ''), name: current.lps.name, version: current.lps.version, instance: current.lps.installationId };
        },
        clock: options.clock,
      }),
      patients,
      selectPatients: (selection) => patients.insiCandidates(selection),
      db,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      practitioner: () => {
        const session = cards.practitionerSession();
        return session === null ? null : { holder: { idNat: session.holder.idNat, activitySector: session.holder.situations[0]?.activitySector ?? null }, signer: session.signer };
      },
      structure: () => (insiDemo === null ? null : { emitter: insiDemo.structureEmitter }),
      outbox,
      // Pacing of the worklist: not in Paramètres yet; démo runs faster against the local simulator.
      worklist: { concurrency: 4, requestsPerSecond: insiDemo === null ? 5 : 50 },
      notify: (progress) => dispatcher.emit('insi.worklist.progress', progress),
    });
    dispatcher.register(createInsiHandlers(insi, { actor: () => actor.current() }));
    // --- end insi ---

    // --- outbox: start ---
    // Last step of composition, once every queue is registered. CLI commands (in-process) do not
    // run background work: `pupitre queue sync` drives the outbox explicitly.
    if (options.transport !== 'in-process') outbox.start();
    // Registered last so that it runs first at close: running jobs finish (or are put back to
    // pending) while the card, DMP and INSi services they use are still up.
    closers.push(() => outbox.stop(OUTBOX_SHUTDOWN_GRACE_MS));
    // --- end outbox: start ---

    return {
      dispatcher,
      logger,
      db,
      settings,
      audit,
      environment,
      startedAt,
      doctorChecks,
      outbox,
      patients,
      cards,
      startBackground: () => outbox.start(),
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    throw error;
  }
}

function readPackageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
