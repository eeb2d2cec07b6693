/**
 * Starts `pupitre serve --demo` in a child process on a throwaway data directory and opens it in
 * Debian's Chromium through playwright-core: the whole application as a user gets it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
export const ARTIFACTS = join(ROOT, 'test-results', 'e2e');

export const e2ePrerequisites = (): string | null => {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install chromium)`;
  if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) return 'renderer not built (npm run build:renderer)';
  return null;
};

export interface RunningApp {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startServe(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  return startServeWith(join(ROOT, 'bin', 'pupitre.mjs'), extraArgs, env);
}

/** `pupitre serve --demo` run from `entry` (the CLI from sources, or a bundle of it for the benches), Node given `nodeArgs`. */
export async function startServeWith(entry: string, extraArgs: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-'));
  const child = spawn(process.execPath, [...nodeArgs, entry, 'serve', '--demo', '--json', '--data-dir', dataDir, ...extraArgs], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const ready = await new Promise<{ url: string; port: number; token: string }>((resolvePromise, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`pupitre serve did not start in time:\n${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk) => {
      buffer += String(chunk);
      const line = buffer.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolvePromise(JSON.parse(line) as { url: string; port: number; token: string });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pupitre serve exited with ${code}:\n${stderr}`));
    });
  });
  return {
    ...ready,
    dataDir,
    child,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise();
        child.once('exit', () => resolvePromise());
        child.kill('SIGTERM');
      }),
  };
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Collects console errors and CSP violations: a clean page has none. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export interface DemoDesk {
  /** The running `pupitre serve`, once `beforeAll` ran. */
  app(): RunningApp;
  /** A new page on the desk, connected to the host; `errors` collects console errors. */
  open(options?: BrowserContextOptions): Promise<{ page: Page; errors: string[] }>;
  /** Goes to a route of the desk (`/patient/import`) on a page opened by `open`. */
  goto(page: Page, route: string): Promise<void>;
}

/**
 * Starts `pupitre serve` (demo) and Chromium around the enclosing describe block, and stops them
 * after it: each scenario file gets its own host and data directory.
 */
export function useDemoDesk(serveArgs: string[] = [], start: (args: string[]) => Promise<RunningApp> = startServe): DemoDesk {
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    app = await start(serveArgs);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  const running = (): RunningApp => {
    if (app === undefined) throw new Error('pupitre serve is not running (beforeAll failed)');
    return app;
  };
  return {
    app: running,
    async open(options = {}) {
      if (browser === undefined) throw new Error('Chromium is not running (beforeAll failed)');
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, ...options });
      const errors = watchPageErrors(page);
      await page.goto(running().url);
      await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
      // The first screen is loaded on demand: wait for it, so that its keyboard shortcuts are live.
      await page.locator('#contenu h2').first().waitFor();
      return { page, errors };
    },
    async goto(page, route) {
      await page.goto(`${running().url.split('#')[0]}#${route}`);
    },
  };
}

/**
 * The CPS code dialog, opened by the user when the desk did not open it by itself (a card that
 * arrives while the user types waits in the top bar: card-pin-open), then the code typed.
 */
export async function enterCpsCode(page: Page, code = '1234'): Promise<void> {
  const pin = page.getByTestId('pin-input');
  const opener = page.getByTestId('card-pin-open');
  const deadline = Date.now() + 30_000;
  // The desk opens the dialog by itself when it needs the code, and may do so between a check and
  // a click on the top-bar button (the dialog then covers it): click briefly, and look again.
  while (!(await pin.isVisible())) {
    if (Date.now() > deadline) throw new Error('la demande du code CPS ne s’est pas ouverte (ni d’elle-même ni par le bouton de la barre du haut)');
    if (await opener.isVisible()) await opener.click({ timeout: 1_000 }).catch(() => undefined);
    await page.waitForTimeout(100);
  }
  await pin.fill(code);
  await pin.press('Enter');
}

/** The practitioner's virtual CPS inserted from the Démo panel (shown), its code typed, the card known. */
export async function insertDemoPractitionerCps(page: Page): Promise<void> {
  await page.getByTestId('demo-insert-cps-praticien').click();
  await enterCpsCode(page);
  await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('CPS : CAMILLE PUPITRE');
}

/** The patient search (Alt+1 screen): `search` typed, the first row matching `cell` opened. */
export async function openPatientRecord(page: Page, search: string, cell: RegExp): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: /^Patient/ }).click();
  await page.getByTestId('patient-search').fill(search);
  await page.getByRole('cell', { name: cell }).first().waitFor();
  await page.getByRole('cell', { name: cell }).first().dblclick();
  await page.getByTestId('patient-record').waitFor();
}
