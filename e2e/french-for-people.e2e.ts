/**
 * Issue 13, « French for people, codes for logs », at the desk (demo): no event code nor error code
 * in parentheses in the sentences (a code stays in a details line), people named by their name,
 * the audit screen filterable by patient, person, action and date and naming the patient, and the
 * File d'envoi saying which document for which patient instead of a 60-digit reference.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';
import { queuePdfForDmp, takeDemoDmpDown } from './support/dmp';
import { connectHost } from './support/host';

const CODE_IN_TEXT = /\b[a-z]+\.[a-z][a-z.-]+\b|\([A-Z][A-Z0-9_]{3,}\)/;

describeWithPrerequisites('e2e', e2ePrerequisites, 'French for people at the desk (demo)', () => {
  const desk = useDemoDesk();

  it('speaks French in the identity history, the errors, the audit screen and the File d’envoi', async () => {
    const { page, errors } = await desk.open();

    // Without a card, the DMP panel explains in a sentence; the code is in the details for support.
    await page.getByTestId('patient-search').fill('dupont');
    await page.getByRole('cell', { name: /DUPONT/i }).first().dblclick();
    await page.getByTestId('patient-record').waitFor();
    const panelError = page.getByTestId('dmp-panel').getByRole('alert');
    await panelError.waitFor({ timeout: 30_000 });
    const sentence = (await panelError.locator('strong').textContent()) ?? '';
    expect(sentence).toContain('Insérez votre carte CPS ou CPE');
    expect(sentence).not.toMatch(CODE_IN_TEXT);
    expect(await panelError.locator('details summary').textContent()).toBe('Détails pour le support');

    // The identity history: events in words, actors by name.
    const history = page.getByRole('region', { name: 'Historique de l’identité' });
    const historyText = (await history.textContent()) ?? '';
    expect(historyText).toContain('Création de la fiche');
    expect(historyText).not.toMatch(/identity\.created|insi\.succeeded|document\.checked/);

    // The practitioner connects and reads the record: the audit screen names both of them.
    const host = await connectHost(desk.app());
    await host.call('demo.cards.insert', { profile: 'cps-praticien' });
    const pin = page.getByTestId('pin-input');
    await pin.waitFor({ timeout: 30_000 });
    await pin.fill('1234');
    await pin.press('Enter');
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('CAMILLE PUPITRE');
    await page.reload();
    await page.getByTestId('patient-record').waitFor();
    await expect.poll(() => page.getByTestId('dmp-status').textContent(), { timeout: 60_000 }).toContain('DMP ouvert');

    // A document queued while the DMP is down: the File d'envoi says what and for whom.
    await takeDemoDmpDown(page);
    await queuePdfForDmp(page, { name: 'cr.pdf', title: 'Compte rendu', lines: ['Pour la file'], documentTitle: 'Compte rendu de consultation du jour' });
    await desk.goto(page, '/file-envoi');
    const subject = page.getByTestId('outbox-subject').first();
    await subject.waitFor({ timeout: 30_000 });
    const subjectText = (await subject.textContent()) ?? '';
    expect(subjectText).toContain('« Compte rendu de consultation du jour »');
    expect(subjectText).toContain('DUPONT MARIE-HELENE');
    expect(subjectText).not.toMatch(/\d{20,}/);

    // The audit screen: by name, filterable by person, patient, action and date.
    await desk.goto(page, '/parametres');
    const journal = page.getByTestId('audit-journal');
    await journal.waitFor();
    await page.getByTestId('audit-filter-person').selectOption({ label: 'Camille PUPITRE (CPS)' });
    await expect.poll(async () => (await journal.getByTestId('audit-entry').allTextContents()).length, { timeout: 30_000 }).toBeGreaterThan(0);
    for (const row of await journal.getByTestId('audit-entry').allTextContents()) {
      expect(row).toContain('Camille PUPITRE');
      expect(row).not.toMatch(CODE_IN_TEXT);
      expect(row).not.toContain('899700123450');
    }
    await page.getByTestId('audit-filter-patient').fill('dupont');
    await page.getByTestId('audit-filter-action').selectOption({ label: 'DMP' });
    await expect.poll(async () => {
      const rows = await journal.getByTestId('audit-entry').allTextContents();
      return rows.length > 0 && rows.every((r) => r.includes('DUPONT MARIE-HELENE'));
    }, { timeout: 30_000 }).toBe(true);
    expect(await journal.locator('[data-testid="audit-entry"]:not([data-action^="dmp."])').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'audit-journal.png'), fullPage: true });
    const today = await page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    await page.getByTestId('audit-filter-from').fill('2000-01-01');
    await page.getByTestId('audit-filter-to').fill('2000-01-02');
    await expect.poll(() => journal.getByTestId('audit-entry').count(), { timeout: 30_000 }).toBe(0);
    await page.getByTestId('audit-filter-to').fill(today);
    await expect.poll(() => journal.getByTestId('audit-entry').count(), { timeout: 30_000 }).toBeGreaterThan(0);

    await host.call('dmp.demo.simulator', { mode: 'up' });
    host.close();
    expect(errors).toEqual([]);
  }, 180_000);
});
