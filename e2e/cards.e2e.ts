/**
 * Cards in demo mode, as a user does it: insert the virtual CPS from the Démo panel, type the
 * code porteur, see the practitioner in the top bar; insert a Vitale with several beneficiaries,
 * pick one with the keyboard, confirm the creation of the record, and the patient's record opens.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'cards in demo mode (virtual CPS and Vitale)', () => {
  const desk = useDemoDesk();

  it('connects the practitioner with the virtual CPS, then opens a patient from the Vitale', async () => {
    const { page, errors } = await desk.open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-cards').waitFor();

    // CPS: the PIN dialog opens by itself; a wrong code shows the tries left, the right one connects.
    await page.getByTestId('demo-insert-cps-praticien').click();
    const pin = page.getByTestId('pin-input');
    await pin.waitFor();
    await pin.fill('0000');
    await pin.press('Enter');
    await page.getByText('Il reste 2 essais.').waitFor();
    expect(await pin.inputValue()).toBe('');
    await pin.fill('1234');
    await pin.press('Enter');
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('CPS : CAMILLE PUPITRE');
    await page.screenshot({ path: join(ARTIFACTS, 'cards-session.png') });

    // Vitale: the picker lists the four beneficiaries; keyboard choice of the second one.
    await page.getByTestId('demo-insert-vitale-famille').click();
    const list = page.getByTestId('beneficiary-list');
    await list.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('beneficiary').count()).toBe(4);
    await list.focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-testid="beneficiary"][aria-selected="true"]').textContent()).toContain('AMELIE');
    await page.screenshot({ path: join(ARTIFACTS, 'cards-beneficiaries.png') });
    await page.keyboard.press('Enter');
    // Nobody of the family is in the demo base yet: the desk asks before creating the record.
    await page.getByTestId('beneficiary-create-confirm').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/#\/patient\/[^/]+$/);
    expect(errors).toEqual([]);
  });
});
