/**
 * File d'envoi in Chromium: a job that went dead in an earlier session shows in the top bar badge
 * and on the screen with its French error; a person retries it, then cancels it after confirming.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dataDirLeftBy, TEST_LOT_QUEUE, testLotQueue } from '../fixtures/testing/outbox/left-jobs';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, launchBrowser, startServe, watchPageErrors, type RunningApp } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, "File d'envoi in Chromium against pupitre serve (demo)", () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    // An earlier session left a billing-like job dead (the remote side refused it).
    const dataDir = await dataDirLeftBy('pupitre-e2e-outbox', testLotQueue({ endpoint: 'test', refused: () => true }), async (outbox) => {
      outbox.enqueue(TEST_LOT_QUEUE, { idempotencyKey: 'lot-42', payload: { lot: 42 }, subject: { label: 'Lot de facturation n° 42' } });
      await outbox.whenIdle();
    });
    app = await startServe(['--data-dir', dataDir]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows the dead job in the top bar and on the screen, then retries and cancels it', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = watchPageErrors(page);
    await page.goto(app.url);
    await expect.poll(() => page.getByTestId('outbox-indicator').textContent()).toContain('1 envoi à traiter');

    await page.getByTestId('outbox-indicator').click();
    await page.getByRole('heading', { name: 'À traiter (1)' }).waitFor();
    await expect.poll(() => page.getByTestId('outbox-dead-notice').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Lot de facturation n° 42').count()).toBe(1);
    await expect.poll(() => page.getByText(/Les données de cet envoi sont invalides/).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'outbox-dead.png'), fullPage: true });

    await page.getByRole('button', { name: 'Relancer maintenant' }).click();
    await page.getByRole('heading', { name: 'À traiter (0)' }).waitFor();
    await expect.poll(() => page.getByTestId('outbox-indicator').textContent()).not.toContain('à traiter');

    await page.getByRole('button', { name: 'Annuler…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: "Annuler l'envoi" }).click();
    await expect.poll(() => page.getByText('Rien en attente : tout est parti.').count()).toBe(1);

    await page.getByRole('button', { name: 'Synchroniser maintenant' }).click();
    await expect.poll(() => page.getByText('Synchronisation terminée : tout est envoyé.').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'outbox-after.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
