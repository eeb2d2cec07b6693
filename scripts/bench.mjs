// `npm run bench`: runs every bench/*.bench.ts (or the names given) and writes their markdown
// sections into bench/README.md, with the machine and date. Each script prints one or more
// markdown sections (starting with "## ") on stdout; diagnostics go to stderr.
// `node scripts/bench.mjs --smoke` (run by `npm test`) runs every bench at tiny sizes and writes
// nothing: it only proves each bench still runs to its end and prints its sections, so a bench a
// change has broken is seen at once instead of at the next full run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const smoke = process.argv.includes('--smoke');
const names = process.argv.slice(2).filter((arg) => arg !== '--smoke');

/** Sizes of the smoke run (a value the caller set in the environment is kept). */
const SMOKE_SIZES = {
  BENCH_RUNS: '1',
  BENCH_BACKUP_MB: '2',
  BENCH_BILLING_ENTRY: '20',
  BENCH_CIPHER_JOBS: '300',
  BENCH_BILLING_INVOICES: '120',
  BENCH_BILLING_BASELINE_JOBS: '50',
  BENCH_DMP_DOCS: '12',
  BENCH_PATIENTS: '2000',
  BENCH_QUERIES: '10',
  BENCH_PASSES: '1',
  BENCH_PRESCRIPTIONS: '4',
  BENCH_INSI_PATIENTS: '12',
  BENCH_INSI_CPU_CALLS: '20',
  BENCH_INSI_NET_CALLS: '10',
  BENCH_OUTBOX_JOBS: '60',
  BENCH_OUTBOX_LOOP: '20',
  BENCH_OUTBOX_ROUNDS: '1',
  BENCH_OUTBOX_PURGE_JOBS: '500',
  BENCH_DECODE_RUNS: '2',
};
const env = smoke ? { ...SMOKE_SIZES, ...process.env } : process.env;
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
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${script}`], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', smoke ? 'pipe' : 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  const printedSection = /^## /m.test(result.stdout ?? '');
  if (result.status !== 0 || !printedSection) {
    failed += 1;
    console.error(`bench: ${script} failed (${result.status !== 0 ? `exit ${result.status}` : 'no "## " section printed'})`);
    if (smoke) console.error(result.stderr);
    continue;
  }
  if (smoke) {
    console.error(`bench: ${script} ran to its end in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    continue;
  }
  sections.set(script, `${result.stdout.trim()}\n\n_Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC._\n`);
  process.stdout.write(`${result.stdout}\n`);
}

if (smoke) {
  console.error(failed === 0 ? `bench smoke: ${scripts.length} benches ran` : `bench smoke: ${failed} of ${scripts.length} failed`);
  process.exit(failed === 0 ? 0 : 1);
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
