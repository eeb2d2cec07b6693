import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeWindows1252, generateSyntheticPatients, syntheticPatientsCsv } from '../../../fixtures/data/synthetic-patients';
import { projectRoot } from '../../../fixtures/testing/tier';
import { AppError } from '../../contract';
import { createManualClock } from '../../platform/clock';
import { migrate, openDatabase } from '../../platform/db';
import { createMemoryLogger } from '../../platform/log';
import { normalizeTrait } from '../identity';
import { MAX_IMPORT_BYTES, PatientsService, decodeCsvBytes, detectSeparator, patientsMigrations, patientsMigrations2, readCsv, suggestMapping } from '.';

function setup() {
  const db = openDatabase({ path: ':memory:' });
  migrate(db, [...patientsMigrations, ...patientsMigrations2].map((m, i) => ({ ...m, version: i + 1 })));
  const clock = createManualClock(Date.UTC(2026, 10, 22, 9, 0, 0));
  const audit: Array<{ actor: string; patientRef: string | null; action: string; details: Record<string, unknown> }> = [];
  const service = new PatientsService({ db, clock, logger: createMemoryLogger(clock), audit: (e) => audit.push(e), environment: () => 'demo' });
  const count = () => db.prepare('SELECT count(*) FROM patients').pluck().get() as number;
  return { db, service, audit, count };
}

const utf8 = (text: string) => new TextEncoder().encode(text);

const MAPPING = {
  'N° dossier': 'externalId',
  Nom: 'usedName',
  'Nom de naissance': 'birthName',
  Prénom: 'usedGivenName',
  Prénoms: 'birthGivenNames',
  'Né(e) le': 'birthDate',
  Sexe: 'sex',
  'Lieu de naissance (INSEE)': 'birthPlaceCode',
  'N° sécurité sociale': 'declaredNir',
} as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? error.code : `not-an-AppError: ${String(error)}`;
  }
  return undefined;
}

async function codeOfAsync(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    return error instanceof AppError ? error.code : `not-an-AppError: ${String(error)}`;
  }
  return undefined;
}

const rows = (bytes: Uint8Array) => [...readCsv(bytes).rows()].map((r) => ({ line: r.line, cells: r.cells }));

describe('CSV reading', () => {
  it('detects UTF-8 (with or without BOM) and falls back to Windows-1252', () => {
    expect(decodeCsvBytes(utf8('Nom;Prénom\nLÉA;Zoé'))).toEqual({ text: 'Nom;Prénom\nLÉA;Zoé', encoding: 'utf-8' });
    expect(decodeCsvBytes(Uint8Array.from([0xef, 0xbb, 0xbf, ...utf8('Nom')]))).toEqual({ text: 'Nom', encoding: 'utf-8' });
    expect(decodeCsvBytes(encodeWindows1252('Nom;Prénom\nCŒUR;Zoé’'))).toEqual({ text: 'Nom;Prénom\nCŒUR;Zoé’', encoding: 'windows-1252' });
  });

  it('detects the separator from the header line, ignoring quoted text', () => {
    expect(detectSeparator('Nom;Prénoms;Date\n')).toBe(';');
    expect(detectSeparator('Nom,Prénoms,Date\n')).toBe(',');
    expect(detectSeparator('"Nom; usage",Prénoms,Date\n')).toBe(',');
  });

  it('reads quoted cells with separators, quotes and line breaks, CRLF, and skips blank lines', () => {
    const table = readCsv(utf8('Nom;Note\r\n"DUPONT; JEAN";"il a dit ""oui""\r\nsur deux lignes"\r\n\r\nMARTIN;x\r\n'));
    expect(table.headers).toEqual(['Nom', 'Note']);
    expect([...table.rows()].map((r) => ({ line: r.line, cells: r.cells }))).toEqual([
      { line: 2, cells: ['DUPONT; JEAN', 'il a dit "oui"\r\nsur deux lignes'] },
      { line: 5, cells: ['MARTIN', 'x'] },
    ]);
  });

  it('round-trips any table written with quoting', () => {
    const cell = fc.string({ unit: fc.constantFrom(...'ab;,"\n é'.split('')), maxLength: 8 });
    fc.assert(
      fc.property(fc.constantFrom(';' as const, ',' as const), fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }), (separator, rows) => {
        const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
        const text = [['A', 'B', 'C'].join(separator), ...rows.map((r) => r.map(quote).join(separator))].join('\r\n');
        const table = readCsv(utf8(text));
        expect(table.separator).toBe(separator);
        const nonBlank = rows.filter((r) => !(r.length === 1 && r[0]?.trim() === ''));
        expect([...table.rows()].map((r) => r.cells)).toEqual(nonBlank);
      }),
    );
  });

  it('suggests a mapping from the usual French export headers', () => {
    const table = readCsv(syntheticPatientsCsv(3));
    expect(suggestMapping(table.headers)).toEqual(MAPPING);
    expect(suggestMapping(['NOM', 'PRENOM', 'DDN', 'SEXE', 'Commentaire'])).toEqual({
      NOM: 'birthName',
      PRENOM: 'birthGivenNames',
      DDN: 'birthDate',
      SEXE: 'sex',
      Commentaire: 'ignore',
    });
  });
});

describe('CSV import', () => {
  it('previews without a mapping: encoding, separator, headers, samples, suggested mapping', () => {
    const { service, audit } = setup();
    const preview = service.importPreview({ bytes: syntheticPatientsCsv(20) }, 'CPE 1');
    expect(preview).toMatchObject({ encoding: 'windows-1252', separator: ';', alreadyImported: false, validation: null, suggestedMapping: MAPPING });
    expect(preview.headers).toHaveLength(9);
    expect(preview.sampleRows).toHaveLength(5);
    expect(audit.at(-1)).toEqual({ actor: 'CPE 1', patientRef: null, action: 'patients.import.preview', details: { lines: 20, validated: false, invalid: null } });
  });

  it('imports a 500-line Windows-1252 export, auditing each created patient', async () => {
    const { service, audit, count } = setup();
    const bytes = syntheticPatientsCsv(500);
    const preview = service.importPreview({ bytes, mapping: MAPPING }, 'CPE 1');
    expect(preview.validation).toMatchObject({ lines: 500, valid: 500, invalid: 0, existing: 0, toCreate: 500, issues: [] });
    const result = await service.importCommit({ bytes, mapping: MAPPING }, 'CPE 1');
    expect(result).toEqual({ importId: 1, alreadyImported: false, created: 500, existing: 0, duplicatesInFile: 0, probableDuplicates: 0 });
    expect(count()).toBe(500);
    expect(audit.filter((e) => e.action === 'patient.create' && e.details.source === 'import')).toHaveLength(500);
    expect(audit.at(-1)).toMatchObject({ action: 'patients.import.commit', details: { importId: 1, created: 500 } });
    // the imported traits are searchable, in INSi form
    const [first] = generateSyntheticPatients(1);
    const found = service.search({ query: `${first?.strictTraits.birthName} ${first?.strictTraits.birthDate}` }, 'CPE 1');
    const stored = normalizeTrait(first?.strictTraits.birthName ?? '', 'birthName');
    expect(found.results.map((r) => r.birthName)).toEqual([stored.ok ? stored.value : 'invalid']);
  });

  it('does not duplicate when the same file is imported again', async () => {
    const { service, count } = setup();
    const bytes = syntheticPatientsCsv(50, { encoding: 'utf-8', separator: ',' });
    await service.importCommit({ bytes, mapping: MAPPING }, 'CPE 1');
    expect(service.importPreview({ bytes }, 'CPE 1').alreadyImported).toBe(true);
    expect(await service.importCommit({ bytes, mapping: MAPPING }, 'CPE 1')).toEqual({ importId: 1, alreadyImported: true, created: 0, existing: 0, duplicatesInFile: 0, probableDuplicates: 0 });
    expect(count()).toBe(50);
  });

  it('creates only the new patients of an overlapping, newer export (natural key per patient)', async () => {
    const { service, count } = setup();
    await service.importCommit({ bytes: syntheticPatientsCsv(30), mapping: MAPPING }, 'CPE 1');
    const larger = syntheticPatientsCsv(40, { eol: '\n' });
    const preview = service.importPreview({ bytes: larger, mapping: MAPPING }, 'CPE 1');
    expect(preview.validation).toMatchObject({ existing: 30, toCreate: 10 });
    expect(await service.importCommit({ bytes: larger, mapping: MAPPING }, 'CPE 1')).toMatchObject({ alreadyImported: false, created: 10, existing: 30 });
    expect(count()).toBe(40);
  });

  it('validates every line with a French reason, and imports nothing when one line is wrong', async () => {
    const { service, count, audit } = setup();
    const text = [
      'Nom de naissance;Prénoms;Date de naissance;Sexe;NIR',
      'DUPONT;Jean;01/02/1950;M;',
      'DUP0NT;Jean;01/02/1950;M;',
      'MARTIN;;31/02/1980;X;',
      'DURAND;Zoé;2001-06-17;F;150026311301',
      'PETIT;Léa;01/01/1990;F',
      'MOREAU;Léo;;M;1500263113017',
      'DUPONT;Jean;01/02/1950;Masculin;',
    ].join('\n');
    const mapping = { 'Nom de naissance': 'birthName', Prénoms: 'birthGivenNames', 'Date de naissance': 'birthDate', Sexe: 'sex', NIR: 'declaredNir' } as const;
    const preview = service.importPreview({ bytes: utf8(text), mapping }, 'CPE 1');
    expect(preview.validation).toMatchObject({ lines: 7, valid: 2, invalid: 5, duplicatesInFile: 1, toCreate: 1, issuesTruncated: false });
    const issues = preview.validation?.issues ?? [];
    expect(issues.map((i) => i.line)).toEqual([3, 4, 5, 6, 7]);
    expect(issues[0]?.reasons).toEqual([
      "Colonne « Nom de naissance » : Le nom de naissance contient un caractère impossible à transmettre à l'INSi : « 0 » (position 4). Seules les lettres, l'espace, l'apostrophe et le trait d'union sont acceptés ; corrigez la saisie.",
    ]);
    expect(issues[1]?.reasons).toEqual([
      'Colonne « Sexe » : sexe « X » non reconnu (attendu M ou F).',
      'Colonne « Prénoms » : La liste des prénoms de naissance est vide : complétez ce champ.',
      "Colonne « Date de naissance » : Ce jour n'existe pas dans le calendrier (date dite lunaire) : saisissez 00 si le jour est inconnu.",
    ]);
    expect(issues[2]?.reasons).toEqual(['Colonne « NIR » : NIR invalide (il doit comporter 13 caractères, éventuellement suivis de la clé).']);
    expect(issues[3]?.reasons).toEqual(['La ligne compte 4 colonnes au lieu de 5 : vérifiez les séparateurs et les guillemets.']);
    expect(issues[4]?.reasons).toEqual(['Colonne « Date de naissance » : date de naissance absente.']);
    expect(await codeOfAsync(() => service.importCommit({ bytes: utf8(text), mapping }, 'CPE 1'))).toBe('PATIENTS_IMPORT_INVALID');
    expect(count()).toBe(0);
    expect(audit.at(-1)).toMatchObject({ action: 'patients.import.refused', details: { reason: 'PATIENTS_IMPORT_INVALID', invalid: 5 } });
  });

  it('refuses an incomplete or inconsistent mapping, and an unreadable file for its real cause', async () => {
    const { service } = setup();
    const bytes = syntheticPatientsCsv(5);
    expect(await codeOfAsync(() => service.importCommit({ bytes, mapping: { Nom: 'birthName' } }, 'CPE 1'))).toBe('PATIENTS_IMPORT_MAPPING_INVALID');
    expect(await codeOfAsync(() => service.importCommit({ bytes, mapping: { ...MAPPING, Nom: 'birthName' } }, 'CPE 1'))).toBe('PATIENTS_IMPORT_MAPPING_INVALID');
    expect(await codeOfAsync(() => service.importCommit({ bytes, mapping: { ...MAPPING, Absente: 'ignore' } }, 'CPE 1'))).toBe('PATIENTS_IMPORT_MAPPING_INVALID');
    expect(codeOf(() => service.importPreview({ bytes: utf8('Nom;"Prénom\nDUPONT;JEAN') }, 'CPE 1'))).toBe('PATIENTS_IMPORT_UNTERMINATED_QUOTE');
    expect(codeOf(() => service.importPreview({ bytes: utf8('  \n') }, 'CPE 1'))).toBe('PATIENTS_IMPORT_EMPTY');
    expect(codeOf(() => service.importPreview({ bytes: utf8(';;\nDUPONT;JEAN;M') }, 'CPE 1'))).toBe('PATIENTS_IMPORT_NO_HEADER');
    expect(codeOf(() => service.importPreview({ bytes: utf8('Nom;Nom\nDUPONT;JEAN') }, 'CPE 1'))).toBe('PATIENTS_IMPORT_DUPLICATE_HEADER');
  });

  it('imports the demo export shipped in fixtures/data', async () => {
    const { service, count } = setup();
    const bytes = readFileSync(`${projectRoot}/fixtures/data/demo-export.csv`);
    const preview = service.importPreview({ bytes }, 'CPE 1');
    expect(preview.encoding).toBe('windows-1252');
    const result = await service.importCommit({ bytes, mapping: preview.suggestedMapping }, 'CPE 1');
    expect(result.created).toBe(count());
    expect(result.created).toBe(25);
  });
});

describe('CSV files as practices really have them (issue 14)', () => {
  const HEADER = ['Nom de naissance', 'Prénoms', 'Date de naissance', 'Sexe', 'N° dossier', 'Nom'];
  const LINES = [HEADER, ['DUPONT', 'Jean', '01/02/1950', 'M', 'D1', 'Dupont'], ['MARTIN', 'Zoé', '17/06/2001', 'F', 'D2', '']];
  const mapping = { 'Nom de naissance': 'birthName', Prénoms: 'birthGivenNames', 'Date de naissance': 'birthDate', Sexe: 'sex', 'N° dossier': 'externalId', Nom: 'usedName' } as const;
  const utf16le = (text: string, bom = true) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
  const utf16be = (text: string) => {
    const le = Buffer.from(text, 'utf16le');
    for (let i = 0; i < le.length; i += 2) [le[i], le[i + 1]] = [le[i + 1] as number, le[i] as number];
    return Buffer.concat([Buffer.from([0xfe, 0xff]), le]);
  };

  it('reads Excel « Texte Unicode »: UTF-16 little-endian with a BOM, tab-separated', async () => {
    const bytes = utf16le(LINES.map((l) => l.join('\t')).join('\r\n'));
    const { service, count } = setup();
    const preview = service.importPreview({ bytes, mapping }, 'CPE 1');
    expect(preview).toMatchObject({ encoding: 'utf-16le', separator: '\t', headers: HEADER, validation: { lines: 2, invalid: 0, toCreate: 2 } });
    expect(await service.importCommit({ bytes, mapping }, 'CPE 1')).toMatchObject({ created: 2 });
    expect(count()).toBe(2);
  });

  it('reads UTF-16 big-endian, and UTF-16 without a BOM, and a tab-separated UTF-8 file', () => {
    const text = LINES.map((l) => l.join('\t')).join('\n');
    expect(readCsv(utf16be(text))).toMatchObject({ encoding: 'utf-16be', separator: '\t', rowCount: 2 });
    expect(readCsv(utf16le(text, false))).toMatchObject({ encoding: 'utf-16le', separator: '\t', rowCount: 2 });
    expect(readCsv(utf8(text))).toMatchObject({ encoding: 'utf-8', separator: '\t', rowCount: 2 });
    expect(rows(utf16le(text))[1]).toEqual({ line: 3, cells: ['MARTIN', 'Zoé', '17/06/2001', 'F', 'D2', ''] });
  });

  it('refuses a spreadsheet or any binary file for what it is, not as a bad CSV', () => {
    const { service } = setup();
    const xlsx = Buffer.concat([Buffer.from('PK\u0003\u0004\u0014\u0000\u0006\u0000', 'latin1'), Buffer.from('[Content_Types].xml'), Buffer.alloc(64)]);
    expect(codeOf(() => service.importPreview({ bytes: xlsx }, 'CPE 1'))).toBe('PATIENTS_IMPORT_NOT_TEXT');
    expect(codeOf(() => service.importPreview({ bytes: Buffer.from('%PDF-1.4\n\u0000\u0001binary', 'latin1') }, 'CPE 1'))).toBe('PATIENTS_IMPORT_NOT_TEXT');
  });

  it('refuses more than 100 000 lines with the size message', () => {
    const { service } = setup();
    const bytes = utf8(`Nom;Prénoms;Date;Sexe\n${'A;B;01/01/2000;M\n'.repeat(100_001)}`);
    expect(bytes.byteLength).toBeLessThan(MAX_IMPORT_BYTES);
    expect(codeOf(() => service.importPreview({ bytes }, 'CPE 1'))).toBe('PATIENTS_IMPORT_TOO_LARGE');
    expect(codeOf(() => service.importPreview({ bytes: new Uint8Array(MAX_IMPORT_BYTES + 1) }, 'CPE 1'))).toBe('PATIENTS_IMPORT_TOO_LARGE');
  });

  it('refuses cells that start like a spreadsheet formula, are too long or hold a control character', async () => {
    const { service, count } = setup();
    const bad = [
      HEADER.join(';'),
      'DUPONT;Jean;01/02/1950;M;"=HYPERLINK(""http://x"";""y"")";',
      'MARTIN;Zoé;17/06/2001;F;+33 1;',
      'PETIT;Léa;01/01/1990;F;@SUM(A1);',
      'DURAND;Léo;01/01/1990;M;-2+3;',
      `MOREAU;Léo;01/01/1990;M;D9;${'x'.repeat(5_000)}`,
      'ROUX;Léo;01/01/1990;M;D10;Ro\u0001ux',
    ].join('\n');
    const preview = service.importPreview({ bytes: utf8(bad), mapping }, 'CPE 1');
    expect(preview.validation).toMatchObject({ lines: 6, invalid: 6, toCreate: 0 });
    const reasons = preview.validation?.issues.map((i) => i.reasons.join(' ')) ?? [];
    for (const reason of reasons.slice(0, 4)) expect(reason).toContain('formule');
    expect(reasons[4]).toContain('trop longue');
    expect(reasons[5]).toContain('caractère de contrôle');
    expect(await codeOfAsync(() => service.importCommit({ bytes: utf8(bad), mapping }, 'CPE 1'))).toBe('PATIENTS_IMPORT_INVALID');
    expect(count()).toBe(0);
  });

  it('writes in batches, reporting progress and letting other work run between them', async () => {
    const { service, count } = setup();
    const bytes = syntheticPatientsCsv(1_000);
    const phases: string[] = [];
    let turns = 0;
    const result = await service.importCommit({ bytes, mapping: MAPPING }, 'CPE 1', {
      batchSize: 100,
      progress: (p) => phases.push(`${p.phase}:${p.done}`),
      pause: async () => {
        turns += 1;
        // Another writer gets the database between two batches.
        service.create({ strictTraits: { birthName: `AUTRE`, birthGivenNames: 'Paul', birthDate: `01/01/19${String(10 + turns)}`, sex: 'M' } }, 'poste');
      },
    });
    expect(result).toMatchObject({ created: 1_000, alreadyImported: false });
    expect(turns).toBe(10);
    expect(count()).toBe(1_010);
    expect(phases).toContain('writing:100');
    expect(phases).toContain('writing:1000');
  });

  it('completes an import interrupted between two batches when the same file is imported again', async () => {
    const { service, count } = setup();
    const bytes = syntheticPatientsCsv(500);
    await expect(
      service.importCommit({ bytes, mapping: MAPPING }, 'CPE 1', {
        batchSize: 100,
        pause: async () => {
          throw new Error('machine switched off');
        },
      }),
    ).rejects.toThrow('machine switched off');
    expect(count()).toBe(100);
    // Not taken for a finished import:
    expect(service.importPreview({ bytes }, 'CPE 1').alreadyImported).toBe(false);
    expect(await service.importCommit({ bytes, mapping: MAPPING }, 'CPE 1')).toMatchObject({ importId: 1, alreadyImported: false, created: 500, existing: 100 });
    expect(count()).toBe(500);
    expect(service.importPreview({ bytes }, 'CPE 1').alreadyImported).toBe(true);
  });

  it('never stores a value beyond its bound, a control character or a formula, whatever the way in', () => {
    const { service } = setup();
    const strictTraits = { birthName: 'DUPONT', birthGivenNames: 'Jean', birthDate: '01/02/1950', sex: 'M' as const };
    expect(codeOf(() => service.create({ strictTraits, usedTraits: { usedName: 'x'.repeat(5 * 1024 * 1024) } }, 'poste'))).toBe('PATIENT_FIELD_INVALID');
    expect(codeOf(() => service.create({ strictTraits, usedTraits: { usedName: 'Du\u0000pont' } }, 'poste'))).toBe('PATIENT_FIELD_INVALID');
    expect(codeOf(() => service.create({ strictTraits, externalId: '=cmd|"/c calc"!A1' }, 'poste'))).toBe('PATIENT_FIELD_INVALID');
    const { patient } = service.create({ strictTraits, usedTraits: { usedName: 'Dupont-Martin' } }, 'poste');
    expect(codeOf(() => service.update({ id: patient.id, usedTraits: { usedGivenName: '@SUM(A1)' }, reason: 'Correction du prénom usuel' }, 'poste'))).toBe('PATIENT_FIELD_INVALID');
  });
});
