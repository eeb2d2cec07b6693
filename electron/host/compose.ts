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
import { SettingsService } from '../services/settings';
import { baseChecks, runChecks, type DoctorCheck } from './doctor';
import { createCoreHandlers } from './handlers/core';
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
  close(): Promise<void>;
}

export const APP_NAME = 'Pupitre';
export const APP_VERSION = readPackageVersion();

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

    return {
      dispatcher,
      logger,
      db,
      settings,
      audit,
      environment,
      startedAt,
      doctorChecks,
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
