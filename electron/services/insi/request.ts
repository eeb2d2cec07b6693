/**
 * INSi request messages (DESIR_ICIR_EXP_1.5.0.wsdl, service ICIR-v1, SOAP 1.2 document/literal):
 * the ContexteLPS and ContexteBAM headers, the RECSANSVITALE body of rechercherInsAvecTraitsIdentite
 * and the RECVITALE body of rechercherInsAvecCarteVitale. Shapes follow the official XSDs
 * (shared/reference/insi/xsd) and the official example WS_INS2_rechercherInsAvecTraitsIdentite_requete
 * (package DMP v02.05.00); element order is the XSD sequence order.
 */
import { attr, xmlNamespace, type XmlContent, type XmlElementNode } from '../../platform/xml';
import { computeMatriculeKey } from '../identity';

export const INSI_NS = {
  recSans: 'http://www.cnamts.fr/INSiRecSans',
  recVit: 'http://www.cnamts.fr/INSiRecVit',
  resultat: 'http://www.cnamts.fr/INSiResultat',
  ctxLps: 'urn:siram:lps:ctxlps',
  ctxBam: 'urn:siram:bam:ctxbam',
  siram: 'urn:siram',
} as const;

/** WSDL soap12:operation soapAction / wsaw:Action of each operation. */
export const INSI_ACTIONS = {
  traits: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite',
  vitale: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale',
} as const;

export type InsiOperation = keyof typeof INSI_ACTIONS;

const recSans = xmlNamespace(INSI_NS.recSans, 'ins');
const recVit = xmlNamespace(INSI_NS.recVit, 'insv');
const ctxLps = xmlNamespace(INSI_NS.ctxLps, 'ctxlps');
const ctxBam = xmlNamespace(INSI_NS.ctxBam, 'ctxbam');

/** What identifies the software to INSi (settings: LPS identity, CNDA authorisation). */
export interface LpsIdentity {
  /** CNDA authorisation number, sent as IDAM (R="4" as in the official example). */
  idam: string;
  name: string;
  version: string;
  /** UUID of this installation. */
  instance: string;
}

export interface ContextInput {
  lps: LpsIdentity;
  /** CPS mode: the card holder's IdNat (the assertion NameID); mTLS mode: the certificate OU. */
  emitter: string;
  /** ISO date-time. */
  at: string;
  /** Identifiers of the two context blocks (UUIDs). */
  lpsId: string;
  bamId: string;
  /** COUVERTURE content of the Vitale operation; empty for a search by traits. */
  coverage?: VitaleCoverage;
}

/** ContexteLPS (ROOT_ctxlps_CTXLPS_V01_00.xsd): Id, Temps, Emetteur, LPS {IDAM, Version, Instance, Nom}. */
export function contexteLps(input: ContextInput): XmlElementNode {
  return ctxLps.el(
    'ContexteLPS',
    attr('Nature', 'CTXLPS'),
    attr('Version', '01_00'),
    ctxLps.el('Id', input.lpsId),
    ctxLps.el('Temps', input.at),
    ctxLps.el('Emetteur', input.emitter),
    ctxLps.el(
      'LPS',
      ctxLps.el('IDAM', attr('R', '4'), input.lps.idam),
      ctxLps.el('Version', input.lps.version),
      ctxLps.el('Instance', input.lps.instance),
      ctxLps.el('Nom', input.lps.name),
    ),
  );
}

export interface VitaleCoverage {
  insured: { number: string; key: string };
  beneficiary: { number: string | null; key: string | null; birthDate: string; rank: number };
}

/** ContexteBAM (ROOT_ctxbam_CTXBAM_V01_02.xsd): Id, Temps, Emetteur, COUVERTURE. */
export function contexteBam(input: ContextInput): XmlElementNode {
  const coverage = input.coverage;
  return ctxBam.el(
    'ContexteBAM',
    attr('Version', '01_02'),
    ctxBam.el('Id', input.bamId),
    ctxBam.el('Temps', input.at),
    ctxBam.el('Emetteur', input.emitter),
    ctxBam.el(
      'COUVERTURE',
      coverage === undefined
        ? null
        : [
            ctxBam.el('ASSURE', ctxBam.el('Id', ctxBam.el('Num', coverage.insured.number), ctxBam.el('Cle', coverage.insured.key))),
            ctxBam.el(
              'BENEFICIAIRE',
              coverage.beneficiary.number === null
                ? null
                : ctxBam.el('Nir', ctxBam.el('Num', coverage.beneficiary.number), coverage.beneficiary.key === null ? null : ctxBam.el('Cle', coverage.beneficiary.key)),
              ctxBam.el('DateNai', coverage.beneficiary.birthDate),
              ctxBam.el('Rang', coverage.beneficiary.rank),
            ),
          ],
    ),
  );
}

/** The traits of one rechercherInsAvecTraitsIdentite call, already in INSi lexical form. */
export interface TraitsQuery {
  birthName: string;
  /** One first name, or the whole list joined with spaces (CNDA strategy). */
  givenNames: string;
  sex: 'M' | 'F';
  /** DateLunaire `AAAA-MM-JJ`, 00 for an unknown month or day. */
  birthDate: string;
  birthPlaceCode: string | null;
}

/** INSi_RECSANS_INS.xsd: NomNaissance, Prenom, Sexe, DateNaissance, LieuNaissance (in that order). */
export function recSansVitale(query: TraitsQuery): XmlElementNode {
  return recSans.el(
    'RECSANSVITALE',
    recSans.el('NomNaissance', query.birthName),
    recSans.el('Prenom', query.givenNames),
    recSans.el('Sexe', query.sex),
    recSans.el('DateNaissance', query.birthDate),
    query.birthPlaceCode === null ? null : recSans.el('LieuNaissance', query.birthPlaceCode),
  );
}

export interface VitaleQuery {
  /** 13-character NIR of the beneficiary, when the card carries it. */
  beneficiaryNumber: string | null;
  insuredNumber: string;
  birthName: string;
  /** DateLunaire `AAAA-MM-JJ`. */
  birthDate: string;
  birthRank: number;
}

function matricule(ns: typeof recVit, number: string): XmlContent {
  return [ns.el('NumIdentifiant', number), ns.el('Cle', keyOf(number))];
}

/** The key of a 13-character number (the card stores the number without it). */
export function keyOf(number: string): string {
  return computeMatriculeKey(number);
}

/** INSi_RECVITALE_INS.xsd: MatriculeIndividu, MatriculeOD, NomNaissance, DateNaissance, RangNaissance. */
export function recVitale(query: VitaleQuery): XmlElementNode {
  return recVit.el(
    'RECVITALE',
    query.beneficiaryNumber === null ? null : recVit.el('MatriculeIndividu', matricule(recVit, query.beneficiaryNumber)),
    recVit.el('MatriculeOD', matricule(recVit, query.insuredNumber)),
    recVit.el('NomNaissance', query.birthName),
    recVit.el('DateNaissance', query.birthDate),
    recVit.el('RangNaissance', String(query.birthRank)),
  );
}
