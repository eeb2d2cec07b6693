/**
 * The appli carte Vitale at the desk, as a secretary does it in demo mode: with the service down,
 * a scanned app is refused at once with the next thing to do and nothing is created; with the
 * service up, the demo app is presented from the Démo panel, the beneficiary is picked in the same
 * picker as a carte Vitale, and the patient's record opens with the rights (ADRi) shown.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'appli carte Vitale in demo mode', () => {
  const desk = useDemoDesk();

  it('refuses a scan clearly while the service is down, then opens the patient with rights once it is back', async () => {
    const { page, errors } = await desk.open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-cards').waitFor();
    await page.getByTestId('demo-insert-cps-praticien').click();
    const pin = page.getByTestId('pin-input');
    await pin.waitFor();
    await pin.fill('1234');
    await pin.press('Enter');
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('CPS : CAMILLE PUPITRE');

    // The QR codes are drawn on screen; their text is what a scanner would type.
    const martin = page.getByTestId('demo-apcv-app-martin');
    await martin.locator('canvas').waitFor();
    const payload = (await martin.getByTestId('demo-apcv-payload').textContent()) ?? '';
    expect(payload).toMatch(/^ApCV-DEMO:1:/);

    // Service down: the scan (typed by a keyboard-wedge scanner on the intake screen, reached with Alt+9) is refused at once.
    await page.getByTestId('demo-apcv-down').click();
    await expect.poll(() => page.getByTestId('demo-apcv-down').isChecked()).toBe(true);
    await page.keyboard.press('Alt+9');
    await page.getByTestId('apcv-intake').waitFor();
    await page.getByTestId('apcv-payload').fill(payload);
    const started = Date.now();
    await page.getByTestId('apcv-payload').press('Enter');
    const alert = page.getByTestId('apcv-intake').getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toContain('ne fonctionne qu’en ligne');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await alert.textContent()).toContain('carte Vitale physique');
    expect(await page.getByTestId('apcv-session').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'apcv-refused.png') });
    // Nothing half-done: no session, no countdown, no picker, and the desk stayed on the intake screen.
    expect(await page.getByTestId('apcv-countdown').count()).toBe(0);
    expect(await page.getByTestId('beneficiary-list').count()).toBe(0);
    expect(page.url()).toMatch(/#\/apcv$/);

    // Service back: present the family DUPONT app as if scanned.
    await page.keyboard.press('Alt+8');
    await page.getByTestId('demo-apcv').waitFor();
    await page.getByTestId('demo-apcv-down').click();
    await expect.poll(() => page.getByTestId('demo-apcv-down').isChecked()).toBe(false);
    await page.getByTestId('demo-apcv-inject-app-dupont').click();
    const list = page.getByTestId('beneficiary-list');
    await list.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('beneficiary').count()).toBe(2);
    await expect.poll(() => page.getByTestId('apcv-indicator').getByTestId('apcv-countdown').textContent()).toMatch(/Session appli carte Vitale : (20:00|19:5\d)/);
    await page.screenshot({ path: join(ARTIFACTS, 'apcv-beneficiaries.png') });
    await list.focus();
    await page.keyboard.press('Enter');
    // No record of this beneficiary on the desk yet: creating it is confirmed first (issue 13).
    await page.getByTestId('beneficiary-create-confirm').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/#\/patient\/[^/]+$/);
    await page.getByTestId('patient-record').waitFor();
    const rights = page.getByTestId('adri-rights');
    await rights.waitFor({ timeout: 30_000 });
    expect(await rights.textContent()).toContain('Droits ouverts');
    expect(await rights.textContent()).toContain('Affection de longue durée');
    expect(await rights.textContent()).toContain('Régime agricole (MSA)');
    await page.screenshot({ path: join(ARTIFACTS, 'apcv-patient-rights.png') });

    // The patient is done: the session ends.
    await page.keyboard.press('Alt+9');
    await page.getByTestId('apcv-done').click();
    await page.getByTestId('apcv-payload').waitFor();
    expect(errors).toEqual([]);
  });
});
