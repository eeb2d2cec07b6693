/**
 * Issue 13, « worklist follow-up », at the desk (demo): the « à vérifier » list shows the identities
 * already « récupérée » before any run, fills in by itself as a worklist runs, is up to date when the
 * run ends, can be filtered and sorted; the CSV report names the patient and the file number, with
 * French statuses and local times.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'INSi worklist follow-up (demo)', () => {
  const desk = useDemoDesk();

  it('lists, filters and sorts the identities to verify, keeps them up to date, and reports in French', async () => {
    const { page, errors } = await desk.open({ acceptDownloads: true });
    await desk.goto(page, '/identites');
    const list = page.getByTestId('to-verify');
    const names = async (): Promise<string[]> => (await list.locator('tbody tr td:first-child').allTextContents()).map((t) => t.trim());

    // Identities « récupérée » before any run are there.
    await expect.poll(names, { timeout: 30_000 }).toEqual(expect.arrayContaining(['ADRUN ZOE', 'GARCIA LUCAS']));
    const before = (await names()).length;

    await page.getByTestId('to-verify-filter').fill('garc');
    await expect.poll(names).toEqual(['GARCIA LUCAS']);
    await page.getByTestId('to-verify-filter').fill('');

    // A run over every provisional identity: those it finds join the list, without a reload.
    await page.getByTestId('worklist-scope-prov').check();
    await page.getByTestId('worklist-start').click();
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    await expect.poll(async () => (await bar.textContent()) ?? '', { timeout: 120_000, interval: 500 }).toMatch(/^Terminé/);
    const found = Number(/(\d+) INS récupéré/.exec((await page.getByTestId('worklist-counts').textContent()) ?? '')?.[1] ?? '0');
    expect(found).toBeGreaterThan(0);
    await expect.poll(async () => (await names()).length, { timeout: 10_000 }).toBe(before + found);

    await page.getByTestId('to-verify-sort').selectOption('name');
    await expect.poll(async () => {
      const shown = await names();
      return shown.join('|') === [...shown].sort((a, b) => a.localeCompare(b, 'fr')).join('|');
    }).toBe(true);

    const download = page.waitForEvent('download');
    await page.getByTestId('worklist-report').click();
    const csv = readFileSync(await (await download).path(), 'utf8').replace(/^\uFEFF/, '');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toContain('N° de dossier;Nom de naissance;Premier prénom;Date de naissance;Résultat');
    expect(rows.some((r) => /;INS récupéré;Identité récupérée;/.test(r))).toBe(true);
    for (const row of rows) {
      expect(row).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}/);
      expect(row).toMatch(/;\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2};/);
    }
    expect(errors).toEqual([]);
  }, 200_000);
});
