/**
 * Issue 13, « French for people, codes for logs » on the command line: --version, help COMMAND, the
 * unknown command named, errors as French sentences with the code on a support line, French
 * labels and dates, and the production-honesty messages of `settings set`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_VERSION } from '../compose';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err, text: () => [...out, ...err].join('\n') };
}

async function run(...argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out.join('\n'), err: c.err.join('\n'), text: c.text() };
}

describe('pupitre CLI in French', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-fr-'));

  it('prints its version with --version', async () => {
    for (const flag of ['--version', '-v', 'version']) {
      const r = await run(flag);
      expect(r.code).toBe(0);
      expect(r.out).toBe(`pupitre ${APP_VERSION}`);
    }
  });

  it('explains one command with help COMMAND, and a group with help GROUP', async () => {
    const doctor = await run('help', 'doctor');
    expect(doctor.code).toBe(0);
    expect(doctor.out).toContain('pupitre doctor');
    expect(doctor.out).not.toContain('pupitre queue');

    const dmp = await run('help', 'dmp');
    expect(dmp.code).toBe(0);
    for (const sub of ['status', 'list', 'get', 'send', 'metadata', 'validate']) expect(dmp.out).toContain(`pupitre dmp ${sub}`);

    const status = await run('help', 'dmp', 'status');
    expect(status.out).toContain('pupitre dmp status');
    expect(status.out).not.toContain('pupitre dmp send');
  });

  it('names an unknown command, and an unknown topic of help', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Commande inconnue : « frobnicate »');
    const h = await run('help', 'frobnicate');
    expect(h.code).toBe(2);
    expect(h.err).toContain('Commande inconnue : « frobnicate »');
  });

  it('prints an error as a French sentence, the code apart on a line for support', async () => {
    const r = await run('dmp', 'status', '258036311304224', '--data-dir', join(dataDir, 'x'), '--pin', '1234');
    // Whatever the outcome here, no « Erreur CODE : » and no code in parentheses in the sentence.
    expect(r.text).not.toMatch(/Erreur [A-Z_]{4,} :/);
    const missing = await run('ins', 'check', '1840275123456');
    expect(missing.code).toBe(1);
    expect(missing.out).not.toMatch(/\([A-Z_]{4,}\)/);
    expect(missing.out).toContain('Matricule invalide');
  });

  it('says that HTTPS is required when an endpoint is given in http://', async () => {
    const r = await run('settings', 'set', 'endpoints.insi', 'http://insi.example', '--data-dir', dataDir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/HTTPS est obligatoire/);
    expect(r.out).toContain('Code pour le support : SETTINGS_HTTPS_REQUIRED');
    const json = await run('settings', 'set', 'endpoints.dmp', 'http://dmp.example', '--json', '--data-dir', dataDir);
    expect(JSON.parse(json.out)).toMatchObject({ error: { code: 'SETTINGS_HTTPS_REQUIRED' } });
  });

  it('labels the normalised traits in French', async () => {
    const r = await run('ins', 'normalize', '--nom', 'Dupönt', '--prenoms', 'marie hélène', '--prenom', 'marie');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Nom de naissance : DUPONT');
    expect(r.out).toContain('Prénoms de naissance : MARIE HELENE');
    expect(r.out).toContain('Premier prénom : MARIE');
    expect(r.out).not.toMatch(/birthName|birthGivenNames|firstGivenName/);
  });

  it('reads a matricule back in French: month before year, accents, words instead of codes', async () => {
    const r = await run('ins', 'check', '258036311304224');
    expect(r.code).toBe(0);
    expect(r.out).toContain('femme, née en 03/58');
    expect(r.out).toContain('(métropole)');
    expect(r.out).not.toContain('58/03');
  });
});
