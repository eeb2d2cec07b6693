/**
 * What every CLI command shares: output (text or --json), the data directory, the database key,
 * and a way to start the host's services without any transport.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../contract';
import { systemClock } from '../../platform/clock';
import { loadOrCreateKeyFile } from '../../platform/db/key';
import { createLogger, stderrSink, type Logger, type LogLevel } from '../../platform/log';
import { composeHost, type Host } from '../compose';
import { flagString, type ParsedArgs } from './args';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

export interface CliContext {
  args: ParsedArgs;
  io: CliIo;
  json: boolean;
  dataDir: string;
  logger: Logger;
}

export function defaultDataDir(): string {
  if (process.env.PUPITRE_DATA_DIR) return process.env.PUPITRE_DATA_DIR;
  switch (process.platform) {
    case 'win32':
      return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Pupitre');
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', 'Pupitre');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'pupitre');
  }
}

export function createCliContext(args: ParsedArgs, io: CliIo): CliContext {
  const level = (flagString(args, 'log-level') ?? process.env.PUPITRE_LOG_LEVEL ?? 'warn') as LogLevel;
  return {
    args,
    io,
    json: args.flags.get('json') === true,
    dataDir: flagString(args, 'data-dir') ?? defaultDataDir(),
    logger: createLogger({ clock: systemClock, sink: stderrSink, level }),
  };
}

/** Database key: $PUPITRE_DB_KEY when set, otherwise the 0600 key file of the data directory. */
export function resolveDbKey(dataDir: string): string {
  const fromEnv = process.env.PUPITRE_DB_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return loadOrCreateKeyFile(dataDir).keyHex;
}

export async function openHost(
  ctx: CliContext,
  transport: 'websocket' | 'in-process',
  environment?: Environment,
  options: { demoReaders?: 'private' | 'system' } = {},
): Promise<Host> {
  return composeHost({
    dataDir: ctx.dataDir,
    keyHex: resolveDbKey(ctx.dataDir),
    clock: systemClock,
    logger: ctx.logger,
    transport,
    ...(environment === undefined ? {} : { environment }),
    ...(options.demoReaders === undefined ? {} : { demoReaders: options.demoReaders }),
  });
}

export function print(ctx: CliContext, value: unknown, text: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(value, null, 2) : text());
}
