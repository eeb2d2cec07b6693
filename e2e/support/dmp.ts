/** The patient's DMP panel in the démo: its simulator switch and « Envoyer au DMP ». */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { makePdf } from '../../fixtures/sim/dmp';

/** « Simuler une panne du DMP » on the panel, once the simulator says it is unreachable. */
export async function takeDemoDmpDown(page: Page): Promise<void> {
  await page.getByTestId('dmp-demo-toggle').click();
  await expect.poll(() => page.getByTestId('dmp-demo-simulator').textContent()).toContain('injoignable');
}

/**
 * Sends a one-page PDF as a « CR ou fiche de consultation » (11488-4) from the open panel while the
 * DMP is down (`takeDemoDmpDown`) and waits for it to be queued; returns its row (the newest).
 */
export async function queuePdfForDmp(page: Page, file: { name: string; title: string; lines: string[]; documentTitle?: string }): Promise<Locator> {
  await page.getByTestId('dmp-send-open').click();
  await page.getByTestId('dmp-file').setInputFiles({ name: file.name, mimeType: 'application/pdf', buffer: makePdf(file.title, file.lines) });
  await page.getByTestId('dmp-type').selectOption('11488-4');
  if (file.documentTitle !== undefined) await page.getByTestId('dmp-title').fill(file.documentTitle);
  await page.getByTestId('dmp-send-submit').click();
  const sending = page.getByTestId('dmp-sending').first();
  await expect.poll(() => sending.getAttribute('data-state'), { timeout: 30_000 }).toBe('queued');
  return sending;
}
