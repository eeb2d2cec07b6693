/**
 * INSi responses into typed values (STYLE.md: parse at the edge, the rest never sees XML):
 * - RESULTAT (INSi_RESULTAT_INS.xsd): CR {CodeCR, LibelleCR}, INDIVIDU {INSACTIF, INSHISTO*, TIQ};
 *   CodeCR 00 one identity, 01 none, 02 several (insi.md §1.5);
 * - SOAP 1.2 faults with siram:Erreur details (schema_faultSOAP_V01_01.xsd), mapped to AppErrors
 *   whose French message says what to do (insi.md §1.6).
 * Tolerances taken from the public CNDA fixtures: INSHISTO may be absent, single or repeated; a key
 * that does not match its number is reported (keyValid = false), not refused (TEST_2.08_cas2);
 * DateDeb may be later than DateFin (TEST_2.04_cas2), so the order is not checked.
 */
import type { Element } from '@xmldom/xmldom';
import { AppError, type ErrorCode } from '../../contract';
import type { InsiHistoryEntry, InsiIdentity, InsiIns, InsiResult, InsiTraits } from '../../contract/domains/insi';
import { SoapFaultError, parseEnvelope, sanitizeFaultToken } from '../../platform/soap';
import { childElements, firstChildElement, parseXml, textOf } from '../../platform/xml';
import { computeMatriculeKey, insOidInfo } from '../identity';
import { INSI_NS } from './request';

const NS = INSI_NS.resultat;

function invalid(reason: string): AppError {
  return new AppError('INSI_RESPONSE_INVALID', { reason });
}

function child(parent: Element, local: string): Element | null {
  return firstChildElement(parent, NS, local);
}

function text(parent: Element, local: string): string | null {
  const element = child(parent, local);
  if (element === null) return null;
  const value = textOf(element).trim();
  return value === '' ? null : value;
}

function required(parent: Element, local: string): string {
  const value = text(parent, local);
  if (value === null) throw invalid(`missing-${local}`);
  return value;
}

function readIns(element: Element): InsiIns {
  const id = child(element, 'IdIndividu');
  if (id === null) throw invalid('missing-IdIndividu');
  const number = required(id, 'NumIdentifiant').toUpperCase();
  if (!/^\d{5}(?:\d{2}|2[AB])\d{6}$/.test(number)) throw invalid('bad-NumIdentifiant');
  const key = text(id, 'Cle') ?? '';
  const oid = required(element, 'OID');
  const keyValid = /^\d{2}$/.test(key) && computeMatriculeKey(number) === key;
  return { number, key, keyValid, matricule: `${number}${key}`, oid, kind: insOidInfo(oid)?.kind ?? 'UNKNOWN' };
}

function readTraits(tiq: Element): InsiTraits {
  const prenom = text(tiq, 'Prenom');
  const list = text(tiq, 'ListePrenom') ?? prenom;
  if (list === null) throw invalid('missing-Prenom');
  const sex = required(tiq, 'Sexe');
  if (sex !== 'M' && sex !== 'F') throw invalid('bad-Sexe');
  const birthDate = required(tiq, 'DateNaissance');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) throw invalid('bad-DateNaissance');
  return {
    birthName: required(tiq, 'NomNaissance'),
    birthGivenNames: list,
    // The premier prénom is the first name of the list when Prenom is absent ([EXI ID 10]).
    firstGivenName: prenom ?? (list.split(' ')[0] as string),
    sex,
    birthDate,
    birthPlaceCode: text(tiq, 'LieuNaissance'),
  };
}

/** Reads a RESULTAT element. */
export function parseResultat(resultat: Element): InsiResult {
  if (resultat.namespaceURI !== NS || resultat.localName !== 'RESULTAT') throw invalid('not-RESULTAT');
  const cr = child(resultat, 'CR');
  if (cr === null) throw invalid('missing-CR');
  const code = required(cr, 'CodeCR');
  const label = text(cr, 'LibelleCR') ?? '';
  if (code === '01' || code === '02') return { code, label, identity: null };
  if (code !== '00') throw invalid('unknown-CodeCR');
  const individu = child(resultat, 'INDIVIDU');
  if (individu === null) throw invalid('missing-INDIVIDU');
  const active = child(individu, 'INSACTIF');
  const tiq = child(individu, 'TIQ');
  if (active === null) throw invalid('missing-INSACTIF');
  if (tiq === null) throw invalid('missing-TIQ');
  const history: InsiHistoryEntry[] = childElements(individu, NS, 'INSHISTO').map((h) => ({
    ...readIns(h),
    startDate: text(h, 'DateDeb'),
    endDate: text(h, 'DateFin'),
  }));
  const identity: InsiIdentity = { active: readIns(active), history, traits: readTraits(tiq) };
  return { code: '00', label, identity };
}

/** Parses a whole saved response (a SOAP envelope around RESULTAT, or a bare RESULTAT, or a fault). */
export function parseInsiResponse(xml: string | Uint8Array): InsiResult {
  let envelope;
  try {
    envelope = parseEnvelope(typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml);
  } catch {
    // A RESULTAT saved without its envelope.
    return parseBareResultat(xml);
  }
  if (envelope.fault !== null) throw insiFaultError(new SoapFaultError(envelope.fault));
  if (envelope.content === null) throw invalid('empty-body');
  return parseResultat(envelope.content);
}

function parseBareResultat(xml: string | Uint8Array): InsiResult {
  const doc = parseXmlSafe(xml);
  const root = doc.documentElement;
  if (root === null) throw invalid('empty-document');
  return parseResultat(root);
}

function parseXmlSafe(xml: string | Uint8Array) {
  try {
    return parseXml(xml);
  } catch (cause) {
    throw new AppError('INSI_RESPONSE_INVALID', { reason: 'not-xml' }, { cause });
  }
}

// ---------------------------------------------------------------------------------------------
// Faults

/**
 * What Pupitre keeps of an INSi fault: its codes, sanitised (sanitizeFaultToken). The service's
 * own reason texts (soap:Reason, siram:Erreur's text) are never kept: they can quote the traits
 * of the request — an identity — and they are the teleservice's words, not the next step for the
 * user; the French message comes from the code (issue 14 point 9).
 */
export interface InsiFaultInfo {
  /** soap:Subcode values, outermost first (siram_100…), lower-cased. */
  subcodes: string[];
  /** siram:Erreur/@code (desir_550, insi_102…), lower-cased. */
  detailCode: string | null;
  severity: string | null;
}

const SEVERITIES = new Set(['erreur', 'fatale', 'avertissement', 'information', 'info']);

function severityOf(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const lower = value.trim().toLowerCase();
  return SEVERITIES.has(lower) ? lower : 'non-standard';
}

export function faultInfo(error: SoapFaultError): InsiFaultInfo {
  const erreur = error.fault.detailEntries.find((e) => e.namespaceURI === INSI_NS.siram && e.localName === 'Erreur') ?? null;
  const token = (value: string | null | undefined): string | null => sanitizeFaultToken(value)?.toLowerCase() ?? null;
  return {
    subcodes: error.fault.subcodes.map((s) => token(s.local) ?? 'non-standard'),
    detailCode: token(erreur?.getAttribute('code')),
    // siram:Erreur/@severite (INSi WSDL's fault schema): a word of a short list, nothing else.
    severity: severityOf(erreur?.getAttribute('severite')),
  };
}

/**
 * Maps a fault to the code the desk sees. Known codes (insi.md §1.6): siram_100/desir_550 unknown
 * IDAM; desir_560 insufficient rights (certificate CN not INSI-AUTO/INSI-MANU); desir_1020 and
 * insi_102 (under siram_40) temporarily unavailable / technical error; siram_10 with insi_* field
 * errors (insi_19 « nom de naissance obligatoire »). Anything else is a generic INSi fault.
 */
export function faultCode(info: InsiFaultInfo): ErrorCode {
  const codes = [...info.subcodes, info.detailCode ?? ''];
  if (codes.includes('desir_560')) return 'INSI_RIGHTS_INSUFFICIENT';
  if (codes.includes('desir_550') || codes.includes('siram_100')) return 'INSI_SOFTWARE_NOT_AUTHORIZED';
  if (codes.includes('desir_1020') || codes.includes('insi_102') || codes.includes('siram_40')) return 'INSI_TEMPORARILY_UNAVAILABLE';
  if (codes.includes('siram_10') || (info.detailCode?.startsWith('insi_') ?? false)) return 'INSI_REQUEST_REJECTED';
  return 'INSI_FAULT';
}

/** The AppError for a SOAP fault; details carry codes only (no cause: the fault's DOM stays here). */
export function insiFaultError(error: SoapFaultError): AppError {
  const info = faultInfo(error);
  const details: Record<string, unknown> = { subcodes: info.subcodes, detailCode: info.detailCode, severity: info.severity };
  if (error.httpStatus !== undefined) details.httpStatus = error.httpStatus;
  return new AppError(faultCode(info), details);
}
