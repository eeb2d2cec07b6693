import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

const DEMO_EXPORT = resolve(import.meta.dirname, '../../../fixtures/data/demo-export.csv');

describe('pupitre patients', () => {
  it('imports a practice export once, then reports the same file as already imported', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-patients-'));
    const first = capture();
    expect(await main(['patients', 'import', DEMO_EXPORT, '--json', '--data-dir', dataDir], first.io)).toBe(0);
    const report = JSON.parse(first.out.join('')) as { imported: boolean; validation: { lines: number; invalid: number }; result: { created: number } };
    expect(report.imported).toBe(true);
    expect(report.validation).toMatchObject({ lines: 25, invalid: 0 });
    expect(report.result.created).toBe(25);

    const again = capture();
    expect(await main(['patients', 'import', DEMO_EXPORT, '--json', '--data-dir', dataDir], again.io)).toBe(0);
    expect(JSON.parse(again.out.join(''))).toMatchObject({ result: { alreadyImported: true, created: 0 } });

    const found = capture();
    expect(await main(['patients', 'search', 'dupont', '--json', '--data-dir', dataDir], found.io)).toBe(0);
    expect((JSON.parse(found.out.join('')) as { results: Array<{ birthName: string }> }).results.map((r) => r.birthName)).toContain('DUPONT');
    // Each import runs in the host's worker thread, started from the TypeScript sources here.
  }, 120_000);

  it('refuses a file with an invalid line, names the line, and imports nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-patients-'));
    const file = join(dataDir, 'export.csv');
    writeFileSync(file, 'Nom;Prénoms;Né le;Sexe\nMARTIN;PAUL;01/02/1980;M\nDURAND;ANNE;31/02/1990;F\n');
    const out = capture();
    expect(await main(['patients', 'import', file, '--data-dir', dataDir], out.io)).toBe(1);
    const text = out.out.join('\n');
    expect(text).toContain('ligne 3');
    expect(text).toContain("Rien n'a été importé");
    const search = capture();
    await main(['patients', 'search', 'martin', '--json', '--data-dir', dataDir], search.io);
    const results = (JSON.parse(search.out.join('')) as { results: Array<{ firstGivenName: string }> }).results;
    // The demo base has other MARTINs; the file's PAUL MARTIN must not have been created.
    expect(results.map((r) => r.firstGivenName)).not.toContain('PAUL');
  }, 120_000);
});
