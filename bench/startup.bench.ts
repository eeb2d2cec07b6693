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
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, ROOT } from '../e2e/support/app';
import { startBundledServe } from '../e2e/support/bundled-serve';

const RUNS = Number(process.env.BENCH_RUNS ?? 11);

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

/** Stages of one renderer start, in ms from navigation start (the page's own clock). */
interface PaintStages {
  documentLoaded: number;
  stylesheetLoaded: number;
  fcp: number;
  entryScriptLoaded: number;
  entryEvaluated: number;
  shellRendered: number;
  connected: number;
  defaultScreen: number;
}

const STATIC_PAGE = '<html lang="fr"><body><h1>Pupitre</h1></body></html>';

/** FCP of a page that has painted (waits for the entry). No named function inside (tsx's keepNames). */
async function firstContentfulPaint(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
  return page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
}

async function rendererPaint(): Promise<{ median: PaintStages; baselineFcp: number; httpBaselineFcp: number; headersBaselineFcp: number; pairedRatios: { data: number; headers: number }; headerNames: string[]; entryKiB: number }> {
  const app = await startBundledServe();
  // Third baseline: the same static page with the security headers Pupitre's index is served with
  // (read from it). Cross-Origin-Opener-Policy: same-origin puts the page in a new browsing context
  // group, i.e. a new renderer process, before anything paints.
  const appResponse = await fetch(app.url.split('#')[0] as string);
  await appResponse.arrayBuffer();
  const securityHeaders = Object.fromEntries(
    ['content-security-policy', 'cross-origin-opener-policy', 'x-content-type-options', 'referrer-policy'].flatMap((name) => {
      const value = appResponse.headers.get(name);
      return value === null ? [] : [[name, value]];
    }),
  );
  // Second baseline: the same static page over loopback HTTP (a server in this process), so the
  // navigation's network and process start are counted as they are for the application.
  const staticServer = createServer((req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...(req.url === '/headers' ? securityHeaders : {}) }).end(STATIC_PAGE),
  );
  await new Promise<void>((resolvePromise) => staticServer.listen(0, '127.0.0.1', resolvePromise));
  const staticUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}/`;
  const httpBaselines: number[] = [];
  const headersBaselines: number[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const runs: PaintStages[] = [];
  const baselines: number[] = [];
  let entryKiB = NaN;
  try {
    for (let i = 0; i < RUNS; i += 1) {
      const page = await browser.newPage();
      await page.goto(app.url);
      await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
      const connected = await page.evaluate(() => performance.now());
      await page.getByLabel('Recherche patient').waitFor();
      const defaultScreen = await page.evaluate(() => performance.now());
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      // No named function inside: tsx's keepNames would reference a helper absent from the page.
      const stages = await page.evaluate(() => {
        // (Node's types know no 'navigation' entries: this runs in the page.)
        const navigation = (performance.getEntriesByType as (type: string) => PerformanceEntry[])('navigation')[0] as (PerformanceEntry & { responseEnd: number }) | undefined;
        const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const stylesheet = resources.find((r) => r.initiatorType === 'link' && r.name.endsWith('.css'));
        const entry = resources.find((r) => /\/assets\/main-[^/]+\.js$/.test(r.name));
        const marks = ['first-contentful-paint', 'pupitre:entry-evaluated', 'pupitre:shell-rendered'].map((name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN);
        return {
          documentLoaded: navigation?.responseEnd ?? NaN,
          stylesheetLoaded: stylesheet?.responseEnd ?? NaN,
          fcp: marks[0] ?? NaN,
          entryScriptLoaded: entry?.responseEnd ?? NaN,
          entryKiB: (entry?.decodedBodySize ?? NaN) / 1024,
          entryEvaluated: marks[1] ?? NaN,
          shellRendered: marks[2] ?? NaN,
        };
      });
      entryKiB = stages.entryKiB;
      runs.push({ ...stages, connected, defaultScreen });
      await page.close();

      // Baselines, interleaved with the application's runs: a static page with one heading, no
      // script, in the same browser — as a data: URL (no network at all), then over HTTP.
      const blank = await browser.newPage();
      await blank.goto(`data:text/html;charset=utf-8,${STATIC_PAGE}`, { waitUntil: 'load' });
      baselines.push(await firstContentfulPaint(blank));
      await blank.close();
      const served = await browser.newPage();
      await served.goto(staticUrl, { waitUntil: 'load' });
      httpBaselines.push(await firstContentfulPaint(served));
      await served.close();
      const guarded = await browser.newPage();
      await guarded.goto(`${staticUrl}headers`, { waitUntil: 'load' });
      headersBaselines.push(await firstContentfulPaint(guarded));
      await guarded.close();
    }
  } finally {
    await browser.close();
    await app.stop();
    staticServer.close();
  }
  const keys = Object.keys(runs[0] ?? {}) as Array<keyof PaintStages>;
  const medianStages = Object.fromEntries(keys.map((key) => [key, median(runs.map((run) => run[key]))])) as unknown as PaintStages;
  // Each run's application and baselines follow one another: the median of those runs' own ratios is
  // less shaken by the machine's load than the ratio of two medians.
  const pairedRatios = {
    data: median(runs.map((run, i) => run.fcp / (baselines[i] ?? NaN))),
    headers: median(runs.map((run, i) => run.fcp / (headersBaselines[i] ?? NaN))),
  };
  return { median: medianStages, baselineFcp: median(baselines), httpBaselineFcp: median(httpBaselines), headersBaselineFcp: median(headersBaselines), pairedRatios, headerNames: Object.keys(securityHeaders), entryKiB };
}

const loadBefore = loadavg()[0] ?? 0;
const host = await hostStartup();
const paint = await rendererPaint();
const loadAfter = loadavg()[0] ?? 0;
const f = (ms: number) => `${ms.toFixed(0)} ms`;
const r = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const p = paint.median;
console.error(JSON.stringify({ host, paint, loadBefore, loadAfter }));
console.log(`## Start-up (bench/startup.bench.ts)

Median of ${RUNS} runs. Baselines are measured in the same run. Machine load average (1 min): ${loadBefore.toFixed(1)} at start, ${loadAfter.toFixed(1)} at the end.

| measure | Pupitre | baseline | ratio |
|---|---|---|---|
| host start → ready line (\`pupitre serve --demo\`, fresh data dir: key, migrations) | ${f(host.host)} | ${f(host.baseline)} (node + tsx, empty script) | ${r(host.host, host.baseline)} |
| **renderer first contentful paint** (target ≤ 2× a static page: the same static page over loopback HTTP with Pupitre's security headers, ${paint.headerNames.join(', ')}) | ${f(p.fcp)} | ${f(paint.headersBaselineFcp)} | **${r(p.fcp, paint.headersBaselineFcp)}** (median of each run's own ratio: ${paint.pairedRatios.headers.toFixed(2)}×) |
| renderer first contentful paint | ${f(p.fcp)} | ${f(paint.baselineFcp)} (the static page as a \`data:\` URL: no network, no new process) | ${r(p.fcp, paint.baselineFcp)} (each run's own: ${paint.pairedRatios.data.toFixed(2)}×) |
| renderer first contentful paint | ${f(p.fcp)} | ${f(paint.httpBaselineFcp)} (the static page over loopback HTTP, no headers) | ${r(p.fcp, paint.httpBaselineFcp)} |
| navigation → "Service local connecté" (WebSocket + first query) | ${f(p.connected)} | — | — |

The target's baseline is the static page served with the same headers as the application, since that is what the page's own content costs: \`Cross-Origin-Opener-Policy: same-origin\` (kept: it isolates the desk's window from any page that opened it) makes Chromium give the page a new browsing context group and renderer process before anything paints, whatever the page holds; the two other baselines pay no such switch.

Where the renderer's time goes (median of each stage, ms from navigation start, same runs):

| stage | at |
|---|---|
| document received (\`index.html\`) | ${f(p.documentLoaded)} |
| stylesheet received | ${f(p.stylesheetLoaded)} |
| **first contentful paint** | ${f(p.fcp)} |
| entry script received (${paint.entryKiB.toFixed(0)} KiB) | ${f(p.entryScriptLoaded)} |
| entry script evaluated (React, query layer, bridge) | ${f(p.entryEvaluated)} |
| shell rendered by React (first commit) | ${f(p.shellRendered)} |
| « Service local connecté » shown | ${f(p.connected)} |
| default screen (patient search) shown | ${f(p.defaultScreen)} |
`);
