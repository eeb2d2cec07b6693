/**
 * Facturation as a GP does it in demo mode: the network is down, a session is opened offline with
 * the CPS, three patients are billed from virtual cartes Vitale (one in tiers payant) from the
 * keyboard, the session is closed into lots, the network comes back, and the lots are sent and
 * acknowledged. Then a caisse that refuses every lot: the re-sending is refused too and the screen
 * says what to do (paper duplicates, with the list). Then an acknowledgement that arrives
 * unreadable: the lot stays « envoyé » and says when it will be re-sent.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, insertDemoPractitionerCps, useDemoDesk } from './support/app';

async function demo(page: Page): Promise<void> {
  await page.keyboard.press('Alt+8');
  await page.getByTestId('demo-billing').waitFor();
}

async function billing(page: Page): Promise<void> {
  await page.keyboard.press('Alt+4');
  await page.getByTestId('billing-screen').waitFor();
}

/**
 * A Vitale inserted from the Démo panel: the desk either opens its patient picker (closed here with
 * Échap) or, when it does not open dialogs by itself, keeps the card waiting in the top bar.
 */
async function insertVitale(page: Page, profile: string): Promise<void> {
  await page.getByTestId(`demo-insert-${profile}`).click();
  const picker = page.getByTestId('beneficiary-list');
  const waiting = page.getByTestId('card-vitale-open');
  await expect.poll(async () => (await picker.isVisible()) || (await waiting.isVisible()), { timeout: 30_000 }).toBe(true);
  if (await picker.isVisible()) {
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
  }
}

async function billOne(page: Page, beneficiaryKey: string, acts: string[], tiersPayant: boolean): Promise<void> {
  const read = page.getByTestId('invoice-read-vitale');
  await read.waitFor();
  await expect.poll(() => read.textContent()).toContain('insérée');
  await read.focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('billing-beneficiaries').waitFor();
  await page.keyboard.press(beneficiaryKey);
  const act = page.getByTestId('invoice-act');
  await act.waitFor();
  for (const code of acts) {
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
  }
  if (tiersPayant) {
    await page.getByTestId('invoice-tiers-payant').check();
    await act.focus();
  }
  await page.getByTestId('invoice-total').waitFor();
  await page.keyboard.press('Control+Enter');
  await page.getByTestId('invoice-source').waitFor({ timeout: 30_000 });
}

/** A new billing session: one consultation (G) for the « lunaire » Vitale, closed into a lot, then sent. */
async function billOneConsultationAndSend(page: Page): Promise<void> {
    await billing(page);
    await page.getByTestId('billing-open').click();
    await page.getByTestId('billing-session').waitFor();
    await demo(page);
    await insertVitale(page, 'vitale-lunaire');
    await billing(page);
    await billOne(page, '1', ['G'], false);
    await page.getByTestId('billing-close').click();
    await page.getByRole('button', { name: 'Fermer et former les lots' }).click();
    await page.getByTestId('billing-sync').click();
}

describeWithPrerequisites('e2e', e2ePrerequisites, 'billing in demo mode', () => {
  const desk = useDemoDesk();

  it('bills three patients offline, then sends the lots and shows them acknowledged', async () => {
    const { page, errors } = await desk.open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-billing').waitFor();
    // The network is down for the whole session.
    await page.getByTestId('demo-billing-down').click();
    await expect.poll(() => page.getByTestId('demo-billing-down').isChecked()).toBe(true);
    await insertDemoPractitionerCps(page);

    await billing(page);
    await page.getByTestId('billing-mode-offline').check();
    await page.getByTestId('billing-open').click();
    await expect.poll(() => page.getByTestId('billing-session').textContent()).toContain('Hors ligne');

    await demo(page);
    await insertVitale(page, 'vitale-famille');
    await billing(page);
    const started = Date.now();
    await billOne(page, '1', ['G'], false);
    const oneInvoiceMs = Date.now() - started;
    await billOne(page, '2', ['G'], true);

    await demo(page);
    await page.getByTestId('demo-remove-vitale-famille').click();
    await insertVitale(page, 'vitale-lunaire');
    await billing(page);
    await billOne(page, '1', ['VG', 'MD'], false);

    const invoices = page.getByTestId('billing-invoice');
    await expect.poll(() => invoices.count()).toBe(3);
    const table = (await page.getByTestId('billing-invoices').textContent()) ?? '';
    expect(table).toContain('LEROUX JULIEN');
    expect(table).toContain('Tiers payant');
    expect(table).toContain('VG + MD');
    expect(table).toContain('droits non vérifiés');
    expect(await page.getByTestId('billing-session-count').textContent()).toMatch(/^3 factures — 100,00\s€/);
    await expect.poll(() => page.getByTestId('billing-deadline').count()).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'billing-offline-invoices.png'), fullPage: true });

    await page.getByTestId('billing-close').click();
    await page.getByRole('button', { name: 'Fermer et former les lots' }).click();
    const lots = page.getByTestId('billing-lot');
    await expect.poll(() => lots.count()).toBe(2);
    expect(await page.getByTestId('billing-lots').textContent()).toContain('À envoyer');
    // Still offline: nothing leaves, and the screen says so.
    await page.getByTestId('billing-sync').click();
    await expect.poll(() => page.locator('.toast').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('injoignable')]));
    expect(await page.getByTestId('billing-lots').textContent()).not.toContain('Envoyé');

    // The network is back.
    await demo(page);
    await page.getByTestId('demo-billing-down').click();
    await expect.poll(() => page.getByTestId('demo-billing-down').isChecked()).toBe(false);
    await billing(page);
    await page.getByTestId('billing-sync').click();
    await expect
      .poll(async () => (await lots.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-lot-state')))).join(','), { timeout: 30_000 })
      .toBe('acknowledged,acknowledged');
    expect(await page.getByTestId('billing-lots').textContent()).toContain('prises en charge');
    await expect.poll(() => page.getByTestId('billing-deadline').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'billing-acknowledged.png'), fullPage: true });
    expect(oneInvoiceMs).toBeLessThan(15_000);
    await demo(page);
    await page.getByTestId('demo-remove-vitale-lunaire').click();
    expect(errors).toEqual([]);
  });

  it('shows what to do when the caisse refuses a lot twice', async () => {
    const { page, errors } = await desk.open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-billing').waitFor();
    await page.getByTestId('demo-billing-refuseAll').click();
    await expect.poll(() => page.getByTestId('demo-billing-refuseAll').isChecked()).toBe(true);
    // The CPS session of the first scenario is still open (same host); a new billing session.
    await billOneConsultationAndSend(page);
    const refused = page.locator('[data-testid="billing-lot"][data-lot-state="paper_duplicate"]');
    await refused.waitFor({ timeout: 30_000 });
    const next = (await refused.getByTestId('billing-lot-next').textContent()) ?? '';
    expect(next).toContain('imprimez la liste des duplicatas');
    expect(next).toContain('certificat de l’émetteur non reconnu');
    await expect.poll(() => page.getByTestId('billing-indicator').textContent()).toContain('duplicata');
    await page.getByTestId('billing-print-duplicates').click();
    const list = page.getByTestId('billing-duplicates');
    await list.waitFor();
    await expect.poll(() => list.textContent(), { timeout: 15_000 }).toContain('Régime général — caisse 931');
    await page.screenshot({ path: join(ARTIFACTS, 'billing-paper-duplicates.png') });
    await page.getByTestId('billing-duplicates-sent').click();
    await expect.poll(() => page.getByTestId('billing-indicator').count()).toBe(0);
    await demo(page);
    await page.getByTestId('demo-remove-vitale-lunaire').click();
    expect(errors).toEqual([]);
  });

  it('says so on the lot when its acknowledgement arrives unreadable, and when it will be re-sent', async () => {
    const { page, errors } = await desk.open();
    await demo(page);
    await page.getByTestId('demo-billing-refuseAll').click();
    await expect.poll(() => page.getByTestId('demo-billing-refuseAll').isChecked()).toBe(false);
    await page.getByTestId('demo-billing-garbleNextArl').click();
    await expect.poll(() => page.getByTestId('demo-billing-garbleNextArl').isChecked()).toBe(true);
    await billOneConsultationAndSend(page);
    // The démo caisse answers after 2 s; the desk collects returns in the background.
    const waiting = page.locator('[data-testid="billing-lot"][data-lot-state="sent"]').getByTestId('billing-lot-next');
    await expect.poll(async () => ((await waiting.count()) === 1 ? await waiting.textContent() : ''), { timeout: 30_000 }).toMatch(
      /accusé de réception illisible est arrivé pour ce lot \(conservé\) : sans accusé lisible d’ici le \d{2}\/\d{2}\/\d{4}, Pupitre renverra le lot automatiquement/,
    );
    await demo(page);
    // The switch goes back once the simulated caisse has garbled one ARL (the panel refreshes every 5 s).
    await expect.poll(() => page.getByTestId('demo-billing-garbleNextArl').isChecked(), { timeout: 15_000 }).toBe(false);
    expect(errors).toEqual([]);
  });
});
