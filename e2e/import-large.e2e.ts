/**
 * Issue 14 point 5 at the desk: a practice export is imported in the host's worker thread with a
 * progress bar, the desk keeps answering meanwhile, and a file over the bound is refused with the
 * size message before it is even sent.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { syntheticPatientsCsv } from '../fixtures/data/synthetic-patients';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'large patient imports at the desk (demo)', () => {
  const desk = useDemoDesk();
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-import-'));

  it('refuses a file over 20 MB with the size message, without sending it', async () => {
    const { page, errors } = await desk.open();
    await desk.goto(page, '/patient/import');
    const big = join(dir, 'trop-gros.csv');
    writeFileSync(big, Buffer.alloc(21 * 1024 * 1024, 0x41));
    await page.getByTestId('import-file').setInputFiles(big);
    await page.getByText(/dépasse ce qu'un import accepte \(20 Mo et 100 000 lignes\)/).waitFor();
    expect(await page.getByTestId('import-mapping').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('shows the progress of a 20 000-line import while the desk keeps working', async () => {
    const { page, errors } = await desk.open();
    await desk.goto(page, '/patient/import');
    const file = join(dir, 'export.csv');
    writeFileSync(file, syntheticPatientsCsv(20_000, { seed: 1414 }));
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-mapping').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Vérifier toutes les lignes' }).click();
    await page.getByTestId('import-report').waitFor({ timeout: 120_000 });
    await page.getByTestId('import-commit').click();
    await page.getByTestId('import-progress').getByRole('progressbar', { name: 'Enregistrement des patients' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'patients-import-progress.png'), fullPage: true });
    // Meanwhile another tab searches the base.
    const other = await desk.open();
    await other.page.getByTestId('patient-search').fill('ecetinsi');
    await other.page.getByRole('cell', { name: /ECETINSI/ }).first().waitFor({ timeout: 10_000 });
    await page.getByText(/Import n° \d+ : 20000 créé\(s\)/).waitFor({ timeout: 240_000 });
    expect(errors).toEqual([]);
    expect(other.errors).toEqual([]);
  });
});
