/**
 * Identity safety: the environment a desk runs in is fixed at its start. Démo wires the virtual
 * cards and the simulators (the simulated INSi learns any patient it is asked about and gives a
 * synthetic INS); switching to production under running services would send real patients to it.
 * A change of the setting is recorded, shown as pending, and applies at the next start.
 */
import { describe, expect, it } from 'vitest';
import { createTestHost } from '../../fixtures/testing/host';
import { runChecks } from './doctor';

const traits = { birthName: 'Adrtrois', birthGivenNames: 'Toussaint', birthDate: '01/01/1960', sex: 'M' as const };

describe('changing the environment of a running desk', () => {
  it('keeps the démo wiring and says so until the next start, which starts in the new environment without any simulator', async () => {
    const demo = await createTestHost();
    let dataDir: string;
    let keyHex: string;
    try {
      expect((await demo.dispatcher.invoke('insi.searchTraits', { traits })).outcome).toBe('found');
      const saved = await demo.dispatcher.invoke('settings.set', { key: 'environment', value: 'production' });
      expect(saved).toMatchObject({ environment: 'demo', pendingEnvironment: 'production' });
      // Everything that reads the environment agrees with what is wired: the top bar, the doctor, the File d'envoi.
      expect((await demo.dispatcher.invoke('app.info', {})).environment).toBe('demo');
      expect((await runChecks(demo.doctorChecks)).find((c) => c.id === 'environment')).toMatchObject({
        status: 'warn',
        detail: 'démo jusqu’à la fermeture de Pupitre ; « production » choisi, appliqué au prochain démarrage',
      });
      expect((await demo.dispatcher.invoke('outbox.status', {})).endpoints.find((e) => e.endpoint === 'insi')).toMatchObject({ configured: true });
      expect(demo.audit.list({ limit: 5 }).find((e) => e.action === 'settings.set')).toMatchObject({ details: { key: 'environment' } });
      // Choosing the running one again cancels the change.
      expect(await demo.dispatcher.invoke('settings.set', { key: 'environment', value: 'demo' })).toMatchObject({ environment: 'demo', pendingEnvironment: null });
      await demo.dispatcher.invoke('settings.set', { key: 'environment', value: 'production' });
      dataDir = demo.dataDir;
      keyHex = demo.keyHex;
    } finally {
      await demo.close();
    }

    const production = await createTestHost({ dataDir, keyHex });
    try {
      expect((await production.dispatcher.invoke('app.info', {})).environment).toBe('production');
      expect(await production.dispatcher.invoke('settings.get', {})).toMatchObject({ environment: 'production', pendingEnvironment: null });
      // No simulator any more: INSi is « à configurer », the typed traits go nowhere.
      await expect(production.dispatcher.invoke('insi.searchTraits', { traits })).rejects.toMatchObject({ code: expect.stringMatching(/^INSI_/) });
    } finally {
      await production.close();
    }
  });
});
