/**
 * Paramètres, how the desk works:
 * - « Environnement »: a new choice applies at the next start, and the screen says so (the desk stays
 *   in démo meanwhile: its simulators are what is wired);
 * - « INSi : liste de travail »: the worklist's pace is set on the screen, bounded, kept by the
 *   host, and the help says what it means for a list of 1 000 patients;
 * - « DMP : types de documents habituels »: chosen from the DMP's list with a filter, kept, shown
 *   first, the first opening of a patient's DMP lists these types only, and the sending dialog offers
 *   them first.
 */
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { e2ePrerequisites, insertDemoPractitionerCps, openPatientRecord, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'Paramètres: INSi worklist pace, usual DMP document types', () => {
  const desk = useDemoDesk();

  it('bounds the pace, saves it without a confirmation (it sends nothing anywhere) and keeps it', async () => {
    const { page, errors } = await desk.open();
    await desk.goto(page, '/parametres');
    const field = page.getByLabel('Appels INSi par seconde');
    const help = page.getByTestId('insi-pace-help');
    await expect.poll(() => help.textContent(), { timeout: 30_000 }).toContain('À 5 appels par seconde, une liste de 1 000 patients demande environ 4 minutes');
    expect(await help.textContent()).toContain('En démo, le simulateur local est interrogé à 50 appels par seconde');
    const panel = page.getByRole('region', { name: 'INSi : liste de travail' });
    const save = panel.getByRole('button', { name: 'Enregistrer' });

    await field.fill('25');
    expect(await panel.textContent()).toContain('Entre 1 et 20.');
    expect(await save.isDisabled()).toBe(true);

    await field.fill('2');
    await save.click();
    await expect.poll(() => help.textContent(), { timeout: 30_000 }).toContain('À 2 appels par seconde, une liste de 1 000 patients demande environ 10 minutes');
    expect(await page.getByTestId('setting-confirm-dialog').count()).toBe(0);

    await page.reload();
    await expect.poll(() => page.getByTestId('insi-pace-help').textContent(), { timeout: 30_000 }).toContain('À 2 appels par seconde');
    expect(await page.getByLabel('Appels INSi par seconde').inputValue()).toBe('2');
    expect(errors).toEqual([]);
  });

  it('chooses the usual DMP document types from the filtered list, keeps them and shows them first', async () => {
    const { page, errors } = await desk.open();
    await desk.goto(page, '/parametres');
    const help = page.getByTestId('dmp-types-help');
    await expect.poll(() => help.textContent(), { timeout: 30_000 }).toContain('Aucun type choisi');
    const list = page.getByTestId('dmp-types-list');
    await expect.poll(() => list.getByRole('checkbox').count(), { timeout: 30_000 }).toBeGreaterThan(50);
    const save = page.getByTestId('dmp-types-save');
    expect(await save.isDisabled()).toBe(true);

    const filter = page.getByLabel('Filtrer les types de documents');
    // Accents and case do not matter.
    await filter.fill('HEBERGEMENT');
    expect(await list.getByRole('checkbox').count()).toBe(1);
    await list.getByLabel(/Attestation d'hébergement/).check();
    await filter.fill('fiche de consultation');
    await list.getByLabel(/CR ou fiche de consultation ou de visite/).check();
    await filter.fill('aucun type ne porte ce nom');
    // The chosen ones stay in sight whatever the filter.
    expect(await list.getByRole('checkbox', { checked: true }).count()).toBe(2);
    expect(await help.textContent()).toContain('2 types choisis');
    await save.click();
    await expect.poll(() => save.isDisabled(), { timeout: 30_000 }).toBe(true);

    await page.reload();
    const kept = page.getByTestId('dmp-types-list');
    await expect.poll(() => kept.getByRole('checkbox', { checked: true }).count(), { timeout: 30_000 }).toBe(2);
    const labels = await kept.locator('label').allTextContents();
    expect(labels.slice(0, 2).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual(["Attestation d'hébergement (ATTEST-HEBGT)", 'CR ou fiche de consultation ou de visite (11488-4)']);

    // The first opening of a DMP now lists these types only, and says so by their names.
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await insertDemoPractitionerCps(page);
    await openPatientRecord(page, 'dupont', /DUPONT/i);
    const filtered = page.getByTestId('dmp-filtered');
    await expect.poll(() => filtered.textContent(), { timeout: 60_000 }).toContain("vos types de documents habituels (Attestation d'hébergement, CR ou fiche de consultation ou de visite)");
    // Marie DUPONT's demo DMP: 9 documents of all types in two years (e2e/dmp.e2e.ts), fewer here.
    const listed = await page.getByTestId('dmp-document').count();
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(9);
    // The sending dialog offers them first, in a group of their own.
    await page.getByTestId('dmp-send-open').click();
    const usual = page.getByTestId('dmp-type').locator('optgroup').first();
    expect(await usual.getAttribute('label')).toBe('Vos types habituels');
    expect(await usual.locator('option').allTextContents()).toEqual(["Attestation d'hébergement (ATTEST-HEBGT)", 'CR ou fiche de consultation ou de visite (11488-4)']);
    expect(errors).toEqual([]);
  });

  it('records a change of environment for the next start and stays in démo meanwhile, saying so', async () => {
    const { page, errors } = await desk.open();
    await desk.goto(page, '/parametres');
    const production = page.getByRole('radio', { name: 'Production' });
    await production.waitFor({ timeout: 30_000 });
    // A controlled radio: it shows the choice once the host has recorded it.
    await production.click();
    const pending = page.getByTestId('environment-pending');
    await expect.poll(() => pending.textContent(), { timeout: 30_000 }).toContain('Pupitre passera en « Production » au prochain démarrage');
    expect(await pending.textContent()).toContain('il reste en « Démo (cartes virtuelles et simulateurs) »');
    expect(await page.getByRole('banner').textContent()).toContain('DÉMO');
    await expect.poll(() => production.isChecked(), { timeout: 30_000 }).toBe(true);
    // Back to démo before closing: nothing pending any more.
    await page.getByRole('radio', { name: /^Démo/ }).click();
    await expect.poll(() => pending.count(), { timeout: 30_000 }).toBe(0);
    expect(errors).toEqual([]);
  });
});
