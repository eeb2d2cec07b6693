/**
 * A dispensation as a CI-SIS eDISP-MED 2024.01 document (« eDispensation de médicaments »), laid out
 * as the official example of ANS TestContenuCDA-3-0 (eDISP-MED_2024.01.xml) and checked in the
 * conformance tests against CDA_extended.xsd, structuration minimale, IHE, the CI-SIS content
 * models and CI-SIS_eDISP-MED_2024.01.sch:
 * - header (Entete_eDISP-MED_2024.01.sch): IHE Pharm DIS, IHE PCC and eDISP-MED template ids,
 *   LOINC 60593-1 for the document and the documented act; the prescriber as participant REF; the
 *   prescription in inFulfillmentOf/order (e-prescription number and CDA document id);
 * - one FR-Dispensation-medicaments section (S_dispensationMedicaments.sch: code 60590-7, author
 *   coded G15_21…), one FR-Traitement-dispense per delivered line (E_dispensationMedicament.sch:
 *   text, quantity and product [1..1]) with FR-Reference-item-prescription (PREItem, consumable
 *   nullFlavor NA) pointing at the prescribed line, FR-Acte-substitution (G) when a generic was
 *   substituted and FR-Notes-du-dispensateur for an adapted quantity. Lines not delivered appear in
 *   the narrative only: nothing was dispensed for them.
 */
import { attr, serializeXml, type XmlContent, type XmlElementNode } from '../../../platform/xml';
import { lookupValueSet } from '../../cda';
import type { DispensationCompleteness, LineOutcome, PrescriptionPatient } from '../model';
import { EPRESCRIPTION_NUMBER_ROOT } from '../number';
import { CODE_SYSTEMS, EDQM_BOX, ENTRIES, SECTIONS, TEMPLATES } from './codes';
import {
  ambulatoryEncounter,
  cisProductCode,
  instructionsEntry,
  translations,
  assigned,
  ce,
  cisisHeader,
  cisisSection,
  content,
  hl7,
  ii,
  newUuid,
  organization,
  personName,
  practiceSetting,
  reference,
  table,
  templateIds,
  textRef,
  ts,
  xsi,
  type Professional,
} from './parts';

export interface DispensedItem {
  /** The prescribed line's id (FR-Reference-item-prescription). */
  lineId: string;
  /** What was prescribed (name and codes), for the narrative and the product when delivered as prescribed. */
  prescribed: { name: string; codes: Array<{ code: string; codeSystem: string; system: string; displayName?: string | undefined }>; boxes: number | null };
  outcome: LineOutcome;
}

export interface EDispMedInput {
  dispensationId: string;
  /** ISO instant of the dispensation. */
  at: string;
  completeness: DispensationCompleteness;
  number: string;
  /** CDA id of the eP-MED-DM the lines come from, when known. */
  prescriptionDocumentId: string | null;
  /** When the prescription was written (participant REF time). */
  prescribedAt: string | null;
  prescriber: { idNat: string; givenName: string; surname: string; code: { code: string; displayName: string } | null; structure: { id: string; name: string } | null };
  pharmacist: Professional;
  patient: PrescriptionPatient;
  items: DispensedItem[];
  documentId: string;
  setId: string;
  localPatientRoot: string;
}

const COMPLETENESS_LABELS: Record<DispensationCompleteness, string> = {
  FFC: 'Première dispensation - complète',
  FFP: 'Première dispensation - partielle',
  RFC: 'Dispensation suivante - complète',
  RFP: 'Dispensation suivante - partielle',
};

function outcomeLabel(outcome: LineOutcome): string {
  switch (outcome.kind) {
    case 'delivered':
      return 'Délivré tel que prescrit';
    case 'substituted':
      return `Substitué par ${outcome.name} (CIP13 ${outcome.cip13})`;
    case 'adapted':
      return `Quantité adaptée : ${outcome.quantity} (${outcome.reason})`;
    case 'not-delivered':
      return `Non délivré : ${outcome.reason}`;
  }
}

function deliveredProduct(item: DispensedItem, narrativeId: string): XmlElementNode {
  const { outcome, prescribed } = item;
  let code: XmlElementNode;
  let name: string;
  if (outcome.kind === 'substituted') {
    // The substituted generic is known by its presentation (CIP13), as the official example's delivered line.
    name = outcome.name;
    code = hl7.el(
      'code',
      hl7.el('originalText', reference(narrativeId)),
      hl7.el('translation', attr('code', outcome.cip13), attr('displayName', outcome.name), attr('codeSystem', CODE_SYSTEMS.cip), attr('codeSystemName', 'CIP')),
    );
  } else {
    name = prescribed.name;
    const cis = prescribed.codes.find((c) => c.codeSystem === CODE_SYSTEMS.cis);
    const others = prescribed.codes.filter((c) => c !== cis);
    code =
      cis === undefined
        ? hl7.el(
            'code',
            attr('nullFlavor', others.length === 0 ? 'NA' : null),
            hl7.el('originalText', reference(narrativeId)),
            translations(others),
          )
        : cisProductCode(cis, prescribed.name, others, narrativeId);
  }
  return hl7.el(
    'product',
    hl7.el(
      'manufacturedProduct',
      attr('classCode', 'MANU'),
      templateIds(ENTRIES.product),
      hl7.el('manufacturedMaterial', attr('classCode', 'MMAT'), attr('determinerCode', 'KIND'), templateIds([ENTRIES.medicine]), code, hl7.el('name', name)),
    ),
  );
}

function dispensedEntry(item: DispensedItem, index: number, input: EDispMedInput, time: string): XmlElementNode {
  const n = `disp-${index + 1}`;
  const { outcome } = item;
  const quantity = outcome.kind === 'adapted' ? outcome.quantity : (item.prescribed.boxes ?? 1);
  return hl7.el(
    'entry',
    hl7.el(
      'supply',
      attr('classCode', 'SPLY'),
      attr('moodCode', 'EVN'),
      templateIds(ENTRIES.dispensed),
      ii(newUuid()),
      // JDV_CompletudeDispensation_CISIS (HL7 ActCode): first or next dispensation, complete or partial.
      ce('code', { code: input.completeness, displayName: COMPLETENESS_LABELS[input.completeness], codeSystem: CODE_SYSTEMS.actCode }),
      textRef(n),
      hl7.el('statusCode', attr('code', 'completed')),
      hl7.el('effectiveTime', attr('value', time)),
      // Unit: EDQM packaging 30009000 « Boîte », as in the official example.
      hl7.el('quantity', attr('value', quantity), attr('unit', EDQM_BOX.code)),
      deliveredProduct(item, n),
      hl7.el(
        'entryRelationship',
        attr('typeCode', 'REFR'),
        attr('inversionInd', 'false'),
        hl7.el(
          'substanceAdministration',
          attr('classCode', 'SBADM'),
          attr('moodCode', 'INT'),
          templateIds(ENTRIES.prescriptionReference),
          ii(item.lineId),
          ce('code', { code: 'PREItem', displayName: 'Prescription Item', codeSystem: CODE_SYSTEMS.ihePharmItemType }, hl7.el('originalText', reference(`${n}-prescrit`))),
          hl7.el('consumable', hl7.el('manufacturedProduct', hl7.el('manufacturedMaterial', attr('nullFlavor', 'NA'), hl7.el('name', attr('nullFlavor', 'NA'))))),
        ),
      ),
      // FR-Notes-du-dispensateur: E_supplyEntry_fr.sch wants it in any supply that has entryRelationships.
      instructionsEntry(ENTRIES.dispenserNotes, 'FINSTRUCT', `${n}-notes`),
      outcome.kind === 'substituted'
        ? hl7.el(
            'entryRelationship',
            attr('typeCode', 'COMP'),
            hl7.el(
              'act',
              attr('classCode', 'ACT'),
              attr('moodCode', 'EVN'),
              templateIds(ENTRIES.substitutionAct),
              ce('code', lookupValueSet('substitution', 'G') ?? { code: 'G', codeSystem: CODE_SYSTEMS.substitution }, hl7.el('originalText', reference(`${n}-substitution`))),
              hl7.el('statusCode', attr('code', 'completed')),
            ),
          )
        : null,
    ),
  );
}

/** Builds the eDISP-MED document (UTF-8 XML text). Throws when no line was delivered. */
export function buildEDispMed(input: EDispMedInput): string {
  const time = ts(input.at, 'at');
  const delivered = input.items.filter((i) => i.outcome.kind !== 'not-delivered');
  const practice = lookupValueSet('practiceSetting', 'AMBULATOIRE');
  const pharmacy = lookupValueSet('healthcareFacilityType', 'SA33') ?? { code: 'SA33', displayName: "Pharmacie d'officine", codeSystem: CODE_SYSTEMS.facilityType };

  const rows: XmlContent[][] = input.items.map((item, i) => {
    const deliveredIndex = delivered.indexOf(item);
    const n = `disp-${deliveredIndex + 1}`;
    const name = item.outcome.kind === 'substituted' ? item.outcome.name : item.prescribed.name;
    if (deliveredIndex < 0) return [item.prescribed.name, '-', outcomeLabel(item.outcome), '-'];
    const quantity = item.outcome.kind === 'adapted' ? item.outcome.quantity : (item.prescribed.boxes ?? 1);
    return [
      [content(n, name), hl7.el('br'), content(`${n}-prescrit`, `Ligne ${i + 1} prescrite : ${item.prescribed.name}`)],
      `${quantity} ${quantity > 1 ? 'boîtes' : 'boîte'}`,
      [
        item.outcome.kind === 'substituted' ? [content(`${n}-substitution`, 'Substitution par un produit générique'), hl7.el('br')] : null,
        content(`${n}-notes`, outcomeLabel(item.outcome)),
      ],
      COMPLETENESS_LABELS[input.completeness],
    ];
  });

  const body = hl7.el(
    'component',
    hl7.el(
      'structuredBody',
      cisisSection(
        SECTIONS.dispensed,
        { title: 'Médicaments délivrés', text: table(['Médicament délivré', 'Quantité délivrée', 'Délivrance', 'Complétude'], rows), classed: true },
        hl7.el('author', hl7.el('time', attr('value', time)), assigned('assignedAuthor', input.pharmacist)),
        delivered.map((item, i) => dispensedEntry(item, i, input, time)),
      ),
    ),
  );

  const prescriber = input.prescriber;
  const document = hl7.el(
    'ClinicalDocument',
    xsi.declare(),
    cisisHeader({
      templates: [{ root: TEMPLATES.ihePcc }, { root: TEMPLATES.ihePharmDis }, { root: TEMPLATES.eDispMed, extension: TEMPLATES.version }],
      documentId: input.documentId,
      setId: input.setId,
      code: { code: '60593-1', displayName: 'Dispensation médicamenteuse', codeSystem: CODE_SYSTEMS.loinc },
      title: 'Dispensation médicamenteuse',
      time,
      patient: input.patient,
      localPatientRoot: input.localPatientRoot,
      author: input.pharmacist,
    }),
    // The prescriber (eDISP-MED example: participant typeCode REF with the prescription date).
    hl7.el(
      'participant',
      attr('typeCode', 'REF'),
      input.prescribedAt === null ? hl7.el('time', attr('nullFlavor', 'UNK')) : hl7.el('time', xsi.attr('type', 'IVL_TS'), hl7.el('low', attr('value', ts(input.prescribedAt, 'prescribedAt')))),
      hl7.el(
        'associatedEntity',
        attr('classCode', 'PROV'),
        ii('1.2.250.1.71.4.2.1', prescriber.idNat),
        prescriber.code === null ? null : ce('code', { code: prescriber.code.code, displayName: prescriber.code.displayName, codeSystem: CODE_SYSTEMS.authorSpecialty }),
        hl7.el('associatedPerson', personName({ idNat: prescriber.idNat, givenName: prescriber.givenName, surname: prescriber.surname, profession: null, specialty: null, structure: { id: '', name: '' } })),
        prescriber.structure === null ? null : organization('scopingOrganization', prescriber.structure),
      ),
    ),
    // The prescription fulfilled: its e-prescription number, and its eP-MED-DM document id when known
    // (one order id per inFulfillmentOf: structuration minimale CI-SISinFulfillmentOf).
    hl7.el('inFulfillmentOf', hl7.el('order', ii(EPRESCRIPTION_NUMBER_ROOT, input.number))),
    input.prescriptionDocumentId === null ? null : hl7.el('inFulfillmentOf', hl7.el('order', ii(input.prescriptionDocumentId))),
    hl7.el(
      'documentationOf',
      hl7.el(
        'serviceEvent',
        ii(input.dispensationId),
        ce('code', { code: '60593-1', displayName: 'Dispensation médicamenteuse', codeSystem: CODE_SYSTEMS.loinc }),
        hl7.el('effectiveTime', hl7.el('low', attr('value', time))),
        hl7.el('performer', attr('typeCode', 'PRF'), assigned('assignedEntity', input.pharmacist, practice === undefined ? null : practiceSetting(practice.code, practice.displayName))),
      ),
    ),
    ambulatoryEncounter(time, pharmacy),
    body,
  );
  return serializeXml(document, { declaration: true });
}

export { COMPLETENESS_LABELS, outcomeLabel };
