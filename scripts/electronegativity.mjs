// Runs @doyensec/electronegativity over the Electron sources and the renderer's HTML, and fails
// on any HIGH or MEDIUM finding (issue: foundation acceptance).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const electronVersion = require('electron/package.json').version;
const stage = mkdtempSync(join(tmpdir(), 'pupitre-eneg-'));
try {
  cpSync('electron/main', join(stage, 'main'), { recursive: true });
  cpSync('electron/preload', join(stage, 'preload'), { recursive: true });
  cpSync('electron/contract/csp.ts', join(stage, 'csp.ts'));
  cpSync('renderer/index.html', join(stage, 'index.html'));
  const out = join(stage, 'findings.csv');
  const cli = require.resolve('@doyensec/electronegativity/dist/index.js');
  const run = spawnSync(process.execPath, [cli, '-i', stage, '-r', '-e', electronVersion, '-v', 'false', '-o', out], { encoding: 'utf8' });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    throw new Error(`electronegativity exited with ${run.status}`);
  }
  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).filter(Boolean);
  const serious = rows.filter((row) => /"(HIGH|MEDIUM)"/.test(row));
  for (const row of rows) console.log(row);
  if (serious.length > 0) {
    console.error(`electronegativity: ${serious.length} finding(s) of high or medium severity`);
    process.exit(1);
  }
  console.log(`electronegativity: no high or medium finding (${rows.length} low/informational)`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
