/**
 * The ordonnance numérique at the desk, in demo mode, as a GP and then a pharmacist do it: the GP
 * writes a two-line prescription from the drug list, prints it, sees it registered in the base
 * e-prescription and its copy in the DMP (a scan of it under the GP's card is routed to Ordonnances,
 * which says dispensation is for pharmacists); the pharmacist scans the QR code with a keyboard-wedge
 * scanner (real key events, through the scan pipeline of issue 10) while the patient search is in
 * view — the scan is routed to the Ordonnances screen with the prescription open —, substitutes one
 * line by a generic, records the dispensation, sees it transmitted; a second scan on the
 * Ordonnances screen (claimed by it, nothing typed into its field), the number typed by hand and a
 * scan by the Démo panel's virtual HID-POS scanner all show the prescription already delivered.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, enterCpsCode, useDemoDesk } from './support/app';
import { scannerBurst } from './support/scanner';

async function insertCard(page: Page, profile: string, holder: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
  await page.getByTestId(`demo-insert-${profile}`).click();
  await enterCpsCode(page);
  await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain(holder);
}

/** The number typed by a person (a QR code that cannot be read): keys far apart, then Entrée. */
async function typeByHand(page: Page, number: string): Promise<void> {
  const input = page.getByTestId('erx-scan-input');
  await input.fill('');
  await input.pressSequentially(number, { delay: 120 });
  await expect.poll(() => input.inputValue()).toBe(number);
  await input.press('Enter');
}

/** Leaves the Ordonnances screen and comes back to it: nothing open. */
async function reopenOrdonnances(page: Page): Promise<void> {
  await page.keyboard.press('Alt+1');
  await page.getByTestId('patient-search').waitFor();
  await page.keyboard.press('Alt+0');
  await page.getByTestId('erx-scan-input').waitFor();
  expect(await page.getByTestId('erx-dispensation').count()).toBe(0);
}

describeWithPrerequisites('e2e', e2ePrerequisites, 'ordonnance numérique in demo mode', () => {
  const desk = useDemoDesk();

  it('a GP prescribes, prints and registers; a pharmacist scans the QR code from another screen, substitutes, records; a second scan and the typed number show it delivered', async () => {
    const { page, errors } = await desk.open();

    // --- The GP -------------------------------------------------------------------------------
    await insertCard(page, 'cps-praticien', 'CAMILLE PUPITRE');
    await page.getByRole('navigation').getByRole('link', { name: /^Patient/ }).click();
    await page.getByTestId('patient-search').fill('dupont');
    await page.getByRole('cell', { name: /DUPONT/i }).first().waitFor();
    await page.getByRole('cell', { name: /DUPONT/i }).first().dblclick();
    await page.getByTestId('patient-record').waitFor();

    await page.getByTestId('erx-new').click();
    const search = page.getByTestId('erx-drug-search');
    await search.fill('doliprane 1000');
    await page.getByRole('option', { name: /^DOLIPRANE 1000 mg, comprimé PARAC/ }).first().waitFor();
    await search.press('Enter');
    await search.fill('clamoxyl');
    await page.getByRole('option', { name: /CLAMOXYL 1 g, comprimé dispersible/ }).waitFor();
    await search.press('Enter');
    await expect.poll(() => page.getByTestId('erx-line').count()).toBe(2);
    // The second line in free text, as many prescribers write an antibiotic.
    const second = page.getByTestId('erx-line').nth(1);
    await second.getByTestId('erx-mode-text').check();
    await second.getByTestId('erx-posology-text').fill('1 comprimé matin et soir pendant 6 jours');
    await page.getByTestId('erx-consent').getByLabel('Oui').check();
    await page.screenshot({ path: join(ARTIFACTS, 'erx-form.png') });
    await page.getByTestId('erx-submit').click();

    // The paper ordonnance: previewed, then printed.
    const preview = page.getByTestId('erx-preview');
    await expect.poll(() => preview.getAttribute('data-pages'), { timeout: 60_000 }).toBe('1');
    await page.screenshot({ path: join(ARTIFACTS, 'erx-preview.png') });
    await page.getByTestId('erx-print').click();
    await page.getByRole('button', { name: 'Fermer' }).click();

    const prescription = page.getByTestId('erx-prescription').first();
    await expect.poll(() => prescription.textContent(), { timeout: 30_000 }).toContain('Imprimée le');
    expect(await prescription.textContent()).toContain('1 comprimé 3 fois par jour, pendant 5 jours, voie orale');
    // Registered in the base, and its eP-MED-DM copy in the DMP.
    await expect.poll(() => prescription.getAttribute('data-registration'), { timeout: 90_000 }).toBe('done');
    await expect.poll(() => prescription.getAttribute('data-dmp'), { timeout: 90_000 }).toBe('done');
    expect(await prescription.textContent()).toContain('non dispensée');
    const number = (await prescription.getAttribute('data-number')) as string;
    expect(number).toMatch(/^[0-9A-Z]{18}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'erx-registered.png') });

    // The GP scans the QR code: routed to Ordonnances, which says dispensation is for pharmacists.
    await page.keyboard.press('Alt+1');
    await page.getByTestId('patient-search').focus();
    await scannerBurst(page, number);
    await page.getByText('Votre carte est celle d’un prescripteur').waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/#\/ordonnances$/);

    // --- The pharmacist -----------------------------------------------------------------------
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-remove-cps-praticien').click();
    await insertCard(page, 'cps-pharmacien', 'LUCIE OFFICINE');
    // The desk knows the pharmacist's card (Ordonnances shows the dispensation field, not the
    // prescriber's notice) before the scan: a scan routed under the previous card is dropped.
    await page.keyboard.press('Alt+0');
    await page.getByTestId('erx-scan-input').waitFor({ timeout: 30_000 });
    // The QR code scanned while the patient search is in view: routed to Ordonnances (Alt+0).
    await page.keyboard.press('Alt+1');
    await page.getByTestId('patient-search').focus();
    await scannerBurst(page, number);
    const dispensation = page.getByTestId('erx-dispensation');
    await expect.poll(() => dispensation.getAttribute('data-status'), { timeout: 30_000 }).toBe('non dispensée');
    expect(page.url()).toMatch(/#\/ordonnances$/);
    await expect.poll(() => page.locator('.toasts').textContent()).toContain(`Ordonnance numérique (n° …${number.slice(-4)}). Ouverture de l’écran de dispensation (Ordonnances).`);
    // The number went from the scan to the base by scan id: not through the page's field.
    expect(await page.getByTestId('erx-scan-input').inputValue()).toBe('');
    const lines = page.getByTestId('erx-dispense-line');
    expect(await lines.count()).toBe(2);
    expect(await lines.nth(0).textContent()).toContain('1 comprimé 3 fois par jour, pendant 5 jours, voie orale');
    expect(await lines.nth(1).textContent()).toContain('1 comprimé matin et soir pendant 6 jours');

    // CLAMOXYL substituted by a generic of its group (a presentation with its CIP13).
    await lines.nth(1).getByTestId('erx-outcome').selectOption('substituted');
    const generic = lines.nth(1).getByTestId('erx-generic');
    await generic.waitFor();
    await expect.poll(async () => (await generic.locator('option').count()) > 1, { timeout: 30_000 }).toBe(true);
    await generic.selectOption({ index: 1 });
    expect(await lines.nth(1).getByTestId('erx-cip13').inputValue()).toMatch(/^\d{13}$/);
    await page.screenshot({ path: join(ARTIFACTS, 'erx-dispensing.png') });
    await page.getByTestId('erx-record').click();
    await expect.poll(() => dispensation.getAttribute('data-status'), { timeout: 30_000 }).toBe('dispensée');
    const recorded = page.getByTestId('erx-dispensation-record').first();
    await expect.poll(() => recorded.getAttribute('data-execution'), { timeout: 90_000 }).toBe('done');
    expect(await recorded.textContent()).toContain('Première délivrance, complète');

    // A second scan, on the Ordonnances screen (which claims it; the field has the focus and gets
    // nothing): already delivered, nothing more to record.
    await reopenOrdonnances(page);
    await page.getByTestId('erx-scan-input').focus();
    await scannerBurst(page, number);
    await page.getByTestId('erx-already-dispensed').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('erx-scan-input').inputValue()).toBe('');
    expect(await page.getByTestId('erx-record').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'erx-already-dispensed.png') });

    // The number typed by hand (QR code unreadable): the same.
    await reopenOrdonnances(page);
    await typeByHand(page, number);
    await page.getByTestId('erx-already-dispensed').waitFor({ timeout: 30_000 });

    // Through the host's own source, the Démo panel's virtual HID-POS scanner: routed to Ordonnances.
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await expect.poll(() => page.getByTestId('scanner-status').textContent(), { timeout: 15_000 }).toContain('Douchette prête');
    await page.getByTestId('demo-scan-text').fill(number);
    await page.getByTestId('demo-scan-text-send').click();
    await page.getByTestId('erx-already-dispensed').waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/#\/ordonnances$/);
    expect(errors).toEqual([]);
  });
});
