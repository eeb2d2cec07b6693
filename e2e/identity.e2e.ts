/**
 * Identity qualification in the browser against `pupitre serve --demo` (INSi simulator, virtual cards):
 * - a secretary reads the demo Vitale card, opens the patient, queries INSi, compares and accepts
 *   (Récupérée), checks a passport picked from a list with no default, and reaches Qualifiée with
 *   the INS datamatrix shown;
 * - a worklist over an imported CSV of 500 patients runs with a progress bar and gives a CSV report.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { syntheticPatientsCsv } from '../fixtures/data/synthetic-patients';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { ARTIFACTS, e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'identity qualification and INSi worklist (demo)', () => {
  const desk = useDemoDesk();

  it('reads the Vitale card, queries INSi, checks the identity document and reaches QUAL', async () => {
    const { page, errors } = await desk.open({ acceptDownloads: true });
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-cards').waitFor();
    // The secretary's CPE: INSi is then called with the assertion PS signed by her card.
    await page.getByTestId('demo-insert-cpe-secretaire').click();
    const pin = page.getByTestId('pin-input');
    await pin.waitFor();
    await pin.fill('1234');
    await pin.press('Enter');
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('LOUISE');
    await page.getByTestId('demo-insert-vitale-famille').click();
    const list = page.getByTestId('beneficiary-list');
    await list.waitFor({ timeout: 30_000 });
    await list.focus();
    await page.keyboard.press('Enter');
    // No record yet for this beneficiary: the desk asks before creating one (issue 13).
    await page.getByTestId('beneficiary-create-confirm').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.getByTestId('patient-record').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Qualifier l’identité (INSi)' }).click();
    await page.getByTestId('qualification').waitFor();
    await expect.poll(() => page.getByTestId('qualification-status').textContent()).toContain('provisoire');

    await page.getByTestId('insi-query').click();
    await expect.poll(() => page.getByTestId('insi-outcome').textContent(), { timeout: 30_000 }).toContain('Identité trouvée (00)');
    expect(await page.getByTestId('insi-outcome').textContent()).toContain('carte CPS/CPE');
    // The birth name in both columns of the comparison: the desk's and INSi's.
    expect(await page.getByTestId('insi-comparison').getByText('LEROUX').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'identity-comparison.png'), fullPage: true });
    await page.getByTestId('insi-accept').click();
    await expect.poll(() => page.getByTestId('qualification-status').textContent()).toContain('récupérée');

    // No identity device is preselected: saving is impossible until one is chosen.
    expect(await page.getByTestId('identity-device').inputValue()).toBe('');
    expect(await page.getByTestId('identity-check-save').isDisabled()).toBe(true);
    await page.getByTestId('identity-device').selectOption('passeport');
    await page.getByTestId('identity-check-save').click();
    await expect.poll(() => page.getByTestId('qualification-status').textContent()).toContain('qualifiée');
    await page.getByTestId('ins-datamatrix').locator('svg').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'identity-qualified.png'), fullPage: true });
    // Take the cards out, as the secretary does when the patient leaves.
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-remove-vitale-famille').click();
    await page.getByTestId('demo-remove-cpe-secretaire').click();
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('Aucune carte');
    expect(errors).toEqual([]);
  });

  it('runs a worklist over an imported CSV of 500 patients, with a progress bar and a CSV report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-worklist-'));
    const file = join(dir, 'export-500.csv');
    writeFileSync(file, syntheticPatientsCsv(500, { seed: 2026 }));
    const { page, errors } = await desk.open({ acceptDownloads: true });
    await desk.goto(page, '/patient/import');
    await page.getByTestId('import-file').setInputFiles(file);
    await page.getByTestId('import-mapping').waitFor();
    await page.getByRole('button', { name: 'Vérifier toutes les lignes' }).click();
    await page.getByTestId('import-report').waitFor({ timeout: 60_000 });
    await page.getByTestId('import-commit').click();
    const imported = page.getByText(/Import n° \d+/).first();
    await imported.waitFor({ timeout: 60_000 });
    const importId = /Import n° (\d+)/.exec((await imported.textContent()) ?? '')?.[1] ?? '';
    expect(importId).toMatch(/^\d+$/);

    // The worklist covers exactly the patients of this import.
    await desk.goto(page, '/identites');
    await page.getByLabel('Numéro d’import').fill(importId);
    await page.getByTestId('worklist-start').click();
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'identity-worklist-running.png'), fullPage: true });
    await expect.poll(async () => (await bar.textContent()) ?? '', { timeout: 200_000, interval: 1000 }).toMatch(/^Terminé/);
    // (Under load the 500 look-ups take longer than the default budget: see the test timeout.)
    const text = (await bar.textContent()) ?? '';
    const [, done, total] = /(\d+)\/(\d+)/.exec(text) ?? [];
    expect(Number(total)).toBe(500);
    expect(done).toBe(total);
    // The 500 synthetic identities (seed 2026) get the simulator's deterministic answers.
    expect(await page.getByTestId('worklist-counts').textContent()).toBe('427 INS récupéré(s) 73 aucune identité 0 plusieurs identités 0 erreur(s) 0 non interrogé(s)');
    await page.screenshot({ path: join(ARTIFACTS, 'identity-worklist-done.png'), fullPage: true });

    const download = page.waitForEvent('download');
    await page.getByTestId('worklist-report').click();
    const report = await download;
    expect(report.suggestedFilename()).toMatch(/^rapport-insi-[0-9a-f]{8}\.csv$/);
    // The report itself: a header and one line per patient of the import, with the same outcomes.
    const lines = readFileSync((await report.path()) as string, 'utf8').replace(/^\uFEFF/, '').split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe('N° de dossier;Nom de naissance;Premier prénom;Date de naissance;Résultat;Identité après la recherche;Motif;Traité le;Code pour le support');
    expect(lines).toHaveLength(501);
    const outcome = (line: string): string => line.split(';')[4] ?? '';
    expect(lines.slice(1).filter((l) => outcome(l) === 'INS récupéré')).toHaveLength(427);
    expect(lines.slice(1).filter((l) => outcome(l) === 'aucune identité')).toHaveLength(73);
    expect(lines.slice(1).filter((l) => outcome(l) === 'INS récupéré').every((l) => l.split(';')[5] === 'Identité récupérée')).toBe(true);
    // The patient named in French: a birth name and a date in JJ/MM/AAAA on every line.
    expect(lines.slice(1).every((l) => /^[^;]+;[^;]+;[^;]*;\d{2}\/\d{2}\/\d{4};/.test(l))).toBe(true);
    expect(errors).toEqual([]);
  }, 300_000);
});
