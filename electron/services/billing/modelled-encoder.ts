/**
 * Démo encoding of FSEs and lots. MODELLED: the official byte formats (cahier des charges
 * SESAM-Vitale 1.40, norme B2) are distributed under agreement and were not available; this is a
 * JSON document of Pupitre's own, named `pupitre.fse-modele/1` and saying so in every document, so
 * that nobody takes it for the real format. It carries what an FSE must carry (practitioner,
 * beneficiary, organism, acts, shares, securing) so the rest of the workflow is exercised for real.
 */
import { createHash } from 'node:crypto';
import type { FseContent, FseEncoder, LotHeader, SignedFse } from './adapters';

export const MODELLED_FSE_FORMAT = 'pupitre.fse-modele/1';
export const MODELLED_LOT_FORMAT = 'pupitre.lot-modele/1';
export const MODELLED_LOT_CONTENT_TYPE = 'application/vnd.pupitre.lot-modele+json';
const NOTICE = 'Format modélisé par Pupitre (démonstration) : ce n’est pas la norme SESAM-Vitale.';

/** Keys in a fixed order by construction: the same invoice always gives the same bytes. */
function invoiceDocument(content: FseContent): unknown {
  return {
    format: MODELLED_FSE_FORMAT,
    avertissement: NOTICE,
    numero: content.number,
    professionnel: {
      numeroFacturation: content.practitioner.billingNumber,
      idNat: content.practitioner.idNat,
      nom: content.practitioner.name,
      specialite: content.practitioner.specialty,
      secteur: content.practitioner.conventionSector,
    },
    dateSoins: content.careDate,
    securisation: content.securing,
    paiement: content.mode,
    nature: content.coverage,
    beneficiaire: {
      nom: content.beneficiary.surname,
      nomUsage: content.beneficiary.usedName,
      prenom: content.beneficiary.givenName,
      dateNaissance: content.beneficiary.birthDate,
      rang: content.beneficiary.birthRank,
      nir: content.beneficiary.nir,
      nirAssure: content.beneficiary.insuredNir,
    },
    organisme: { regime: content.organism.regime, caisse: content.organism.caisse, centre: content.organism.centre },
    droits: { statut: content.rights.status, motif: content.rights.reason, verifiesLe: content.rights.checkedAt },
    actes: content.lines.map((l) => ({
      code: l.code,
      date: l.date,
      quantite: l.quantity,
      coefficient: l.coefficient,
      prixUnitaire: l.unitPriceCents,
      base: l.baseCents,
      depassement: l.overageCents,
      montant: l.amountCents,
    })),
    montants: {
      total: content.totals.totalCents,
      taux: content.totals.ratePercent,
      amo: content.totals.amoCents,
      patient: content.totals.patientCents,
      participationForfaitaire: content.totals.participationCents,
    },
  };
}

export const modelledEncoder: FseEncoder = {
  format: MODELLED_FSE_FORMAT,
  encodeInvoice(content) {
    return Buffer.from(JSON.stringify(invoiceDocument(content)), 'utf8');
  },
  encodeLot(header: LotHeader, invoices: readonly SignedFse[]) {
    const document = {
      format: MODELLED_LOT_FORMAT,
      avertissement: NOTICE,
      emetteur: { numeroFacturation: header.emitter.billingNumber, idNat: header.emitter.idNat },
      numeroLot: header.lotNumber,
      emission: header.emission,
      organisme: header.organism,
      nature: header.kind,
      creeLe: header.createdAt,
      factures: invoices.map((invoice) => ({
        numero: invoice.number,
        fse: Buffer.from(invoice.encoded).toString('base64'),
        signatureCps: Buffer.from(invoice.cpsSignature).toString('base64'),
        certificatCps: invoice.cpsCertificate,
        signatureVitale: invoice.vitaleSignature === null ? null : Buffer.from(invoice.vitaleSignature).toString('base64'),
        natureSignatureVitale: invoice.vitaleKind,
      })),
    };
    return { body: Buffer.from(JSON.stringify(document), 'utf8'), contentType: MODELLED_LOT_CONTENT_TYPE };
  },
  digest(encoded) {
    return createHash('sha256').update(encoded).digest('base64');
  },
};
