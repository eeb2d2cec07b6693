/** `pupitre serve`: the host with its contract over a loopback WebSocket and the UI on the same origin. */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appPath } from '../../platform/app-root';
import { STORE_FILES } from '../../contract/storage-files';
import { systemClock } from '../../platform/clock';
import { databaseExisted, hasPassphraseFile } from '../../platform/db';
import { readKeyFile } from '../../platform/db/key';
import { flagNumber, UsageError } from './args';
import type { Command } from './command';
import { finishInterruptedRestore, openHost, type CliContext } from './context';
import { composeHost, type Host } from '../compose';
import type { RpcDispatcher } from '../rpc';
import { startWebSocketHost } from '../transport/websocket';
import { createLockedHost } from '../vault';

export const RENDERER_DIST = appPath(import.meta.url, 'dist', 'renderer');

export async function serve(ctx: CliContext): Promise<number> {
  const environment = ctx.args.flags.has('demo') ? 'demo' : undefined;
  finishInterruptedRestore(ctx.dataDir);
  const locked = lockedStart(ctx);
  let host: Host | null = null;
  let dispatcher: RpcDispatcher;
  if (locked === null) {
    host = await openHost(ctx, 'websocket', environment);
    dispatcher = host.dispatcher;
  } else {
    // The desk asks for the passphrase (or to choose one); the host is composed once it is typed.
    dispatcher = createLockedHost({
      dataDir: ctx.dataDir,
      mode: locked.mode,
      reason: 'requested',
      ...(locked.migrateKeyHex === undefined ? {} : { migrateKeyHex: locked.migrateKeyHex }),
      clock: systemClock,
      logger: ctx.logger,
      compose: async (keyHex, shared) => {
        host = await composeHost({
          dataDir: ctx.dataDir,
          keyHex,
          keyProtection: 'passphrase',
          clock: systemClock,
          logger: ctx.logger,
          transport: 'websocket',
          dispatcher: shared,
          ...(environment === undefined ? {} : { environment }),
        });
      },
      // The key now lives wrapped under the passphrase only.
      onMigrated: () => rmSync(join(ctx.dataDir, STORE_FILES.keyFile), { force: true }),
      halted: () => (host as Host | null)?.halted() ?? null,
    });
  }
  // PUPITRE_RENDERER_DIR: another built interface (tests serve a small folder of their own).
  const staticDir = process.env.PUPITRE_RENDERER_DIR || RENDERER_DIST;
  if (!existsSync(staticDir)) ctx.io.err("Interface non construite : lancez « npm run build:renderer » (le service WebSocket démarre quand même).");
  const port = flagNumber(ctx.args, 'port');
  const server = await startWebSocketHost({
    dispatcher,
    logger: ctx.logger,
    staticDir,
    ...(port === undefined ? {} : { port }),
    extraOrigins: () => (host as Host | null)?.settings.get().allowedOrigins ?? [],
  });
  const current = host as Host | null;
  const environmentLabel = current === null ? 'verrouillé' : current.environment === 'demo' ? 'démo' : current.environment;
  if (current !== null) dispatcher.emit('host.ready', { at: new Date().toISOString(), environment: current.environment });
  const ready = { url: server.appUrl, ws: server.url, port: server.port, token: server.token, environment: current?.environment ?? null, locked: current === null, dataDir: ctx.dataDir };
  ctx.io.out(
    ctx.json
      ? JSON.stringify(ready)
      : `Pupitre (${environmentLabel}) est prêt : ouvrez ${server.appUrl}${current === null ? '\nSaisissez la phrase secrète dans la page pour déverrouiller.' : ''}\nArrêt : Ctrl+C`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await (host as Host | null)?.close();
  return 0;
}

/**
 * A passphrase protects the key: start locked. `--passphrase` asks for it on an installation that
 * has none yet (a new one, or one whose key file is then wrapped under it and removed).
 */
function lockedStart(ctx: CliContext): { mode: 'create' | 'unlock'; migrateKeyHex?: string } | null {
  const passphraseEnv = process.env.PUPITRE_DB_PASSPHRASE;
  if (hasPassphraseFile(ctx.dataDir)) return passphraseEnv !== undefined && passphraseEnv !== '' ? null : { mode: 'unlock' };
  if (!ctx.args.flags.has('passphrase')) return null;
  const key = readKeyFile(ctx.dataDir);
  if (key.state === 'ok') return { mode: 'create', migrateKeyHex: key.keyHex };
  if (databaseExisted(ctx.dataDir)) throw new UsageError('La base existe mais sa clé est introuvable : remettez db.key avant de choisir une phrase secrète.');
  return { mode: 'create' };
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'pupitre serve [--demo] [--port N] [--passphrase] [--data-dir DIR] [--json]',
  summary: "Démarre le service local et l'interface dans le navigateur (boucle locale uniquement) ; --passphrase protège la clé par une phrase secrète.",
  valued: ['port'],
  longRunning: true,
  run: serve,
};
