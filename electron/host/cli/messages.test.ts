/**
 * Issue 14 points 5 and 9, against the real command line (child processes): messages that lead to
 * the right fix. A missing file is « fichier introuvable », not INTERNAL; a million-line export
 * gets the size message, not INVALID_PARAMS; `dmp send` reads the official ANS N1 example whatever
 * the length of its leading comment (the first 4 KB used to be sniffed for `<ClinicalDocument`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newDataDir, runCli } from '../../../fixtures/testing/cli-process';
import { referenceDir } from '../../../fixtures/testing/tier';

const dataDir = newDataDir();
const reference = referenceDir();

describe('pupitre says what is wrong with a file (real CLI)', () => {
  it('says « fichier introuvable » for a missing file, in every command that reads one', async () => {
    const missing = join(dataDir, 'absent', 'patients.csv');
    for (const args of [
      ['patients', 'import', missing],
      ['insi', 'parse', missing],
      ['dmp', 'metadata', missing],
      ['dmp', 'validate', missing],
    ]) {
      const run = await runCli([...args, '--data-dir', dataDir, '--json']);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
      expect(error.code).toBe('FILE_NOT_FOUND');
      expect(error.message).toContain('Fichier introuvable');
      expect(run.stdout + run.stderr).not.toContain('INTERNAL');
    }
    const folder = await runCli(['patients', 'import', dataDir, '--data-dir', dataDir, '--json']);
    expect(JSON.parse(folder.stdout)).toMatchObject({ error: { code: 'FILE_UNREADABLE' } });
  }, 300_000);

  it('gives a 1 000 000-line export the size message, not INVALID_PARAMS', async () => {
    const file = join(dataDir, 'million.csv');
    const line = 'D000001;Dupont;Dupont;Yanis;Yanis;12/07/1994;M;2A004;\n';
    writeFileSync(file, `N° dossier;Nom;Nom de naissance;Prénom;Prénoms;Né(e) le;Sexe;Lieu de naissance (INSEE);N° sécurité sociale\n${line.repeat(1_000_000)}`);
    const run = await runCli(['patients', 'import', file, '--data-dir', dataDir, '--json']);
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    expect(error.code).toBe('PATIENTS_IMPORT_TOO_LARGE');
    expect(error.message).toContain('Découpez');
  }, 300_000);
});

describe.skipIf(reference === null && process.env.CI !== 'true')('pupitre dmp send reads the official ANS N1 example (real CLI, démo)', () => {
  // The demo patient with an authorised DMP in the simulator (Marie DUPONT, INS de démonstration).
  const INS = '258036311304224';

  /**
   * The official example, read at test time from the reference folder (never copied into the
   * project), addressed to the demo patient, under a new document id; `comment` is added to its
   * leading comment block, as later versions of the example carry a longer history there.
   */
  function officialN1(uniqueId: string, comment = ''): string {
    const text = readFileSync(join(reference ?? '', 'cda', 'examples', 'DOC_NON_STRUCTURE_CDA-R2-N1.xml'), 'utf8');
    return text
      .replace('<!-- ', `<!-- ${comment}`)
      .replace(/279035121518989/g, INS)
      .replace(/1\.2\.250\.1\.213\.1\.4\.10/g, '1.2.250.1.213.1.4.11')
      .replace(/<id root="1\.3\.6\.1\.4\.1\.19376\.1\.2\.20\.12345\.1\.1"\/>/, `<id root="${uniqueId}"/>`);
  }

  it('sends the example as published, then with a leading comment pushing <ClinicalDocument beyond 4 KB', async () => {
    const sendData = newDataDir();
    const plain = join(sendData, 'n1.xml');
    writeFileSync(plain, officialN1('1.2.250.1.999.14.9.1'));
    const first = await runCli(['dmp', 'send', INS, plain, '--data-dir', sendData, '--json'], { timeoutMs: 240_000 });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ sending: { state: 'sent', uniqueId: '1.2.250.1.999.14.9.1' } });

    const history = 'Historique des versions du modèle ClinicalDocument : '.concat('révision de l’en-tête et du corps non structuré. '.repeat(120));
    const long = join(sendData, 'n1-long-comment.xml');
    const text = officialN1('1.2.250.1.999.14.9.2', history);
    expect(Buffer.byteLength(text.slice(0, text.indexOf('<ClinicalDocument')))).toBeGreaterThan(4096);
    writeFileSync(long, text);
    const second = await runCli(['dmp', 'send', INS, long, '--data-dir', sendData, '--json'], { timeoutMs: 240_000 });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ sending: { state: 'sent', uniqueId: '1.2.250.1.999.14.9.2' } });
  }, 300_000);
});
