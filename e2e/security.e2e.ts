/**
 * Issue 14 in a real browser: security-sensitive settings need a confirmation on the desk; a web
 * page of another origin allowed as a connector cannot change them; the desk's page cannot reach
 * another local port; backups from Paramètres; a passphrase instead of a key store that protects
 * nothing (`pupitre serve --passphrase`); a backup restored from Paramètres at the next start.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { e2ePrerequisites, launchBrowser, ROOT, startServe, useDemoDesk, watchPageErrors, type RunningApp } from './support/app';

const PUPITRE = join(ROOT, 'bin', 'pupitre.mjs');

async function settingsPage(page: Page, app: RunningApp): Promise<void> {
  await page.goto(`${app.url.split('#')[0]}#/parametres`);
  await page.getByRole('heading', { name: 'Environnement', exact: true }).waitFor();
}

describeWithPrerequisites('e2e', e2ePrerequisites, 'security-sensitive settings and backups on the desk', () => {
  const desk = useDemoDesk();

  it('asks for a confirmation that says what a new PKCS#11 module allows, and saves only after it', async () => {
    const { page, errors } = await desk.open();
    await settingsPage(page, desk.app());
    const field = page.getByLabel('Module PKCS#11 (Cryptolib CPS ou OpenSC)');
    await field.fill('/opt/cps/libcps3_pkcs11_lux.so');
    await field.press('Enter');
    const dialog = page.getByTestId('setting-confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toMatch(/Pupitre chargera cette bibliothèque/);
    await page.getByRole('button', { name: 'Annuler' }).click();
    await page.reload();
    await page.getByRole('heading', { name: 'Environnement', exact: true }).waitFor();
    expect(await page.getByLabel('Module PKCS#11 (Cryptolib CPS ou OpenSC)').inputValue()).not.toBe('/opt/cps/libcps3_pkcs11_lux.so');

    await page.getByLabel('Module PKCS#11 (Cryptolib CPS ou OpenSC)').fill('/opt/cps/libcps3_pkcs11_lux.so');
    await page.getByLabel('Module PKCS#11 (Cryptolib CPS ou OpenSC)').press('Enter');
    await page.getByTestId('setting-confirm').click();
    await page.getByText('Module PKCS#11 : modification enregistrée.').waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Environnement', exact: true }).waitFor();
    expect(await page.getByLabel('Module PKCS#11 (Cryptolib CPS ou OpenSC)').inputValue()).toBe('/opt/cps/libcps3_pkcs11_lux.so');
    expect(errors).toEqual([]);
  });

  it('makes an encrypted backup from Paramètres and shows it', async () => {
    const { page } = await desk.open();
    await settingsPage(page, desk.app());
    await page.getByTestId('backup-now').click();
    await page.getByText(/Sauvegarde chiffrée faite et vérifiée/).waitFor();
    // `pupitre serve` also made its first scheduled backup when it started: one or two by now.
    const files = readdirSync(join(desk.app().dataDir, 'sauvegardes')).filter((f) => f.endsWith('.db'));
    expect(files.length).toBeGreaterThanOrEqual(1);
    await expect.poll(() => page.getByTestId('backup-status').textContent()).toMatch(new RegExp(`Sauvegardes gardées\\s*${files.length} sur 14`));
    expect(await page.getByTestId('backup-status').textContent()).not.toMatch(/aucune/);
  });

  it('shows the recovery key after a warning', async () => {
    const { page } = await desk.open();
    await settingsPage(page, desk.app());
    await page.getByTestId('recovery-key').click();
    await page.getByRole('button', { name: 'Afficher la clé', exact: true }).click();
    await expect.poll(() => page.getByTestId('recovery-key-value').textContent()).toMatch(/^([0-9a-f]{4} ){15}[0-9a-f]{4}$/);
  });

  it('does not let the page open a connection to another local port (connect-src)', async () => {
    const { page } = await desk.open();
    const other = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as AddressInfo).port;
    try {
      const outcome = await page.evaluate(
        (target) =>
          new Promise<string>((resolve) => {
            document.addEventListener('securitypolicyviolation', (event) => resolve(`blocked ${event.violatedDirective}`), { once: true });
            try {
              const socket = new WebSocket(`ws://127.0.0.1:${target}/`);
              socket.onopen = () => resolve('opened');
            } catch (error) {
              resolve(`blocked ${(error as Error).name}`);
            }
            setTimeout(() => resolve('timeout'), 5_000);
          }),
        port,
      );
      expect(outcome).toMatch(/^blocked/);
    } finally {
      other.close();
    }
  });
});

describeWithPrerequisites('e2e', e2ePrerequisites, 'a web page allowed as a connector', () => {
  let app: RunningApp;
  let browser: Browser;
  let practice: Server;
  let practiceOrigin = '';

  beforeAll(async () => {
    // The practice software's page, on its own origin.
    practice = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Logiciel du cabinet</title>'));
    await new Promise<void>((resolve) => practice.listen(0, '127.0.0.1', resolve));
    practiceOrigin = `http://127.0.0.1:${(practice.address() as AddressInfo).port}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-connector-'));
    // The user allowed it from the terminal, with the confirmation a sensitive setting needs.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [PUPITRE, 'settings', 'set', 'allowedOrigins', practiceOrigin, '--yes', '--data-dir', dataDir], { cwd: ROOT, stdio: 'ignore' });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`settings set exited ${code}`))));
    });
    app = await startServe(['--data-dir', dataDir]);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    practice?.close();
  });

  it('reads the card readers but cannot change a setting', async () => {
    const page = await browser.newPage();
    const errors = watchPageErrors(page);
    await page.goto(practiceOrigin);
    const answers = await page.evaluate(
      ({ url, token }) =>
        new Promise<Record<string, { ok: boolean; code?: string }>>((resolve) => {
          const socket = new WebSocket(url, ['pupitre.v1', `pupitre-token.${token}`]);
          const calls: Array<[string, unknown]> = [
            ['cards.readers', {}],
            ['settings.set', { key: 'pkcs11Module', value: '/tmp/evil.so' }],
            ['settings.requestChange', { key: 'allowedOrigins', value: ['https://evil.example'] }],
            ['patients.search', { query: 'ma' }],
          ];
          const results: Record<string, { ok: boolean; code?: string }> = {};
          socket.onmessage = (event) => {
            const frame = JSON.parse(String(event.data)) as { kind: string; id: number; ok: boolean; error?: { code: string } };
            if (frame.kind !== 'response') return;
            const name = calls[frame.id]?.[0] ?? '?';
            results[name] = frame.ok ? { ok: true } : { ok: false, code: frame.error?.code ?? '' };
            if (Object.keys(results).length === calls.length) resolve(results);
          };
          socket.onopen = () => calls.forEach(([method, params], id) => socket.send(JSON.stringify({ kind: 'request', id, method, params })));
        }),
      { url: `ws://127.0.0.1:${app.port}/rpc`, token: app.token },
    );
    expect(answers).toEqual({
      'cards.readers': { ok: true },
      'settings.set': { ok: false, code: 'CONNECTOR_METHOD_NOT_ALLOWED' },
      'settings.requestChange': { ok: false, code: 'CONNECTOR_METHOD_NOT_ALLOWED' },
      'patients.search': { ok: false, code: 'CONNECTOR_METHOD_NOT_ALLOWED' },
    });
    expect(errors).toEqual([]);
  });
});

describeWithPrerequisites('e2e', e2ePrerequisites, 'a passphrase protects the key (pupitre serve --passphrase)', () => {
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-passphrase-'));
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('asks to choose it on the first start, then to type it on the next one', { timeout: 180_000 }, async () => {
    const first = await startServe(['--passphrase', '--data-dir', dataDir]);
    try {
      const page = await browser.newPage();
      await page.goto(first.url);
      await page.getByRole('heading', { name: 'Choisir la phrase secrète de Pupitre' }).waitFor();
      await page.getByTestId('vault-passphrase').fill('trop court');
      await page.getByTestId('vault-confirmation').fill('trop court');
      await page.getByTestId('vault-submit').click();
      await page.getByText(/trop courte/).waitFor();
      await page.getByTestId('vault-passphrase').fill('cheval agrafe pile correcte');
      await page.getByTestId('vault-confirmation').fill('cheval agrafe pile correcte');
      await page.getByTestId('vault-submit').click();
      await page.getByTestId('connectivity').getByText('Service local connecté').waitFor({ timeout: 60_000 });
      expect(readdirSync(dataDir)).not.toContain('db.key');
    } finally {
      await first.stop();
    }

    const second = await startServe(['--data-dir', dataDir]);
    try {
      const page = await browser.newPage();
      await page.goto(second.url);
      await page.getByRole('heading', { name: 'Déverrouiller Pupitre' }).waitFor();
      await page.getByTestId('vault-passphrase').fill('une autre phrase fausse');
      await page.getByTestId('vault-submit').click();
      await page.getByText(/Phrase secrète incorrecte/).waitFor();
      await page.getByTestId('vault-passphrase').fill('cheval agrafe pile correcte');
      await page.getByTestId('vault-submit').click();
      await page.getByTestId('connectivity').getByText('Service local connecté').waitFor({ timeout: 60_000 });
      await page.getByRole('navigation').getByRole('link', { name: /^Paramètres/ }).click();
      await page.getByRole('heading', { name: 'Environnement', exact: true }).waitFor();
    } finally {
      await second.stop();
    }
  });
});

/** A fresh page: the desk connects with the URL's token first, then goes to Paramètres. */
async function openSettings(page: Page, app: RunningApp): Promise<void> {
  await page.goto(app.url);
  await page.getByTestId('connectivity').getByText('Service local connecté').waitFor({ timeout: 60_000 });
  await settingsPage(page, app);
}

describeWithPrerequisites('e2e', e2ePrerequisites, 'restoring a backup from Paramètres', () => {
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-e2e-restore-'));
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('asks for a confirmation, then brings the base back to the backup at the next start', { timeout: 180_000 }, async () => {
    const first = await startServe(['--data-dir', dataDir]);
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      const errors = watchPageErrors(page);
      await openSettings(page, first);
      await page.getByTestId('backup-now').click();
      await page.getByText(/Sauvegarde chiffrée faite et vérifiée/).waitFor();
      // A change made after the backup: the restore takes it back.
      await page.getByLabel('Nombre de sauvegardes gardées').fill('20');
      await page.getByLabel('Nombre de sauvegardes gardées').press('Enter');
      await expect.poll(() => page.getByTestId('backup-status').textContent()).toMatch(/sur 20/);

      await page.getByTestId('restore-choose').first().click();
      const dialog = page.getByTestId('restore-confirm-dialog');
      await dialog.waitFor();
      expect(await dialog.textContent()).toMatch(/ne sera plus dans la base[\s\S]*n’est pas effacée/);
      await page.getByRole('button', { name: 'Annuler', exact: true }).click();
      expect(await page.getByTestId('restore-pending').count()).toBe(0);

      await page.getByTestId('restore-choose').first().click();
      await page.getByRole('button', { name: 'Restaurer à la prochaine ouverture' }).click();
      await page.getByTestId('restore-pending').waitFor();
      expect(await page.getByTestId('restore-pending').textContent()).toMatch(/prochaine ouverture de Pupitre/);
      // Nothing is swapped while this Pupitre runs.
      expect(await page.getByTestId('backup-status').textContent()).toMatch(/sur 20/);
      expect(errors).toEqual([]);
    } finally {
      await first.stop();
    }

    const second = await startServe(['--data-dir', dataDir]);
    try {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      await openSettings(page, second);
      await page.getByTestId('restore-outcome').waitFor();
      expect(await page.getByTestId('restore-outcome').textContent()).toMatch(/a été restaurée à l’ouverture de Pupitre/);
      await expect.poll(() => page.getByTestId('backup-status').textContent()).toMatch(/sur 14/);
      expect(await page.getByTestId('restore-pending').count()).toBe(0);
      expect(readdirSync(dataDir).filter((name) => name.startsWith('pupitre.db.avant-restauration-') && !name.includes('-wal') && !name.includes('-shm'))).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
