/**
 * The ordonnance numérique against the official material:
 * - generated eP-MED-DM documents (structured and free-text posology, with and without devices,
 *   devices only, a patient without qualified INS) and eDISP-MED documents validate against
 *   CDA_extended.xsd (xmllint) and pass the ANS Schematrons of the reference folder
 *   (../shared/reference/cda/schematrons, Saxon-HE as electron/services/cda/validation.ts runs them):
 *   the profile's own (CI-SIS_EP-MED-DM_2024.01.sch, CI-SIS_eDISP-MED_2024.01.sch), structuration
 *   minimale, IHE, the CI-SIS content models, the ANS models and the terminologies — with the
 *   number of rules that fired counted and zero errors asserted; a broken document is refused;
 * - documents written by other software: our own hand-written fixtures
 *   (fixtures/eprescription/foreign/: an eP-MED-DM of a fictitious prescribing software and the
 *   eDISP-MED of a fictitious pharmacy software for it) pass the same XSD and Schematrons, and
 *   `readEprescriptionDocument` gives their lines (tapered dose, magistral preparation named in the
 *   narrative, free-text posology from the « Posologie » column, uncoded device, loose reference);
 * - opt-in, never in CI (it needs the network): the official example documents of the ANS
 *   (ansforge/TestContenuCDA-3-0, ExemplesCDA: eP-MED-DM 2022.01/2023.01/2024.01 structured and
 *   free-text, eDISP-MED 2024.01), with PUPITRE_ANS_EXAMPLES=1 (`npm run test:ans-examples` fetches
 *   them first). They are read where `scripts/fetch-ans-examples.mjs` put them (SHA-256 checked),
 *   never copied into the project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithPrerequisites, hasReference, projectRoot, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { hasXmllint } from '../../../fixtures/testing/xsd';
import { hasSaxonJava, HEADER_SCHEMATRONS, runSchematronOnMany, validateCdaXsd, type SchematronFailure, type SchematronResult } from '../cda';
import { buildEDispMed, type EDispMedInput } from './cda/edisp-med';
import { buildEpMedDm } from './cda/ep-med-dm';
import { lineKeysOf, readEprescriptionDocument } from './cda/read';
import type { Prescription } from './model';
import { renderOrdonnancePdf } from './pdf/ordonnance';
import { qrPng } from './pdf/qr';
import { samplePrescription, sampleDevice, sampleMedications } from '../../../fixtures/data/prescriptions';

const CACHE = join(tmpdir(), 'pupitre-cda-schematron-cache');
const TIMEOUT = 10 * 60_000;
const SCHEMATRONS = {
  epMedDm: 'CI-SIS_EP-MED-DM_2024.01.sch',
  eDispMed: 'CI-SIS_eDISP-MED_2024.01.sch',
  structurationMinimale: HEADER_SCHEMATRONS.structurationMinimale,
  ihe: HEADER_SCHEMATRONS.ihe,
  modelesDeContenus: 'profils/CI-SIS_ModelesDeContenusCDA.sch',
  modelesAns: 'profils/CI-SIS_Modeles_ANS.sch',
  terminologies: 'profils/terminologies/schematron/terminologie.sch',
} as const;

const xsdReady: PrerequisiteCheck = () => hasReference() ?? hasXmllint();
const schematronReady: PrerequisiteCheck = () => hasReference() ?? (hasSaxonJava() ? null : 'Saxon-HE on Java (Debian: default-jre-headless libsaxonhe-java)');

/** Where the official ANS examples are (scripts/fetch-ans-examples.mjs). */
function examplesDir(): string | null {
  const reference = referenceDir();
  const candidates = [process.env.PUPITRE_ANS_EXAMPLES_DIR, reference === null ? undefined : join(reference, 'cda', 'examples'), join(homedir(), '.cache', 'pupitre', 'ans-examples')];
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(join(c, 'eP-MED-DM_2024.01_PosoStruct.xml'))) ?? null;
}
/** The official ANS examples are an opt-in local check (they are downloaded): PUPITRE_ANS_EXAMPLES=1. */
const ansExamplesWanted = process.env.PUPITRE_ANS_EXAMPLES === '1';

/** Documents written by other software, by hand, for these tests (fixtures/eprescription/foreign). */
const FOREIGN = {
  prescription: 'ep-med-dm-ordoval.xml',
  dispensation: 'edisp-med-offivox.xml',
} as const;
const foreign = (name: string): string => readFileSync(join(projectRoot, 'fixtures', 'eprescription', 'foreign', name), 'utf8');

async function epMedDm(prescription: Prescription): Promise<string> {
  const pdf = await renderOrdonnancePdf(prescription, 'A4');
  return buildEpMedDm({ prescription, pdf, qrPng: await qrPng(prescription.number), documentId: '1.2.250.1.999.1.1', setId: '1.2.250.1.999.1', localPatientRoot: '1.2.250.1.999.2' });
}

async function prescriptionVariants(): Promise<Record<string, string>> {
  const [structured, text] = sampleMedications();
  const noIns = { ...samplePrescription().patient, ins: null, weightKg: undefined };
  return {
    'structured + free text + device, weight': await epMedDm(samplePrescription()),
    'structured, no device': await epMedDm(samplePrescription({ lines: [structured!] })),
    'free text, no device, no INS': await epMedDm(samplePrescription({ lines: [text!], patient: noIns })),
    'device only': await epMedDm(samplePrescription({ lines: [sampleDevice()] })),
    'weekly and hourly frequencies, used name': await epMedDm(
      samplePrescription({
        lines: [
          { ...structured!, id: 'A-1', posology: { kind: 'structured', dose: { low: 1, unit: 'comprimé' }, frequency: { times: 1, per: 'semaine' }, duration: { value: 3, unit: 'mois' } } },
          { ...structured!, id: 'A-2', posology: { kind: 'structured', dose: { low: 2, high: 3, unit: 'bouffée' }, frequency: { everyHours: 4 }, duration: { value: 1, unit: 'semaine' }, route: '20020000' } },
        ],
        patient: { ...samplePrescription().patient, usedName: 'MARTIN', usedGivenName: 'DOMINIQUE' },
      }),
    ),
  };
}

function dispensationInput(outcomes: EDispMedInput['items'][number]['outcome'][]): EDispMedInput {
  const p = samplePrescription();
  const meds = sampleMedications();
  return {
    dispensationId: 'A1B2C3D4-0000-4000-8000-000000000001',
    at: '2026-12-01T10:00:00.000Z',
    completeness: 'FFP',
    number: p.number,
    prescriptionDocumentId: '1.2.250.1.999.1.1',
    prescribedAt: p.createdAt,
    prescriber: { idNat: p.prescriber.idNat, givenName: 'CAMILLE', surname: 'PUPITRE', code: { code: 'G15_10/SM26', displayName: 'Médecin - Qualifié en Médecine Générale (SM)' }, structure: { id: '10B9990001', name: 'CABINET' } },
    pharmacist: { idNat: '899700223300', givenName: 'LUCIE', surname: 'OFFICINE', profession: { code: '21', label: 'Pharmacien' }, specialty: null, structure: { id: '10B9990010', name: 'PHARMACIE PUPITRE DEMO' } },
    patient: p.patient,
    items: outcomes.map((outcome, i) => {
      const line = meds[i % meds.length]!;
      return { lineId: line.id, prescribed: { name: line.name, codes: line.codes, boxes: line.boxes ?? null }, outcome };
    }),
    documentId: '1.2.250.1.999.3.1',
    setId: '1.2.250.1.999.3',
    localPatientRoot: '1.2.250.1.999.2',
  };
}

function dispensationVariants(): Record<string, string> {
  return {
    'delivered as prescribed': buildEDispMed({ ...dispensationInput([{ kind: 'delivered' }, { kind: 'delivered' }]), completeness: 'FFC' }),
    'substituted + adapted + not delivered': buildEDispMed(
      dispensationInput([
        { kind: 'substituted', cip13: '3400930082157', name: 'AMOXICILLINE ALMUS 1 g, comprimé dispersible' },
        { kind: 'adapted', quantity: 2, reason: 'conditionnement' },
        { kind: 'not-delivered', reason: 'rupture de stock' },
      ]),
    ),
    'renewal, no prescription document id': buildEDispMed({ ...dispensationInput([{ kind: 'delivered' }]), completeness: 'RFC', prescriptionDocumentId: null, prescribedAt: null }),
  };
}

const errors = (r: SchematronResult): SchematronFailure[] => r.failures.filter((f) => !['warning', 'warn', 'info', 'information'].includes(f.role));

describeWithPrerequisites('conformance', xsdReady, 'eP-MED-DM and eDISP-MED documents against CDA_extended.xsd', () => {
  it('every generated prescription and dispensation validates', async () => {
    const documents = { ...(await prescriptionVariants()), ...dispensationVariants(), ...Object.fromEntries(Object.values(FOREIGN).map((name) => [name, foreign(name)])) };
    for (const [name, xml] of Object.entries(documents)) expect(await validateCdaXsd(xml, referenceDir() as string), name).toEqual({ valid: true, errors: [] });
  });
});

describeWithPrerequisites('conformance', schematronReady, 'eP-MED-DM and eDISP-MED documents against the ANS Schematrons', () => {
  const check = (documents: Record<string, string>, schematrons: readonly string[], minFired: Partial<Record<string, number>>) => {
    const reference = referenceDir() as string;
    const names = Object.keys(documents);
    for (const schematron of schematrons) {
      const results = runSchematronOnMany(Object.values(documents), reference, schematron, CACHE);
      results.forEach((result, i) => {
        const label = `${names[i]} / ${schematron}`;
        expect(errors(result), label).toEqual([]);
        expect(result.firedRules, label).toBeGreaterThanOrEqual(minFired[schematron] ?? 1);
      });
    }
  };

  it(
    'generated eP-MED-DM documents and another software’s (hand-written fixture): profile, structuration minimale, IHE, CI-SIS models, terminologies — 0 errors',
    async () => {
      check({ ...(await prescriptionVariants()), [FOREIGN.prescription]: foreign(FOREIGN.prescription) }, [SCHEMATRONS.epMedDm, SCHEMATRONS.structurationMinimale, SCHEMATRONS.ihe, SCHEMATRONS.modelesDeContenus, SCHEMATRONS.modelesAns, SCHEMATRONS.terminologies], {
        [SCHEMATRONS.epMedDm]: 3,
        [SCHEMATRONS.structurationMinimale]: 70,
        [SCHEMATRONS.ihe]: 10,
        [SCHEMATRONS.modelesDeContenus]: 10,
      });
    },
    TIMEOUT,
  );

  it(
    'generated eDISP-MED documents and another software’s (hand-written fixture): profile, structuration minimale, IHE, CI-SIS models, terminologies — 0 errors',
    () => {
      check({ ...dispensationVariants(), [FOREIGN.dispensation]: foreign(FOREIGN.dispensation) }, [SCHEMATRONS.eDispMed, SCHEMATRONS.structurationMinimale, SCHEMATRONS.ihe, SCHEMATRONS.modelesDeContenus, SCHEMATRONS.modelesAns, SCHEMATRONS.terminologies], {
        [SCHEMATRONS.eDispMed]: 6,
        [SCHEMATRONS.structurationMinimale]: 70,
        [SCHEMATRONS.ihe]: 5,
        [SCHEMATRONS.modelesDeContenus]: 5,
        // eDISP-MED is built from IHE PHARM DIS templates only: no ANS-specific content model applies
        // (the official eDISP-MED 2024.01 example fires none either), so none is required to fire.
        [SCHEMATRONS.modelesAns]: 0,
      });
    },
    TIMEOUT,
  );

  it(
    'the profile Schematrons refuse a broken document (the rules are seen to bite)',
    async () => {
      const reference = referenceDir() as string;
      const full = (await prescriptionVariants())['structured + free text + device, weight'] as string;
      // Without its FR-Document-PDF-copie section (mandatory since eP-MED-DM 2024.01).
      const noCopy = full.replace(/<component><section><templateId root="1\.2\.250\.1\.213\.1\.1\.2\.243"\/>[\s\S]*?<\/section><\/component>/, '');
      expect(noCopy).not.toBe(full);
      // Without the FR-En-rapport-avec-ALD of the first medication.
      const noAld = full.replace(/<entryRelationship typeCode="COMP"><observation classCode="OBS" moodCode="EVN"><templateId root="1\.3\.6\.1\.4\.1\.19376\.1\.5\.3\.1\.4\.13"\/><templateId root="1\.2\.250\.1\.213\.1\.1\.3\.48"\/><templateId root="1\.2\.250\.1\.213\.1\.1\.3\.48\.13"\/>[\s\S]*?<\/entryRelationship>/, '');
      expect(noAld).not.toBe(full);
      const [copy, ald] = runSchematronOnMany([noCopy, noAld], reference, SCHEMATRONS.epMedDm, CACHE);
      expect(errors(copy!).map((f) => f.message).join('\n')).toContain('FR-Document-PDF-copie');
      expect(errors(ald!).map((f) => f.message).join('\n')).toContain('FR-En-rapport-avec-ALD');
      const dispensed = dispensationVariants()['delivered as prescribed'] as string;
      const wrongCode = dispensed.replace('<code code="60590-7"', '<code code="10160-0"');
      const [result] = runSchematronOnMany([wrongCode], reference, SCHEMATRONS.eDispMed, CACHE);
      expect(result?.valid).toBe(false);
    },
    TIMEOUT,
  );
});

describe('eprescription read: documents written by other software (hand-written fixtures)', () => {
  it('eP-MED-DM of another prescribing software: header, tapered dose, magistral preparation, free-text posology, uncoded device', () => {
    const doc = readEprescriptionDocument(foreign(FOREIGN.prescription));
    expect(doc).toMatchObject({
      kind: 'eP-MED-DM',
      number: '0GT5CM2PXQ8K3RJWZ4',
      documentId: '1.2.250.1.999.77.1^ORD-2026-004512',
      author: { idNat: '810100456782', given: 'Hélène', family: 'VARLIN', code: { code: 'G15_10/SM26' }, organization: { id: '1690012345', name: 'Cabinet du Dr VARLIN' } },
      patient: { ins: '162076912304559', birthDate: '1962-07-14' },
      validity: { from: '2026-11-16', until: '2027-02-15' },
    });
    expect(doc.medications.map((m) => m.id)).toEqual(['1.2.250.1.999.77.3^ORD-2026-004512-L1', '1.2.250.1.999.77.3^ORD-2026-004512-L2', '1.2.250.1.999.77.3^ORD-2026-004512-L3']);
    const [taper, magistral, inhaler] = doc.medications;

    // Tapered dose: two subordinate intakes, written phase 2 first; read in sequenceNumber order.
    expect(taper?.name).toBe('MOPRAL 20 mg, gélule gastro-résistante');
    expect(taper?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['CIS:64103828', 'CIP:3400941859014']);
    expect(taper?.posology.structured?.phases.map((p) => [p.start, p.durationDays, p.times, p.per, p.dose?.low, p.dose?.unit])).toEqual([
      ['2026-11-16', 14, 1, 'jour', 2, '{capsule}'],
      ['2026-11-30', 14, 1, 'jour', 1, '{capsule}'],
    ]);
    expect(taper?.posology.text).toBe('à partir du 16/11/2026 : 2 gélules 1 fois par jour, pendant 14 jours, puis à partir du 30/11/2026 : 1 gélule 1 fois par jour, pendant 14 jours, voie orale');
    expect(taper).toMatchObject({ quantity: { value: 2, unit: '30009000', unitLabel: 'Boîte' }, substitution: { allowed: true, code: 'G' }, renewals: 0, ald: false });

    // Magistral preparation: code and name nullFlavor, the name is the narrative (line breaks read as spaces).
    expect(magistral?.codes).toEqual([]);
    expect(magistral?.name).toBe('Préparation magistrale : acide salicylique 5 g vaseline officinale qsp 100 g');
    // Free-text posology: no `-posologie` content, only the cell of the « Posologie » column of the referenced row.
    expect(magistral?.posology).toEqual({ text: 'Appliquer le soir en couche mince sur les plaques du cuir chevelu, pendant 3 semaines', structured: null });
    expect(magistral?.substitution).toEqual({ allowed: false, code: 'N', reason: 'Non (préparation magistrale)' });
    expect(magistral?.quantity).toEqual({ value: 1, unit: '30015500', unitLabel: 'Récipient' });

    expect(inhaler?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['CIS:60928110', 'CIP:3400949004751']);
    expect(inhaler?.posology).toEqual({ text: '1 à 2 bouffées en cas de gêne respiratoire, sans dépasser 8 bouffées par 24 heures', structured: null });
    expect(inhaler).toMatchObject({ renewals: 2, ald: true });

    // Uncoded device, its text reference `#DM_1` pointing at the narrative ID `dm-1`.
    expect(doc.devices).toEqual([{ id: '1.2.250.1.999.77.3^ORD-2026-004512-D1', codes: [], name: "Chambre d'inhalation pour aérosol-doseur, adulte, avec embout buccal", quantity: 1, renewals: 0, ald: true }]);
    // Every line keeps its own key (entry ids are unique here).
    expect(lineKeysOf(doc)).toEqual([...doc.medications.map((m) => m.id), doc.devices[0]?.id]);
  });

  it('eDISP-MED of another pharmacy software: generic substituted with the tapered dose, magistral preparation, delivered as prescribed, each tied to its prescribed line', () => {
    const prescription = readEprescriptionDocument(foreign(FOREIGN.prescription));
    const doc = readEprescriptionDocument(foreign(FOREIGN.dispensation));
    expect(doc).toMatchObject({ kind: 'eDISP-MED', number: prescription.number, author: { idNat: '810200987655', code: { code: 'G15_21' }, organization: { name: 'Pharmacie de la Guillotière' } }, patient: { ins: '162076912304559' } });
    // Each dispensed line refers to the prescribed line it fulfils, by the prescription's entry id.
    expect(doc.medications.map((m) => m.prescriptionLineId)).toEqual(prescription.medications.map((m) => m.id));
    const [generic, magistral, inhaler] = doc.medications;

    expect(generic?.name).toBe('OMEPRAZOLE BIOGARAN 20 mg, gélule gastro-résistante');
    // CIS on the product, CIP13 of the box from pharm:asContent/containerPackagedMedicine.
    expect(generic?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['CIS:67995040', 'CIP:3400930168400']);
    expect(generic?.substitution).toEqual({ allowed: true, code: 'G', reason: 'Générique délivré à la place du princeps' });
    expect(generic?.quantity).toEqual({ value: 2, unit: '30009000', unitLabel: 'Boîte' });
    expect(generic?.posology.structured?.phases.map((p) => [p.start, p.durationDays, p.dose?.low])).toEqual([
      ['2026-11-17', 14, 2],
      ['2026-12-01', 14, 1],
    ]);
    expect(generic?.posology.text).toBe('à partir du 17/11/2026 : 2 gélules 1 fois par jour, pendant 14 jours, puis à partir du 01/12/2026 : 1 gélule 1 fois par jour, pendant 14 jours, voie orale');

    expect(magistral).toMatchObject({ codes: [], name: 'Préparation magistrale : vaseline salicylée à 5 %, pot de 100 g', quantity: { value: 1, unit: '30015500' }, substitution: null });
    expect(inhaler).toMatchObject({ name: 'VENTOLINE 100 microgrammes/dose, suspension pour inhalation en flacon pressurisé', quantity: { value: 1, unit: '30009000' }, substitution: null });
    expect(inhaler?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['CIS:60928110', 'CIP:3400949004751']);
    expect(doc.devices).toEqual([]);
  });
});

const ansExamplesTitle = 'eprescription read: the official ANS example documents (opt-in: PUPITRE_ANS_EXAMPLES=1, npm run test:ans-examples)';
if (!ansExamplesWanted) process.stderr.write(`\n[conformance] skipped "${ansExamplesTitle}": opt-in local check (downloads the examples), not run in CI\n`);
if (ansExamplesWanted && examplesDir() === null) {
  describe(ansExamplesTitle, () => {
    it('finds the official examples', () => {
      throw new Error('PUPITRE_ANS_EXAMPLES=1 but the official eP-MED-DM/eDISP-MED examples of the ANS were not found: run `node scripts/fetch-ans-examples.mjs` (or set PUPITRE_ANS_EXAMPLES_DIR)');
    });
  });
} else describe.runIf(ansExamplesWanted)(ansExamplesTitle, () => {
  const example = (name: string) => readEprescriptionDocument(readFileSync(join(examplesDir() as string, name)));

  for (const version of ['2024.01', '2023.01', '2022.01']) {
    it(`eP-MED-DM ${version}, structured posology: codes, names (magistral preparation from the narrative), posology, quantities, substitution, devices`, () => {
      const doc = example(`eP-MED-DM_${version}_PosoStruct.xml`);
      expect(doc.kind).toBe('eP-MED-DM');
      expect(doc.number).toBe('01S2TBPZ2JCNZZYGHZ');
      expect(doc.author).toMatchObject({ idNat: '801234567897', given: 'Romain', family: 'PIOU', code: { code: 'G15_10/SM26' } });
      expect(doc.patient?.ins).toBe('279035121518989');
      const [paracetamol, magistral] = doc.medications;
      expect(doc.medications).toHaveLength(2);
      expect(paracetamol?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['CIS:63107752', 'MV:MV00002306', 'CIP:3400933516390']);
      expect(paracetamol?.name).toBe('PARACETAMOL MYLAN 500 mg, comprimé');
      expect(paracetamol?.renewals).toBe(3);
      expect(paracetamol?.quantity).toEqual({ value: 2, unit: '30009000', unitLabel: 'Boîte' });
      expect(paracetamol?.substitution).toEqual({ allowed: false, code: 'N', reason: 'Non (Marge thérapeutique étroite)' });
      expect(paracetamol?.ald).toBe(false);
      // Tapered dose: two subordinate intakes, each 1 tablet, 3 then 2 times a day; route; maximum 4 a day.
      expect(paracetamol?.posology.structured?.phases.map((p) => [p.times, p.per, p.durationDays, p.dose?.low, p.dose?.unit])).toEqual([
        [3, 'jour', 2, 1, '{tablet}'],
        [2, 'jour', 4, 1, '{tablet}'],
      ]);
      expect(paracetamol?.posology.text).toMatch(/^à partir du 01\/12\/20\d\d : 1 comprimé 3 fois par jour, pendant 2 jours, puis à partir du 03\/12\/20\d\d : 1 comprimé 2 fois par jour, pendant 4 jours, voie orale, sans dépasser 4 par jour$/);
      expect(magistral?.codes).toEqual([]);
      expect(magistral?.name).toBe('Préparation magistrale : - 30g de diprosone - 70g de Cérat Frais de Galien');
      expect(magistral?.posology.text).toBe('2 applications/j pendant 6 jours, voie cutanée');
      expect(magistral?.quantity).toEqual({ value: 1, unit: '30067000', unitLabel: 'Tube' });
      expect(doc.devices).toHaveLength(1);
      expect(doc.devices[0]?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['EMDN:V0806', 'LPP:1215702']);
      expect(doc.devices[0]?.name).toBe('Lit médical, lit + 135 kg, forfait de livraison du lit et accessoires [LPP 1215702]');
      expect(doc.devices[0]?.quantity).toBe(1);
    });

    it(`eP-MED-DM ${version}, free-text posology: the posology from the narrative`, () => {
      const doc = example(`eP-MED-DM_${version}_PosoNonStruct.xml`);
      expect(doc.medications.map((m) => [m.name, m.posology.text, m.posology.structured])).toEqual([
        [
          'PARACETAMOL MYLAN 500 mg, comprimé',
          expect.stringMatching(/^1 à 2 comprimés 3 fois\/j à partir du 01\/12\/20\d\d pendant 2 jours puis 1 à 2 comprimés 2 fois\/j à partir du 03\/12\/20\d\d pendant 4 jours$/),
          null,
        ],
        ['Préparation magistrale : - 30g de diprosone - 70g de Cérat Frais de Galien', '2 applications par jour', null],
      ]);
    });
  }

  it('eDISP-MED 2024.01: the dispensed lines, the substitution, the prescribed line referred to', () => {
    const doc = example('eDISP-MED_2024.01.xml');
    expect(doc.kind).toBe('eDISP-MED');
    expect(doc.medications).toHaveLength(2);
    const [generic, magistral] = doc.medications;
    expect(generic?.name).toBe('PARACETAMOL VIATRIS 500 mg, comprimé plaquette(s) thermoformée(s) PVC-aluminium de 16 comprimé(s)');
    expect(generic?.codes.map((c) => `${c.system}:${c.code}`)).toEqual(['CIP:3400933516390']);
    expect(generic?.quantity).toEqual({ value: 2, unit: '30009000', unitLabel: 'Boîte' });
    expect(generic?.substitution).toEqual({ allowed: true, code: 'G', reason: 'Substitution par un produit générique' });
    expect(generic?.prescriptionLineId).toBe('AADC9C14-F1CA-4177-B2C8-A5178D5B3CA0');
    expect(generic?.posology.text).toBe('2 comprimés toutes les 16 heures, pendant 3 jours, voie orale');
    expect(magistral?.name).toBe('Préparation magistrale : - 30g de diprosone - 70g de Cérat Frais de Galien');
    expect(magistral?.quantity).toEqual({ value: 1, unit: '30015500', unitLabel: 'Récipient' });
  });

  describe('the official examples pass the Schematrons our documents are held to (yardstick)', () => {
    it.runIf(hasSaxonJava())(
      'eP-MED-DM 2024.01 and eDISP-MED 2024.01 examples: 0 errors in their profile Schematron',
      () => {
        const reference = referenceDir() as string;
        const dir = examplesDir() as string;
        const prescriptions = ['eP-MED-DM_2024.01_PosoStruct.xml', 'eP-MED-DM_2024.01_PosoNonStruct.xml'].map((n) => readFileSync(join(dir, n), 'utf8').replace(/^\uFEFF/, ''));
        for (const result of runSchematronOnMany(prescriptions, reference, SCHEMATRONS.epMedDm, CACHE)) expect(errors(result)).toEqual([]);
        const [dispensation] = runSchematronOnMany([readFileSync(join(dir, 'eDISP-MED_2024.01.xml'), 'utf8')], reference, SCHEMATRONS.eDispMed, CACHE);
        expect(errors(dispensation!)).toEqual([]);
      },
      TIMEOUT,
    );
  });
});
