import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOSE_UNITS, type DoseUnit, type StructuredPosology } from '../model';
import { durationDays, posologyText } from '../posology';
import { samplePrescription, sampleMedications } from '../../../../fixtures/data/prescriptions';
import { COMMON_ROUTES } from './codes';
import { buildEDispMed } from './edisp-med';
import { buildEpMedDm } from './ep-med-dm';
import { lineKeysOf, readEprescriptionDocument } from './read';

const PDF = Buffer.from('%PDF-1.4\n%test\n');
const PNG = Buffer.from('89504e470d0a1a0a', 'hex');

function build(prescription = samplePrescription()): string {
  return buildEpMedDm({ prescription, pdf: PDF, qrPng: PNG, documentId: '1.2.250.1.999.1.1', setId: '1.2.250.1.999.1', localPatientRoot: '1.2.250.1.999.2' });
}

describe('reading eP-MED-DM documents written here', () => {
  it('gives back every line with its codes, posology, quantity, substitution, renewals and ALD', () => {
    const read = readEprescriptionDocument(build());
    expect(read.kind).toBe('eP-MED-DM');
    expect(read.number).toBe('01S2TBPZ2JCNZZYGHZ');
    expect(read.validity).toEqual({ from: '2026-11-30', until: '2027-02-28' });
    expect(read.author).toMatchObject({ idNat: '899700123450', given: 'CAMILLE', family: 'PUPITRE', code: { code: 'G15_10/SM26' } });
    expect(read.patient).toEqual({ name: 'DOMINIQUE MARIE-LOUISE PAT-TROIS', ins: '279035121518989', birthDate: '1979-03-28' });
    const [doliprane, amoxicilline] = read.medications;
    expect(doliprane).toMatchObject({
      id: 'B5C9C1A0-6E0B-4C49-9B8E-7A1C2D3E4F01',
      name: 'DOLIPRANE 1000 mg, comprimé',
      quantity: { value: 2, unit: '30009000', unitLabel: 'Boîte' },
      substitution: { allowed: true, code: 'G', reason: null },
      renewals: 0,
      ald: false,
    });
    expect(doliprane?.codes.map((c) => [c.system, c.code])).toEqual([
      ['CIS', '60234100'],
      ['CIP', '3400935955838'],
    ]);
    expect(doliprane?.posology.text).toBe(posologyText(sampleMedications()[0]!.posology));
    expect(doliprane?.posology.structured?.route).toEqual({ code: '20053000', displayName: 'Voie orale' });
    expect(amoxicilline).toMatchObject({
      posology: { text: '1 comprimé matin et soir pendant 6 jours, à disperser dans un verre d’eau', structured: null },
      substitution: { allowed: false, code: 'N', reason: 'Non (MTE : marge thérapeutique étroite)' },
      renewals: 1,
      ald: true,
    });
    expect(read.devices).toEqual([
      {
        id: 'B5C9C1A0-6E0B-4C49-9B8E-7A1C2D3E4F03',
        codes: [{ code: '1215702', codeSystem: '1.2.250.1.215.200.2.1', system: 'LPP', displayName: 'lit médical, lit + 135 kg' }],
        name: 'Lit médical, lit + 135 kg, forfait de livraison',
        quantity: 1,
        renewals: 0,
        ald: false,
      },
    ]);
    expect(lineKeysOf(read)).toEqual(samplePrescription().lines.map((l) => l.id));
  });

  it('reads back any structured posology it writes as the same French sentence', () => {
    const units = Object.keys(DOSE_UNITS) as DoseUnit[];
    const posology: fc.Arbitrary<StructuredPosology> = fc.record({
      kind: fc.constant('structured' as const),
      dose: fc
        .tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 8 }), fc.constantFrom(...units))
        .map(([low, extra, unit]) => ({ low: low / 4, ...(extra === 0 ? {} : { high: (low + extra) / 4 }), unit })),
      frequency: fc.oneof(
        fc.record({ times: fc.integer({ min: 1, max: 12 }), per: fc.constantFrom('jour' as const, 'semaine' as const) }),
        fc.record({ everyHours: fc.integer({ min: 1, max: 72 }) }),
      ),
      duration: fc.record({ value: fc.integer({ min: 1, max: 12 }), unit: fc.constantFrom('jour' as const, 'semaine' as const, 'mois' as const) }),
      route: fc.option(fc.constantFrom(...COMMON_ROUTES), { nil: undefined }),
      asNeeded: fc.option(fc.constantFrom('si douleur', 'si fièvre', 'si besoin', 'en cas de crise'), { nil: undefined }).map((c) => (c === undefined ? undefined : { condition: c })),
      maxPerDay: fc.option(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.constantFrom(...units)), { nil: undefined }).map((m) => (m === undefined ? undefined : { value: m[0], unit: m[1] })),
    });
    fc.assert(
      fc.property(posology, (p) => {
        const line = { ...sampleMedications()[0]!, posology: p };
        const read = readEprescriptionDocument(build(samplePrescription({ lines: [line] })));
        const expected = posologyText({ ...p, duration: { value: durationDays(p.duration), unit: 'jour' } });
        expect(read.medications[0]?.posology.text).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('reads an eDISP-MED dispensation: delivered lines, substitution, the prescribed line referred to', () => {
    const p = samplePrescription();
    const [m1, m2] = sampleMedications();
    const xml = buildEDispMed({
      dispensationId: 'A1B2C3D4-0000-4000-8000-000000000001',
      at: '2026-12-01T10:00:00.000Z',
      completeness: 'FFP',
      number: p.number,
      prescriptionDocumentId: '1.2.250.1.999.1.1',
      prescribedAt: p.createdAt,
      prescriber: { idNat: p.prescriber.idNat, givenName: 'CAMILLE', surname: 'PUPITRE', code: null, structure: null },
      pharmacist: { idNat: '899700223300', givenName: 'LUCIE', surname: 'OFFICINE', profession: { code: '21', label: 'Pharmacien' }, specialty: null, structure: { id: '10B9990010', name: 'PHARMACIE' } },
      patient: p.patient,
      items: [
        { lineId: m1!.id, prescribed: { name: m1!.name, codes: m1!.codes, boxes: 2 }, outcome: { kind: 'substituted', cip13: '3400930082157', name: 'PARACETAMOL BIOGARAN 1 g, comprimé' } },
        { lineId: m2!.id, prescribed: { name: m2!.name, codes: m2!.codes, boxes: 1 }, outcome: { kind: 'not-delivered', reason: 'rupture' } },
      ],
      documentId: '1.2.250.1.999.3.1',
      setId: '1.2.250.1.999.3',
      localPatientRoot: '1.2.250.1.999.2',
    });
    const read = readEprescriptionDocument(xml);
    expect(read.kind).toBe('eDISP-MED');
    expect(read.number).toBe(p.number);
    expect(read.medications).toHaveLength(1);
    expect(read.medications[0]).toMatchObject({
      name: 'PARACETAMOL BIOGARAN 1 g, comprimé',
      codes: [{ code: '3400930082157', system: 'CIP' }],
      quantity: { value: 2 },
      substitution: { allowed: true, code: 'G', reason: 'Substitution par un produit générique' },
      prescriptionLineId: m1!.id,
    });
  });

  it('refuses what is not an eP-MED-DM or eDISP-MED document, with a French message', () => {
    const code = (input: string): string => {
      try {
        readEprescriptionDocument(input);
        return 'read';
      } catch (error) {
        return (error as { code: string }).code;
      }
    };
    expect(code('pas du XML')).toBe('ERX_DOCUMENT_UNREADABLE');
    expect(code('<html/>')).toBe('ERX_DOCUMENT_UNREADABLE');
    expect(code('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>')).toBe('ERX_DOCUMENT_UNREADABLE');
    expect(code('<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="11488-4" codeSystem="2.16.840.1.113883.6.1"/></ClinicalDocument>')).toBe('ERX_DOCUMENT_UNREADABLE');
    // A prescription whose body is empty still reads (no lines): nothing is invented.
    expect(readEprescriptionDocument('<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="57833-6" codeSystem="2.16.840.1.113883.6.1"/></ClinicalDocument>')).toMatchObject({ kind: 'eP-MED-DM', medications: [], devices: [] });
  });
});
