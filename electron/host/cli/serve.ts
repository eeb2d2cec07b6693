/** `pupitre serve`: the host with its contract over a loopback WebSocket and the UI on the same origin. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flagNumber } from './args';
import type { Command } from './command';
import { openHost, type CliContext } from './context';
import { startWebSocketHost } from '../transport/websocket';

export const RENDERER_DIST = fileURLToPath(new URL('../../../dist/renderer', import.meta.url));

export async function serve(ctx: CliContext): Promise<number> {
  const host = await openHost(ctx, 'websocket', ctx.args.flags.has('demo') ? 'demo' : undefined);
  const staticDir = RENDERER_DIST;
  if (!existsSync(staticDir)) ctx.io.err("Interface non construite : lancez « npm run build:renderer » (le service WebSocket démarre quand même).");
  const port = flagNumber(ctx.args, 'port');
  const server = await startWebSocketHost({
    dispatcher: host.dispatcher,
    logger: ctx.logger,
    staticDir,
    ...(port === undefined ? {} : { port }),
    extraOrigins: () => host.settings.get().allowedOrigins,
  });
  host.dispatcher.emit('host.ready', { at: new Date().toISOString(), environment: host.environment });
  const ready = { url: server.appUrl, ws: server.url, port: server.port, token: server.token, environment: host.environment, dataDir: ctx.dataDir };
  ctx.io.out(
    ctx.json
      ? JSON.stringify(ready)
      : `Pupitre (${host.environment === 'demo' ? 'démo' : host.environment}) est prêt : ouvrez ${server.appUrl}\nArrêt : Ctrl+C`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  return 0;
}

export const serveCommand: Command = {
  name: 'serve',
  usage: 'pupitre serve [--demo] [--port N] [--data-dir DIR] [--json]',
  summary: "Démarre le service local et l'interface dans le navigateur (boucle locale uniquement).",
  valued: ['port'],
  longRunning: true,
  run: serve,
};
