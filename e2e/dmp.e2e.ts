/**
 * The DMP at the desk, as a practitioner does it in demo mode: insert the virtual CPS, open a
 * demo patient — the DMP status and the new documents show without a click —, read a document,
 * send a PDF while the DMP simulator is down, see it queued, bring the simulator back, see it sent.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, insertDemoPractitionerCps, openPatientRecord, useDemoDesk } from './support/app';
import { queuePdfForDmp, takeDemoDmpDown } from './support/dmp';

describeWithPrerequisites('e2e', e2ePrerequisites, 'DMP panel in demo mode', () => {
  const desk = useDemoDesk();

  it('shows the status without a click, reads a document, sends a PDF offline then online', async () => {
    const { page, errors } = await desk.open();

    // The practitioner's virtual CPS and its code.
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await insertDemoPractitionerCps(page);

    // Open the qualified demo patient: the DMP panel fills in by itself.
    await openPatientRecord(page, 'dupont', /DUPONT/i);
    const status = page.getByTestId('dmp-status');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toContain('DMP ouvert');
    expect(await status.textContent()).toContain('Accès autorisé');
    expect(await status.textContent()).toMatch(/nouveaux? documents?/);
    await page.getByTestId('dmp-filtered').waitFor();
    // Marie DUPONT's demo DMP: 9 of her 14 documents are less than two years old (first search).
    expect(await page.getByTestId('dmp-document').count()).toBe(9);
    await page.screenshot({ path: join(ARTIFACTS, 'dmp-panel.png') });

    // Read the most recent document (a PDF in a CDA N1): pdf.js draws its page.
    await page.getByTestId('dmp-document').first().getByRole('button').first().click();
    await page.getByTestId('dmp-viewer').waitFor();
    await expect.poll(() => page.getByTestId('dmp-viewer-pdf').textContent(), { timeout: 30_000 }).toContain('1 page');
    expect(await page.locator('.dmp-pdf-page').count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'dmp-viewer.png') });
    await page.getByRole('button', { name: 'Fermer' }).click();

    // The DMP goes down; the PDF is queued.
    await takeDemoDmpDown(page);
    const sending = await queuePdfForDmp(page, { name: 'compte-rendu.pdf', title: 'Compte rendu e2e', lines: ['Envoye hors ligne'] });
    expect(await sending.textContent()).toContain('En file d’attente');
    await page.screenshot({ path: join(ARTIFACTS, 'dmp-queued.png') });

    // The DMP is back: the document leaves the queue.
    await page.getByTestId('dmp-demo-toggle').click();
    await expect.poll(() => sending.getAttribute('data-state'), { timeout: 60_000 }).toBe('sent');
    await page.screenshot({ path: join(ARTIFACTS, 'dmp-sent.png') });
    expect(errors).toEqual([]);
  });
});
