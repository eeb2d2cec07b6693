/**
 * Issue 13, « card dialogs » and « unreadable CPS », as a desk user meets them in demo:
 * - a Vitale 1 or an unreadable Vitale clears the previous card's beneficiaries;
 * - creating a patient from a Vitale read asks for confirmation first;
 * - keystrokes typed into the search never land in a card dialog the user did not open, and card
 *   dialogs never stack (neither after a reload nor when two cards arrive together);
 * - a CPS3 whose files cannot be read is named, with the next step;
 * - the Démo panel shows the demo code porteur, and a CPE is called a CPE.
 * Cards are inserted through a second client of the host (what the Démo panel calls), so that the
 * page under test keeps its focus where the user left it.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';
import { connectHost, type HostLine } from './support/host';

const openDialogs = (page: Page): Promise<number> => page.locator('dialog[open]').count();

describeWithPrerequisites('e2e', e2ePrerequisites, 'card dialogs at the desk (demo)', () => {
  const desk = useDemoDesk();
  let host: HostLine;
  beforeAll(async () => {
    host = await connectHost(desk.app());
  });
  afterAll(() => host?.close());

  const insert = (profile: string) => host.call('demo.cards.insert', { profile });
  async function removeAll(): Promise<void> {
    const { readers } = await host.call<{ readers: Array<{ name: string; inserted: string | null }> }>('demo.cards.list', {});
    for (const reader of readers) if (reader.inserted !== null) await host.call('demo.cards.remove', { reader: reader.name });
  }

  it('shows the demo code porteur on the Démo panel', async () => {
    const { page, errors } = await desk.open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-cards').waitFor();
    expect(await page.getByTestId('demo-pin-cps-praticien').textContent()).toContain('1234');
    expect(await page.getByTestId('demo-pin-cpe-secretaire').textContent()).toMatch(/\d{4}/);
    expect(await page.getByTestId('demo-pin-vitale-famille').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('clears the previous beneficiaries when a Vitale 1 or an unreadable Vitale replaces the card', async () => {
    const { page, errors } = await desk.open();
    await insert('vitale-famille');
    await expect.poll(() => page.getByTestId('beneficiary').count(), { timeout: 30_000 }).toBe(4);
    await page.getByRole('button', { name: 'Fermer' }).click();

    await insert('vitale-1');
    await expect.poll(() => page.getByTestId('card-vitale-open').textContent(), { timeout: 30_000 }).toContain('Vitale 1');
    await page.getByTestId('card-vitale-open').click();
    await page.getByTestId('beneficiary-picker').getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('beneficiary-picker').textContent()).toContain('Carte Vitale 1');
    expect(await page.getByTestId('beneficiary').count()).toBe(0);
    await page.getByRole('button', { name: 'Fermer' }).click();

    await insert('vitale-illisible');
    await expect.poll(() => page.getByTestId('card-vitale-open').textContent(), { timeout: 30_000 }).not.toContain('Vitale 1');
    if ((await openDialogs(page)) === 0) await page.getByTestId('card-vitale-open').click();
    await page.getByTestId('beneficiary-picker').getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('beneficiary').count()).toBe(0);
    await page.getByRole('button', { name: 'Fermer' }).click();
    await removeAll();
    expect(errors).toEqual([]);
  });

  it('asks before creating a patient from the Vitale, naming the person', async () => {
    const { page, errors } = await desk.open();
    await insert('vitale-famille');
    const list = page.getByTestId('beneficiary-list');
    await list.waitFor({ timeout: 30_000 });
    await list.focus();
    // Typed back to back (a few ms apart): too few keys for a keyboard-wedge scan, so the wedge gives
    // them back, rendered one by one before the Entrée that follows them is handled.
    const before = page.url();
    await page.keyboard.press('3');
    // A child without a NIR of his own: the card does not carry the sex, the desk asks for it (M).
    await page.keyboard.press('m');
    await page.keyboard.press('Enter');
    const confirm = page.getByTestId('beneficiary-create-confirm');
    await confirm.waitFor({ timeout: 30_000 });
    expect(await confirm.textContent()).toContain('LEROUX HUGO');
    expect(page.url()).toBe(before);
    await page.screenshot({ path: join(ARTIFACTS, 'cards-create-confirm.png') });
    await confirm.getByRole('button', { name: /Créer le dossier/ }).click();
    await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/#\/patient\/[^/]+$/);
    await removeAll();
    expect(errors).toEqual([]);
  });

  it('never lets keystrokes typed into the search land in a card dialog the user did not open', async () => {
    const { page, errors } = await desk.open();
    const search = page.getByTestId('patient-search');
    await search.click();
    await search.pressSequentially('dup', { delay: 50 });
    await insert('vitale-famille');
    await insert('cps-praticien');
    await expect.poll(() => page.getByTestId('card-vitale-open').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('card-pin-open').count(), { timeout: 30_000 }).toBe(1);
    await search.pressSequentially('ont 1234', { delay: 50 });
    await page.keyboard.press('Enter');
    expect(await search.inputValue()).toBe('dupont 1234');
    expect(await openDialogs(page)).toBe(0);
    // The cards wait in the top bar for the user to open them.
    await page.getByTestId('card-vitale-open').click();
    await expect.poll(() => page.getByTestId('beneficiary').count(), { timeout: 30_000 }).toBe(4);
    await page.getByRole('button', { name: 'Fermer' }).click();
    expect(errors).toEqual([]);
  });

  it('never stacks card dialogs, after a reload nor when two cards arrive together', async () => {
    // The CPS (no code typed yet) and the Vitale of the previous test are still in the readers.
    const { page } = await desk.open();
    await page.reload();
    await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
    await page.waitForTimeout(1_500);
    expect(await openDialogs(page)).toBeLessThanOrEqual(1);

    await removeAll();
    await expect.poll(() => page.getByTestId('card-pin-open').count(), { timeout: 30_000 }).toBe(0);
    await insert('cps-praticien');
    await page.getByTestId('pin-input').waitFor({ timeout: 30_000 });
    await insert('vitale-famille');
    await expect.poll(() => page.getByTestId('card-vitale-open').count(), { timeout: 30_000 }).toBe(1);
    await page.waitForTimeout(1_000);
    expect(await openDialogs(page)).toBe(1);
    // The code first; the Vitale picker follows once the code dialog is done.
    await page.getByTestId('pin-input').fill('1234');
    await page.getByTestId('pin-input').press('Enter');
    await expect.poll(() => page.getByTestId('beneficiary').count(), { timeout: 30_000 }).toBe(4);
    expect(await openDialogs(page)).toBe(1);
    await page.getByRole('button', { name: 'Fermer' }).click();
    await removeAll();
  });

  it('names an unreadable CPS3 card and says what to do next', async () => {
    const { page } = await desk.open();
    await insert('cps-illisible');
    const pin = page.getByTestId('pin-input');
    await pin.waitFor({ timeout: 30_000 });
    await pin.fill('1234');
    await pin.press('Enter');
    const dialog = page.getByTestId('pin-dialog');
    await expect.poll(() => dialog.textContent(), { timeout: 30_000 }).toContain('Carte CPS3 reconnue mais illisible');
    expect(await dialog.textContent()).toContain('Retirez-la et réinsérez-la');
    expect(await dialog.textContent()).not.toMatch(/refusé une commande/);
    await page.getByRole('button', { name: 'Annuler' }).click();
    await removeAll();
  });

  it('calls a CPE a CPE before its code is typed', async () => {
    const { page } = await desk.open();
    await insert('cpe-secretaire');
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('Carte CPE');
    expect(await page.getByTestId('card-status').textContent()).not.toContain('CPS');
    await expect.poll(() => page.getByTestId('pin-dialog').textContent()).toContain('carte CPE');
    await removeAll();
  });
});
