/**
 * Issue 13, « production honesty »: the INSi structure certificate (INSI-MANU / INSI-AUTO) is set in
 * Paramètres — the file checked by the host, a wrong passphrase said in French, the passphrase never
 * shown again — and the Diagnostic screen names it.
 */
import { expect, it } from 'vitest';
import { ensureSharedTestPki } from '../fixtures/sim/pki';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'structure certificates in Paramètres', () => {
  const desk = useDemoDesk();

  it('checks and saves the INSi certificate from its PKCS#12 file', async () => {
    const pki = await ensureSharedTestPki();
    const { page, errors } = await desk.open();
    await desk.goto(page, '/parametres');
    const state = page.getByTestId('certificate-insi-state');
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toContain('non configuré');

    await page.getByTestId('certificate-insi-file').fill(pki.structure.insiManu.paths.pkcs12);
    await page.getByTestId('certificate-insi-passphrase').fill('pas le bon');
    await page.getByTestId('certificate-insi-save').click();
    const refused = page.getByTestId('certificate-insi-form').getByRole('alert');
    await refused.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('setting-confirm-dialog').count()).toBe(0);
    expect(await refused.locator('strong').textContent()).not.toMatch(/[A-Z_]{6,}/);
    expect(await state.textContent()).toContain('non configuré');

    await page.getByTestId('certificate-insi-passphrase').fill(pki.pkcs12Passphrase);
    await page.getByTestId('certificate-insi-save').click();
    // A security-sensitive setting: the confirmation names the certificate and what it allows.
    const confirmation = page.getByTestId('setting-confirm-dialog');
    await confirmation.waitFor({ timeout: 30_000 });
    const asked = (await confirmation.textContent()) ?? '';
    expect(asked).toContain('INSI-MANU, structure 10B9990001');
    expect(asked).toContain('sans carte CPS');
    expect(asked.replaceAll(pki.structure.insiManu.paths.pkcs12, '')).not.toContain(pki.pkcs12Passphrase);
    expect(await state.textContent()).toContain('non configuré');
    await page.getByTestId('setting-confirm').click();
    await expect.poll(() => state.textContent(), { timeout: 30_000 }).toContain('INSI-MANU');
    expect(await state.textContent()).toContain('structure 10B9990001');
    expect(await page.getByTestId('certificate-insi-passphrase').inputValue()).toBe('');

    await desk.goto(page, '/diagnostic');
    await expect.poll(() => page.locator('body').textContent(), { timeout: 30_000 }).toContain('Certificats de structure');
    expect(errors).toEqual([]);
  });
});
