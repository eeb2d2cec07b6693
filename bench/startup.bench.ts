/**
 * Host start-up to "ready" and renderer first paint, each as a ratio against a baseline measured
 * in the same run on the same machine:
 * - host: `pupitre serve` until it prints its ready line, vs `node` running the same tsx loader
 *   with an empty script (the floor any TypeScript CLI pays);
 * - renderer: first contentful paint and "host connected" of the desk shell in Chromium, vs the
 *   first contentful paint of a static page served by the same server.
 * Prints a markdown section on stdout (collected into bench/README.md by scripts/bench.mjs).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, startServe } from '../e2e/support/app';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timeUntilLine(args: string[], predicate: (line: string) => boolean): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk) => {
      buffer += String(chunk);
      if (buffer.split('\n').some(predicate)) {
        const elapsed = performance.now() - started;
        child.kill('SIGTERM');
        resolve(elapsed);
      }
    });
    child.once('exit', (code) => (code === 0 || code === null ? undefined : reject(new Error(`exit ${code}`))));
  });
}

async function hostStartup(): Promise<{ host: number; baseline: number }> {
  const hosts: number[] = [];
  const baselines: number[] = [];
  const empty = join(mkdtempSync(join(tmpdir(), 'bench-')), 'empty.ts');
  writeFileSync(empty, "process.stdout.write('ready\\n');\n");
  for (let i = 0; i < RUNS; i += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-host-'));
    baselines.push(await timeUntilLine(['--import', 'tsx', empty], (line) => line === 'ready'));
    hosts.push(await timeUntilLine([join(ROOT, 'bin', 'pupitre.mjs'), 'serve', '--demo', '--json', '--data-dir', dataDir], (line) => line.startsWith('{')));
  }
  return { host: median(hosts), baseline: median(baselines) };
}

async function rendererPaint(): Promise<{ fcp: number; connected: number; baselineFcp: number }> {
  const app = await startServe();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const fcps: number[] = [];
  const connected: number[] = [];
  const baselines: number[] = [];
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const page = await browser.newPage();
      const start = performance.now();
      await page.goto(app.url);
      await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
      connected.push(performance.now() - start);
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      fcps.push(await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN));
      await page.close();

      // Baseline: a static page with one heading, no script, in the same browser.
      const blank = await browser.newPage();
      await blank.goto('data:text/html;charset=utf-8,<html lang="fr"><body><h1>Pupitre</h1></body></html>', { waitUntil: 'load' });
      await blank.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      baselines.push(await blank.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN));
      await blank.close();
    }
  } finally {
    await browser.close();
    await app.stop();
  }
  return { fcp: median(fcps), connected: median(connected), baselineFcp: median(baselines) };
}

const host = await hostStartup();
const paint = await rendererPaint();
const f = (ms: number) => `${ms.toFixed(0)} ms`;
const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
console.log(`## Start-up (bench/startup.bench.ts)

Median of ${RUNS} runs. Baselines are measured in the same run.

| measure | Pupitre | baseline | ratio |
|---|---|---|---|
| host start → ready line (\`pupitre serve --demo\`, fresh data dir: key, migrations) | ${f(host.host)} | ${f(host.baseline)} (node + tsx, empty script) | ${r(host.host, host.baseline)} |
| renderer first contentful paint | ${f(paint.fcp)} | ${f(paint.baselineFcp)} (static page, same browser) | ${r(paint.fcp, paint.baselineFcp)} |
| navigation → "Service local connecté" (WebSocket + first query) | ${f(paint.connected)} | — | — |
`);
