/**
 * ADRi answer. MODELLED as a whole: the response schema of acquerirLesDroits is not public. This
 * adapter reads what the simulator (fixtures/sim/adri) writes and is the one place to change with
 * the specification at hand:
 * `Reponse` (urn:ir:se_req_adr) {CodeRetour (00 found, 01 beneficiary unknown),
 *   BeneficiaireDeSoins {SituationAdministrativeAMO {CodeRegime, CaisseGestionnaire,
 *   CentreGestionnaire, PeriodeDroits {DateDebut, DateFin?}, Exoneration* {Code, Libelle,
 *   DateDebut?, DateFin?}}, Complementaire?}}.
 * Régime labels are the public « code grand régime » values printed on attestations de droits.
 */
import type { Element } from '@xmldom/xmldom';
import { AppError } from '../../contract';
import { childElements, firstChildElement, textOf } from '../../platform/xml';
import { ADRI_NS } from './request';

/** Code grand régime → label (public attestation de droits; codes not listed are shown as « régime NN »). */
export const REGIME_LABELS: Record<string, string> = {
  '01': 'Régime général',
  '02': 'Régime agricole (MSA)',
  '03': 'Travailleurs indépendants',
  '04': 'SNCF',
  '05': 'RATP',
  '06': 'Marins (ENIM)',
  '07': 'Mines (CANSSM)',
  '08': 'Militaires (CNMSS)',
  '10': 'Clercs et employés de notaire (CRPCEN)',
};

export interface AdriAnswer {
  found: boolean;
  regime: string | null;
  caisse: string | null;
  centre: string | null;
  amo: { start: string | null; end: string | null } | null;
  exonerations: Array<{ code: string; label: string; start: string | null; end: string | null }>;
  complementary: string | null;
}

function text(parent: Element, local: string): string | null {
  const element = firstChildElement(parent, ADRI_NS.request, local);
  const value = element === null ? '' : textOf(element).trim();
  return value === '' ? null : value;
}

function date(parent: Element, local: string): string | null {
  const value = text(parent, local);
  if (value === null) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new AppError('TRANSPORT_MALFORMED_RESPONSE', { reason: `adri ${local}` });
  return value;
}

export function parseAdriAnswer(content: Element): AdriAnswer {
  if (content.namespaceURI !== ADRI_NS.request || content.localName !== 'Reponse') throw new AppError('TRANSPORT_MALFORMED_RESPONSE', { reason: 'adri body' });
  const code = text(content, 'CodeRetour');
  const empty: AdriAnswer = { found: false, regime: null, caisse: null, centre: null, amo: null, exonerations: [], complementary: null };
  if (code === '01') return empty;
  if (code !== '00') throw new AppError('TRANSPORT_MALFORMED_RESPONSE', { reason: 'adri code' });
  const beneficiary = firstChildElement(content, ADRI_NS.request, 'BeneficiaireDeSoins');
  const situation = beneficiary === null ? null : firstChildElement(beneficiary, ADRI_NS.request, 'SituationAdministrativeAMO');
  if (beneficiary === null || situation === null) throw new AppError('TRANSPORT_MALFORMED_RESPONSE', { reason: 'adri situation' });
  const period = firstChildElement(situation, ADRI_NS.request, 'PeriodeDroits');
  return {
    found: true,
    regime: text(situation, 'CodeRegime'),
    caisse: text(situation, 'CaisseGestionnaire'),
    centre: text(situation, 'CentreGestionnaire'),
    amo: period === null ? null : { start: date(period, 'DateDebut'), end: date(period, 'DateFin') },
    exonerations: childElements(situation, ADRI_NS.request, 'Exoneration').map((e) => ({
      code: text(e, 'Code') ?? '',
      label: text(e, 'Libelle') ?? 'Exonération',
      start: date(e, 'DateDebut'),
      end: date(e, 'DateFin'),
    })),
    complementary: text(beneficiary, 'Complementaire'),
  };
}

/** Open at the reference date: started (or no start given) and not ended before it. */
export function rightsOpenAt(amo: AdriAnswer['amo'], referenceDate: string): boolean {
  if (amo === null) return false;
  if (amo.start !== null && amo.start > referenceDate) return false;
  return amo.end === null || amo.end >= referenceDate;
}
