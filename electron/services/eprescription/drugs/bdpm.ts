/**
 * Parser of the ANSM's public drug database files (BDPM, « Base de données publique des
 * médicaments », base-donnees-publique.medicaments.gouv.fr/telechargement.php), in their published
 * tab-separated format (ANSM « Contenu et format des fichiers téléchargeables dans la BDM »):
 *
 * - CIS_bdpm.txt: CIS, dénomination, forme pharmaceutique, voies d'administration (« ; »), statut
 *   administratif de l'AMM, type de procédure, état de commercialisation, date d'AMM, statut BDM,
 *   numéro d'autorisation européenne, titulaire(s), surveillance renforcée;
 * - CIS_CIP_bdpm.txt: CIS, CIP7, libellé de la présentation, statut administratif, état de
 *   commercialisation, date de déclaration, CIP13, agrément aux collectivités, taux de
 *   remboursement, prix (three columns), indications ouvrant droit au remboursement;
 * - CIS_COMPO_bdpm.txt: CIS, élément pharmaceutique, code substance, dénomination de la substance,
 *   dosage, référence de ce dosage, nature du composant (SA substance active / FT fraction
 *   thérapeutique), numéro de liaison SA/FT;
 * - CIS_GENER_bdpm.txt: identifiant du groupe générique, libellé, CIS, type (0 princeps,
 *   1 générique, 2 par complémentarité posologique, 4 générique substituable), numéro de tri.
 *
 * The files have been published in Windows-1252 and in UTF-8 over the years: each file is decoded as
 * UTF-8 when it is valid UTF-8, as Windows-1252 otherwise. Lines whose identifiers are malformed
 * are rejected with their line number (never silently dropped); fields are bounded.
 */

export interface BdpmSpecialty {
  cis: string;
  name: string;
  form: string;
  routes: string[];
  ammStatus: string;
  commercialised: boolean;
  holder: string;
}

export interface BdpmPresentation {
  cis: string;
  cip7: string;
  cip13: string;
  label: string;
  status: string;
  commercialised: boolean;
  reimbursementRate: string;
}

export interface BdpmComposition {
  cis: string;
  substanceCode: string;
  substance: string;
  dosage: string;
  nature: 'SA' | 'FT';
}

export interface BdpmGenericMember {
  groupId: string;
  groupLabel: string;
  cis: string;
  /** 0 princeps, 1 générique, 2 complémentarité posologique, 4 générique substituable. */
  type: number;
}

export interface RejectedLine {
  file: string;
  line: number;
  reason: string;
}

export interface ParsedFile<T> {
  rows: T[];
  rejected: RejectedLine[];
  lines: number;
  encoding: 'utf-8' | 'windows-1252';
}

/** Longest field kept (a presentation's reimbursement indications can be long; names are short). */
const MAX_FIELD = 2000;

export function decodeBdpm(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.replace(/^\uFEFF/, ''), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

function field(columns: readonly string[], index: number): string {
  return (columns[index] ?? '').trim().slice(0, MAX_FIELD);
}

function parseLines<T>(file: string, bytes: Uint8Array, minColumns: number, parse: (columns: string[]) => T | string): ParsedFile<T> {
  const { text, encoding } = decodeBdpm(bytes);
  const rows: T[] = [];
  const rejected: RejectedLine[] = [];
  let lines = 0;
  let lineNumber = 0;
  for (const raw of text.split('\n')) {
    lineNumber += 1;
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    lines += 1;
    const columns = line.split('\t');
    if (columns.length < minColumns) {
      rejected.push({ file, line: lineNumber, reason: `${columns.length} colonnes au lieu d'au moins ${minColumns}` });
      continue;
    }
    const parsed = parse(columns);
    if (typeof parsed === 'string') rejected.push({ file, line: lineNumber, reason: parsed });
    else rows.push(parsed);
  }
  return { rows, rejected, lines, encoding };
}

const CIS = /^\d{8}$/;

export function parseSpecialties(bytes: Uint8Array, file = 'CIS_bdpm.txt'): ParsedFile<BdpmSpecialty> {
  return parseLines(file, bytes, 7, (c) => {
    const cis = field(c, 0);
    if (!CIS.test(cis)) return 'code CIS invalide (8 chiffres attendus)';
    const name = field(c, 1);
    if (name === '') return 'dénomination absente';
    return {
      cis,
      name,
      form: field(c, 2),
      routes: field(c, 3).split(';').map((r) => r.trim()).filter((r) => r !== ''),
      ammStatus: field(c, 4),
      commercialised: field(c, 6).toLowerCase() === 'commercialisée',
      holder: field(c, 10),
    };
  });
}

export function parsePresentations(bytes: Uint8Array, file = 'CIS_CIP_bdpm.txt'): ParsedFile<BdpmPresentation> {
  return parseLines(file, bytes, 7, (c) => {
    const cis = field(c, 0);
    if (!CIS.test(cis)) return 'code CIS invalide (8 chiffres attendus)';
    const cip13 = field(c, 6);
    if (!/^\d{13}$/.test(cip13)) return 'code CIP13 invalide (13 chiffres attendus)';
    const cip7 = field(c, 1);
    return {
      cis,
      cip7: /^\d{7}$/.test(cip7) ? cip7 : '',
      cip13,
      label: field(c, 2),
      status: field(c, 3),
      // « Déclaration de commercialisation » (versus « … d'arrêt de commercialisation »).
      commercialised: /^déclaration de commercialisation/i.test(field(c, 4)),
      reimbursementRate: field(c, 8),
    };
  });
}

export function parseCompositions(bytes: Uint8Array, file = 'CIS_COMPO_bdpm.txt'): ParsedFile<BdpmComposition> {
  return parseLines(file, bytes, 7, (c) => {
    const cis = field(c, 0);
    if (!CIS.test(cis)) return 'code CIS invalide (8 chiffres attendus)';
    const nature = field(c, 6).toUpperCase();
    if (nature !== 'SA' && nature !== 'FT') return 'nature du composant inconnue (SA ou FT attendu)';
    return { cis, substanceCode: field(c, 2), substance: field(c, 3), dosage: field(c, 4), nature };
  });
}

export function parseGenericGroups(bytes: Uint8Array, file = 'CIS_GENER_bdpm.txt'): ParsedFile<BdpmGenericMember> {
  return parseLines(file, bytes, 4, (c) => {
    const groupId = field(c, 0);
    const cis = field(c, 2);
    if (!/^\d+$/.test(groupId)) return 'identifiant de groupe générique invalide';
    if (!CIS.test(cis)) return 'code CIS invalide (8 chiffres attendus)';
    const type = Number(field(c, 3));
    if (![0, 1, 2, 3, 4].includes(type)) return 'type de générique inconnu';
    return { groupId, groupLabel: field(c, 1), cis, type };
  });
}
