/**
 * Sample prescriptions shared by the unit, conformance and bench code (test data, fictitious
 * people). Codes are real BDPM codes (public facts): DOLIPRANE 1000 mg comprimé (CIS 60234100,
 * CIP13 3400935955838), AMOXICILLINE SANDOZ 1 g comprimé dispersible (CIS 64672103), LPP 1215702
 * (lit médical, from the official eP-MED-DM example).
 */
import type { DeviceLine, MedicationLine, Prescription } from './model';

export const SAMPLE_NUMBER = '01S2TBPZ2JCNZZYGHZ';

export function sampleMedications(): MedicationLine[] {
  return [
    {
      kind: 'medication',
      id: 'B5C9C1A0-6E0B-4C49-9B8E-7A1C2D3E4F01',
      name: 'DOLIPRANE 1000 mg, comprimé',
      codes: [
        { code: '60234100', codeSystem: '1.2.250.1.213.2.3.1', system: 'CIS', displayName: 'DOLIPRANE 1000 mg, comprimé' },
        { code: '3400935955838', codeSystem: '1.2.250.1.213.2.3.2', system: 'CIP', displayName: 'plaquette(s) thermoformée(s) PVC-Aluminium de 8 comprimé(s)' },
      ],
      posology: {
        kind: 'structured',
        dose: { low: 1, unit: 'comprimé' },
        frequency: { times: 3, per: 'jour' },
        duration: { value: 5, unit: 'jour' },
        route: '20053000',
        asNeeded: { condition: 'si douleur ou fièvre' },
        maxPerDay: { value: 3, unit: 'comprimé' },
      },
      boxes: 2,
      renewals: 0,
      substitution: { allowed: true },
      ald: false,
      patientInstructions: 'Respecter 6 heures entre deux prises.',
    },
    {
      kind: 'medication',
      id: 'B5C9C1A0-6E0B-4C49-9B8E-7A1C2D3E4F02',
      name: 'AMOXICILLINE SANDOZ 1 g, comprimé dispersible',
      codes: [{ code: '64672103', codeSystem: '1.2.250.1.213.2.3.1', system: 'CIS', displayName: 'AMOXICILLINE SANDOZ 1 g, comprimé dispersible' }],
      posology: { kind: 'text', text: '1 comprimé matin et soir pendant 6 jours, à disperser dans un verre d’eau' },
      boxes: 1,
      renewals: 1,
      substitution: { allowed: false, reason: 'MTE' },
      ald: true,
    },
  ];
}

export function sampleDevice(): DeviceLine {
  return {
    kind: 'device',
    id: 'B5C9C1A0-6E0B-4C49-9B8E-7A1C2D3E4F03',
    name: 'Lit médical, lit + 135 kg, forfait de livraison',
    codes: [{ code: '1215702', codeSystem: '1.2.250.1.215.200.2.1', system: 'LPP', displayName: 'lit médical, lit + 135 kg' }],
    quantity: 1,
    renewals: 0,
    ald: false,
    rentalDays: 60,
  };
}

export function samplePrescription(overrides: Partial<Prescription> = {}): Prescription {
  return {
    number: SAMPLE_NUMBER,
    createdAt: '2026-11-30T09:30:00.000Z',
    validFrom: '2026-11-30',
    validUntil: '2027-02-28',
    prescriber: {
      idNat: '899700123450',
      rpps: '99700123450',
      givenName: 'CAMILLE',
      surname: 'PUPITRE',
      profession: { code: '10', label: 'Médecin' },
      specialty: { code: 'SM26', label: 'Qualifié en médecine générale (SM)' },
      amNumber: '751234567',
      structure: { id: '10B9990001', name: 'CABINET MEDICAL PUPITRE DEMO', address: '12 rue des Lilas\n75020 Paris', phone: '01 23 45 67 89' },
    },
    patient: {
      id: 'patient-test-1',
      ins: { matricule: '279035121518989', oid: '1.2.250.1.213.1.4.10' },
      birthName: 'PAT-TROIS',
      firstNames: 'DOMINIQUE MARIE-LOUISE',
      usedName: null,
      usedGivenName: null,
      sex: 'F',
      birthDate: '1979-03-28',
      birthPlaceCode: '51215',
      weightKg: 62,
    },
    lines: [...sampleMedications(), sampleDevice()],
    consent: 'OUI',
    place: 'Paris',
    ...overrides,
  };
}
