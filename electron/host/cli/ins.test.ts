import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from './main';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('pupitre ins / insi', () => {
  it('checks a matricule (key, Corsica) and refuses a wrong key with the expected one', async () => {
    const ok = capture();
    expect(await main(['ins', 'check', '160012B02077713', '--json'], ok.io)).toBe(0);
    expect(JSON.parse(ok.out.join(''))).toMatchObject({ valid: true, key: '13', fields: { birthPlaceKind: 'corse' } });
    const bad = capture();
    expect(await main(['ins', 'check', '1 60 01 2B 020 777 14'], bad.io)).toBe(1);
    expect(bad.out.join('')).toMatch(/Clé attendue : 13/);
  });

  it('normalises traits with the steps shown, and refuses what cannot be transliterated', async () => {
    const out = capture();
    expect(await main(['ins', 'normalize', '--nom', 'd’Æion', '--prenoms', 'Cœur Élise', '--json'], out.io)).toBe(0);
    const json = JSON.parse(out.out.join('')) as { results: Array<{ field: string; value: string }> };
    expect(json.results.map((r) => r.value)).toEqual(["D'AEION", 'COEUR ELISE']);
    const refused = capture();
    expect(await main(['ins', 'normalize', '--nom', 'Ωmega'], refused.io)).toBe(1);
    expect(refused.out.join('')).toMatch(/Nom de naissance : refusé/);
  });

  it('parses a saved INSi response', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-cli-insi-'));
    const file = join(dir, 'reponse.xml');
    writeFileSync(
      file,
      '<S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body><RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR>00</CodeCR><LibelleCR>OK</LibelleCR></CR><INDIVIDU><INSACTIF><IdIndividu><NumIdentifiant>2751263220749</NumIdentifiant><Cle>74</Cle></IdIndividu><OID>1.2.250.1.213.1.4.10</OID></INSACTIF><TIQ><NomNaissance>ADRUN</NomNaissance><Prenom>ZOE</Prenom><Sexe>F</Sexe><DateNaissance>1975-12-31</DateNaissance></TIQ></INDIVIDU></RESULTAT></S:Body></S:Envelope>',
    );
    const out = capture();
    expect(await main(['insi', 'parse', file], out.io)).toBe(0);
    expect(out.out.join('')).toMatch(/INS actif : 275126322074974 \(OID 1\.2\.250\.1\.213\.1\.4\.10, TEST\)/);
  });

  it('searches INSi in démo through the simulator', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pupitre-cli-insi-'));
    const out = capture();
    const code = await main(['insi', 'search', '--nom', 'Tchitchi', '--prenoms', 'Ola Catarina Bella', '--sexe', 'F', '--naissance', '21/06/1936', '--json', '--data-dir', dataDir], out.io);
    expect(code).toBe(0);
    const lookup = JSON.parse(out.out.join('')) as { outcome: string; attempts: Array<{ code: string }>; result: { identity: { active: { matricule: string } } } };
    expect(lookup.outcome).toBe('found');
    expect(lookup.attempts.map((a) => a.code)).toEqual(['01', '00']);
    expect(lookup.result.identity.active.matricule).toBe('236066322083656');
  });
});
