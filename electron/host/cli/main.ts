/** `pupitre` command line: every command drives the same services as the UI; every command has --json. */
import { AppError } from '../../contract';
import { parseArgs, UsageError } from './args';
import type { Command } from './command';
import { createCliContext, processIo, type CliIo } from './context';
import { backupCommand, restoreCommand } from './backup';
import { dmpGetCommand, dmpListCommand, dmpSendCommand, dmpStatusCommand } from './dmp';
import { dmpMetadataCommand, dmpValidateCommand } from './dmp-cda';
import { adriRightsCommand, apcvCheckCommand, apcvStatusCommand } from './apcv';
import { billingCommand } from './billing';
import { cardsListCommand, cardsReadCommand } from './cards';
import { doctorCommand } from './doctor';
import { drugsCommand, eprescriptionPrintCommand, eprescriptionReadCommand, eprescriptionValidateCommand } from './eprescription';
import { fileError } from './files';
import { storageErrorOf } from '../../platform/db';
import { insCheckCommand, insiParseCommand, insiSearchCommand, insNormalizeCommand } from './ins';
import { patientsCommand } from './patients';
import { queueCommand } from './queue';
import { scanDecodeCommand, scanListenCommand } from './scan';
import { serveCommand } from './serve';
import { settingsCommand } from './settings';
import { simCardsCommand } from './sim-cards';

const COMMON_VALUED = ['data-dir', 'log-level'];

export const commands: readonly Command[] = [serveCommand, doctorCommand, settingsCommand, backupCommand, restoreCommand, queueCommand, patientsCommand, dmpStatusCommand, dmpListCommand, dmpGetCommand, dmpSendCommand, dmpMetadataCommand, dmpValidateCommand, cardsListCommand, cardsReadCommand, simCardsCommand, insCheckCommand, insNormalizeCommand, insiSearchCommand, insiParseCommand, apcvStatusCommand, apcvCheckCommand, adriRightsCommand, eprescriptionReadCommand, eprescriptionValidateCommand, eprescriptionPrintCommand, drugsCommand, scanListenCommand, scanDecodeCommand, billingCommand];

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...afterName] = argv;
  // Grouped commands (`pupitre dmp metadata …`) match on the first two words (see Command.subcommand).
  const command =
    commands.find((c) => c.name === name && c.subcommand !== undefined && c.subcommand === afterName[0]) ??
    commands.find((c) => c.name === name && c.subcommand === undefined);
  const rest = command?.subcommand === undefined ? afterName : afterName.slice(1);
  if (command === undefined) {
    io.out(help());
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  let dataDir: string | null = null;
  try {
    const args = parseArgs(rest, new Set([...COMMON_VALUED, ...(command.valued ?? [])]));
    if (args.flags.has('help')) {
      io.out(`${command.usage}\n  ${command.summary}`);
      return 0;
    }
    const ctx = createCliContext(args, io);
    dataDir = ctx.dataDir;
    return await command.run(ctx);
  } catch (error) {
    const json = rest.includes('--json');
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    // A file the system could not open (anywhere in a command) is said as such, not INTERNAL.
    // SQLite's own failures (a full disk, a read-only disk met while writing) keep the store's codes.
    const stored = error instanceof AppError || dataDir === null ? null : storageErrorOf(error, dataDir, { sqliteOnly: true });
    const known = error instanceof AppError ? error : (stored ?? fileError(error, typeof (error as { path?: unknown }).path === 'string' ? (error as { path: string }).path : ''));
    const wire = known instanceof AppError ? known.toWire() : new AppError('INTERNAL').toWire();
    if (!(known instanceof AppError)) io.err(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    io.out(json ? JSON.stringify({ error: wire }) : `Erreur ${wire.code} : ${wire.message}`);
    return 1;
  }
}

function help(): string {
  const label = (c: Command): string => (c.subcommand === undefined ? c.name : `${c.name} ${c.subcommand}`);
  const width = Math.max(...commands.map((c) => label(c).length));
  return [
    'pupitre — poste de travail des professionnels de santé',
    '',
    ...commands.map((c) => `  ${label(c).padEnd(width)}  ${c.summary}`),
    '',
    'Options communes : --json, --data-dir DOSSIER, --log-level debug|info|warn|error',
  ].join('\n');
}
