/** `pupitre` command line: every command drives the same services as the UI; every command has --json. */
import { AppError } from '../../contract';
import { storageErrorOf } from '../../platform/db';
import { APP_VERSION } from '../compose';
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
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`pupitre ${APP_VERSION}`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h') {
    io.out(help());
    return 0;
  }
  if (name === 'help') {
    try {
      return helpFor(parseArgs(afterName, new Set(COMMON_VALUED)).positionals, io);
    } catch {
      return helpFor([], io);
    }
  }
  // Grouped commands (`pupitre dmp metadata …`) match on the first two words (see Command.subcommand).
  const command =
    commands.find((c) => c.name === name && c.subcommand !== undefined && c.subcommand === afterName[0]) ??
    commands.find((c) => c.name === name && c.subcommand === undefined);
  const rest = command?.subcommand === undefined ? afterName : afterName.slice(1);
  if (command === undefined) return unknownCommand([name, ...afterName.slice(0, 1)], io);
  const json = rest.includes('--json');
  const patience = command.longRunning === true ? null : patienceNotice(command, io);
  try {
    const args = parseArgs(rest, new Set([...COMMON_VALUED, ...(command.valued ?? [])]));
    if (args.flags.has('help')) {
      io.out(usageOf(command));
      return 0;
    }
    return await command.run(createCliContext(args, io));
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      return 2;
    }
    // A file the system could not open (anywhere in a command) is said as such, not INTERNAL.
    // SQLite's own failures (a full or read-only disk) keep their storage code, as over the transports.
    const known =
      error instanceof AppError
        ? error
        : (storageErrorOf(error, undefined, { sqliteOnly: true }) ?? fileError(error, typeof (error as { path?: unknown }).path === 'string' ? (error as { path: string }).path : ''));
    const wire = known instanceof AppError ? known.toWire() : new AppError('INTERNAL').toWire();
    // An unexpected error: its technical text goes to stderr for support, the person reads the sentence.
    if (!(known instanceof AppError)) io.err(`Détail technique pour le support : ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    // A sentence for the person; the stable code on its own line, for support (issue 13).
    io.out(json ? JSON.stringify({ error: wire }) : `Erreur : ${wire.message}\n  Code pour le support : ${wire.code}`);
    return 1;
  } finally {
    patience?.stop();
  }
}

const label = (c: Command): string => (c.subcommand === undefined ? c.name : `${c.name} ${c.subcommand}`);

function usageOf(command: Command): string {
  return `${command.usage}\n  ${command.summary}`;
}

/** `pupitre help`, `pupitre help doctor`, `pupitre help dmp` (the group), `pupitre help dmp send`. */
function helpFor(topic: readonly string[], io: CliIo): number {
  if (topic.length === 0) {
    io.out(help());
    return 0;
  }
  const [first, second] = topic;
  const exact = commands.find((c) => c.name === first && second !== undefined && c.subcommand === second);
  const group = commands.filter((c) => c.name === first);
  const shown = exact !== undefined ? [exact] : group;
  if (shown.length === 0) return unknownCommand(topic.slice(0, 2), io);
  io.out([...shown.map(usageOf), '', OPTIONS].join('\n'));
  return 0;
}

function unknownCommand(words: readonly string[], io: CliIo): number {
  const typed = words.filter((w) => !w.startsWith('-')).join(' ') || words.join(' ');
  const group = commands.filter((c) => c.name === words[0]);
  const hint =
    group.length > 0
      ? `Sous-commandes de « ${words[0]} » : ${group.map((c) => c.subcommand).join(', ')}.`
      : 'Commandes disponibles : « pupitre help » ; le détail d’une commande : « pupitre help COMMANDE ».';
  io.err(`Commande inconnue : « ${typed} ». ${hint}`);
  return 2;
}

/**
 * No silent wait: a command still running after a few seconds says so on stderr (stdout stays
 * clean for --json), then every 15 s. Network and device waits are bounded where they happen.
 */
function patienceNotice(command: Command, io: CliIo, firstMs = 3_000, everyMs = 15_000): { stop(): void } {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const seconds = Math.round((Date.now() - started) / 1000);
    io.err(`… « pupitre ${label(command)} » toujours en cours (${seconds} s) : ${command.waitingFor ?? 'traitement'}. Ctrl+C pour interrompre.`);
    timer = setTimeout(tick, everyMs);
    timer.unref();
  };
  timer = setTimeout(tick, firstMs);
  timer.unref();
  return { stop: () => clearTimeout(timer) };
}

const OPTIONS = 'Options communes : --json, --data-dir DOSSIER, --log-level debug|info|warn|error, --help ; « pupitre --version » donne la version.';

function help(): string {
  const width = Math.max(...commands.map((c) => label(c).length));
  return [
    `pupitre ${APP_VERSION} — poste de travail des professionnels de santé`,
    '',
    ...commands.map((c) => `  ${label(c).padEnd(width)}  ${c.summary}`),
    '',
    'Le détail d’une commande : pupitre help COMMANDE (par exemple « pupitre help dmp send »).',
    OPTIONS,
  ].join('\n');
}
