// `npm run bench`: runs every bench/*.bench.ts (or the names given) and writes their markdown
// sections into bench/README.md, with the machine and date. Each script prints one or more
// markdown sections (starting with "## ") on stdout; diagnostics go to stderr.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const names = process.argv.slice(2);
const scripts = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => names.length === 0 || names.some((n) => f.startsWith(n)))
  .sort();

const readmePath = 'bench/README.md';
const previous = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
const sections = new Map();
for (const match of previous.matchAll(/<!-- bench:(\S+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g)) sections.set(match[1], match[2]);

let failed = 0;
for (const script of scripts) {
  console.error(`bench: ${script}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${script}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    failed += 1;
    console.error(`bench: ${script} failed (exit ${result.status})`);
    continue;
  }
  sections.set(script, `${result.stdout.trim()}\n\n_Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC._\n`);
  process.stdout.write(`${result.stdout}\n`);
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
const body = [...sections.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, text]) => `<!-- bench:${name} -->\n${text}<!-- /bench:${name} -->`).join('\n\n');
writeFileSync(
  readmePath,
  `# Benchmarks

Rerun with \`npm run bench\` (all) or \`npm run bench -- NAME\` (one script of \`bench/\`). Every figure is
compared with a baseline measured in the same run on the same machine; ratios matter, absolute
times depend on the machine. Last machine: ${machine}.

${body}
`,
);
process.exit(failed === 0 ? 0 : 1);
