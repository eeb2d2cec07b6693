/** `pupitre` command line: every command drives the same services as the UI; every command has --json. */
import { AppError } from '../../contract';
import { parseArgs, UsageError } from './args';
import type { Command } from './command';
import { createCliContext, processIo, type CliIo } from './context';
import { doctorCommand } from './doctor';
import { serveCommand } from './serve';
import { settingsCommand } from './settings';

const COMMON_VALUED = ['data-dir', 'log-level'];

export const commands: readonly Command[] = [serveCommand, doctorCommand, settingsCommand];

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.out(help());
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  try {
    const args = parseArgs(rest, new Set([...COMMON_VALUED, ...(command.valued ?? [])]));
    if (args.flags.has('help')) {
      io.out(`${command.usage}\n  ${command.summary}`);
      return 0;
    }
    return await command.run(createCliContext(args, io));
  } catch (error) {
    const json = rest.includes('--json');
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    const wire = error instanceof AppError ? error.toWire() : new AppError('INTERNAL').toWire();
    if (!(error instanceof AppError)) io.err(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    io.out(json ? JSON.stringify({ error: wire }) : `Erreur ${wire.code} : ${wire.message}`);
    return 1;
  }
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'pupitre — poste de travail des professionnels de santé',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options communes : --json, --data-dir DOSSIER, --log-level debug|info|warn|error',
  ].join('\n');
}
