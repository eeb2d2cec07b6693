/**
 * The CDA service against the official material (../shared/reference):
 * - the committed value-set JSON is what scripts/generate-value-sets.mjs derives from the official
 *   SVS files;
 * - `extractXdsMetadata` on every official example CDA (cda/examples) and on the CDA documents of
 *   the DMPi examples (TD2.1-DocumentME2.xml and the document part of the TD2.1 MTOM request)
 *   gives the metadata their headers imply; for the DMP example, the coded values agree with the
 *   XDS metadata the official TD2.1 request sends for it;
 * - generated N1 documents validate against CDA_extended.xsd (xmllint) and pass the ANS
 *   Schematron "structuration minimale" (ISO skeleton of cda/schematrons/moteur, Saxon) as the
 *   official N1 example does, with the number of rules that fired; IHE.sch fires no rule on an N1
 *   document (said so, counted as zero), and runs on the official structured VSM where its rules
 *   fire and refuse a broken document.
 *   The first run compiles the Schematrons (structuration minimale: 10 to 35 minutes on a busy
 *   machine), cached in $TMPDIR/pupitre-cda-schematron-cache for the next runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPrerequisites, hasReference, projectRoot, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { buildPdfDocument } from './build';
import { extractXdsMetadata } from './metadata';
import { sampleInput, sequentialOids } from './test-input';
import { HEADER_SCHEMATRONS, hasSaxonJava, runSchematron, runSchematronOnMany, validateCdaXsd, type SchematronFailure, type SchematronResult } from './validation';

/** The XSD runs in-process (libxml2 in WebAssembly): only the reference folder is needed. */
const both: PrerequisiteCheck = hasReference;
const ref = (...parts: string[]): string => join(referenceDir() as string, ...parts);
/** Compiled Schematrons survive between runs (compiling structuration minimale takes minutes). */
const CACHE = join(tmpdir(), 'pupitre-cda-schematron-cache');
/** The Schematron tier runs on Saxon-HE/Java (seconds); SaxonJS alone needs tens of minutes to compile. */
const schematronEngine: PrerequisiteCheck = () => hasReference() ?? (hasSaxonJava() ? null : 'Saxon-HE on Java (Debian: default-jre-headless libsaxonhe-java)');
const SCHEMATRON_TIMEOUT_MS = 5 * 60_000;

interface Expected {
  uniqueId: string;
  typeCode: string;
  classCode: string;
  formatCode: string;
  facility: string;
  practice: string;
  setId?: string;
  version?: number;
  creationTime: string;
  replaces?: string;
  missing?: string[];
  /** IdNat of the one author the header names. */
  author: string;
}

// What each official header implies (read from the files: id, code, effectiveTime converted to
// UTC, healthCareFacility/code, serviceEvent performer's standardIndustryClassCode, setId,
// versionNumber, RPLC parent).
const EXAMPLES: Record<string, Expected> = {
  'DOC_NON_STRUCTURE_CDA-R2-N1.xml': {
    uniqueId: '1.3.6.1.4.1.19376.1.2.20.12345.1.1', typeCode: '11502-2', classCode: '10', formatCode: 'urn:ihe:iti:xds-sd:pdf:2008',
    facility: 'SA07', practice: 'AMBULATOIRE', setId: '1.3.6.1.4.1.19376.1.2.20.12345.1', version: 1, creationTime: '20210401124745',
    author: '801234534765',
  },
  'BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml': {
    uniqueId: '1.2.250.1.213.1.1.1.55.2021.3.1', typeCode: '11502-2', classCode: '10', formatCode: 'urn:ihe:iti:xds-sd:pdf:2008',
    // practiceSettingCode is the performer's (serviceEvent), not the authors' ETABLISSEMENT.
    facility: 'SA25', practice: 'AMBULATOIRE', setId: '1.2.250.1.213.1.1.1.55.2021.3', version: 1, creationTime: '20210104150527',
    author: '801234534765',
  },
  'IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml': {
    uniqueId: '1.2.250.1.213.1.1.1.45.2024.2.1', typeCode: '18748-4', classCode: '31', formatCode: 'urn:ihe:iti:xds-sd:pdf:2008',
    facility: 'SA08', practice: 'AMBULATOIRE', setId: '1.2.250.1.213.1.1.1.45.2024.2', version: 2, creationTime: '20210108101700',
    replaces: '90E1C8EC-F951-4B26-A305-A34848818DD6',
    author: '801234560801',
  },
  'IPS-FR_2024.01.xml': {
    uniqueId: '1.2.250.1.213.1.1.1.51.2024.1.1', typeCode: '60591-5', classCode: '11', formatCode: 'urn:ihe:pcc:ips:2020',
    facility: 'SA04', practice: 'ETABLISSEMENT', setId: '1.2.250.1.213.1.1.1.51.2024.1', version: 2, creationTime: '20240402101700',
    replaces: '8D5E778C-E155-4685-95C6-5FF65A362964',
    author: '801234567897',
  },
  'VSM_1.4_2022.01.xml': {
    uniqueId: '1.2.250.1.213.1.1.1.13.2022.1.1', typeCode: 'SYNTH', classCode: '11', formatCode: 'urn:asip:ci-sis:vsm:2012',
    facility: 'SA04', practice: 'ETABLISSEMENT', setId: '1.2.250.1.213.1.1.1.13.2022.1', version: 1, creationTime: '20200312101700',
    author: '801234567897',
  },
  // Vaccination history: neither its class (ASS_X04) nor its format (ASS_A11) is in the reference
  // folder: reported missing rather than guessed.
  'VAC_2023.01.xml': {
    uniqueId: '1.2.250.1.213.1.1.1.37.2023.1.1', typeCode: '11369-6', classCode: '', formatCode: '',
    facility: 'SA24', practice: 'AMO', setId: '1.2.250.1.213.1.1.1.37.2023.1', version: 1, creationTime: '20210409160000',
    missing: ['classCode', 'formatCode'],
    author: '801234567897',
  },
};

describeWithPrerequisites('conformance', hasReference, 'CDA value sets and metadata against the official examples', () => {
  it('committed value sets are those the generator derives from the official SVS files', () => {
    const run = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'generate-value-sets.mjs'), '--check', referenceDir() as string], { encoding: 'utf8' });
    expect(run.stdout).not.toContain('DIFFÉRENT');
    expect(run.status).toBe(0);
  });

  for (const [file, expected] of Object.entries(EXAMPLES)) {
    it(`derives the metadata its header implies: ${file}`, () => {
      const bytes = readFileSync(ref('cda', 'examples', file));
      const m = extractXdsMetadata(bytes);
      expect(m.uniqueId).toBe(expected.uniqueId);
      expect(m.typeCode.code).toBe(expected.typeCode);
      expect(m.classCode.code).toBe(expected.classCode);
      expect(m.formatCode.code).toBe(expected.formatCode);
      expect(m.healthcareFacilityTypeCode.code).toBe(expected.facility);
      expect(m.practiceSettingCode.code).toBe(expected.practice);
      expect(m.setId).toBe(expected.setId);
      expect(m.versionNumber).toBe(expected.version);
      expect(m.creationTime).toBe(expected.creationTime);
      expect(m.replaces).toBe(expected.replaces);
      expect(m.missing).toEqual(expected.missing);
      // Every official example is about the same test patient (INS-NIR de test).
      expect(m.sourcePatientId).toBe('279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH');
      expect(m.confidentialityCodes.map((c) => c.code)).toEqual(['N']);
      expect(m.languageCode).toBe('fr-FR');
      expect(m.authors.map((a) => a.idNat)).toEqual([expected.author]);
      expect(m.size).toBe(bytes.byteLength);
    });
  }

  it('DMPi TD2.1 document: metadata agree with what the official TD2.1 request sends', () => {
    const standalone = readFileSync(ref('dmp', 'examples', 'TD2.1-DocumentME2.xml'));
    const request = readFileSync(ref('dmp', 'examples', 'TD2.1_-_Alimentation_requete.xml'), 'latin1');
    // The document part of the MTOM request (Content-ID <WS_DMP_TD2.1-DocumentME2.xml>).
    const part = /Content-ID: <WS_DMP_TD2\.1-DocumentME2\.xml>[^\n]*\n(?:[^\n]+\n)*\r?\n([\s\S]*?)\r?\n------=_Part/.exec(request)?.[1];
    expect(part).toBeDefined();
    const fromPart = extractXdsMetadata(Buffer.from(part as string, 'latin1'));
    const m = extractXdsMetadata(standalone);
    expect({ ...fromPart, size: 0, hash: '' }).toEqual({ ...m, size: 0, hash: '' });

    // Values of the ExtrinsicObject "DocumentME2" in the official request.
    expect(m.typeCode).toMatchObject({ code: '27899-4', codeSystem: '2.16.840.1.113883.6.1', displayName: "CR d'acte diagnostique (autre)" });
    expect(m.classCode).toEqual({ code: '10', codeSystem: '1.2.250.1.213.1.1.4.1', displayName: 'Compte rendu' });
    expect(m.formatCode).toEqual({ code: 'urn:ihe:iti:xds-sd:text:2008', codeSystem: '1.3.6.1.4.1.19376.1.2.3', displayName: 'Document à corps non structuré en texte brut' });
    expect(m.confidentialityCodes).toEqual([{ code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' }]);
    expect(m.languageCode).toBe('fr-FR');
    expect(request).toContain(`value="${m.sourcePatientId.replaceAll('&', '&amp;')}^^20100907"`);
    expect(m.authors.map((a) => a.idNat)).toEqual(['899900063480']);
    expect(m.legalAuthenticator?.idNat).toBe('899900063480');
    expect(m.eventCodes).toEqual([{ code: 'BACA008', codeSystem: '1.2.250.1.213.2.5', displayName: 'suture sourcil' }]);
    // The example header has no setId/versionNumber and no practice setting: reported, not guessed.
    expect(m.setId).toBeUndefined();
    expect(m.missing).toEqual(['practiceSettingCode']);
  });
});

describeWithPrerequisites('conformance', both, 'generated CDA N1 documents against CDA_extended.xsd', () => {
  it('a new document, a replacement and a masked one validate', async () => {
    const documents = [
      buildPdfDocument(sampleInput(), sequentialOids()).xml,
      buildPdfDocument(sampleInput({ replaces: { uniqueId: '1.2.250.1.999.7.1', setId: '1.2.250.1.999.7.2', version: 1 }, confidentiality: ['V', 'MASQUE_PS'] }), sequentialOids()).xml,
      buildPdfDocument(sampleInput({ author: { idNat: '899700123450', family: 'DEMO' }, serviceTime: { start: '2026-11-30' } }), sequentialOids()).xml,
    ];
    for (const xml of documents) expect(await validateCdaXsd(xml, referenceDir() as string)).toEqual({ valid: true, errors: [] });
  });

  it('the official examples validate too (the validator accepts what it must)', async () => {
    for (const name of ['DOC_NON_STRUCTURE_CDA-R2-N1.xml', 'VSM_1.4_2022.01.xml', 'IPS-FR_2024.01.xml', 'BIO-CR-BIO_2021.01_CDA-R2-Niveau-1.xml', 'IMG_CR_IMG_2024.01_CDA-R2-Niveau-1.xml', 'VAC_2023.01.xml']) {
      expect({ name, ...(await validateCdaXsd(readFileSync(ref('cda', 'examples', name)), referenceDir() as string)) }).toEqual({ name, valid: true, errors: [] });
    }
  });

  it('an invalid document is reported with the schema error', async () => {
    const xml = buildPdfDocument(sampleInput(), sequentialOids()).xml.replace('<realmCode code="FR"></realmCode>', '<realmCode code="FR"></realmCode><inconnu/>');
    const result = await validateCdaXsd(xml, referenceDir() as string);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toContain('inconnu');
  });
});

describeWithPrerequisites('conformance', schematronEngine, 'generated CDA N1 documents against the ANS Schematrons', () => {
  it(
    'the Schematron pipeline sees the rules fire and reports a broken structured document (IHE.sch on VSM 1.4)',
    () => {
      const reference = referenceDir() as string;
      const vsm = readFileSync(ref('cda', 'examples', 'VSM_1.4_2022.01.xml'), 'utf8');
      const ok = runSchematron(vsm, reference, HEADER_SCHEMATRONS.ihe, CACHE);
      // 44 IHE PCC rule contexts match this structured VSM (sections, entries, substance administrations).
      expect(ok.firedRules).toBe(44);
      expect(ok.failures).toEqual([]);
      expect(ok.valid).toBe(true);
      // PCC: a substanceAdministration must have an id.
      const broken = vsm.replace(/(<substanceAdministration\b[^>]*>(?:\s*<!--[\s\S]*?-->|\s*<templateId[^>]*\/>)*)\s*<id[^>]*\/>/, '$1');
      expect(broken).not.toBe(vsm);
      const report = runSchematron(broken, reference, HEADER_SCHEMATRONS.ihe, CACHE);
      expect(report.valid).toBe(false);
      expect(report.firedRules).toBe(44);
      expect(report.failures).toEqual([expect.objectContaining({ role: 'error', location: expect.stringContaining('substanceAdministration') })]);
    },
    SCHEMATRON_TIMEOUT_MS,
  );

  const errors = (r: SchematronResult): SchematronFailure[] => r.failures.filter((f) => f.role !== 'warning' && f.role !== 'info');
  const variants = (): string[] => [
    buildPdfDocument(sampleInput(), sequentialOids()).xml,
    buildPdfDocument(sampleInput({ replaces: { uniqueId: '1.2.250.1.999.7.1', setId: '1.2.250.1.999.7.2', version: 1 }, confidentiality: ['V', 'MASQUE_PS'] }), sequentialOids()).xml,
    buildPdfDocument(sampleInput({ author: { idNat: '899700123450', family: 'DEMO' }, serviceTime: { start: '2026-11-30' } }), sequentialOids()).xml,
  ];

  const documents = (): string[] => [readFileSync(ref('cda', 'examples', 'DOC_NON_STRUCTURE_CDA-R2-N1.xml'), 'utf8'), ...variants()];

  it(
    `generated N1 documents pass the structuration minimale Schematron (${HEADER_SCHEMATRONS.structurationMinimale}) as the official N1 example does`,
    () => {
      const results = runSchematronOnMany(documents(), referenceDir() as string, HEADER_SCHEMATRONS.structurationMinimale, CACHE);
      // The official N1 example is the yardstick: what it passes, a generated document must pass.
      expect(results.map(errors)).toEqual([[], [], [], []]);
      // Rule contexts matched: the official example (more authors, participants) and the three variants.
      expect(results.map((r) => r.firedRules)).toEqual([159, 72, 76, 69]);
    },
    SCHEMATRON_TIMEOUT_MS,
  );

  it(
    `IHE.sch (${HEADER_SCHEMATRONS.ihe}) fires none of its rules on an N1 document: its rules are for structured bodies, so this pass checks nothing (see the VSM test above for IHE.sch at work)`,
    () => {
      const results = runSchematronOnMany(documents(), referenceDir() as string, HEADER_SCHEMATRONS.ihe, CACHE);
      expect(results.map((r) => r.firedRules)).toEqual([0, 0, 0, 0]);
      expect(results.map((r) => r.failures)).toEqual([[], [], [], []]);
    },
    SCHEMATRON_TIMEOUT_MS,
  );

  it(
    'structuration minimale refuses an INS without its traits (birth place missing)',
    () => {
      const patient = { ...sampleInput().patient };
      delete patient.birthPlaceCode;
      const xml = buildPdfDocument(sampleInput({ patient }), sequentialOids()).xml;
      const report = runSchematron(xml, referenceDir() as string, HEADER_SCHEMATRONS.structurationMinimale, CACHE);
      expect(report.valid).toBe(false);
      expect(errors(report).map((f) => f.message).join('\n')).toContain("Dans le cadre de l'INS");
    },
    SCHEMATRON_TIMEOUT_MS,
  );
});

