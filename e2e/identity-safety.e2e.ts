/**
 * Identity safety at the desk (issue 13), in Chromium against `pupitre serve --demo`:
 * - the acceptance rule refuses an INSi identity that belongs to someone else: on DE VINCI
 *   Leonardo (born 01/02/2014), INSi queried with another child of the LEROUX carte Vitale returns
 *   a child whose traits all differ but the sex — nothing is attached, the desk is told it is
 *   probably another person, and the refusal is in the identity history;
 * - the « doublon potentiel » workflow: a CSV line DUPOND looks like the qualified demo patient
 *   Dupont (same first names, birth date and sex), is listed, compared, and merged with a reason;
 * - editing the local traits with a reason: the birth place picked by its name, the history
 *   showing the old and new values; a qualified identity's strict traits stay locked.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'identity safety: acceptance rule, doublons, traits edited with history (demo)', () => {
  const desk = useDemoDesk();

  async function openPatient(page: Page, query: string, name: RegExp) {
    await desk.goto(page, '/patient');
    await page.getByTestId('patient-search').fill(query);
    await page.getByRole('cell', { name }).first().waitFor();
    await page.getByTestId('patient-search').press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('patient-record').waitFor();
  }

  it('refuses the INSi identity of another child of the same carte Vitale, and records the refusal', async () => {
    const { page, errors } = await desk.open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-cards').waitFor();
    await page.getByTestId('demo-insert-cpe-secretaire').click();
    const pin = page.getByTestId('pin-input');
    await pin.waitFor();
    await pin.fill('1234');
    await pin.press('Enter');
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('LOUISE');
    await page.getByTestId('demo-insert-vitale-famille').click();
    await page.getByTestId('beneficiary-list').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    try {

    await openPatient(page, 'de vinci 01/02/2014', /DE VINCI/);
    await page.getByRole('button', { name: 'Qualifier l’identité (INSi)' }).click();
    await page.getByTestId('qualification').waitFor();
    const select = page.getByTestId('vitale-beneficiary');
    await expect.poll(async () => (await select.locator('option').allTextContents()).join('|'), { timeout: 30_000 }).toContain('HUGO');
    const hugo = (await select.locator('option').allTextContents()).findIndex((t) => t.includes('HUGO'));
    await select.selectOption({ index: hugo });
    await page.getByRole('button', { name: 'Interroger INSi avec la carte Vitale' }).click();
    const blocked = page.getByTestId('insi-blocked');
    await blocked.waitFor({ timeout: 30_000 });
    expect(await blocked.textContent()).toContain('probablement d’une autre personne');
    // Nothing to accept: search again or correct the local traits.
    expect(await page.getByTestId('insi-accept').count()).toBe(0);
    expect(await page.getByTestId('insi-search-again').isVisible()).toBe(true);
    const comparison = (await page.getByTestId('insi-comparison').textContent()) ?? '';
    expect(comparison).toContain('LEROUX');
    expect(comparison).toContain('différent');
    await page.screenshot({ path: join(ARTIFACTS, 'identity-acceptance-refused.png'), fullPage: true });
    await expect.poll(() => page.getByTestId('qualification-status').textContent()).toContain('provisoire');

    await page.getByTestId('insi-correct-traits').click();
    await page.getByTestId('identity-edit').waitFor();
    await page.getByRole('button', { name: 'Annuler' }).click();
    const history = page.getByTestId('history-entry').first();
    await expect.poll(() => history.textContent()).toContain('Identité INSi non rattachée');
    expect(await history.textContent()).toMatch(/Traits différents : nom de naissance, prénoms de naissance, date de naissance/);
    expect(await page.getByTestId('patient-record').textContent()).toContain('DE VINCI');
    } finally {
      // Take the cards out, so that the next scenario starts without a card dialog.
      await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
      await page.getByTestId('demo-remove-vitale-famille').click();
      await page.getByTestId('demo-remove-cpe-secretaire').click();
      await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('Aucune carte');
    }
    expect(errors).toEqual([]);
  }, 120_000);

  it('lists a look-alike imported from a CSV as a doublon potentiel, compares both records and merges them with a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-doublon-'));
    const file = join(dir, 'export-doublon.csv');
    writeFileSync(file, 'Nom de naissance;Prénoms;Date de naissance;Sexe\nDUPOND;Marie-Hélène Louise;12/03/1958;F\n');
    const { page, errors } = await desk.open();
    await desk.goto(page, '/patient/import');
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-mapping').waitFor();
    await page.getByRole('button', { name: 'Vérifier toutes les lignes' }).click();
    await page.getByTestId('import-look-alikes').waitFor();
    await page.getByTestId('import-commit').click();
    await page.getByRole('button', { name: 'Voir les doublons potentiels' }).click();

    const row = page.getByRole('row', { name: /DUPOND/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Fiches semblables');
    await row.dblclick();
    await page.getByTestId('duplicate-compare').waitFor();
    const compare = (await page.getByTestId('duplicate-compare').textContent()) ?? '';
    expect(compare).toContain('DUPOND');
    expect(compare).toContain('DUPONT');
    await page.screenshot({ path: join(ARTIFACTS, 'identity-doublon-compare.png'), fullPage: true });
    // The qualified record (with its INS) is the one to keep.
    const merge = page.getByTestId('duplicate-merge');
    expect(await merge.textContent()).toContain('DUPONT');
    await merge.click();
    await page.getByTestId('duplicate-reason').fill('Même personne : faute de frappe dans l’ancien logiciel');
    await page.getByTestId('duplicate-confirm').click();
    await page.getByTestId('patient-record').waitFor();
    await expect.poll(() => page.getByTestId('history-entry').first().textContent()).toContain('Fusion : une autre fiche a été fusionnée dans celle-ci');
    expect(await page.getByTestId('history-entry').first().textContent()).toContain('Motif : Même personne');

    // The merged record is out of the name search and of the doublon list.
    await desk.goto(page, '/patient');
    await page.getByTestId('patient-search').fill('dupond marie');
    await expect.poll(async () => (await page.getByRole('table').textContent()) ?? '').not.toContain('DUPOND');
    await desk.goto(page, '/patient/doublons');
    await page.getByText('Aucun doublon potentiel à examiner.').waitFor();
    expect(errors).toEqual([]);
  }, 120_000);

  it('edits the local traits with a reason, the birth place picked by name, and shows the change in the history', async () => {
    const { page, errors } = await desk.open();
    await openPatient(page, 'nessi', /NESSI/);
    await page.getByTestId('identity-edit-open').click();
    const dialog = page.getByTestId('identity-edit');
    await dialog.waitFor();
    expect(await page.getByTestId('identity-edit-save').isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Changer' }).click();
    const place = page.getByTestId('birth-place-input');
    await place.fill('clermont-fer');
    await page.getByTestId('birth-place-options').getByText(/Clermont-Ferrand/).first().waitFor();
    await place.press('Enter');
    await expect.poll(() => page.getByTestId('birth-place-chosen').textContent()).toContain('Clermont-Ferrand');
    // No reason, no save.
    expect(await page.getByTestId('identity-edit-save').isDisabled()).toBe(true);
    await page.getByTestId('identity-edit-reason').fill('Lieu de naissance lu sur le passeport');
    await page.getByTestId('identity-edit-save').click();
    await expect.poll(() => page.getByTestId('birth-place-label').textContent()).toBe('Clermont-Ferrand (Puy-de-Dôme)');
    const entry = page.getByTestId('history-entry').first();
    await expect.poll(() => entry.textContent()).toContain('Modification des traits stricts');
    const text = (await entry.textContent()) ?? '';
    expect(text).toMatch(/Lieu de naissance : .+ → Clermont-Ferrand \(Puy-de-Dôme\)/);
    expect(text).toContain('Motif : Lieu de naissance lu sur le passeport');
    expect(text).not.toMatch(/\b63113\b/);
    await page.screenshot({ path: join(ARTIFACTS, 'identity-traits-edited.png'), fullPage: true });

    // A qualified identity: its strict traits come from INSi and cannot be edited here.
    await openPatient(page, 'adrtrois dominique', /ADRTROIS/);
    await page.getByTestId('identity-edit-open').click();
    await page.getByTestId('identity-edit').waitFor();
    expect(await page.getByTestId('identity-edit').getByLabel('Nom de naissance', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByTestId('identity-edit').textContent()).toContain('Identité qualifiée');
    expect(errors).toEqual([]);
  }, 120_000);
});
