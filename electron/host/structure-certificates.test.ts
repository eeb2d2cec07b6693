/**
 * Issue 13, « production honesty »: the structure certificate for INSi (INSI-MANU / INSI-AUTO) and
 * those of the DMP indirect mode (ORG AUTH_CLI, ORG SIGN) can be set in Paramètres and with
 * `pupitre settings`, since the error messages already point there. The PKCS#12 file is checked when
 * set (passphrase, key, kind of certificate, validity); its passphrase is never shown again; and a
 * desk outside démo then queries INSi over mutual TLS with it — without any card.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_IDAM, startInsiSimulator, type InsiSimulator } from '../../fixtures/sim/insi';
import { ensureSharedTestPki, type DemoPki } from '../../fixtures/sim/pki';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';
import { projectRoot } from '../../fixtures/testing/tier';
import { runChecks } from './doctor';

let pki: DemoPki;
let host: TestHost;

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  host = await createTestHost({ environment: 'test' });
}, 120_000);

afterAll(async () => {
  await host.close();
});

/** A structure certificate is a security-sensitive setting: asked, then confirmed (issue 14, point 6). */
async function setCertificate(key: 'certificates.insi' | 'certificates.dmp', value: unknown) {
  const change = await host.dispatcher.invoke('settings.requestChange', { key, value });
  return host.dispatcher.invoke('settings.confirmChange', { changeId: change.changeId });
}

describe('structure certificates in the settings', () => {
  const doctor = async () => (await runChecks(host.doctorChecks)).find((c) => c.id === 'structure-certificates');

  it('sets the INSi certificate from its PKCS#12 file, tells its kind, and never gives the passphrase back', async () => {
    const before = await doctor();
    expect(before).toMatchObject({ status: 'warn', detail: 'INSi : non configuré ; DMP (mode indirect) : non configuré' });
    expect(before?.next).toContain('pupitre settings set certificates.insi');
    await expect(
      host.dispatcher.invoke('settings.set', { key: 'certificates.insi', value: { file: pki.structure.insiAuto.paths.pkcs12, passphrase: pki.pkcs12Passphrase } }),
    ).rejects.toMatchObject({ code: 'SETTINGS_CONFIRMATION_REQUIRED' });
    const value = { file: pki.structure.insiAuto.paths.pkcs12, passphrase: pki.pkcs12Passphrase };
    const change = await host.dispatcher.invoke('settings.requestChange', { key: 'certificates.insi', value });
    // The confirmation names the certificate, never its passphrase; nothing is written yet.
    expect(change.value).toMatch(/^INSI-AUTO, structure 10B9990001, expire le \d{2}\/\d{2}\/\d{4} — /);
    expect(JSON.stringify(change).replaceAll(value.file, '')).not.toContain(pki.pkcs12Passphrase);
    expect((await host.dispatcher.invoke('settings.get', {})).certificates.insi).toBeNull();
    const settings = await host.dispatcher.invoke('settings.confirmChange', { changeId: change.changeId });
    expect(settings.certificates.insi).toMatchObject({ file: pki.structure.insiAuto.paths.pkcs12, kind: 'INSI-AUTO', structureId: '10B9990001' });
    expect(settings.certificates.insi?.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const shown = JSON.stringify(await host.dispatcher.invoke('settings.get', {}));
    expect(shown).not.toContain('passphrase');
    expect(shown).not.toContain(`"${pki.pkcs12Passphrase}"`);
    const check = (await runChecks(host.doctorChecks)).find((c) => c.id === 'structure-certificates');
    expect(check?.detail).toContain('INSi : INSI-AUTO (structure 10B9990001)');
  });

  it('refuses a wrong passphrase, a certificate that is not INSI-MANU/INSI-AUTO and a missing file, in French', async () => {
    await expect(
      setCertificate('certificates.insi', { file: pki.structure.insiManu.paths.pkcs12, passphrase: 'pas le bon' }),
    ).rejects.toMatchObject({ code: 'CRYPTO_PASSPHRASE_INCORRECT' });
    await expect(
      setCertificate('certificates.insi', { file: pki.practitioner.authentication.paths.pkcs12, passphrase: pki.pkcs12Passphrase }),
    ).rejects.toMatchObject({ code: 'SETTINGS_CERTIFICATE_WRONG_KIND', message: expect.stringContaining('INSI-MANU ou INSI-AUTO') });
    await expect(setCertificate('certificates.insi', { file: '/nulle/part.p12', passphrase: 'x' })).rejects.toMatchObject({
      code: 'CRYPTO_CERTIFICATE_NOT_FOUND',
    });
    // The certificate set before is still there.
    expect((await host.dispatcher.invoke('settings.get', {})).certificates.insi?.kind).toBe('INSI-AUTO');
  });

  it('has the doctor say when the file was replaced, or moved away, since it was set', async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'pupitre-structure-file-')), 'INSI.p12');
    copyFileSync(pki.structure.insiAuto.paths.pkcs12, copy);
    await setCertificate('certificates.insi', { file: copy, passphrase: pki.pkcs12Passphrase });
    expect((await doctor())?.status).not.toBe('error');

    copyFileSync(pki.structure.insiManu.paths.pkcs12, copy);
    const replaced = await doctor();
    expect(replaced?.status).toBe('error');
    expect(replaced?.detail).toContain('autre certificat que celui enregistré');

    rmSync(copy);
    const moved = await doctor();
    expect(moved?.status).toBe('error');
    expect(moved?.detail).toContain('INSi : INSI-AUTO (structure 10B9990001), expire le');
    expect(moved?.detail).toContain('fichier introuvable');
    expect(moved?.next).toContain('certificates.insi FICHIER.p12');

    await setCertificate('certificates.insi', { file: pki.structure.insiAuto.paths.pkcs12, passphrase: pki.pkcs12Passphrase });
    expect((await doctor())?.status).not.toBe('error');
  });

  it('sets the DMP indirect-mode pair (authentication, signature) and refuses them swapped', async () => {
    const pair = { authenticationFile: pki.structure.dmpAuthentication.paths.pkcs12, signatureFile: pki.structure.dmpSignature.paths.pkcs12, passphrase: pki.pkcs12Passphrase };
    const settings = await setCertificate('certificates.dmp', pair);
    expect(settings.certificates.dmp).toMatchObject({ structureId: '10B9990001', authentication: { file: pair.authenticationFile }, signature: { file: pair.signatureFile } });
    await expect(
      setCertificate('certificates.dmp', { ...pair, authenticationFile: pair.signatureFile, signatureFile: pair.authenticationFile }),
    ).rejects.toMatchObject({ code: 'SETTINGS_CERTIFICATE_WRONG_KIND' });
    const check = (await runChecks(host.doctorChecks)).find((c) => c.id === 'structure-certificates');
    expect(check?.detail).toContain('DMP (mode indirect) : structure 10B9990001');
  });
});

describe('a desk in « test » with the INSi structure certificate, from the command line', () => {
  let sim: InsiSimulator;
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-structure-cli-'));
  const run = (...args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      // The simulator's server certificate comes from the demo CA: trusted here like an IGC-Santé one would be.
      const child = spawn(process.execPath, [join(projectRoot, 'bin', 'pupitre.mjs'), ...args, '--data-dir', dataDir], {
        env: { ...process.env, NODE_EXTRA_CA_CERTS: pki.paths.caBundle },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c) => (out += String(c)));
      child.stderr.on('data', (c) => (err += String(c)));
      child.once('exit', (code) => resolve({ code, out, err }));
    });

  beforeAll(async () => {
    sim = await startInsiSimulator({ pki, idams: [DEMO_IDAM] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('sets the certificate with a passphrase file and finds an INS over mutual TLS without a card', async () => {
    const passphraseFile = join(dataDir, 'passphrase.txt');
    writeFileSync(passphraseFile, `${pki.pkcs12Passphrase}\n`, { mode: 0o600 });
    expect((await run('settings', 'set', 'environment', 'test')).code).toBe(0);
    expect((await run('settings', 'set', 'endpoints.insi', sim.url, '--yes')).code).toBe(0);
    expect((await run('settings', 'set', 'lps.cndaAuthorisation', DEMO_IDAM)).code).toBe(0);
    // Security-sensitive: without --yes the terminal says what the change allows, and sets nothing.
    const unconfirmed = await run('settings', 'set', 'certificates.insi', pki.structure.insiManu.paths.pkcs12, '--passphrase-file', passphraseFile);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.err).toContain('certificates.insi deviendra : INSI-MANU, structure 10B9990001');
    expect(unconfirmed.err).toContain('sans carte CPS');
    expect(unconfirmed.err.replaceAll(pki.structure.insiManu.paths.pkcs12, '')).not.toContain(pki.pkcs12Passphrase);
    expect((await run('settings', 'get')).out).toContain('certificates.insi = non configuré');
    const set = await run('settings', 'set', 'certificates.insi', pki.structure.insiManu.paths.pkcs12, '--passphrase-file', passphraseFile, '--yes');
    expect(set.code, set.out + set.err).toBe(0);
    expect(set.out).toContain('INSI-MANU');
    const got = await run('settings', 'get');
    expect(got.out).toContain('certificates.insi.kind = INSI-MANU');
    expect(got.out).not.toMatch(/passphrase/i);
    expect(got.out).not.toMatch(new RegExp(`= ${pki.pkcs12Passphrase}$`, 'm'));
    const search = await run('insi', 'search', '--nom', 'ADRTROIS', '--prenoms', 'TOUSSAINT', '--sexe', 'M', '--naissance', '01/01/1960', '--json');
    expect(search.code, search.out + search.err).toBe(0);
    expect(JSON.parse(search.out)).toMatchObject({ outcome: 'found', authentication: 'structure', result: { identity: { active: { matricule: '160012B02077713' } } } });
    expect(sim.requests.at(-1)).toMatchObject({ authentication: 'structure', emitter: '10B9990001', idam: DEMO_IDAM });
  }, 120_000);
});
