import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INS_OID, checkIns, checkOidForEnvironment, computeMatriculeKey, insOidInfo, parseMatricule } from '.';

// CNDA/INSi qualification identities whose matricule and key are public in code
// (insi.md §3.1: padoa/tlsi-ins fixtures, CharlieLamatte/SAPA ConformiteTest).
const CNDA_MATRICULES: Array<[string, string, string]> = [
  ['ADRTROIS DOMINIQUE (Corse-du-Sud, 2A)', '297022A020778', '78'],
  ['ADRTROIS TOUSSAINT, CNDA 2.03 cas 2 (Haute-Corse, 2B)', '160012B020777', '13'],
  ['CORSE ANTHONY, CNDA 2.08 cas 1 (2B)', '180032B020401', '23'],
  ['ECETINSI PIERRE-ALAIN, CNDA 2.04', '1090763220834', '89'],
  ['TCHITCHI CATARINA, CNDA 2.07 cas 1', '2360663220836', '56'],
  ['ADRUN ZOE', '2751263220749', '74'],
  ['PROVISOIRE MATRICULE, CNDA 2.05 (NIA)', '1090763220888', '35'],
  ['NESSI MICHELANGELO', '1100863220830', '60'],
];

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));
/** Random well-formed 13-character numbers (sex 1/2, month 01–12, mainland, Corsica, overseas or abroad). */
const matriculeNumber = fc
  .tuple(
    fc.constantFrom('1', '2', '3', '4', '7', '8'),
    digits(2),
    fc.integer({ min: 1, max: 12 }).map((m) => String(m).padStart(2, '0')),
    fc.oneof(fc.integer({ min: 1, max: 95 }).map((d) => String(d).padStart(2, '0')), fc.constantFrom('2A', '2B', '97', '99')),
    digits(6),
  )
  .map((parts) => parts.join(''));

describe('matricule INS key', () => {
  it.each(CNDA_MATRICULES)('computes the key of %s', (_name, number, key) => {
    expect(computeMatriculeKey(number)).toBe(key);
    const parsed = parseMatricule(number + key);
    expect(parsed.ok).toBe(true);
  });

  it('reads 2A as 19 and 2B as 18 (Nir.php, INSEE rule)', () => {
    expect(computeMatriculeKey('297022A020778')).toBe(computeMatriculeKey('2970219020778'));
    expect(computeMatriculeKey('160012B020777')).toBe(computeMatriculeKey('1600118020777'));
  });

  it('rejects the key of CNDA TEST_2.08_cas2 (HERMANN GATIEN 1810363220456/60), which the server sends anyway', () => {
    const parsed = parseMatricule('181036322045660');
    expect(parsed).toMatchObject({ ok: false, reason: 'KEY_MISMATCH' });
    if (!parsed.ok) expect(parsed.expectedKey).toBe(computeMatriculeKey('1810363220456'));
  });

  it('is 97 − (N mod 97): the 15-digit number is a multiple of 97 for mainland numbers', () => {
    fc.assert(
      fc.property(matriculeNumber.filter((n) => !/^.{5}2[AB]/.test(n)), (number) => {
        const key = computeMatriculeKey(number);
        expect(Number(key)).toBeGreaterThanOrEqual(1);
        expect(Number(key)).toBeLessThanOrEqual(97);
        expect((BigInt(number) + BigInt(key)) % 97n).toBe(0n);
      }),
    );
  });

  it('accepts every number with its computed key and detects any single-digit error or adjacent transposition', () => {
    fc.assert(
      fc.property(matriculeNumber, fc.nat(12), fc.integer({ min: 1, max: 9 }), (number, position, delta) => {
        const key = computeMatriculeKey(number);
        expect(parseMatricule(number + key)).toMatchObject({ ok: true, matricule: { value: number + key } });
        const chars = number.split('');
        const original = chars[position] ?? '';
        if (/[0-9]/.test(original) && !(position >= 5 && position <= 6 && /2[AB]/.test(number.slice(5, 7)))) {
          chars[position] = String((Number(original) + delta) % 10);
          const altered = chars.join('');
          if (/^[123478]/.test(altered)) {
            const result = parseMatricule(altered + key);
            if (result.ok) throw new Error(`single-digit change not detected: ${number} → ${altered}`);
          }
        }
        const swap = number.split('');
        const i = Math.min(position, 11);
        const [a, b] = [swap[i] ?? '', swap[i + 1] ?? ''];
        if (a !== b && /[0-9]/.test(a) && /[0-9]/.test(b) && !/2[AB]/.test(number.slice(5, 7)) && (i > 0 || /[123478]/.test(b))) {
          swap[i] = b;
          swap[i + 1] = a;
          const result = parseMatricule(swap.join('') + key);
          if (result.ok) throw new Error(`transposition not detected: ${number}`);
        }
      }),
    );
  });
});

describe('matricule INS fields', () => {
  it('splits a mainland NIR into sex, year, month, département, commune and order (CNDA 2.04)', () => {
    const parsed = parseMatricule('109076322083489');
    expect(parsed).toMatchObject({
      ok: true,
      matricule: {
        number: '1090763220834',
        key: '89',
        fields: {
          sex: 'M',
          provisional: false,
          yearOfBirth: '09',
          monthOfBirth: 7,
          department: '63',
          commune: '220',
          birthPlaceKind: 'metropole',
          birthPlaceCode: '63220',
          order: '834',
        },
      },
    });
  });

  it('reads Corsica, overseas and born-abroad numbers', () => {
    expect(parseMatricule('297022A02077878')).toMatchObject({
      ok: true,
      matricule: { fields: { sex: 'F', department: '2A', commune: '020', birthPlaceKind: 'corse', birthPlaceCode: '2A020' } },
    });
    const overseas = '1850597112345';
    expect(parseMatricule(overseas + computeMatriculeKey(overseas))).toMatchObject({
      ok: true,
      matricule: { fields: { department: '971', commune: '12', birthPlaceKind: 'outre-mer', birthPlaceCode: '97112' } },
    });
    const abroad = '2850599100123';
    expect(parseMatricule(abroad + computeMatriculeKey(abroad))).toMatchObject({
      ok: true,
      matricule: { fields: { department: '99', commune: '100', birthPlaceKind: 'etranger', birthPlaceCode: '99100' } },
    });
  });

  it('marks 3/4/7/8 registrations as provisional and special month codes as unknown months', () => {
    const nia = '7855063220123';
    expect(parseMatricule(nia + computeMatriculeKey(nia))).toMatchObject({
      ok: true,
      matricule: { fields: { sex: 'M', provisional: true, monthOfBirth: null, monthCode: '50' } },
    });
  });

  it('tolerates the spaces and dots people type, and lower-case 2a/2b', () => {
    expect(parseMatricule('1 09 07 63 220 834 89')).toMatchObject({ ok: true, matricule: { value: '109076322083489' } });
    expect(parseMatricule('2.97.02.2a.020.778.78')).toMatchObject({ ok: true, matricule: { value: '297022A02077878' } });
  });

  it('explains what is wrong with a malformed matricule', () => {
    expect(parseMatricule('12345')).toMatchObject({ ok: false, reason: 'FORMAT' });
    expect(parseMatricule('509076322083489')).toMatchObject({ ok: false, reason: 'SEX' });
    expect(parseMatricule('1091363220834' + computeMatriculeKey('1091363220834'))).toMatchObject({ ok: false, reason: 'MONTH' });
    expect(parseMatricule('1090700220834' + computeMatriculeKey('1090700220834'))).toMatchObject({ ok: false, reason: 'DEPARTMENT' });
    expect(parseMatricule('1090763220834')).toMatchObject({ ok: false, reason: 'KEY_MISSING', expectedKey: '89' });
    expect(parseMatricule('1090763220834', { requireKey: false })).toMatchObject({ ok: true, matricule: { key: '89' } });
  });
});

describe('INS OIDs and environments', () => {
  it('knows the four ANS authorities (FR Core fr-core-patient-ins)', () => {
    expect(INS_OID).toEqual({
      NIR: '1.2.250.1.213.1.4.8',
      NIA: '1.2.250.1.213.1.4.9',
      TEST: '1.2.250.1.213.1.4.10',
      DEMO: '1.2.250.1.213.1.4.11',
    });
    expect(insOidInfo('1.2.250.1.213.1.4.9')).toMatchObject({ kind: 'NIA', production: true });
    expect(insOidInfo('1.2.250.1.213.1.4.11')).toMatchObject({ kind: 'DEMO', production: false });
    expect(insOidInfo('1.2.250.1.213.1.4.12')).toBeNull();
  });

  it('never lets a test or demo INS into production', () => {
    expect(checkOidForEnvironment(INS_OID.NIR, 'production')).toMatchObject({ ok: true });
    expect(checkOidForEnvironment(INS_OID.NIA, 'production')).toMatchObject({ ok: true });
    expect(checkOidForEnvironment(INS_OID.TEST, 'production')).toMatchObject({ ok: false, reason: 'NOT_ALLOWED_IN_ENVIRONMENT' });
    expect(checkOidForEnvironment(INS_OID.DEMO, 'production')).toMatchObject({ ok: false, reason: 'NOT_ALLOWED_IN_ENVIRONMENT' });
  });

  it('keeps the production NIR domain out of demo, and accepts .8 in test (qualif INSi returns it)', () => {
    expect(checkOidForEnvironment(INS_OID.NIR, 'demo')).toMatchObject({ ok: false });
    expect(checkOidForEnvironment(INS_OID.NIA, 'demo')).toMatchObject({ ok: true }); // CNDA 2.05
    expect(checkOidForEnvironment(INS_OID.DEMO, 'demo')).toMatchObject({ ok: true });
    expect(checkOidForEnvironment(INS_OID.TEST, 'demo')).toMatchObject({ ok: true });
    expect(checkOidForEnvironment(INS_OID.NIR, 'test')).toMatchObject({ ok: true });
    expect(checkOidForEnvironment(INS_OID.DEMO, 'test')).toMatchObject({ ok: false });
    expect(checkOidForEnvironment('2.16.840.1', 'test')).toMatchObject({ ok: false, reason: 'UNKNOWN_OID' });
  });

  it('answers ins.check with the fields and whether the OID is allowed here', () => {
    expect(checkIns('109076322083489', INS_OID.DEMO, 'production')).toMatchObject({
      valid: true,
      matricule: '109076322083489',
      oid: { kind: 'DEMO', allowedHere: false },
    });
    expect(checkIns('109076322083489', undefined, 'production')).toMatchObject({ valid: true, oid: null });
    expect(checkIns('109076322083400', undefined, 'demo')).toMatchObject({ valid: false, reason: 'KEY_MISMATCH', expectedKey: '89' });
    expect(checkIns('109076322083489', '1.2.3', 'demo')).toMatchObject({ valid: false, reason: 'OID_UNKNOWN' });
  });
});
