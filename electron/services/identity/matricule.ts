/**
 * Matricule INS: the NIR (RNIPP/INSEE) or the NIA (SNGI/CNAV, temporary number) — 13 characters
 * followed by a 2-digit key — and the OIDs of the authorities that assign it.
 *
 * Sources (research notes insi.md §2.1):
 * - structure of the NIR: identito-na.fr « NIR et NIA », INSEE;
 * - key = 97 − (N mod 97), Corsica 2A → 19 and 2B → 18 before computing N:
 *   `lsoulier42/healthcare-domain: src/Kernel/ValueObject/Nir.php`, checked against the CNDA
 *   fixtures (`padoa/tlsi-ins: src/ins/fixtures/*.xml`);
 * - OIDs: FR Core `fr-core-patient-ins` identifier systems, ANS « Référentiel INS – liste des OID
 *   des autorités d'affectation des INS ».
 */
import type { Environment } from '../../contract';
import type { MatriculeCheck } from '../../contract/domains/identity';

/** ANS OID list: INS-NIR, INS-NIA, INS-NIR-TEST, INS-NIR-DEMO. */
export const INS_OID = {
  NIR: '1.2.250.1.213.1.4.8',
  NIA: '1.2.250.1.213.1.4.9',
  TEST: '1.2.250.1.213.1.4.10',
  DEMO: '1.2.250.1.213.1.4.11',
} as const;

export type InsOid = (typeof INS_OID)[keyof typeof INS_OID];
export type InsOidKind = keyof typeof INS_OID;

export interface InsOidInfo {
  oid: InsOid;
  kind: InsOidKind;
  label: string;
  /** True for the two production authorities (NIR, NIA); false for the test and demo domains. */
  production: boolean;
}

const OID_INFO: Record<InsOid, InsOidInfo> = {
  [INS_OID.NIR]: { oid: INS_OID.NIR, kind: 'NIR', label: 'INS-NIR (RNIPP)', production: true },
  [INS_OID.NIA]: { oid: INS_OID.NIA, kind: 'NIA', label: 'INS-NIA (numéro d’attente)', production: true },
  [INS_OID.TEST]: { oid: INS_OID.TEST, kind: 'TEST', label: 'INS-NIR de test', production: false },
  [INS_OID.DEMO]: { oid: INS_OID.DEMO, kind: 'DEMO', label: 'INS-NIR de démonstration', production: false },
};

export function insOidInfo(oid: string): InsOidInfo | null {
  return Object.hasOwn(OID_INFO, oid) ? OID_INFO[oid as InsOid] : null;
}

/**
 * Which authorities each environment accepts. The receiving side must never fuse the `.10`/`.11`
 * test domains with production (insi.md §2.1, HL7 v2 / CDA note):
 * - production: only the production authorities `.8` (NIR) and `.9` (NIA);
 * - test: the INSi qualification service returns the production OID `.8` for its test
 *   identities (padoa README, ADRUN ZOE example), so `.8`, `.9` and `.10`;
 * - demo: `.10` and `.11`, and `.9` so that the CNDA NIA case (2.05) can be reproduced; never `.8`,
 *   so that demo data never looks like a production NIR.
 * The patient base also partitions its rows by environment (services/patients).
 */
const ALLOWED_OIDS: Record<Environment, readonly InsOid[]> = {
  production: [INS_OID.NIR, INS_OID.NIA],
  test: [INS_OID.NIR, INS_OID.NIA, INS_OID.TEST],
  demo: [INS_OID.NIA, INS_OID.TEST, INS_OID.DEMO],
};

export type OidEnvironmentCheck =
  | { ok: true; info: InsOidInfo }
  | { ok: false; reason: 'UNKNOWN_OID' | 'NOT_ALLOWED_IN_ENVIRONMENT'; message: string };

/** Tells whether an INS of this OID may be stored or used in this environment. */
export function checkOidForEnvironment(oid: string, environment: Environment): OidEnvironmentCheck {
  const info = insOidInfo(oid);
  if (info === null) return { ok: false, reason: 'UNKNOWN_OID', message: "Cet OID n'est pas celui d'une autorité d'affectation d'INS." };
  if (!ALLOWED_OIDS[environment].includes(info.oid)) {
    return {
      ok: false,
      reason: 'NOT_ALLOWED_IN_ENVIRONMENT',
      message:
        environment === 'production'
          ? 'Un INS de test ou de démonstration ne peut pas être utilisé en production.'
          : environment === 'demo'
            ? 'En mode démo, un INS de production (OID NIR) n’est pas accepté : seuls les INS de test, de démonstration et NIA le sont.'
            : "Un INS de démonstration ne peut pas être utilisé dans l'environnement de test.",
    };
  }
  return { ok: true, info };
}

export function allowedOids(environment: Environment): readonly InsOid[] {
  return ALLOWED_OIDS[environment];
}

export type BirthPlaceKind = 'metropole' | 'corse' | 'outre-mer' | 'etranger';

export interface MatriculeFields {
  /** First digit: 1/2 for a NIR registration, 3/4/7/8 for provisional or NIA registrations. */
  sexDigit: string;
  sex: 'M' | 'F';
  provisional: boolean;
  /** Two last digits of the birth year. */
  yearOfBirth: string;
  /** 1–12, or null when the month code is a special code (20–42, 50–99: month unknown). */
  monthOfBirth: number | null;
  monthCode: string;
  /** Département: 2 characters (01–95, 2A, 2B, 20 before 1976) or 3 digits overseas (97x/98x); 99 abroad. */
  department: string;
  /** Commune: 3 digits, 2 digits overseas; for people born abroad, the INSEE country code. */
  commune: string;
  birthPlaceKind: BirthPlaceKind;
  /** Characters 6–10: the INSEE code of the birth place as encoded in the NIR (commune or 99xxx). */
  birthPlaceCode: string;
  /** Order number of the registration in the birth month and place. */
  order: string;
}

export interface Matricule {
  /** The 13 characters without key, upper-case (2A/2B). */
  number: string;
  key: string;
  /** 15 characters: number + key. */
  value: string;
  fields: MatriculeFields;
}

export type MatriculeErrorReason = 'FORMAT' | 'SEX' | 'MONTH' | 'DEPARTMENT' | 'KEY_MISMATCH' | 'KEY_MISSING';

export type MatriculeParse =
  | { ok: true; matricule: Matricule }
  | { ok: false; reason: MatriculeErrorReason; message: string; expectedKey?: string };

const SHAPE = /^([0-9])([0-9]{2})([0-9]{2})([0-9]{2}|2[AB])([0-9]{3})([0-9]{3})([0-9]{2})?$/;

/** Strips the spaces, dots and hyphens people type between the groups, and upper-cases 2a/2b. */
export function cleanMatriculeInput(input: string): string {
  return input.replace(/[\s.\-_]/g, '').toUpperCase();
}

/**
 * Key of a 13-character NIR/NIA: 97 − (N mod 97), where Corsica's 2A and 2B are read as 19 and 18
 * (Nir.php; equivalent to the INSEE rule "replace the letter by 0 and subtract 1 000 000 / 2 000 000").
 */
export function computeMatriculeKey(number13: string): string {
  const cleaned = cleanMatriculeInput(number13);
  if (!/^[0-9]{5}(?:[0-9]{2}|2[AB])[0-9]{6}$/.test(cleaned)) {
    throw new RangeError('a matricule number has 13 characters: digits, with 2A/2B at positions 6–7');
  }
  const numeric = cleaned.replace(/^(.{5})2A/, '$119').replace(/^(.{5})2B/, '$118');
  // 13 digits stay below 2^53: plain number arithmetic is exact.
  const key = 97 - (Number(numeric) % 97);
  return String(key).padStart(2, '0');
}

/** Parses a 15-character matricule (13 + key); spaces and dots between groups are tolerated. */
export function parseMatricule(input: string, options: { requireKey?: boolean } = {}): MatriculeParse {
  const cleaned = cleanMatriculeInput(input);
  const match = SHAPE.exec(cleaned);
  if (match === null) {
    return {
      ok: false,
      reason: 'FORMAT',
      message: 'Le matricule INS comporte 13 caractères (chiffres, 2A ou 2B pour la Corse) suivis d’une clé de 2 chiffres.',
    };
  }
  const [, sexDigit = '', year = '', monthCode = '', dept2 = '', communeOrRest = '', order = '', key] = match;
  if (!['1', '2', '3', '4', '7', '8'].includes(sexDigit)) {
    return { ok: false, reason: 'SEX', message: 'Le premier chiffre du matricule doit être 1, 2, 3, 4, 7 ou 8.' };
  }
  const monthNumber = Number(monthCode);
  let monthOfBirth: number | null;
  if (monthNumber >= 1 && monthNumber <= 12) monthOfBirth = monthNumber;
  else if ((monthNumber >= 20 && monthNumber <= 42) || monthNumber >= 50) monthOfBirth = null;
  else return { ok: false, reason: 'MONTH', message: 'Le mois de naissance du matricule (positions 4–5) est invalide.' };

  let department: string;
  let commune: string;
  let birthPlaceKind: BirthPlaceKind;
  if (dept2 === '2A' || dept2 === '2B' || dept2 === '20') {
    department = dept2;
    commune = communeOrRest;
    birthPlaceKind = 'corse';
  } else if (dept2 === '97' || dept2 === '98') {
    department = dept2 + communeOrRest.slice(0, 1);
    commune = communeOrRest.slice(1);
    birthPlaceKind = 'outre-mer';
  } else if (dept2 === '99') {
    department = '99';
    commune = communeOrRest;
    birthPlaceKind = 'etranger';
  } else if (dept2 === '00') {
    return { ok: false, reason: 'DEPARTMENT', message: 'Le département de naissance du matricule (positions 6–7) est invalide.' };
  } else {
    department = dept2;
    commune = communeOrRest;
    birthPlaceKind = 'metropole';
  }

  const number = cleaned.slice(0, 13);
  const expectedKey = computeMatriculeKey(number);
  if (key === undefined) {
    if (options.requireKey ?? true) {
      return { ok: false, reason: 'KEY_MISSING', message: 'La clé du matricule (2 derniers chiffres) est manquante.', expectedKey };
    }
  } else if (key !== expectedKey) {
    return {
      ok: false,
      reason: 'KEY_MISMATCH',
      message: 'La clé du matricule ne correspond pas au numéro : vérifiez la saisie.',
      expectedKey,
    };
  }
  const finalKey = key ?? expectedKey;
  return {
    ok: true,
    matricule: {
      number,
      key: finalKey,
      value: number + finalKey,
      fields: {
        sexDigit,
        sex: Number(sexDigit) % 2 === 1 ? 'M' : 'F',
        provisional: sexDigit !== '1' && sexDigit !== '2',
        yearOfBirth: year,
        monthOfBirth,
        monthCode,
        department,
        commune,
        birthPlaceKind,
        birthPlaceCode: number.slice(5, 10),
        order,
      },
    },
  };
}

/** A matricule with its assigning authority: the INS as it travels (matricule + OID, never alone). */
export interface Ins {
  matricule: string;
  oid: InsOid;
}

/** `ins.check`: the matricule's validity and fields, and whether its OID may be used here. */
export function checkIns(input: string, oid: string | undefined, environment: Environment): MatriculeCheck {
  const parsed = parseMatricule(input);
  if (!parsed.ok) return { valid: false, reason: parsed.reason, message: parsed.message, expectedKey: parsed.expectedKey ?? null };
  const { sexDigit: _sexDigit, monthCode: _monthCode, ...fields } = parsed.matricule.fields;
  let oidResult: Extract<MatriculeCheck, { valid: true }>['oid'] = null;
  if (oid !== undefined) {
    const info = insOidInfo(oid);
    if (info === null) {
      return { valid: false, reason: 'OID_UNKNOWN', message: "Cet OID n'est pas celui d'une autorité d'affectation d'INS.", expectedKey: null };
    }
    const check = checkOidForEnvironment(oid, environment);
    oidResult = { ...info, allowedHere: check.ok, message: check.ok ? null : check.message };
  }
  return { valid: true, matricule: parsed.matricule.value, key: parsed.matricule.key, fields, oid: oidResult };
}
