/**
 * Starts `pupitre serve --demo` in a child process on a throwaway data directory and opens it in
 * Debian's Chromium through playwright-core: the whole application as a user gets it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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

export async function startServe(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-'));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'pupitre.mjs'), 'serve', '--demo', '--json', '--data-dir', dataDir, ...extraArgs], {
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
