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
import { Outbox } from '../services/outbox';
import { PatientsService } from '../services/patients';
import { isEndpointConfigured, SettingsService } from '../services/settings';
import type { CardsService } from '../services/cards';
import type { EprescriptionService } from '../services/eprescription';
import { baseChecks, runChecks, type DoctorCheck } from './doctor';
import { createAuditHandlers } from './handlers/audit';
import { createCdaHandlers } from './handlers/cda';
import { createCoreHandlers, DESK_ACTOR } from './handlers/core';
import { createOutboxHandlers, outboxDoctorCheck } from './handlers/outbox';
import { createPatientsHandlers } from './handlers/patients';
import { seedDemoData } from './demo';
import { deskCheck, endpointChecks, structureCertificatesCheck } from './doctor-desk';
import { acquireHostLock } from './instance-lock';
import { migrations } from './migrations';
import { RpcDispatcher } from './rpc';
import { wireApcv } from './wiring/apcv';
import { wireCards } from './wiring/cards';
import type { WiringContext } from './wiring/context';
import { wireDmp } from './wiring/dmp';
import { wireEprescription } from './wiring/eprescription';
import { wireInsi } from './wiring/insi';

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
  /**
   * Démo card readers of an in-process (CLI) host: `private` (default) gives it two virtual readers
   * of its own, so that it never inserts a virtual card into the vpcd reader a running desk uses;
   * `system` observes the machine's PC/SC readers (`pupitre cards`, `pupitre doctor`).
   */
  demoReaders?: 'private' | 'system';
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
  /** Ordonnance numérique (the CLI imports the drug list through it). */
  eprescription: EprescriptionService;
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
  // One desk (app or serve) per data directory; CLI hosts share it safely (instance-lock.ts).
  const lock = options.transport === 'in-process' ? null : acquireHostLock(options.dataDir, options.transport === 'electron' ? 'application Pupitre' : 'pupitre serve');
  let db: Db;
  try {
    db = openDatabase({ path: join(options.dataDir, 'pupitre.db'), keyHex: options.keyHex });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const closers: Array<() => Promise<void> | void> = [
    () => lock?.release(),
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

    // Outbox first, so that domain services can register their queues; its loop starts last.
    const outbox = new Outbox({
      db,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      notify: (event, payload) => dispatcher.emit(event, payload),
      endpointConfigured: (endpoint) => endpointIsConfigured(settings.get(), endpoint),
    });
    const ctx: WiringContext = {
      dataDir: options.dataDir,
      environment,
      transport: options.transport,
      demoReaders: options.demoReaders ?? 'private',
      clock: options.clock,
      logger: options.logger,
      db,
      settings,
      audit,
      dispatcher,
      outbox,
      doctorChecks,
      closers,
      // The desk until a card session names the professional (wireCards replaces it); read at call time.
      actor: { current: () => DESK_ACTOR },
    };
    // The File d'envoi names each job's patient; the patients service is built just below.
    let patientsLate: PatientsService | null = null;
    dispatcher.register(createOutboxHandlers(outbox, { actor: () => ctx.actor.current(), patientNames: (ids) => patientsLate?.displayNames(ids) ?? new Map() }));
    doctorChecks.push(outboxDoctorCheck(outbox));
    doctorChecks.push(...endpointChecks({ settings: () => settings.get(), health: (endpoint) => outbox.endpoints().find((e) => e.endpoint === endpoint) ?? null }));
    doctorChecks.push(deskCheck(options.dataDir, options.transport === 'in-process' ? 'cli' : 'desk'));
    doctorChecks.push(structureCertificatesCheck({ settings: () => settings.get(), stored: (use) => (use === 'insi' ? settings.structureCertificate('insi') : settings.structureCertificate('dmp')), now: () => options.clock.now() }));
    // Jobs waiting for an address (« à configurer ») resume when the settings change.
    dispatcher.subscribe((event) => {
      if (event === 'settings.changed') outbox.wake('settings.changed');
    });

    const patients = new PatientsService({
      db,
      clock: options.clock,
      logger: options.logger,
      audit: audit.write,
      environment: () => settings.get().environment,
      notify: (notification) => dispatcher.emit(notification.event, notification.payload),
    });
    patientsLate = patients;
    dispatcher.register(createPatientsHandlers(patients, { actor: () => ctx.actor.current() }));
    dispatcher.register(createAuditHandlers({ audit, patients, actor: () => ctx.actor.current() }));
    // A merged patient record's unfinished outbox jobs follow the record kept (patients/merge.ts).
    patients.addMergeParticipant({ label: 'envois en attente', reassign: (from, to) => outbox.reassignPatient(from, to) });
    const seeded = seedDemoData(patients);
    if (seeded > 0) logger.info('demo.patients_seeded', { count: seeded });

    // CDA: pure functions over the CI-SIS value sets, no state.
    dispatcher.register(createCdaHandlers());

    // One module per capability with outside dependencies (readers, teleservices, simulators).
    const cards = await wireCards(ctx);
    const dmp = wireDmp(ctx, { patients, cards });
    await wireInsi(ctx, { patients, cards });
    await wireApcv(ctx, { patients, cards });
    const eprescription = wireEprescription(ctx, { patients, cards, dmp });

    // Last step of composition, once every queue is registered. CLI commands (in-process) do not
    // run background work: `pupitre queue sync` drives the outbox explicitly.
    if (options.transport !== 'in-process') outbox.start();
    // Registered last so that it runs first at close: running jobs finish (or are put back to
    // pending) while the card, DMP and INSi services they use are still up.
    closers.push(() => outbox.stop(OUTBOX_SHUTDOWN_GRACE_MS));

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
      eprescription,
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

/** Demo endpoints are the local simulators; others need a real HTTPS address (not « à configurer »). */
function endpointIsConfigured(settings: { environment: Environment; endpoints: Record<string, string> }, endpoint: string): boolean {
  if (settings.environment === 'demo') return true;
  const url = settings.endpoints[endpoint];
  return url === undefined || isEndpointConfigured(url);
}
