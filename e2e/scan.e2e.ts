/**
 * Scanning at the desk, in Chromium against `pupitre serve --demo`:
 * - keyboard wedge: a scanner's burst is a scan wherever the focus is and never reaches the
 *   focused field; a person typing is never taken for a scan; the QWERTY scanner on an AZERTY
 *   desk is corrected, and an undecidable payload is said untrusted;
 * - HID-POS: the demo's virtual scanner goes through native/hid's reassembly and the pipeline;
 *   a scanner pulled out mid-scan is said;
 * - webcam: Chromium's fake camera plays a video of an INS datamatrix; the code is read, the
 *   patient's record opens and the camera stops; closing the dialog stops it too; a secretary
 *   scans a demo appli carte Vitale with the webcam, picks the beneficiary, the record opens with
 *   the rights (ADRi) shown;
 * - routing: each kind scanned where no screen expects it goes to its screen (INS datamatrix →
 *   record, appli carte Vitale → intake; ordonnance numérique → Ordonnances: eprescription.e2e.ts);
 * - the top bar and the Diagnostic screen show the scanners.
 */
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { DEMO_QUAL_DATAMATRIX } from '../fixtures/hid/recordings';
import { fakeCameraVideo, ffmpegMissing, imageMagickMissing, photoOf } from '../fixtures/scan/photos';
import { describeWithPrerequisites } from '../fixtures/testing/tier';
import { FR_AZERTY, US_QWERTY } from '../renderer/features/scan/keyboard-layouts';
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, e2ePrerequisites, enterCpsCode, launchBrowser, startServe, watchPageErrors, type RunningApp } from './support/app';
import { scannerBurst } from './support/scanner';

const prerequisites = () => e2ePrerequisites() ?? imageMagickMissing() ?? ffmpegMissing();

describeWithPrerequisites('e2e', prerequisites, 'scanning at the desk (wedge, HID-POS, webcam)', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startServe();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  // Every window connected to the host hears the host's scans: each test closes its own.
  const pages: Page[] = [];
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close().catch(() => undefined);
  });

  async function open(b: Browser = browser): Promise<{ page: Page; errors: string[] }> {
    const page = await b.newPage({ viewport: { width: 1360, height: 900 } });
    pages.push(page);
    const errors = watchPageErrors(page);
    await page.goto(app.url);
    await page.getByTestId('connectivity').getByText('Service local connecté').waitFor();
    return { page, errors };
  }
  const toasts = (page: Page) => page.locator('.toasts').textContent();

  /** The demo CPS in the reader with its PIN given: inserted if absent, the PIN typed if this window asks for it. */
  async function cpsReady(page: Page): Promise<void> {
    const status = page.getByTestId('card-status');
    const pin = page.getByTestId('pin-input');
    const opener = page.getByTestId('card-pin-open');
    const asking = async () => (await pin.isVisible()) || (await opener.isVisible());
    const ready = async () => ((await status.textContent()) ?? '').includes('CPS : CAMILLE PUPITRE') && !(await asking());
    await expect.poll(async () => (await asking()) || (await ready()), { timeout: 15_000 }).toBe(true).catch(() => undefined);
    if (await ready()) return;
    if (!(await asking())) {
      await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
      await page.getByTestId('demo-insert-cps-praticien').click();
    }
    await enterCpsCode(page);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toContain('CPS : CAMILLE PUPITRE');
  }

  it('takes a scanner’s burst for a scan: nothing reaches the focused search field, the patient’s record opens', async () => {
    const { page, errors } = await open();
    const search = page.getByTestId('patient-search');
    await search.focus();
    await scannerBurst(page, DEMO_QUAL_DATAMATRIX);
    await page.getByTestId('patient-record').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('patient-record').textContent()).toContain('DUPONT');
    await expect.poll(() => toasts(page)).toContain('Datamatrix INS lu (INS-NIR de démonstration). Fiche de DUPONT MARIE-HELENE ouverte.');
    expect(await page.locator('[data-testid="patient-search"]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'scan-wedge.png') });
    expect(errors).toEqual([]);
  });

  it('never takes a person typing for a scan, and gives every key to the field, in order', async () => {
    const { page, errors } = await open();
    const search = page.getByTestId('patient-search');
    await search.focus();
    await page.keyboard.type('dupont marie', { delay: 110 });
    await expect.poll(() => search.inputValue()).toBe('dupont marie');
    // Fast typist with rollovers: still typing.
    await search.fill('');
    await page.keyboard.type('ada lovelace', { delay: 55 });
    await expect.poll(() => search.inputValue()).toBe('ada lovelace');
    await page.keyboard.press('Enter');
    expect(await toasts(page)).not.toContain('non reconnu');
    expect(page.url()).not.toMatch(/#\/patient\/[^/]+$/);
    expect(errors).toEqual([]);
  });

  it('corrects a QWERTY scanner on an AZERTY desk (&é"\'(-è_çà for 1234567890) and says when a payload cannot be trusted', async () => {
    const { page, errors } = await open();
    await page.getByTestId('patient-search').focus();
    await scannerBurst(page, DEMO_QUAL_DATAMATRIX, { scannerLayout: US_QWERTY, osLayout: FR_AZERTY });
    await page.getByTestId('patient-record').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('patient-record').textContent()).toContain('DUPONT');

    // Letters only: A/Q and Z/W swapped, nothing to decide with — said, not guessed, not typed.
    await page.goto(app.url);
    const search = page.getByTestId('patient-search');
    await search.focus();
    await scannerBurst(page, 'QWERTYAZQWERTYAZ', { scannerLayout: US_QWERTY, osLayout: FR_AZERTY });
    await expect.poll(() => toasts(page)).toContain('La disposition du clavier de la douchette ne peut pas être déterminée');
    expect(await search.inputValue()).toBe('');
    await page.screenshot({ path: join(ARTIFACTS, 'scan-wedge-untrusted.png') });
    expect(errors).toEqual([]);
  });

  it('reads the demo’s virtual HID-POS scanner, says an unknown code plainly and a scanner pulled out mid-scan', async () => {
    const { page, errors } = await open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-scanner').waitFor();
    await expect.poll(() => page.getByTestId('scanner-status').textContent()).toContain('Douchette prête');

    await page.getByTestId('demo-scan-unknown').click();
    await expect.poll(() => toasts(page)).toContain('QR Code non reconnu (58 caractères) : ni appli carte Vitale, ni ordonnance numérique, ni datamatrix INS.');

    await page.getByTestId('demo-scan-unplug').click();
    await expect.poll(() => toasts(page)).toContain('La douchette « Douchette virtuelle (démo) » a été débranchée pendant la lecture : rebranchez-la et scannez de nouveau le code.');
    await expect.poll(() => page.getByTestId('scanner-status').textContent(), { timeout: 15_000 }).toContain('Douchette prête');

    await page.getByTestId('demo-scan-ins').click();
    await page.getByTestId('patient-record').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('patient-record').textContent()).toContain('DUPONT');

    // Diagnostic: each scanner, its mode, its last scan, what to do when nothing arrives.
    await page.getByRole('navigation').getByRole('link', { name: /^Diagnostic/ }).click();
    const panel = page.getByTestId('scanners-panel');
    await panel.waitFor();
    await expect.poll(() => panel.textContent()).toContain('Douchette virtuelle (démo)');
    const text = (await panel.textContent()) ?? '';
    expect(text).toContain('HID-POS');
    expect(text).toContain('datamatrix INS');
    expect(text).toContain('Douchette en mode clavier');
    expect(text).toContain('Si rien n’arrive');
    await page.screenshot({ path: join(ARTIFACTS, 'scan-diagnostic.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('scans an INS datamatrix with the webcam (fake camera), opens the record and stops the camera; closing the dialog stops it too', async () => {
    const photo = await photoOf([{ kind: 'datamatrix', text: DEMO_QUAL_DATAMATRIX }], { tilt: 120, rotate: 8, blur: 0.6, width: 1280, height: 720, size: 300 });
    const video = fakeCameraVideo(photo);
    const blank = fakeCameraVideo(await photoOf([], { width: 1280, height: 720 }));
    const withCamera = (file: string) =>
      chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${file}`] });

    const reading = await withCamera(video);
    try {
      const { page, errors } = await open(reading);
      await page.keyboard.press('F8');
      await page.getByTestId('webcam-dialog').waitFor({ state: 'attached' });
      await page.getByTestId('patient-record').waitFor({ timeout: 60_000 });
      await expect.poll(() => page.getByTestId('patient-record').textContent()).toContain('DUPONT');
      await expect.poll(() => toasts(page)).toContain('Fiche de DUPONT MARIE-HELENE ouverte.');
      await expect.poll(() => page.getByTestId('camera-active').count()).toBe(0);
      expect(await page.locator('dialog[open] [data-testid="webcam-dialog"]').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await reading.close();
    }

    const nothing = await withCamera(blank);
    try {
      const { page, errors } = await open(nothing);
      await page.getByTestId('webcam-open').click();
      await expect.poll(() => page.getByTestId('webcam-dialog').getAttribute('data-camera'), { timeout: 30_000 }).toBe('live');
      expect(await page.getByTestId('camera-active').count()).toBe(1);
      await page.screenshot({ path: join(ARTIFACTS, 'scan-webcam.png') });
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('camera-active').count()).toBe(0);
      expect(await page.getByTestId('webcam-dialog').getAttribute('data-camera')).toBe('off');
      expect(errors).toEqual([]);
    } finally {
      await nothing.close();
    }
  });

  it('lets the desk choose among several cameras and remembers the choice', async () => {
    const two = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream=device-count=2'] });
    try {
      const { page, errors } = await open(two);
      await page.keyboard.press('F8');
      const picker = page.getByTestId('webcam-picker');
      await picker.waitFor({ timeout: 30_000 });
      await expect.poll(() => picker.locator('option').allTextContents()).toEqual(['Par défaut', 'fake_device_0', 'fake_device_1']);
      const second = await picker.locator('option', { hasText: 'fake_device_1' }).getAttribute('value');
      await picker.selectOption(second ?? '');
      await expect.poll(() => page.getByTestId('webcam-dialog').getAttribute('data-camera'), { timeout: 30_000 }).toBe('live');
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('camera-active').count()).toBe(0);
      // Reopened: the chosen camera again.
      await page.keyboard.press('F8');
      await expect.poll(() => page.getByTestId('webcam-picker').inputValue(), { timeout: 30_000 }).toBe(second);
      await page.keyboard.press('Escape');
      expect(errors).toEqual([]);
    } finally {
      await two.close();
    }
  });
  // Last: it leaves a CPS in the virtual reader (the other scenarios expect none).
  it('routes an appli carte Vitale scanned anywhere to the intake screen, which claims the next one and shows a refusal on screen', async () => {
    const { page, errors } = await open();
    await page.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    await page.getByTestId('demo-insert-cps-praticien').click();
    await enterCpsCode(page);
    await expect.poll(() => page.getByTestId('card-status').textContent(), { timeout: 30_000 }).toContain('CPS : CAMILLE PUPITRE');
    const payload = (await page.getByTestId('demo-apcv-app-martin').getByTestId('demo-apcv-payload').textContent()) ?? '';
    expect(payload).toMatch(/^ApCV-DEMO:1:/);

    // Unexpected: scanned on the patient search screen → the intake opens with the beneficiaries.
    await page.keyboard.press('Alt+1');
    await page.getByTestId('patient-search').focus();
    await scannerBurst(page, payload);
    await page.getByTestId('beneficiary-list').waitFor({ timeout: 30_000 });
    expect(page.url()).toMatch(/#\/apcv$/);
    await expect.poll(() => toasts(page)).toContain('Appli carte Vitale (QR code). Ouverture de l’accueil « Appli carte Vitale ».');
    await page.keyboard.press('Escape');
    await page.getByTestId('apcv-done').click();

    // Expected: the intake screen claims the scan; with the service down the refusal is on the screen.
    await page.keyboard.press('Alt+8');
    await page.getByTestId('demo-apcv-down').click();
    await expect.poll(() => page.getByTestId('demo-apcv-down').isChecked()).toBe(true);
    await page.keyboard.press('Alt+9');
    await page.getByTestId('apcv-intake').waitFor();
    await scannerBurst(page, payload);
    const alert = page.getByTestId('apcv-intake').getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toContain('carte Vitale physique');
    expect(await page.getByTestId('apcv-payload').inputValue()).toBe('');
    expect(await page.getByTestId('beneficiary-list').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  // After the one above: the CPS is in the reader (inserted again if not), the service is put back up.
  it('lets a secretary scan an appli carte Vitale with the webcam: the intake opens, the beneficiary is picked, the record shows the rights', async () => {
    const { page: demo } = await open();
    await cpsReady(demo);
    await demo.getByRole('navigation').getByRole('link', { name: /^Démo/ }).click();
    // The apps are drawn once the simulator's state is loaded: only then does the switch show it.
    await demo.getByTestId('demo-apcv-app-dupont').waitFor();
    if (await demo.getByTestId('demo-apcv-down').isChecked()) await demo.getByTestId('demo-apcv-down').click();
    await expect.poll(() => demo.getByTestId('demo-apcv-down').isChecked()).toBe(false);
    const payload = (await demo.getByTestId('demo-apcv-app-dupont').getByTestId('demo-apcv-payload').textContent()) ?? '';
    expect(payload).toMatch(/^ApCV-DEMO:1:/);
    await demo.close();

    // The phone's screen held up to the camera: a slightly turned, slightly blurred QR code.
    const photo = await photoOf([{ kind: 'qr', text: payload }], { tilt: 80, rotate: -6, blur: 0.5, width: 1280, height: 720, size: 320 });
    const camera = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${fakeCameraVideo(photo)}`] });
    try {
      const { page, errors } = await open(camera);
      await cpsReady(page);
      await page.keyboard.press('Alt+1');
      await page.getByTestId('patient-search').waitFor();
      await page.keyboard.press('F8');
      // The fake camera's code may be read (and the dialog closed) before a visibility check runs.
      await page.getByTestId('webcam-dialog').waitFor({ state: 'attached' });
      const list = page.getByTestId('beneficiary-list');
      await list.waitFor({ timeout: 60_000 });
      expect(page.url()).toMatch(/#\/apcv$/);
      await expect.poll(() => toasts(page)).toContain('Appli carte Vitale (QR code). Ouverture de l’accueil « Appli carte Vitale ».');
      await expect.poll(() => page.getByTestId('camera-active').count()).toBe(0);
      await expect.poll(() => page.getByTestId('beneficiary').count()).toBe(2);
      await page.screenshot({ path: join(ARTIFACTS, 'scan-webcam-apcv.png') });
      await list.focus();
      await page.keyboard.press('Enter');
      // A beneficiary with no record on this desk yet: creating it is confirmed first (issue 13).
      const confirm = page.getByTestId('beneficiary-create-confirm');
      await expect.poll(async () => (await confirm.isVisible()) || /#\/patient\/[^/]+$/.test(page.url()), { timeout: 30_000 }).toBe(true);
      if (await confirm.isVisible()) await page.keyboard.press('Enter');
      await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/#\/patient\/[^/]+$/);
      const rights = page.getByTestId('adri-rights');
      await rights.waitFor({ timeout: 30_000 });
      expect(await rights.textContent()).toContain('Droits ouverts');
      await page.keyboard.press('Alt+9');
      await page.getByTestId('apcv-done').click();
      expect(errors).toEqual([]);
    } finally {
      await camera.close();
    }
  });
});
