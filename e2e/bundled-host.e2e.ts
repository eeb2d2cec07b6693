/**
 * The demo from the host as it ships: bundled by esbuild like dist/electron/host.cjs (`npm start`
 * runs that bundle in Electron), not the sources through tsx. In a bundle every module's
 * import.meta.url is the bundle's own, so a path written relative to a source file points one or
 * two folders off: the bundled demo stopped at start-up (demo patients of the INSi simulator not
 * found), and its card profiles, SoftHSM provisioning script and udev rule were looked for in
 * dist/. Paths to the project's files now come from electron/platform/app-root.
 */
import { expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { e2ePrerequisites, enterCpsCode, useDemoDesk } from './support/app';
import { startBundledServe } from './support/bundled-serve';
import { connectHost } from './support/host';

describeWithPrerequisites('e2e', e2ePrerequisites, 'the demo from the bundled host (as npm start runs it)', () => {
  const desk = useDemoDesk([], (args) => startBundledServe(args));

  it('starts, reads the demo CPS with its PIN and the family Vitale with its beneficiaries', async () => {
    const { page, errors } = await desk.open();
    const host = await connectHost(desk.app());
    try {
      // Card profiles (fixtures/cards/profiles) and the CPS's SoftHSM token (scripts/softhsm-provision.sh).
      await host.call('demo.cards.insert', { profile: 'cps-praticien' });
      await enterCpsCode(page);
      await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('CAMILLE');
      // The family Vitale's beneficiaries, which the INSi simulator also knows (vitale-famille.json).
      await host.call('demo.cards.insert', { profile: 'vitale-famille' });
      await expect.poll(() => page.getByTestId('beneficiary').count(), { timeout: 30_000 }).toBe(4);
    } finally {
      host.close();
    }
    expect(errors).toEqual([]);
  });
});
