/**
 * Issue 13, « DMP panel offline »: when the DMP cannot be reached, the panel of a patient keeps
 * « Envoyer au DMP », the pending sendings and « Actualiser », shows the last known state with its
 * date, says that the consultation will be possible when the service is back (a read is never
 * « renvoyée »), and the demo's « Rétablir le DMP » stays reachable. A document sent from a
 * patient opened offline waits in the queue and leaves when the DMP is back.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, insertDemoPractitionerCps, openPatientRecord, useDemoDesk } from './support/app';
import { queuePdfForDmp, takeDemoDmpDown } from './support/dmp';

describeWithPrerequisites('e2e', e2ePrerequisites, 'DMP panel while the DMP is unreachable (demo)', () => {
  const desk = useDemoDesk();

  it('keeps sending, the sendings and the last known state offline, and sends when the DMP is back', async () => {
    const { page, errors } = await desk.open();

    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await insertDemoPractitionerCps(page);

    // A patient seen online first: the panel keeps what it learnt.
    await openPatientRecord(page, 'dupont', /DUPONT/i);
    await expect.poll(() => page.getByTestId('dmp-status').textContent(), { timeout: 60_000 }).toContain('DMP ouvert');
    const documentsOnline = await page.getByTestId('dmp-document').count();
    expect(documentsOnline).toBeGreaterThan(2);

    // The DMP goes down; « Actualiser » does not empty the panel.
    await takeDemoDmpDown(page);
    await page.getByTestId('dmp-panel-refresh').click();
    const offline = page.getByTestId('dmp-offline');
    await offline.waitFor({ timeout: 60_000 });
    const notice = (await offline.textContent()) ?? '';
    expect(notice).toMatch(/Dernier état connu du \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}/);
    expect(notice).toContain('consultation sera possible au retour du service');
    expect(notice).not.toMatch(/renvoy/);
    expect(await page.getByTestId('dmp-status').textContent()).toContain('DMP ouvert');
    expect(await page.getByTestId('dmp-document').count()).toBe(documentsOnline);
    await page.getByTestId('dmp-send-open').waitFor();
    await page.getByTestId('dmp-panel-refresh').waitFor();
    await page.getByTestId('dmp-demo-toggle').waitFor();

    // Reading a document offline: the consultation waits for the service; nothing is « renvoyé ».
    await page.getByTestId('dmp-document').first().getByRole('button').first().click();
    const viewer = page.getByTestId('dmp-viewer');
    await viewer.getByRole('alert').waitFor({ timeout: 60_000 });
    const readError = (await viewer.getByRole('alert').textContent()) ?? '';
    expect(readError).toContain('consultation sera possible au retour du service');
    expect(readError).not.toMatch(/renvoy/);
    await page.getByRole('button', { name: 'Fermer' }).click();

    // A patient never opened before, opened while the DMP is down: sending still works.
    await openPatientRecord(page, 'adrtrois dominique', /ADRTROIS/i);
    await page.getByTestId('dmp-offline').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('dmp-offline').textContent()).toContain('Aucun état connu');
    await page.screenshot({ path: join(ARTIFACTS, 'dmp-offline.png') });
    const sending = await queuePdfForDmp(page, { name: 'cr-hors-ligne.pdf', title: 'Compte rendu hors ligne', lines: ['Ouvert hors ligne'] });

    // « Rétablir le DMP » is there on the offline panel; the document leaves the queue.
    await page.getByTestId('dmp-demo-toggle').click();
    await expect.poll(() => sending.getAttribute('data-state'), { timeout: 60_000 }).toBe('sent');
    await page.getByTestId('dmp-panel-refresh').click();
    await expect.poll(async () => page.getByTestId('dmp-offline').count(), { timeout: 60_000 }).toBe(0);
    expect(errors).toEqual([]);
  });

  it('says before « douteuse » is confirmed that a waiting document will not leave, and refuses it when the DMP is back', async () => {
    const { page, errors } = await desk.open();
    // The card of the test above is still in the reader. The DMP goes down, a document waits.
    await openPatientRecord(page, 'dupont', /DUPONT/i);
    await expect.poll(() => page.getByTestId('dmp-status').textContent(), { timeout: 60_000 }).toContain('DMP ouvert');
    await takeDemoDmpDown(page);
    const sending = await queuePdfForDmp(page, { name: 'cr-avant-doute.pdf', title: 'Compte rendu avant le doute', lines: ['Identité à vérifier'] });

    // « Marquer douteuse »: the dialog says it before the user confirms.
    await page.getByRole('button', { name: 'Marquer douteuse' }).click();
    const warning = page.getByTestId('attribute-dmp-waiting');
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.textContent()).toContain('1 document en attente d’envoi au DMP ne partira pas');
    await page.getByRole('dialog').getByRole('textbox').fill('Carte Vitale prêtée : usurpation signalée');
    await page.getByRole('dialog').getByRole('button', { name: 'Confirmer' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // The DMP shown was the INS's of before: the panel asks again and is refused, the sending stays in sight.
    await expect.poll(() => page.getByTestId('dmp-document').count(), { timeout: 30_000 }).toBe(0);
    expect(await page.getByRole('alert').filter({ hasText: "n'est pas qualifiée" }).count()).toBe(1);
    expect(await sending.getAttribute('data-state')).toBe('queued');

    // The DMP back: the document is refused, with what to do; it never reached the DMP.
    await page.getByTestId('dmp-demo-toggle').click();
    await expect.poll(() => sending.getAttribute('data-state'), { timeout: 60_000 }).toBe('failed');
    expect(await sending.textContent()).toContain("L'identité de ce patient a changé depuis la mise en attente");
    await page.screenshot({ path: join(ARTIFACTS, 'dmp-identity-changed.png') });
    expect(errors).toEqual([]);
  });
});
