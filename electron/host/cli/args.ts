/** A small, strict argument parser: `--flag`, `--key value`, `--key=value`, positionals. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], valued: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    // A one-letter option (`-o FICHIER`) the command declares valued; any other stays a positional
    // (commands that read their short options from the positionals keep doing so).
    if (/^-[a-zA-Z]$/.test(arg) && valued.has(arg.slice(1))) {
      const name = arg.slice(1);
      const value = argv[i + 1];
      if (value === undefined) throw new UsageError(`-${name} attend une valeur`);
      flags.set(name, value);
      i += 1;
      continue;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) flags.set(name, arg.slice(eq + 1));
      else if (valued.has(name)) {
        const value = argv[i + 1];
        if (value === undefined) throw new UsageError(`--${name} attend une valeur`);
        flags.set(name, value);
        i += 1;
      } else flags.set(name, true);
    } else positionals.push(arg);
  }
  return { positionals, flags };
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const value = flagString(args, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} attend un nombre`);
  return n;
}
