/**
 * Scanning, measured in Chromium against `pupitre serve --demo`:
 *
 * 1. Webcam decode time per 1280×720 frame for the two zxing builds the project has, side by side
 *    on the same frames in the same browser (bench/zxing-page): @zxing/browser (zxing-js) and
 *    zxing-wasm (zxing-cpp in WebAssembly). This is what chose the webcam decoder.
 * 2. Scan → patient on screen, for the three paths, against the time the input itself takes:
 *    - keyboard wedge: an INS datamatrix typed by a « scanner » at 5 ms a key (key events stamped
 *      5 ms apart: input = first key → Enter), then from the page handling the Enter until the
 *      record shows the name;
 *    - HID-POS: the demo's virtual scanner sends the same code in 3 reports 8 ms apart (input =
 *      16 ms), from the click to the record;
 *    - webcam: Chromium's fake camera playing a video of the code (input = camera start → first
 *      frame), then until the record;
 *    baseline: opening the same record by its address (the floor every path pays).
 * Prints a markdown section (collected into bench/README.md by scripts/bench.mjs).
 */
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, type RunningApp } from '../e2e/support/app';
import { startBundledServe } from '../e2e/support/bundled-serve';
import { scannerBurst } from '../e2e/support/scanner';
import { DEMO_QUAL_DATAMATRIX } from '../fixtures/hid/recordings';
import { fakeCameraVideo, photoOf } from '../fixtures/scan/photos';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DECODE_RUNS = Number(process.env.BENCH_DECODE_RUNS ?? 15);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const ms = (n: number): string => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const log = (text: string) => process.stderr.write(`${text}\n`);

/** An opaque QR payload of the size of an appli carte Vitale code (its format is not public). */
const OPAQUE = 'PUPITRE-DEMO-OPAQUE-PAYLOAD-' + 'A1b2C3d4E5f6G7h8I9j0'.repeat(5);

async function frames(dir: string): Promise<Record<string, string>> {
  const size = { width: 1280, height: 720, format: 'png' as const, keepSize: true };
  return {
    'QR code, straight': await photoOf([{ kind: 'qr', text: OPAQUE }], { ...size, size: 300 }, mkdtempSync(join(dir, 'f-'))),
    'INS datamatrix, tilted 12°, slight blur': await photoOf([{ kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX }], { ...size, size: 280, tilt: 100, rotate: 12, blur: 0.7 }, mkdtempSync(join(dir, 'f-'))),
    'QR code at an angle, blurred': await photoOf([{ kind: 'qr', text: OPAQUE }], { ...size, size: 320, tilt: 220, rotate: -20, blur: 1.2 }, mkdtempSync(join(dir, 'f-'))),
    'QR code far away (150 px)': await photoOf([{ kind: 'qr', text: OPAQUE }], { ...size, size: 150, rotate: 5 }, mkdtempSync(join(dir, 'f-'))),
    'QR code on a dark-mode phone screen': await photoOf([{ kind: 'qr', text: OPAQUE, inverted: true }], { ...size, size: 300, rotate: -8 }, mkdtempSync(join(dir, 'f-'))),
    'INS datamatrix rotated 45°': await photoOf([{ kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX }], { ...size, size: 260, rotate: 45 }, mkdtempSync(join(dir, 'f-'))),
    'no code (paper)': await photoOf([], size, mkdtempSync(join(dir, 'f-'))),
  };
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.png': 'image/png', '.map': 'application/json' };

/** Static loopback server for the bench page and the frames. */
async function serveFiles(routes: (path: string) => string | null): Promise<{ url: string; close(): void }> {
  const server = createServer((req, res) => {
    const file = routes(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (file === null) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

interface FrameTiming {
  frame: string;
  build: 'zxing-js' | 'zxing-js hard' | 'zxing-wasm' | 'zxing-wasm hard';
  medianMs: number;
  p90Ms: number;
  decoded: string | null;
}

async function decodeBench(browser: Browser, work: string): Promise<string[]> {
  const outDir = mkdtempSync(join(work, 'page-'));
  await build({ root: join(ROOT, 'bench', 'zxing-page'), base: './', logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const list = await frames(work);
  const names = Object.keys(list);
  const server = await serveFiles((path) => {
    const frame = /^\/frame\/(\d+)\.png$/.exec(path)?.[1];
    if (frame !== undefined) return list[names[Number(frame)] ?? ''] ?? null;
    const file = normalize(join(outDir, path === '/' ? 'index.html' : path));
    return file.startsWith(outDir) ? file : null;
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => typeof window.benchZxing === 'function');
    const timings = (await page.evaluate(([urls, runs]) => window.benchZxing(urls, runs), [names.map((_, i) => `/frame/${i}.png`), DECODE_RUNS] as const)) as FrameTiming[];
    const cell = (name: string, t: FrameTiming | undefined) =>
      t === undefined ? '?' : `${ms(t.medianMs)} (p90 ${ms(t.p90Ms)}), ${t.decoded === null ? (name.startsWith('no code') ? 'nothing (right)' : '**not read**') : 'read'}`;
    const row = (name: string, index: number) => {
      const of = (b: FrameTiming['build']) => timings.find((t) => t.build === b && t.frame === `/frame/${index}.png`);
      const ratio = (a: FrameTiming | undefined, b: FrameTiming | undefined) => `${((a?.medianMs ?? NaN) / (b?.medianMs ?? NaN)).toFixed(1)}×`;
      return `| ${name} | ${cell(name, of('zxing-js'))} | ${cell(name, of('zxing-wasm'))} | ${ratio(of('zxing-js'), of('zxing-wasm'))} | ${cell(name, of('zxing-js hard'))} | ${cell(name, of('zxing-wasm hard'))} | ${ratio(of('zxing-js hard'), of('zxing-wasm hard'))} |`;
    };
    const all = (b: FrameTiming['build']) => timings.filter((t) => t.build === b).reduce((sum, t) => sum + t.medianMs, 0);
    return [
      `Decode time per 1280×720 frame in Chromium, QR Code + DataMatrix, median of ${DECODE_RUNS} after a warm-up, the same frames for both builds (bench/zxing-page). « Camera » settings: zxing-js without TRY_HARDER (what \`decodeFromVideoDevice\` does by default), zxing-wasm as the app's decoder worker (no try-harder, inverted codes and downscaling tried); « try harder »: every option on.`,
      '',
      '| frame | zxing-js, camera | zxing-wasm, camera | js / wasm | zxing-js, try harder | zxing-wasm, try harder | js / wasm |',
      '|---|---|---|---|---|---|---|',
      ...names.map(row),
      `| **sum over the frames** | ${ms(all('zxing-js'))} | ${ms(all('zxing-wasm'))} | ${(all('zxing-js') / all('zxing-wasm')).toFixed(1)}× | ${ms(all('zxing-js hard'))} | ${ms(all('zxing-wasm hard'))} | ${(all('zxing-js hard') / all('zxing-wasm hard')).toFixed(1)}× |`,
    ];
  } finally {
    server.close();
  }
}

/** Marks recorded in the page (performance.now / event.timeStamp, same clock). */
const MARKS_SCRIPT = `
  window.__bench = {};
  const mark = (name, value) => { if (window.__bench[name] === undefined) window.__bench[name] = value; };
  addEventListener('keydown', (e) => { mark('firstKey', e.timeStamp); if (e.key === 'Enter') { window.__bench.enter = e.timeStamp; window.__bench.enterSeen = performance.now(); } if (e.key === 'F8') mark('f8', e.timeStamp); }, true);
  addEventListener('click', (e) => mark('click', e.timeStamp), true);
  new MutationObserver(() => {
    if (document.querySelector('[data-camera="live"]')) mark('live', performance.now());
    const record = document.querySelector('[data-testid="patient-record"]');
    if (record && record.textContent.includes('DUPONT')) mark('record', performance.now());
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
`;

type Marks = Partial<Record<'firstKey' | 'enter' | 'enterSeen' | 'f8' | 'click' | 'live' | 'record' | 'start', number>>;

async function openDesk(browser: Browser, app: RunningApp, route = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  await page.addInitScript(MARKS_SCRIPT);
  // The address carries the one-time token in its fragment; the page keeps it, then routes.
  await page.goto(app.url);
  await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
  if (route !== '') await page.evaluate((r) => (location.hash = r), route);
  return page;
}

const marksOf = async (page: Page): Promise<Marks> => {
  try {
    await page.waitForFunction(() => (window as unknown as { __bench: Marks }).__bench.record !== undefined, undefined, { timeout: 60_000 });
  } catch (error) {
    const toasts = await page.locator('.toasts').textContent().catch(() => '');
    throw new Error(`no patient on screen at ${page.url()} (toasts: ${toasts}; marks: ${JSON.stringify(await page.evaluate(() => (window as unknown as { __bench: Marks }).__bench))})`, { cause: error });
  }
  return page.evaluate(() => (window as unknown as { __bench: Marks }).__bench);
};

async function pathsBench(app: RunningApp, browser: Browser, work: string): Promise<string[]> {
  const rows: string[] = [];
  // Baseline: the record opened by its address.
  let patientId = '';
  const baseline: number[] = [];
  const wedge = { input: [] as number[], total: [] as number[] };
  const hid = { total: [] as number[] };
  const webcam = { input: [] as number[], total: [] as number[] };

  for (let run = 0; run < RUNS + 1; run++) {
    const page = await openDesk(browser, app);
    await page.getByTestId('patient-search').focus();
    await scannerBurst(page, DEMO_QUAL_DATAMATRIX, { gapMs: 5 });
    const marks = await marksOf(page);
    patientId = /#\/patient\/([^/?]+)/.exec(page.url())?.[1] ?? patientId;
    if (run > 0 && marks.firstKey !== undefined && marks.enter !== undefined && marks.enterSeen !== undefined && marks.record !== undefined) {
      // Keys are stamped as a scanner types them; the page sees them later when the test machine is
      // loaded (DevTools delivery): Pupitre's part starts when the page handles the Enter.
      const input = marks.enter - marks.firstKey;
      wedge.input.push(input);
      wedge.total.push(input + (marks.record - marks.enterSeen));
    }
    await page.close();
  }
  for (let run = 0; run < RUNS + 1; run++) {
    const page = await openDesk(browser, app, '/patient');
    await page.waitForTimeout(300);
    const start = await page.evaluate((id) => {
      const t = performance.now();
      location.hash = `/patient/${id}`;
      return t;
    }, patientId);
    const marks = await marksOf(page);
    if (run > 0 && marks.record !== undefined) baseline.push(marks.record - start);
    await page.close();
  }
  for (let run = 0; run < RUNS + 1; run++) {
    const page = await openDesk(browser, app, '/demo');
    await page.getByTestId('demo-scanner').waitFor();
    await page.getByTestId('demo-scan-ins').isEnabled();
    await page.waitForFunction(() => !(document.querySelector('[data-testid="demo-scan-ins"]') as HTMLButtonElement | null)?.disabled);
    await page.getByTestId('demo-scan-ins').click();
    const marks = await marksOf(page);
    if (run > 0 && marks.click !== undefined && marks.record !== undefined) hid.total.push(marks.record - marks.click);
    await page.close();
  }
  const video = fakeCameraVideo(await photoOf([{ kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX }], { width: 1280, height: 720, size: 300, tilt: 100, rotate: 8, blur: 0.6 }, mkdtempSync(join(work, 'cam-'))));
  const camera = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`] });
  try {
    for (let run = 0; run < RUNS + 1; run++) {
      const page = await openDesk(camera, app);
      await page.keyboard.press('F8');
      const marks = await marksOf(page);
      if (run > 0 && marks.f8 !== undefined && marks.live !== undefined && marks.record !== undefined) {
        webcam.input.push(marks.live - marks.f8);
        webcam.total.push(marks.record - marks.f8);
      }
      await page.close();
    }
  } finally {
    await camera.close();
  }
  const base = median(baseline);
  const HID_INPUT = 16; // 3 reports, 8 ms apart (demo-scan.ts)
  const line = (path: string, input: number, total: number) =>
    `| ${path} | ${ms(input)} | ${ms(total)} | ${ms(total - input)} | ${ms(Math.max(0, total - input - base))} | ${(total / input).toFixed(1)}× |`;
  rows.push(
    `Scan → patient on screen (INS datamatrix of the demo patient DUPONT, ${DEMO_QUAL_DATAMATRIX.length} bytes), median of ${RUNS} runs after one warm-up. Baseline measured in the same run: opening the same record by its address, **${ms(base)}** (record fetched and drawn).`,
    '',
    '| path | input itself | scan → record on screen | after the input | of which scan pipeline (minus baseline) | total / input |',
    '|---|---|---|---|---|---|',
    line('keyboard wedge (5 ms a key, + Enter)', median(wedge.input), median(wedge.total)),
    line('HID-POS (virtual scanner: 3 reports 8 ms apart)', HID_INPUT, median(hid.total)),
    line('webcam (fake camera: F8 → first frame is the input)', median(webcam.input), median(webcam.total)),
  );
  return rows;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-scan-'));
  const loadBefore = loadavg()[0] ?? NaN;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const app = await startBundledServe();
  try {
    log('scan bench: decode');
    const decode = await decodeBench(browser, work);
    log('scan bench: paths');
    const paths = await pathsBench(app, browser, work);
    const loadAfter = loadavg()[0] ?? NaN;
    process.stdout.write(
      [
        '## Scanning (bench/scan.bench.ts)',
        '',
        ...decode,
        '',
        ...paths,
        '',
        `Machine load average (1 min): ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end (shared machine: ratios in the same run are what count).`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await app.stop();
  }
}

await main();
