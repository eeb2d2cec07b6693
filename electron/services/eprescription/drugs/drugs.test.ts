import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../../fixtures/testing/tier';
import { migrate, openDatabase, type Db } from '../../../platform/db';
import { eprescriptionMigrations } from '../schema';
import { decodeBdpm, parsePresentations, parseSpecialties } from './bdpm';
import { importDrugs } from './import-drugs';
import { genericsOf, presentationByCip13, searchDrugs } from './search-drugs';

const DEMO = join(projectRoot, 'fixtures', 'data', 'bdpm');

function db(): Db {
  const database = openDatabase({ path: ':memory:' });
  migrate(database, eprescriptionMigrations.map((m, i) => ({ version: i + 1, name: m.name, up: m.up })));
  return database;
}

function copyDemo(edit: (name: string, text: Buffer) => Buffer = (_n, b) => b): string {
  const dir = mkdtempSync(join(tmpdir(), 'pupitre-bdpm-'));
  for (const name of ['CIS_bdpm.txt', 'CIS_CIP_bdpm.txt', 'CIS_COMPO_bdpm.txt', 'CIS_GENER_bdpm.txt']) writeFileSync(join(dir, name), edit(name, readFileSync(join(DEMO, name))));
  return dir;
}

describe('BDPM files (ANSM public format)', () => {
  it('decodes each file as it was published: Windows-1252 or UTF-8', () => {
    expect(decodeBdpm(Buffer.from('60234100\tDOLIPRANE 1000 mg, comprim\xe9\n', 'latin1'))).toEqual({ text: '60234100\tDOLIPRANE 1000 mg, comprimé\n', encoding: 'windows-1252' });
    expect(decodeBdpm(Buffer.from('\uFEFF60234100\tcomprimé\n', 'utf8'))).toEqual({ text: '60234100\tcomprimé\n', encoding: 'utf-8' });
  });

  it('reads the demo extract and rejects malformed lines with their line number', () => {
    const specialties = parseSpecialties(readFileSync(join(DEMO, 'CIS_bdpm.txt')));
    expect(specialties.rows).toHaveLength(27);
    expect(specialties.rows.find((s) => s.cis === '60234100')).toEqual({
      cis: '60234100',
      name: 'DOLIPRANE 1000 mg, comprimé',
      form: 'comprimé',
      routes: ['orale'],
      ammStatus: 'Autorisation active',
      commercialised: true,
      holder: 'OPELLA HEALTHCARE FRANCE',
    });
    const broken = parsePresentations(Buffer.from('60234100\t3595583\tplaquette\tPrésentation active\tDéclaration de commercialisation\t02/01/2003\t34009\n6023410\tx\n'));
    expect(broken.rows).toHaveLength(0);
    expect(broken.rejected).toEqual([
      { file: 'CIS_CIP_bdpm.txt', line: 1, reason: 'code CIP13 invalide (13 chiffres attendus)' },
      { file: 'CIS_CIP_bdpm.txt', line: 2, reason: "2 colonnes au lieu d'au moins 7" },
    ]);
  });
});

describe('drug list import and search', () => {
  it('imports the four files, then finds by name, strength, substance and code, marketed first', () => {
    const database = db();
    const report = importDrugs(database, { dir: DEMO, actor: 'test', now: '2026-11-30T09:00:00.000Z' });
    expect(report).toMatchObject({ specialties: 27, presentations: 60, compositions: 42, groups: 9, rejectedCount: 0 });
    expect(searchDrugs(database, 'doli 1000').drugs.map((d) => d.name)).toEqual(['DOLIPRANE 1000 mg, comprimé', 'DOLIPRANE 1000 mg, comprimé effervescent sécable']);
    const byCip = searchDrugs(database, '3400935955838');
    expect(byCip.drugs.map((d) => d.cis)).toEqual(['60234100']);
    expect(byCip.drugs[0]?.substances).toEqual(['PARACÉTAMOL 1000 mg']);
    expect(searchDrugs(database, '60234100').drugs[0]?.presentations.map((p) => p.cip13)).toContain('3400935955838');
    // Accents and case do not matter; the substance (DCI) finds the brand.
    expect(searchDrugs(database, 'LÉVOTHYROXINE').drugs.map((d) => d.name)).toEqual(['LEVOTHYROX 75 microgrammes, comprimé sécable']);
    expect(searchDrugs(database, 'ibuprofène').drugs.every((d) => d.substances.some((s) => s.startsWith('IBUPROF')))).toBe(true);
    // One letter is not a search.
    expect(searchDrugs(database, 'd')).toMatchObject({ drugs: [], total: 0 });
    expect(searchDrugs(database, 'ibuprofene 200').source).toEqual({ importedAt: '2026-11-30T09:00:00.000Z', specialties: 27, presentations: 60 });
  });

  it('lists the generic group of a specialty, princeps first, and finds a presentation by CIP13', () => {
    const database = db();
    importDrugs(database, { dir: DEMO, actor: 'test', now: '2026-11-30T09:00:00.000Z' });
    const group = genericsOf(database, '64672103');
    expect(group[0]?.name).toBe('CLAMOXYL 1 g, comprimé dispersible');
    expect(group.map((d) => d.genericGroup?.id)).toEqual(['150', '150', '150', '150', '150']);
    expect(genericsOf(database, '60234100')).toEqual([]);
    expect(presentationByCip13(database, '3400935955838')?.specialty).toBe('DOLIPRANE 1000 mg, comprimé');
  });

  it('keeps the list in place when an import is refused, and says which file and line', () => {
    const database = db();
    importDrugs(database, { dir: DEMO, actor: 'test', now: '2026-11-30T09:00:00.000Z' });
    const garbled = copyDemo((name, bytes) => (name === 'CIS_CIP_bdpm.txt' ? Buffer.from(bytes.toString('utf8').replace(/\t34009/g, '\tXXXXX')) : bytes));
    expect(() => importDrugs(database, { dir: garbled, actor: 'test', now: '2026-12-01T09:00:00.000Z' })).toThrow(expect.objectContaining({ code: 'DRUGS_IMPORT_INVALID', details: expect.objectContaining({ file: 'CIS_CIP_bdpm.txt', line: 1 }) }));
    expect(searchDrugs(database, 'doliprane').source?.importedAt).toBe('2026-11-30T09:00:00.000Z');
    expect(() => importDrugs(database, { dir: mkdtempSync(join(tmpdir(), 'pupitre-bdpm-empty-')), actor: 'test', now: '2026-12-01T09:00:00.000Z' })).toThrow(
      expect.objectContaining({ code: 'DRUGS_IMPORT_FILES_MISSING' }),
    );
  });

  it('imports without compositions and generic groups (optional files)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pupitre-bdpm-min-'));
    for (const name of ['CIS_bdpm.txt', 'CIS_CIP_bdpm.txt']) writeFileSync(join(dir, name), readFileSync(join(DEMO, name)));
    const database = db();
    expect(importDrugs(database, { dir, actor: 'test', now: '2026-11-30T09:00:00.000Z' })).toMatchObject({ specialties: 27, compositions: 0, groups: 0 });
    expect(searchDrugs(database, 'clamoxyl').drugs[0]?.genericGroup).toBeNull();
  });
});
