/**
 * Issue 13, « production honesty »: with the teleservice addresses still « à configurer », the
 * doctor and the File d'envoi say that the service is not configured — never « joignable » — and
 * what to do; once an HTTPS address is set, they say it is configured (reachability is known only
 * after a first exchange, and the doctor never waits on the network).
 */
import { describe, expect, it } from 'vitest';
import { createTestHost } from '../../fixtures/testing/host';
import { runChecks } from './doctor';

describe('teleservice addresses « à configurer »', () => {
  it('are reported « non configuré » by the doctor and the File d’envoi, with the next step', async () => {
    const host = await createTestHost({ environment: 'production' });
    try {
      const checks = await runChecks(host.doctorChecks);
      for (const id of ['insi-endpoint', 'dmp-endpoint']) {
        const check = checks.find((c) => c.id === id);
        expect(check, id).toBeDefined();
        expect(check?.status).toBe('error');
        expect(check?.detail).toContain('non configuré');
        expect(check?.detail).not.toMatch(/joignable/);
        expect(check?.next).toMatch(/pupitre settings set endpoints\.(insi|dmp) https:\/\//);
      }
      const status = await host.dispatcher.invoke('outbox.status', {});
      const dmp = status.endpoints.find((e) => e.endpoint === 'dmp');
      expect(dmp).toMatchObject({ configured: false });
      // The teleservices whose address is a setting (billing goes through the SESAM-Vitale adapter).
      for (const endpoint of status.endpoints.filter((e) => ['insi', 'dmp', 'eprescription'].includes(e.endpoint))) expect(endpoint.configured, endpoint.endpoint).toBe(false);
      const outbox = checks.find((c) => c.id === 'outbox');
      expect(outbox?.detail).toContain('non configuré');
    } finally {
      await host.close();
    }
  });

  it('say « non configuré » for billing on a desk started outside démo, with what to do (no address to type)', async () => {
    const first = await createTestHost();
    await first.dispatcher.invoke('settings.set', { key: 'environment', value: 'production' });
    await first.close();
    // Started in production: billing has no SESAM-Vitale library, so its lots cannot leave.
    const host = await createTestHost({ dataDir: first.dataDir, keyHex: first.keyHex });
    try {
      const status = await host.dispatcher.invoke('outbox.status', {});
      const billing = status.endpoints.find((e) => e.endpoint === 'facturation');
      expect(billing).toMatchObject({ configured: false, setupHint: expect.stringMatching(/^Télétransmission non configurée sur ce poste : faites installer la bibliothèque du GIE SESAM-Vitale/) });
      expect(billing?.setupHint).not.toMatch(/Paramètres/);
      const outbox = (await runChecks(host.doctorChecks)).find((c) => c.id === 'outbox');
      expect(outbox?.detail).toMatch(/non configuré : .*FACTURATION/);
    } finally {
      await host.close();
    }
  });

  it('are reported configured once an HTTPS address is set, without a network call', async () => {
    const host = await createTestHost({ environment: 'test' });
    try {
      // An endpoint is security-sensitive: asked, then confirmed (issue 14, point 6).
      const change = await host.dispatcher.invoke('settings.requestChange', { key: 'endpoints.dmp', value: 'https://dmp.qualification.invalid/si-dmp-server/v2/services' });
      await host.dispatcher.invoke('settings.confirmChange', { changeId: change.changeId });
      const started = Date.now();
      const checks = await runChecks(host.doctorChecks);
      expect(Date.now() - started).toBeLessThan(3_000);
      const dmp = checks.find((c) => c.id === 'dmp-endpoint');
      expect(dmp?.status).toBe('ok');
      expect(dmp?.detail).toContain('https://dmp.qualification.invalid/');
      expect(checks.find((c) => c.id === 'insi-endpoint')?.detail).toContain('non configuré');
      const status = await host.dispatcher.invoke('outbox.status', {});
      expect(status.endpoints.find((e) => e.endpoint === 'dmp')).toMatchObject({ configured: true });
    } finally {
      await host.close();
    }
  });

  it('in démo, point at the local simulators', async () => {
    const host = await createTestHost();
    try {
      const checks = await runChecks(host.doctorChecks);
      expect(checks.find((c) => c.id === 'insi-endpoint')).toMatchObject({ status: 'ok', detail: expect.stringContaining('simulateur') });
      expect(checks.find((c) => c.id === 'dmp-endpoint')).toMatchObject({ status: 'ok', detail: expect.stringContaining('simulateur') });
      // Billing's modelled transport to its simulator: configured.
      const status = await host.dispatcher.invoke('outbox.status', {});
      expect(status.endpoints.find((e) => e.endpoint === 'facturation')).toMatchObject({ configured: true });
    } finally {
      await host.close();
    }
  });
});

describe('doctor', () => {
  it('never waits on a check: one that does not answer is reported after its budget, the others still run', async () => {
    const started = Date.now();
    const checks = await runChecks(
      [
        { id: 'stuck', label: 'Lecteurs de cartes', run: () => new Promise(() => undefined) },
        { id: 'fine', label: 'Dossier', run: () => ({ status: 'ok' as const, detail: 'ok' }) },
      ],
      { budgetMs: 300 },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(checks.map((c) => c.id)).toEqual(['stuck', 'fine']);
    expect(checks[0]).toMatchObject({ status: 'warn', detail: expect.stringContaining('pas de réponse') });
    expect(checks[0]?.next).toBeTruthy();
    expect(checks[1]?.status).toBe('ok');
  });

  it('names the desk that holds the data directory (shared safely)', async () => {
    const { acquireHostLock } = await import('./instance-lock');
    const host = await createTestHost();
    const lock = acquireHostLock(host.dataDir, 'pupitre serve');
    try {
      const checks = await runChecks(host.doctorChecks);
      const desk = checks.find((c) => c.id === 'desk');
      expect(desk?.status).toBe('ok');
      expect(desk?.detail).toContain(`pupitre serve (processus ${process.pid}`);
      expect(desk?.detail).toContain('partagé');
    } finally {
      lock.release();
      await host.close();
    }
  });
});
