/**
 * What every CLI command shares: output (text or --json), the data directory, the database key,
 * and a way to start the host's services without any transport.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../contract';
import { systemClock } from '../../platform/clock';
import { AppError } from '../../contract';
import type { KeyProtection } from '../../contract/domains/vault';
import { completePendingRestore, hasPassphraseFile, prepareKeyFile, unlockPassphraseKey, withStorageErrors } from '../../platform/db';
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

/**
 * Database key: $PUPITRE_DB_KEY when set (the recovery key of an Electron installation, whose key
 * is otherwise sealed by the OS key store), otherwise the 0600 key file of the data directory,
 * created only when no database exists yet.
 */
export async function resolveDbKey(dataDir: string): Promise<{ keyHex: string; protection: KeyProtection }> {
  finishInterruptedRestore(dataDir);
  const fromEnv = process.env.PUPITRE_DB_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { keyHex: fromEnv.trim(), protection: 'environment' };
  if (hasPassphraseFile(dataDir)) {
    // An installation protected by a passphrase: the terminal gives it through the environment.
    const passphrase = process.env.PUPITRE_DB_PASSPHRASE;
    if (passphrase === undefined || passphrase === '') throw new AppError('VAULT_PASSPHRASE_REQUIRED');
    return { keyHex: await unlockPassphraseKey(dataDir, passphrase), protection: 'passphrase' };
  }
  return { keyHex: prepareKeyFile(dataDir).keyHex, protection: 'key-file' };
}

/** A restore a crash interrupted may have been installing another key: undone or finished before any key is read. */
export function finishInterruptedRestore(dataDir: string): void {
  if (existsSync(dataDir)) withStorageErrors(dataDir, () => completePendingRestore(dataDir));
}

export async function openHost(
  ctx: CliContext,
  transport: 'websocket' | 'in-process',
  environment?: Environment,
  options: { demoReaders?: 'private' | 'system' } = {},
): Promise<Host> {
  const { keyHex, protection } = await resolveDbKey(ctx.dataDir);
  return composeHost({
    dataDir: ctx.dataDir,
    keyHex,
    keyProtection: protection,
    clock: systemClock,
    logger: ctx.logger,
    transport,
    ...(environment === undefined ? {} : { environment }),
    ...(options.demoReaders === undefined ? {} : { demoReaders: options.demoReaders }),
    // Tests that must not share the machine's pcscd (its vpcd slots belong to the hardware tiers).
    ...(process.env.PUPITRE_DEMO_CARDS === 'in-process' ? { demoCardsInProcess: true } : {}),
  });
}

export function print(ctx: CliContext, value: unknown, text: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(value, null, 2) : text());
}
