import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, launchBrowser, startServe, watchPageErrors, type RunningApp } from './support/app';

const SECTIONS = [
  { nav: 'Patient', heading: 'Rechercher un patient' },
  { nav: 'Identités (INS)', heading: 'Identités (INS)' },
  { nav: 'DMP', heading: 'DMP (Mon espace santé)' },
  { nav: 'Facturation', heading: 'Facturation' },
  { nav: "File d'envoi", heading: "File d'envoi" },
  { nav: 'Diagnostic', heading: 'Diagnostic du poste' },
  { nav: 'Paramètres', heading: 'Environnement' },
  { nav: 'Démo', heading: 'Mode démo' },
];

describeWithPrerequisites('e2e', e2ePrerequisites, 'desk shell in Chromium against pupitre serve (demo)', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startServe();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('loads the shell, navigates every section and shows the outbox indicator', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    const errors = watchPageErrors(page);
    await page.goto(app.url);
    await expect.poll(() => page.getByTestId('connectivity').textContent()).toContain('Service local connecté');
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.getByText('DÉMO', { exact: true }).count()).toBe(1);

    for (const section of SECTIONS) {
      await page.getByRole('navigation').getByRole('link', { name: new RegExp(`^${section.nav.replace(/[()]/g, '\\$&')}`) }).click();
      await page.getByRole('heading', { name: section.heading, exact: true }).waitFor();
    }
    await expect.poll(() => page.getByTestId('outbox-indicator').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'shell.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('navigates with Alt+digit shortcuts', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
    await page.keyboard.press('Alt+6');
    await page.getByRole('heading', { name: 'Diagnostic du poste' }).waitFor();
    await expect.poll(() => page.getByRole('cell', { name: 'Base de données chiffrée' }).count()).toBe(1);
  });

  // What the Electron page may reach is the preload's business (electron/preload/index.test.ts); in a
  // plain browser this only proves the served bundle itself brings no Node globals (no polyfills).
  it('serves a bundle that defines no Node or Electron globals (the preload is tested on its own)', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    const globals = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      module: typeof (globalThis as { module?: unknown }).module,
      electron: typeof (globalThis as { electron?: unknown }).electron,
    }));
    expect(globals).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', electron: 'undefined' });
  });

  it('blocks inline scripts with the CSP', async () => {
    const page = await browser.newPage();
    await page.goto(app.url);
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.body.appendChild(script);
      return (window as { __inlineRan?: boolean }).__inlineRan === true;
    });
    expect(ran).toBe(false);
  });

  it('paints the desk frame before any script runs, styled by the inlined stylesheet the CSP allows', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1360, height: 860 } });
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(app.url);
    const frame = await page.evaluate(() => ({
      navigation: Array.from(document.querySelectorAll('nav li span'), (span) => span.textContent),
      topBar: getComputedStyle(document.querySelector('.topbar') as Element).backgroundColor,
      columns: getComputedStyle(document.querySelector('.shell') as Element).gridTemplateColumns.split(' ').length,
      status: document.querySelector('.topbar .badge')?.textContent,
      stylesheets: document.styleSheets.length,
      // Nothing but the tiny entry is fetched before the first frame (renderer/boot.ts).
      scripts: Array.from(document.querySelectorAll('script[src], link[rel="modulepreload"]'), (element) => (element.getAttribute('src') ?? element.getAttribute('href') ?? '').replace(/-[\w-]+\.js$/, '.js')),
    }));
    expect(frame).toEqual({
      navigation: ['Patient', 'Identités (INS)', 'DMP', 'Facturation', "File d'envoi", 'Diagnostic', 'Paramètres', 'Appli carte Vitale', 'Ordonnances'],
      topBar: 'rgb(22, 50, 79)',
      columns: 2,
      status: 'Connexion…',
      stylesheets: 1,
      scripts: ['./assets/index.js'],
    });
    await page.screenshot({ path: join(ARTIFACTS, 'shell-before-script.png') });
    expect(errors).toEqual([]);
    await context.close();

    // With scripts, the application takes the frame over: live links, and nothing refused by the CSP.
    const live = await browser.newPage();
    const liveErrors = watchPageErrors(live);
    await live.goto(app.url);
    await live.getByTestId('connectivity').getByText('Service local connecté').waitFor();
    expect(await live.locator('.shell[aria-busy]').count()).toBe(0);
    expect(await live.getByRole('navigation').getByRole('link', { name: /^Patient/ }).getAttribute('href')).toBe('#/patient');
    expect(liveErrors).toEqual([]);
    // Only that stylesheet: any other inline style is refused.
    const applied = await live.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 7px solid red; }';
      document.head.appendChild(style);
      return getComputedStyle(document.body).outlineWidth;
    });
    expect(applied).not.toBe('7px');
  });

  it('shows a clear message when opened without the token', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${app.port}/`);
    await page.getByText('Pupitre ne peut pas se connecter au service local.').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('pupitre serve');
  });
});
