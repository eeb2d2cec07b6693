/**
 * SI ApCV answers. MODELLED as a whole: no response of the SI ApCV is public (the templates show
 * requests only). This adapter reads the shape the simulator (fixtures/sim/apcv) writes, in the
 * operations' own namespaces with `…Resp` elements, and is the one place to change when the
 * addendum 8 specification is at hand:
 * - AuthentifierUtilisateurProximiteResp {ContexteApCV {Identifiant, DateExpiration?}}
 * - RestituerContexteApCVResp {ContexteApCV {Identifiant, DateExpiration?}, Assure {NIR@cle,
 *   CodeRegime, CaisseGestionnaire, CentreGestionnaire}, Beneficiaire* {NomFamille, NomUsage?,
 *   Prenom, DateNaissance (AAAAMMJJ, as on the card), RangNaissance, NIRCertifie@cle?, Qualite}}
 * - SignerVitaleResp {Signature (base64)}
 * - faults: soap:Fault with Detail/Erreur@code (codes below, modelled).
 */
import type { Element } from '@xmldom/xmldom';
import { AppError, type ErrorCode } from '../../contract';
import type { Beneficiary } from '../../contract/domains/cards';
import type { SoapFaultError } from '../../platform/soap';
import { childElements, firstChildElement, textOf } from '../../platform/xml';
import { parseVitaleBirthDate, qualityOf, sexOfNir, validNir } from '../cards';
import { APCV_NS } from './request';

export interface AuthenticatedContext {
  identifier: string;
  /** ISO date-time given by the service, when it gives one. */
  expiresAt: string | null;
}

export interface RestoredContext extends AuthenticatedContext {
  coverage: { regime: string | null; caisse: string | null; centre: string | null };
  insuredNir: string;
  beneficiaries: Beneficiary[];
}

function malformed(reason: string): AppError {
  return new AppError('APCV_MALFORMED_RESPONSE', { reason });
}

function child(parent: Element, ns: string, local: string): Element | null {
  return firstChildElement(parent, ns, local);
}

function text(parent: Element, ns: string, local: string): string | null {
  const element = child(parent, ns, local);
  const value = element === null ? '' : textOf(element).trim();
  return value === '' ? null : value;
}

function expect(content: Element, ns: string, local: string): void {
  if (content.namespaceURI !== ns || content.localName !== local) throw malformed(`unexpected ${content.localName}`);
}

function readContext(parent: Element, ns: string): AuthenticatedContext {
  const context = child(parent, ns, 'ContexteApCV');
  const identifier = context === null ? null : text(context, ns, 'Identifiant');
  if (context === null || identifier === null) throw malformed('no context identifier');
  const expiry = text(context, ns, 'DateExpiration');
  if (expiry !== null && Number.isNaN(Date.parse(expiry))) throw malformed('expiry date');
  return { identifier, expiresAt: expiry };
}

export function parseAuthentication(content: Element): AuthenticatedContext {
  expect(content, APCV_NS.auth, 'AuthentifierUtilisateurProximiteResp');
  return readContext(content, APCV_NS.auth);
}

/** NIR element with its key in @cle: 13 characters + key → 15, checked. */
function nirOf(element: Element | null): string | null {
  if (element === null) return null;
  const value = `${textOf(element).trim()}${element.getAttribute('cle') ?? ''}`;
  return validNir(value);
}

export function parseRestoredContext(content: Element): RestoredContext {
  const ns = APCV_NS.auth;
  expect(content, ns, 'RestituerContexteApCVResp');
  const base = readContext(content, ns);
  const assure = child(content, ns, 'Assure');
  if (assure === null) throw malformed('no insured person');
  const insuredNir = nirOf(child(assure, ns, 'NIR'));
  if (insuredNir === null) throw malformed('insured NIR');
  const beneficiaries = childElements(content, ns, 'Beneficiaire').map((b, index): Beneficiary => {
    const surname = text(b, ns, 'NomFamille');
    const givenName = text(b, ns, 'Prenom');
    const birth = text(b, ns, 'DateNaissance');
    if (surname === null || givenName === null || birth === null) throw malformed('beneficiary incomplete');
    let birthDate;
    try {
      birthDate = parseVitaleBirthDate(birth);
    } catch {
      throw malformed('birth date');
    }
    const rank = Number(text(b, ns, 'RangNaissance') ?? '1');
    if (!Number.isInteger(rank) || rank < 1 || rank > 9) throw malformed('birth rank');
    const nir = nirOf(child(b, ns, 'NIRCertifie'));
    return {
      index,
      surname,
      usedName: text(b, ns, 'NomUsage'),
      givenName,
      birthDate,
      birthRank: rank,
      nir,
      insuredNir,
      sex: sexOfNir(nir),
      quality: qualityOf(text(b, ns, 'Qualite') ?? (index === 0 ? '00' : '09')),
    };
  });
  if (beneficiaries.length === 0) throw malformed('no beneficiary');
  return {
    ...base,
    insuredNir,
    coverage: { regime: text(assure, ns, 'CodeRegime'), caisse: text(assure, ns, 'CaisseGestionnaire'), centre: text(assure, ns, 'CentreGestionnaire') },
    beneficiaries,
  };
}

export function parseDestroyed(content: Element): void {
  expect(content, APCV_NS.auth, 'DetruireContexteApCVResp');
}

/** The signature blob billing puts into the FSE (base64 in the answer, bytes here). */
export function parseSignature(content: Element): Uint8Array {
  expect(content, APCV_NS.sign, 'SignerVitaleResp');
  const value = text(content, APCV_NS.sign, 'Signature');
  if (value === null || !/^[A-Za-z0-9+/=\s]+$/.test(value)) throw malformed('signature');
  const bytes = Buffer.from(value.replace(/\s+/g, ''), 'base64');
  if (bytes.byteLength === 0) throw malformed('signature');
  return new Uint8Array(bytes);
}

/** Modelled fault codes (Detail/Erreur@code) and what the desk sees. */
export const APCV_FAULT_CODES: Record<string, ErrorCode> = {
  QR_INCONNU: 'APCV_PAYLOAD_REFUSED',
  CONTEXTE_EXPIRE: 'APCV_CONTEXT_EXPIRED',
  CONTEXTE_INCONNU: 'APCV_CONTEXT_UNKNOWN',
  FACTURE_DEJA_SIGNEE: 'APCV_INVOICE_ALREADY_SIGNED',
  AUTHENTIFICATION: 'APCV_REFUSED',
  INDISPONIBLE: 'APCV_UNAVAILABLE',
};

export function apcvFaultError(error: SoapFaultError): AppError {
  const erreur = error.fault.detailEntries.find((e) => e.localName === 'Erreur') ?? null;
  const detailCode = erreur?.getAttribute('code') ?? null;
  const mapped = detailCode === null ? undefined : APCV_FAULT_CODES[detailCode];
  const code: ErrorCode = mapped ?? (error.fault.code.local === 'Receiver' ? 'APCV_UNAVAILABLE' : 'APCV_REFUSED');
  return new AppError(code, { faultCode: error.fault.code.local, detailCode, serviceReason: error.fault.reason });
}
