/**
 * Host entry when Electron starts it as a utilityProcess: waits for the init message (data
 * directory, and the database key sealed by the OS key store — or word that a passphrase protects
 * it), composes the services, and serves the contract on each MessagePort the main process hands
 * over. A database that cannot be opened (gone, damaged, full disk…) is reported to the main
 * process, which shows the French message and quits instead of restarting the host in a loop.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../contract';
import { STORE_FILES } from '../contract/storage-files';
import { systemClock } from '../platform/clock';
import { STORAGE_ERROR_CODES } from '../platform/db';
import { createLogger, stderrSink } from '../platform/log';
import { composeHost, type Host } from './compose';
import type { RpcDispatcher } from './rpc';
import { servePort, type ParentPort } from './transport/port';
import { createLockedHost } from './vault';

type InitKey =
  | { kind: 'ready'; keyHex: string; backend: string; protection?: 'passphrase' }
  | { kind: 'passphrase'; mode: 'create' | 'unlock'; reason: 'basic_text' | 'unavailable' | 'requested'; migrateKeyHex?: string };

interface InitMessage {
  kind: 'init';
  dataDir: string;
  key: InitKey;
}

type ParentPortWithPost = ParentPort & { postMessage(message: unknown): void };

const parentPort = (process as unknown as { parentPort?: ParentPortWithPost }).parentPort;
if (parentPort === undefined) {
  process.stderr.write('electron/host/main must run as an Electron utilityProcess; use `pupitre serve` otherwise.\n');
  process.exit(2);
}

const logger = createLogger({ clock: systemClock, sink: stderrSink, level: 'info' });
let dispatcher: Promise<RpcDispatcher> | null = null;

/** A storage failure is final for this start: the main process shows it and quits. */
function reportFatal(error: unknown): void {
  const wire = error instanceof AppError ? error.toWire() : new AppError('INTERNAL').toWire();
  logger.error('host.start_failed', { code: wire.code });
  if (error instanceof AppError && STORAGE_ERROR_CODES.has(error.code)) parentPort?.postMessage({ kind: 'fatal', code: wire.code, message: wire.message });
}

function start(init: InitMessage): Promise<RpcDispatcher> {
  let composed: Host | null = null;
  const compose = async (keyHex: string, shared?: RpcDispatcher) => {
    const host = await composeHost({
      dataDir: init.dataDir,
      keyHex,
      keyProtection: init.key.kind === 'ready' && init.key.protection !== 'passphrase' ? 'os-keystore' : 'passphrase',
      clock: systemClock,
      logger,
      transport: 'electron',
      ...(shared === undefined ? {} : { dispatcher: shared }),
      // Damage found by the background check: the main process shows it and quits.
      onHalt: (error) => reportFatal(error),
    }).catch((error: unknown) => {
      reportFatal(error);
      throw error;
    });
    composed = host;
    host.dispatcher.emit('host.ready', { at: new Date().toISOString(), environment: host.environment });
    return host.dispatcher;
  };
  if (init.key.kind === 'ready') return compose(init.key.keyHex);
  const { mode, reason, migrateKeyHex } = init.key;
  return Promise.resolve(
    createLockedHost({
      dataDir: init.dataDir,
      mode,
      reason,
      ...(migrateKeyHex === undefined ? {} : { migrateKeyHex }),
      clock: systemClock,
      logger,
      compose: async (keyHex, shared) => {
        await compose(keyHex, shared);
        // The main process keeps it for this launch only, so that a host restarted after a crash
        // does not ask for the passphrase again.
        parentPort?.postMessage({ kind: 'unlocked', keyHex });
      },
      // The key sealed by the weak store is no longer needed: it lives under the passphrase now.
      onMigrated: () => rmSync(join(init.dataDir, STORE_FILES.sealedKey), { force: true }),
      halted: () => (composed as Host | null)?.halted() ?? null,
    }),
  );
}

parentPort.on('message', (message) => {
  const data = message.data as InitMessage | { kind: 'connect' };
  if (data.kind === 'init') {
    dispatcher = start(data);
    dispatcher.catch(() => undefined);
    return;
  }
  const [port] = message.ports;
  if (data.kind === 'connect' && port !== undefined && dispatcher !== null) {
    void dispatcher.then((d) => servePort(d, port, logger)).catch(() => undefined);
  }
});
