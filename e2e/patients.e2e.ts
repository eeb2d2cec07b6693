import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, ROOT, e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'patient base at the desk (demo)', () => {
  const desk = useDemoDesk();

  it('finds a demo patient by a name typed without accents and opens the record with the keyboard', async () => {
    const { page, errors } = await desk.open();
    await page.getByTestId('patient-search').fill('ecetinsi');
    await page.getByRole('cell', { name: /ECETINSI/ }).first().waitFor();
    await page.getByTestId('patient-search').press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByTestId('patient-record').waitFor();
    await expect.poll(() => page.getByTestId('identity-status').textContent()).toContain('Identité provisoire');
    // The first names on the record: the birth list and the first given name.
    expect(await page.getByText('PIERRE-ALAIN', { exact: true }).count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('creates a patient with the INSi form shown live, then warns before creating a duplicate', async () => {
    const { page, errors } = await desk.open();
    await page.keyboard.press('Alt+n');
    const form = page.getByTestId('patient-form');
    await form.getByLabel('Nom de naissance', { exact: true }).fill('Lefèvre-Ødegård');
    await expect.poll(() => form.textContent()).toContain('Forme INSi : LEFEVRE-ODEGARD');
    await form.getByLabel(/Prénoms de naissance/).fill('Zoé Anaïs');
    await form.getByLabel('Date de naissance').fill('00/03/1961');
    expect(await form.getByRole('button', { name: 'Créer le patient' }).isDisabled()).toBe(true);
    await form.getByLabel('Féminin').check();
    await form.getByRole('button', { name: 'Créer le patient' }).click();
    await page.getByTestId('patient-record').waitFor();
    await expect.poll(() => page.getByTestId('patient-record').textContent()).toContain('LEFEVRE-ODEGARD');
    expect(await page.getByText('00/03/1961').count()).toBe(1);

    await desk.goto(page, '/patient/nouveau');
    await form.getByLabel('Nom de naissance', { exact: true }).fill('LEFEVRE-ODEGARD');
    await form.getByLabel(/Prénoms de naissance/).fill('ZOE ANAIS');
    await form.getByLabel('Date de naissance').fill('00/03/1961');
    await form.getByLabel('Féminin').check();
    await form.getByRole('button', { name: 'Créer le patient' }).click();
    await page.getByTestId('duplicate-warning').waitFor();
    await page.getByRole('button', { name: /Ouvrir LEFEVRE-ODEGARD/ }).click();
    await page.getByTestId('patient-record').waitFor();
    expect(errors).toEqual([]);
  });

  it('imports a practice export with the suggested mapping, all lines checked, and refuses to import it twice', async () => {
    const { page, errors } = await desk.open();
    await desk.goto(page, '/patient/import');
    await page.getByTestId('import-file').setInputFiles(join(ROOT, 'fixtures', 'data', 'demo-export.csv'));
    await page.getByTestId('import-mapping').waitFor();
    await page.getByRole('button', { name: 'Vérifier toutes les lignes' }).click();
    await page.getByTestId('import-report').waitFor();
    const report = (await page.getByTestId('import-report').textContent()) ?? '';
    expect(report).toMatch(/25 ligne\(s\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'patients-import.png'), fullPage: true });
    expect(report).toMatch(/0 invalide/);
    await page.getByTestId('import-commit').click();
    await page.getByText(/Import n° \d+/).waitFor();
    await page.getByRole('button', { name: 'Vérifier toutes les lignes' }).click();
    await expect.poll(async () => (await page.getByTestId('import-report').textContent()) ?? '').toMatch(/ 0 à créer/);
    expect(await page.getByTestId('import-commit').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });
});
