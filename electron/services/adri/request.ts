/**
 * ADRi (acquisition des droits intégrée) request. Public shape (cards.md §3; the configuration
 * templates of a public SESAM-Vitale middleware package, verified element by element):
 * - wsa:Action `urn:adr:1.1.0:acquerirLesDroits`, wsa:MessageID; wsse:Security with the CPS
 *   assertion (AssertionCPS2 in the templates; the optional Vitale assertion is not built);
 * - ContexteBAM (urn:siram:bam:ctxbam, Version 01_02, Nature CTXBAM): Id, Temps, Emetteur,
 *   COUVERTURE {GrandRegime, Organisme?, CodeCentre?, ASSURE {Id {Num, Cle}}, BENEFICIAIRE {Nir
 *   {Num, Cle}?, DateNai, Rang}};
 * - ContexteLPS as INSi's;
 * - body `Requete` (urn:ir:se_req_adr): DatedeReference, BeneficiaireDeSoins {NIRcertifie {Num,
 *   Cle}?, DatedeNaissance, SituationAdministrativeAMO {RangdeNaissance}, Assure {NIRassure {Num, Cle}}}.
 * Where the endpoint lives (host and path) is given with the accreditation: not public.
 */
import { attr, xmlNamespace, type XmlElementNode } from '../../platform/xml';

export const ADRI_NS = {
  request: 'urn:ir:se_req_adr',
  ctxBam: 'urn:siram:bam:ctxbam',
} as const;

export const ADRI_ACTION = 'urn:adr:1.1.0:acquerirLesDroits';

const req = xmlNamespace(ADRI_NS.request, 'adr');
const bam = xmlNamespace(ADRI_NS.ctxBam, 'ctxbam');

export interface AdriQuery {
  regime: string | null;
  caisse: string | null;
  centre: string | null;
  insured: { number: string; key: string };
  beneficiary: { number: string; key: string } | null;
  /** As read on the card or in the app: AAAAMMJJ. */
  birthDate: string;
  birthRank: number;
  /** AAAA-MM-JJ. */
  referenceDate: string;
}

export function contexteBamAdri(query: AdriQuery, context: { id: string; at: string; emitter: string }): XmlElementNode {
  return bam.el(
    'ContexteBAM',
    attr('Version', '01_02'),
    attr('Nature', 'CTXBAM'),
    bam.el('Id', context.id),
    bam.el('Temps', context.at),
    bam.el('Emetteur', context.emitter),
    bam.el(
      'COUVERTURE',
      query.regime === null ? null : bam.el('GrandRegime', query.regime),
      query.caisse === null ? null : bam.el('Organisme', query.caisse),
      query.centre === null ? null : bam.el('CodeCentre', query.centre),
      bam.el('ASSURE', bam.el('Id', bam.el('Num', query.insured.number), bam.el('Cle', query.insured.key))),
      bam.el(
        'BENEFICIAIRE',
        query.beneficiary === null ? null : bam.el('Nir', bam.el('Num', query.beneficiary.number), bam.el('Cle', query.beneficiary.key)),
        bam.el('DateNai', query.birthDate),
        bam.el('Rang', query.birthRank),
      ),
    ),
  );
}

export function acquerirLesDroits(query: AdriQuery): XmlElementNode {
  return req.el(
    'Requete',
    req.el('DatedeReference', query.referenceDate),
    req.el(
      'BeneficiaireDeSoins',
      query.beneficiary === null ? null : req.el('NIRcertifie', req.el('Num', query.beneficiary.number), req.el('Cle', query.beneficiary.key)),
      req.el('DatedeNaissance', query.birthDate),
      req.el('SituationAdministrativeAMO', req.el('RangdeNaissance', query.birthRank)),
      req.el('Assure', req.el('NIRassure', req.el('Num', query.insured.number), req.el('Cle', query.insured.key))),
    ),
  );
}
