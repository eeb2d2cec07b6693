/**
 * Paramètres → « INSi : liste de travail »: the worklist's pace is set on the screen, bounded with a
 * French message, kept by the host, and the help says what it means for a list of 1 000 patients.
 */
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { e2ePrerequisites, useDemoDesk } from './support/app';

describeWithPrerequisites('e2e', e2ePrerequisites, 'INSi worklist pace in Paramètres', () => {
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
});
