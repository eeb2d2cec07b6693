/**
 * Composition root: builds the service graph with its dependencies (db, clock, logger, settings)
 * and registers the contract handlers. Nothing else in the product creates services.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appPath } from '../platform/app-root';
import { AppError, type Environment } from '../contract';
import type { Clock } from '../platform/clock';
import { applyRestoreRequest, migrate, openStore, storageErrorOf, withStorageErrors, type Db } from '../platform/db';
import type { Logger } from '../platform/log';
import { AuditTrail } from '../services/audit';
import { Outbox } from '../services/outbox';
import { PatientsService } from '../services/patients';
import { isEndpointConfigured, SensitiveChanges, SettingsService } from '../services/settings';
import { SETTING_POLICIES } from '../contract/settings-policy';
import type { BillingService } from '../services/billing';
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
import { callerOf, RpcDispatcher } from './rpc';
import { registerUnlockedVault } from './vault';
import { watchIntegrity, type Halt } from './integrity-watch';
import type { KeyProtection } from '../contract/domains/vault';
import { wireApcv } from './wiring/apcv';
import { REQUIRED_TABLES, wireBackup } from './wiring/backup';
import { wireOutboxRetention } from './wiring/outbox-retention';
import { wireBilling } from './wiring/billing';
import { wireCards } from './wiring/cards';
import type { WiringContext } from './wiring/context';
import { wireDmp } from './wiring/dmp';
import { wireEprescription } from './wiring/eprescription';
import { wireInsi } from './wiring/insi';
import { createHostWorkers, workerImportRunner } from './workers';
import { wireScan, type ScanWiring } from './wiring/scan';

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
  /** Demo only: keep the virtual cards in-process even when a pcscd with vpcd is reachable. */
  demoCardsInProcess?: boolean;
  /** How the key was protected, for `vault.status` and the Diagnostic screen; default key-file. */
  keyProtection?: KeyProtection;
  /** A dispatcher that already serves windows (a host unlocked by passphrase); a new one otherwise. */
  dispatcher?: RpcDispatcher;
  /** The background quick_check found the base damaged (long-running hosts): Electron quits on it. */
  onHalt?(error: AppError): void;
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
  /** Set when the background quick_check found the base damaged (long-running hosts only). */
  halted(): Halt | null;
  /** Ordonnance numérique (the CLI imports the drug list through it). */
  eprescription: EprescriptionService;
  /** Scan pipeline (HID-POS, wedge, webcam, NFC): domains take scanned payloads from it by scan id. */
  scan: ScanWiring;
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
  let restoreOutcome: Awaited<ReturnType<typeof applyRestoreRequest>>;
  // Refuses a database that existed and is gone, emptied or damaged, and a wrong key (issue 14).
  let store: ReturnType<typeof openStore>;
  try {
    // A restore confirmed in the desk is done now, before the base is opened (it cannot be swapped while open).
    restoreOutcome = await applyRestoreRequest({
      dataDir: options.dataDir,
      keyHex: options.keyHex,
      supportedVersion: migrations.length,
      requiredTables: REQUIRED_TABLES,
      now: new Date(options.clock.now()),
    });
    store = openStore({ dataDir: options.dataDir, keyHex: options.keyHex, now: () => new Date(options.clock.now()).toISOString() });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const db = store.db;
  const closers: Array<() => Promise<void> | void> = [
    () => lock?.release(),
    () => {
      db.close();
    },
  ];
  try {
    const report = withStorageErrors(options.dataDir, () => migrate(db, migrations));
    if (report.applied.length > 0) logger.info('db.migrated', { from: report.from, to: report.to });
    // From now on a missing or emptied database is an incident, not a fresh install.
    store.confirm();
    if (store.created) logger.info('db.created', {});

    const audit = new AuditTrail(db, options.clock);
    if (restoreOutcome !== null) {
      const { ok, backupCreatedAt, errorCode, schemaVersion, actor } = restoreOutcome;
      audit.write({ actor, patientRef: null, action: ok ? 'db.restored' : 'db.restore_failed', details: { backup: backupCreatedAt, schemaVersion, errorCode, from: 'desk' } });
      logger.info(ok ? 'db.restored' : 'db.restore_failed', { errorCode });
    }
    const settings = new SettingsService(db, options.clock, { name: APP_NAME, version: APP_VERSION }, audit.write, {
      backupFolder: join(options.dataDir, 'sauvegardes'),
    });
    if (options.environment !== undefined && settings.get().environment !== options.environment) {
      settings.set('environment', options.environment, 'système');
    }
    const environment = settings.get().environment;
    // The services are wired for this environment: it stays the desk's until the next start.
    settings.pinEnvironment(environment);
    const startedAt = new Date(options.clock.now()).toISOString();

    const doctorChecks = baseChecks({
      dataDir: options.dataDir,
      environment: () => settings.get().environment,
      pendingEnvironment: () => settings.get().pendingEnvironment,
      pkcs11Module: () => settings.get().pkcs11Module,
      db,
      dbPath: store.path,
      keyProtection: options.keyProtection ?? 'key-file',
      ...(options.rendererDir === undefined ? {} : { rendererDir: options.rendererDir }),
    });

    const dispatcher = options.dispatcher ?? new RpcDispatcher(options.logger.child('rpc'));
    // SQLite's own failures only: a full disk or a damaged page met by any service keeps its code.
    dispatcher.setClassifier((error) => storageErrorOf(error, options.dataDir, { sqliteOnly: true }));
    const haltState: { current: () => Halt | null } = { current: () => null };
    dispatcher.register({
      'vault.recoveryKey': (_params, context) => {
        audit.write({ actor: ctx.actor.current(), patientRef: null, action: 'vault.recovery_key_shown', details: { client: callerOf(context) } });
        const keyHex = options.keyHex.toLowerCase();
        return { keyHex, groups: keyHex.match(/.{4}/g) ?? [] };
      },
    });
    if (!dispatcher.has('vault.status')) registerUnlockedVault(dispatcher, options.keyProtection ?? 'key-file', () => haltState.current());
    // Sensitive settings change in two steps; the CPS code, where a policy asks for it, is checked
    // by the cards service once it is wired (below).
    const pinVerifier: { verify?: (pin: string) => Promise<{ ok: boolean; triesLeft: number }> } = {};
    const changes = new SensitiveChanges({
      settings,
      clock: options.clock,
      policies: SETTING_POLICIES,
      verifyCpsPin: (pin) => {
        if (pinVerifier.verify === undefined) throw new AppError('SETTINGS_PIN_REQUIRED', { reason: 'no-card-service' });
        return pinVerifier.verify(pin);
      },
    });
    dispatcher.register(
      createCoreHandlers({
        settings,
        changes,
        actor: () => ctx.actor.current(),
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
    // Heavy work (CSV imports, large documents) in a worker thread with its own database connection.
    const workers = createHostWorkers({ dataDir: options.dataDir, keyHex: options.keyHex, logger: options.logger });
    closers.push(() => workers.close());
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
      workers,
      ...(options.demoCardsInProcess === true ? { demoCardsInProcess: true } : {}),
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
    const imports = workerImportRunner(workers, {
      environment: () => settings.get().environment,
      clock: options.clock,
      emit: (event, payload) => dispatcher.emit(event, payload),
    });
    dispatcher.register(createPatientsHandlers(patients, { actor: () => ctx.actor.current(), imports }));
    dispatcher.register(createAuditHandlers({ audit, patients, actor: () => ctx.actor.current() }));
    // A merged patient record's unfinished outbox jobs follow the record kept (patients/merge.ts).
    patients.addMergeParticipant({ label: 'envois en attente', reassign: (from, to) => outbox.reassignPatient(from, to) });
    const seeded = seedDemoData(patients, db);
    if (seeded > 0) logger.info('demo.patients_seeded', { count: seeded });

    // CDA: pure functions over the CI-SIS value sets, no state.
    dispatcher.register(createCdaHandlers());

    // One module per capability with outside dependencies (readers, teleservices, simulators).
    const cards = await wireCards(ctx);
    pinVerifier.verify = (pin) => cards.verifyPin(pin);
    const scan = await wireScan(ctx, { patients });
    const dmp = wireDmp(ctx, { patients, cards });
    await wireInsi(ctx, { patients, cards });
    const { apcv, adri } = await wireApcv(ctx, { patients, cards, takeScanPayload: scan.takeFor('apcv') });
    // A scan no longer held says « scannez-le de nouveau » (SCAN_NOT_FOUND), not « numéro illisible ».
    const takeErxScan = (scanId: string) => scan.pipeline.takePayload(scanId, { kind: 'eprescription', requireTrusted: true }).payload;
    // The numéro AM's holder is billing's knowledge (wired below); the ordonnance asks it when printed.
    let billing: BillingService | null = null;
    const eprescription = wireEprescription(ctx, { patients, cards, dmp, takeScanPayload: takeErxScan, amNumberHolder: (amNumber) => billing?.numberHolder(amNumber) ?? null });
    const backup = wireBackup(ctx, { keyHex: options.keyHex, supportedVersion: migrations.length, lastRestore: restoreOutcome });
    billing = await wireBilling(ctx, { patients, cards, apcv, adri });

    // Last step of composition, once every queue is registered. CLI commands (in-process) do not
    // run background work: `pupitre queue sync` drives the outbox explicitly.
    if (options.transport !== 'in-process') outbox.start();
    // Done jobs past their retention are purged in the background (issue 15), stopped before the outbox.
    const retention = wireOutboxRetention(ctx);
    if (options.transport !== 'in-process') retention.start();
    closers.push(() => retention.stop());
    // Registered last so that it runs first at close: running jobs finish (or are put back to
    // pending) while the card, DMP and INSi services they use are still up.
    closers.push(() => outbox.stop(OUTBOX_SHUTDOWN_GRACE_MS));

    // The rest of the base is checked page by page in the background once the host serves.
    if (options.transport !== 'in-process') {
      const watch = watchIntegrity({
        path: store.path,
        keyHex: options.keyHex,
        dispatcher,
        logger,
        stopWork: async () => {
          await retention.stop();
          await outbox.stop(0);
          await backup.stop();
        },
        ...(options.onHalt === undefined ? {} : { onHalt: options.onHalt }),
      });
      haltState.current = watch.halted;
      closers.push(() => watch.done);
    }

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
      halted: () => haltState.current(),
      eprescription,
      scan,
      startBackground: () => {
        outbox.start();
        retention.start();
      },
      async close() {
        for (const close of closers.reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close();
    // A full disk or a damaged page met while composing (seeding the demo base, say) keeps its code.
    throw storageErrorOf(error, options.dataDir, { sqliteOnly: true }) ?? error;
  }
}

function readPackageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(appPath(import.meta.url, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * Demo endpoints are the local simulators; others need a real HTTPS address (not « à configurer »).
 * An endpoint without an address setting is configured only when its queues say so
 * (QueueDefinition.endpointSetup): never taken as configured by default.
 */
function endpointIsConfigured(settings: { environment: Environment; endpoints: Record<string, string> }, endpoint: string): boolean {
  if (settings.environment === 'demo') return true;
  const url = settings.endpoints[endpoint];
  return url !== undefined && isEndpointConfigured(url);
}
