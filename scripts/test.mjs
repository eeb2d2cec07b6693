// `npm test`: typecheck, lint (layering + electronegativity), then every test tier, then a smoke
// run of the benches.
// A tier whose prerequisites are missing is skipped with a notice locally and fails under CI=true
// (the tests themselves enforce it, see fixtures/testing/tier.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const steps = [
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck renderer', 'npx', ['tsc', '-p', 'renderer/tsconfig.json', '--noEmit']],
  ['typecheck e2e', 'npx', ['tsc', '-p', 'e2e/tsconfig.json', '--noEmit']],
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['electronegativity', 'node', ['scripts/electronegativity.mjs']],
  ['build renderer', 'npx', ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']],
];
const tiers = ['unit', 'conformance', 'hardware', 'e2e'];
const only = process.argv.slice(2);

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const reportDir = 'test-results';
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

function run(label, cmd, args) {
  console.log(`\n=== ${label}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const ok = result.status === 0;
  console.log(`=== ${label}: ${ok ? 'ok' : `FAILED (exit ${result.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (!ok) failures.push(label);
  return ok;
}

if (only.length === 0) for (const [label, cmd, args] of steps) run(label, cmd, args);

for (const tier of tiers) {
  if (only.length > 0 && !only.includes(tier)) continue;
  const report = join(reportDir, `${tier}.json`);
  // No --passWithNoTests: a tier that finds no test file fails (an include pattern gone wrong would
  // otherwise turn a whole tier green).
  run(`tests: ${tier}`, 'npx', ['vitest', 'run', '--project', tier, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'));
    passed += json.numPassedTests ?? 0;
    failed += json.numFailedTests ?? 0;
    skipped += (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  } catch {
    failures.push(`${tier} (no report)`);
  }
}

// Every bench of bench/ at tiny sizes (scripts/bench.mjs --smoke): a change that breaks a bench is
// seen here, not at the next full `npm run bench`. Nothing is measured or written.
if (only.length === 0) run('benches (smoke run, tiny sizes)', 'node', ['scripts/bench.mjs', '--smoke']);

console.log(`\n${failures.length === 0 ? 'All steps passed.' : `Failed steps: ${failures.join(', ')}`}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length === 0 && failed === 0 ? 0 : 1);
