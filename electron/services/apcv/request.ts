/**
 * SI ApCV request bodies. Public shapes (cards.md §3: the configuration templates of a public
 * SESAM-Vitale middleware package; verified element by element): hosts `ias.apcv.sesam-vitale.fr`,
 * endpoints `/wssoap/apcv/auth/1/0` (authentication and context) and `/wssoap/apcv/sign/1/0`
 * (signature); SOAP 1.2, WS-Addressing MessageID + Action, wsse:Security with the CPS assertion,
 * ContexteLPS (urn:siram:lps:ctxlps, Version 01_00). Bodies, all with `version="1.0"`:
 * - AuthentifierUtilisateurProximiteReq {ProfessionnelSante {IdentifiantFacturation, CodeSpecialiteAMO}, Donnees}
 * - RestituerContexteApCVReq (empty)
 * - DetruireContexteApCVReq {ContexteApCV {Identifiant}}
 * - SignerVitaleReq {ContexteApCV {Identifiant}, Facture@type {NIRAssure@cle, DonneeFSE | DonneeDRE},
 *   ResumeFacture {ProfessionnelSante {IdentifiantFacturation, IdNatPS, Nom}, Beneficiaire {NomUsage,
 *   NomFamille, Prenom, NIRCertifie@cle, …AMO/AMC}, …prestations}}
 * The AMO/AMC and prestation parts of ResumeFacture are includes of the template whose content is
 * not public: they are passed as given by billing (see sign-vitale.ts), modelled.
 */
import { attr, xmlNamespace, type XmlContent, type XmlElementNode } from '../../platform/xml';

export const APCV_NS = {
  auth: 'http://www.sesam-vitale.fr/apcv/auth/1/0',
  sign: 'http://www.sesam-vitale.fr/apcv/sign/1/0',
} as const;

/** wsa:Action of each operation (public templates). */
export const APCV_ACTIONS = {
  authenticate: 'urn:ApCV_AUTH:1.0.0:authentifierUtilisateurProximite',
  restore: 'urn:ApCV_AUTH:1.0.0:restituerContexteApCV',
  destroy: 'urn:ApCV_AUTH:1.0.0:detruireContexteApCV',
  sign: 'urn:ApCV_SIGN:1.0.0:signerVitale',
} as const;

export type ApcvOperation = keyof typeof APCV_ACTIONS;

/** Path of each operation under the configured base URL (public templates). */
export const APCV_PATHS: Record<ApcvOperation, string> = {
  authenticate: '/wssoap/apcv/auth/1/0',
  restore: '/wssoap/apcv/auth/1/0',
  destroy: '/wssoap/apcv/auth/1/0',
  sign: '/wssoap/apcv/sign/1/0',
};

const auth = xmlNamespace(APCV_NS.auth);
const sign = xmlNamespace(APCV_NS.sign);

export interface ApcvProfessional {
  /** Numéro de facturation with its key (template: Numéro + Clé concatenated). */
  billingNumber: string;
  /** Code spécialité AMO of the professional. */
  specialtyCode: string;
}

export function authentifierUtilisateurProximite(professional: ApcvProfessional, donnees: string): XmlElementNode {
  return auth.el(
    'AuthentifierUtilisateurProximiteReq',
    attr('version', '1.0'),
    auth.el('ProfessionnelSante', auth.el('IdentifiantFacturation', professional.billingNumber), auth.el('CodeSpecialiteAMO', professional.specialtyCode)),
    auth.el('Donnees', donnees),
  );
}

export function restituerContexteApCV(): XmlElementNode {
  return auth.el('RestituerContexteApCVReq', attr('version', '1.0'));
}

export function detruireContexteApCV(contextIdentifier: string): XmlElementNode {
  return auth.el('DetruireContexteApCVReq', attr('version', '1.0'), auth.el('ContexteApCV', auth.el('Identifiant', contextIdentifier)));
}

/** What billing gives to have one invoice signed by the SI ApCV (server-side Vitale signature). */
export interface InvoiceToSign {
  /** Template attribute Facture@type (FSE or DRE; the code values are not public: passed through). */
  type: string;
  /** Insured person's NIR: 13 characters and key. */
  insuredNir: { number: string; key: string };
  /** The invoice hash, as billing computed it (base64 or hex, passed through). */
  hash: { kind: 'FSE' | 'DRE'; value: string };
  summary: InvoiceSummary;
}

export interface InvoiceSummary {
  professional: { billingNumber: string; idNat: string; name: string };
  beneficiary: { usedName: string; birthName: string; givenName: string; certifiedNir: { number: string; key: string } | null };
  /** AMO and AMC parts inside Beneficiaire, built by billing (template includes; content not public). */
  coverage?: XmlContent;
  /** Prestation part after Beneficiaire, built by billing (template include; content not public). */
  services?: XmlContent;
}

export function signerVitale(contextIdentifier: string, invoice: InvoiceToSign): XmlElementNode {
  const s = invoice.summary;
  return sign.el(
    'SignerVitaleReq',
    attr('version', '1.0'),
    sign.el('ContexteApCV', sign.el('Identifiant', contextIdentifier)),
    sign.el(
      'Facture',
      attr('type', invoice.type),
      sign.el('NIRAssure', attr('cle', invoice.insuredNir.key), invoice.insuredNir.number),
      sign.el(invoice.hash.kind === 'FSE' ? 'DonneeFSE' : 'DonneeDRE', invoice.hash.value),
    ),
    sign.el(
      'ResumeFacture',
      sign.el(
        'ProfessionnelSante',
        sign.el('IdentifiantFacturation', s.professional.billingNumber),
        sign.el('IdNatPS', s.professional.idNat),
        sign.el('Nom', s.professional.name),
      ),
      sign.el(
        'Beneficiaire',
        sign.el('NomUsage', s.beneficiary.usedName),
        sign.el('NomFamille', s.beneficiary.birthName),
        sign.el('Prenom', s.beneficiary.givenName),
        s.beneficiary.certifiedNir === null ? null : sign.el('NIRCertifie', attr('cle', s.beneficiary.certifiedNir.key), s.beneficiary.certifiedNir.number),
        s.coverage ?? null,
      ),
      s.services ?? null,
    ),
  );
}
