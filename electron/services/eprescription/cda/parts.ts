/**
 * Pieces shared by the eP-MED-DM and eDISP-MED builders: HL7 datatypes written with the typed XML
 * builder (escaped by construction), the patient and professional blocks of the CDA header as the
 * CI-SIS « structuration minimale » volet asks for them, and identifiers.
 */
import { randomUUID } from 'node:crypto';
import { attr, xmlNamespace, type XmlContent, type XmlElementNode } from '../../../platform/xml';
import { authorSpecialtyCode, toCdaTime } from '../../cda';
import { AppError } from '../../../contract';
import type { PrescriptionPatient } from '../model';
import { CDA_TYPE_ID, CODE_SYSTEMS, HL7_NS, IDNAT_PS_OID, IDNAT_STRUCT_OID, PHARM_NS, TEMPLATES, XSI_NS } from './codes';

export const hl7 = xmlNamespace(HL7_NS);
export const xsi = xmlNamespace(XSI_NS, 'xsi');
export const pharm = xmlNamespace(PHARM_NS, 'pharm');

export interface Coded {
  code: string;
  codeSystem: string;
  displayName?: string | undefined;
}

export function ce(name: string, value: Coded, ...children: XmlContent[]): XmlElementNode {
  return hl7.el(name, attr('code', value.code), attr('displayName', value.displayName || null), attr('codeSystem', value.codeSystem), ...children);
}

export function ii(root: string, extension?: string | null): XmlElementNode {
  return hl7.el('id', attr('root', root), attr('extension', extension ?? null));
}

export function templateIds(roots: readonly string[]): XmlElementNode[] {
  return roots.map((root) => hl7.el('templateId', attr('root', root)));
}

export function reference(id: string): XmlElementNode {
  return hl7.el('reference', attr('value', `#${id}`));
}

export function textRef(id: string): XmlElementNode {
  return hl7.el('text', reference(id));
}

/** A content element of the narrative block carrying an ID the entries reference. */
export function content(id: string, value: string): XmlElementNode {
  return hl7.el('content', attr('ID', id), value);
}

/** An HL7 TS from an ISO instant or date; throws a typed error when unreadable. */
export function ts(value: string, field = 'date'): string {
  const converted = toCdaTime(value);
  if (converted === null) throw new AppError('ERX_PRESCRIPTION_INVALID', { field });
  return converted;
}

/** yyyy-MM-dd → yyyyMMdd. */
export function day(value: string): string {
  return value.replaceAll('-', '').slice(0, 8);
}

/** A new OID derived from a random UUID (ITU-T X.667: arc 2.25), at most 44 characters. */
export function newOid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** A new UUID in upper case, as the official examples write section and entry ids. */
export function newUuid(): string {
  return randomUUID().toUpperCase();
}

/** Patient name as the structuration minimale asks: birth name (BR), birth first names, first first name (BR); used name and first name (CL). */
export function patientName(patient: PrescriptionPatient): XmlElementNode {
  const firstNames = patient.firstNames.trim().split(/\s+/);
  return hl7.el(
    'name',
    hl7.el('family', attr('qualifier', 'BR'), patient.birthName.trim()),
    hl7.el('given', firstNames.join(' ')),
    hl7.el('given', attr('qualifier', 'BR'), firstNames[0] ?? ''),
    patient.usedName ? hl7.el('family', attr('qualifier', 'CL'), patient.usedName.trim()) : null,
    patient.usedGivenName ? hl7.el('given', attr('qualifier', 'CL'), patient.usedGivenName.trim()) : null,
  );
}

/**
 * recordTarget: the INS when the identity is qualified (CI-SIS: only a qualified INS may be
 * shared), otherwise the local patient id under this installation's OID. Address and telecom are
 * mandatory in eP-MED-DM (Entete_EP-MED-DM_2024.01.sch); the patient base keeps neither, so they
 * are written « not asked » (nullFlavor NASK).
 */
export function recordTarget(patient: PrescriptionPatient, localRoot: string): XmlElementNode {
  return hl7.el(
    'recordTarget',
    hl7.el(
      'patientRole',
      patient.ins === null ? ii(localRoot, patient.id) : ii(patient.ins.oid, patient.ins.matricule),
      hl7.el('addr', attr('nullFlavor', 'NASK')),
      hl7.el('telecom', attr('nullFlavor', 'NASK')),
      hl7.el(
        'patient',
        attr('classCode', 'PSN'),
        patientName(patient),
        hl7.el('administrativeGenderCode', attr('code', patient.sex), attr('displayName', patient.sex === 'F' ? 'Féminin' : 'Masculin'), attr('codeSystem', CODE_SYSTEMS.gender)),
        hl7.el('birthTime', attr('value', day(patient.birthDate))),
        patient.birthPlaceCode === null ? null : hl7.el('birthplace', hl7.el('place', hl7.el('addr', hl7.el('county', patient.birthPlaceCode)))),
      ),
    ),
  );
}

export interface Professional {
  idNat: string;
  givenName: string;
  surname: string;
  profession: { code: string; label: string } | null;
  specialty: { code: string; label: string } | null;
  structure: { id: string; name: string };
}

/** JDV_J01 code of a professional (« G15_10/SM26 »): profession and specialty from the card. */
export function professionalCode(p: Professional): Coded | undefined {
  if (p.profession === null) return undefined;
  const author = {
    idNat: p.idNat,
    role: { code: p.profession.code, codeSystem: '1.2.250.1.71.1.2.7', displayName: p.profession.label },
    ...(p.specialty === null ? {} : { specialty: { code: p.specialty.code, codeSystem: '1.2.250.1.71.4.2.5', displayName: p.specialty.label } }),
  };
  const code = authorSpecialtyCode(author);
  return code === undefined ? undefined : { code: code.code, codeSystem: CODE_SYSTEMS.authorSpecialty, displayName: code.displayName };
}

export function personName(p: Professional): XmlElementNode {
  return hl7.el('name', hl7.el('given', p.givenName), hl7.el('family', p.surname));
}

export function organization(tag: string, structure: { id: string; name: string }, ...extra: XmlContent[]): XmlElementNode {
  return hl7.el(tag, ii(IDNAT_STRUCT_OID, structure.id), hl7.el('name', structure.name), ...extra);
}

export function practiceSetting(code: string, displayName: string): XmlElementNode {
  return ce('standardIndustryClassCode', { code, displayName, codeSystem: CODE_SYSTEMS.practiceSetting });
}

/** An assignedAuthor/assignedEntity body: IdNat, JDV_J01 code, person, organisation. */
export function assigned(tag: 'assignedAuthor' | 'assignedEntity', p: Professional, ...organizationExtra: XmlContent[]): XmlElementNode {
  const code = professionalCode(p);
  return hl7.el(
    tag,
    ii(IDNAT_PS_OID, p.idNat),
    code === undefined ? null : ce('code', code),
    hl7.el('assignedPerson', personName(p)),
    organization('representedOrganization', p.structure, ...organizationExtra),
  );
}

export function custodian(structure: { id: string; name: string }): XmlElementNode {
  return hl7.el('custodian', hl7.el('assignedCustodian', organization('representedCustodianOrganization', structure)));
}

export function legalAuthenticator(p: Professional, time: string): XmlElementNode {
  return hl7.el('legalAuthenticator', hl7.el('time', attr('value', time)), hl7.el('signatureCode', attr('code', 'S')), assigned('assignedEntity', p));
}

/** A boolean TA_ASIP observation (FR-En-rapport-avec-ALD and its siblings). */
export function flagObservation(flag: { template: string; code: string; displayName: string }, value: boolean, time: string, narrativeId: string | null, simpleObservation: readonly string[]): XmlElementNode {
  return hl7.el(
    'entryRelationship',
    attr('typeCode', 'COMP'),
    hl7.el(
      'observation',
      attr('classCode', 'OBS'),
      attr('moodCode', 'EVN'),
      templateIds([...simpleObservation, flag.template]),
      ii(newUuid()),
      ce('code', { code: flag.code, displayName: flag.displayName, codeSystem: CODE_SYSTEMS.taAsip }),
      narrativeId === null ? null : textRef(narrativeId),
      hl7.el('statusCode', attr('code', 'completed')),
      hl7.el('effectiveTime', attr('value', time)),
      hl7.el('value', xsi.attr('type', 'BL'), attr('value', value ? 'true' : 'false')),
    ),
  );
}

/**
 * The code of a product from the drug list: its CIS code (BDPM) with the other codes (CIP13…) as
 * translations, and the narrative naming it as original text.
 */
export function cisProductCode(cis: Coded, name: string, others: readonly CodeWithSystem[], narrativeId: string): XmlElementNode {
  return hl7.el(
    'code',
    attr('code', cis.code),
    attr('displayName', cis.displayName ?? name),
    attr('codeSystem', cis.codeSystem),
    attr('codeSystemName', 'CIS'),
    hl7.el('originalText', reference(narrativeId)),
    translations(others),
  );
}

export interface CodeWithSystem extends Coded {
  /** The code system's short name (CIP, LPP…). */
  system: string;
}

export function translations(codes: readonly CodeWithSystem[]): XmlElementNode[] {
  return codes.map((c) => hl7.el('translation', attr('code', c.code), attr('displayName', c.displayName ?? null), attr('codeSystem', c.codeSystem), attr('codeSystemName', c.system)));
}

/**
 * Instructions in an entry (IHE PCC Patient Instructions PINSTRUCT, Fulfillment Instructions
 * FINSTRUCT: FR-Instructions-au-patient, FR-Instructions-au-dispensateur, FR-Notes-du-dispensateur),
 * their text in the narrative.
 */
export function instructionsEntry(templates: readonly string[], code: 'PINSTRUCT' | 'FINSTRUCT', narrativeId: string): XmlElementNode {
  return hl7.el(
    'entryRelationship',
    attr('typeCode', 'SUBJ'),
    attr('inversionInd', 'true'),
    hl7.el(
      'act',
      attr('classCode', 'ACT'),
      attr('moodCode', 'INT'),
      templateIds(templates),
      ce('code', { code, codeSystem: CODE_SYSTEMS.iheActCode }),
      textRef(narrativeId),
      hl7.el('statusCode', attr('code', 'completed')),
    ),
  );
}

/** An observationMedia holding bytes in base64 (the QR image, the PDF copy). */
export function observationMedia(id: string, mediaType: string, bytes: Uint8Array, templates: readonly string[] = []): XmlElementNode {
  return hl7.el(
    'observationMedia',
    attr('classCode', 'OBS'),
    attr('moodCode', 'EVN'),
    attr('ID', id),
    templateIds(templates),
    hl7.el('value', attr('mediaType', mediaType), attr('representation', 'B64'), Buffer.from(bytes).toString('base64')),
  );
}

/** A section's template ids and LOINC code (codes.ts SECTIONS). */
export interface SectionSpec {
  templates: readonly string[];
  code: string;
  displayName: string;
}

/**
 * A CI-SIS section in its component: template ids, a new id, the LOINC code, title and narrative
 * text, then what follows them (author, entries). `classed` writes classCode DOCSECT and moodCode
 * EVN (the CDA defaults) as the official eP-MED-DM and eDISP-MED examples do on their first section.
 */
export function cisisSection(spec: SectionSpec, head: { title: string; text: XmlContent; classed?: boolean }, ...rest: XmlContent[]): XmlElementNode {
  return hl7.el(
    'component',
    hl7.el(
      'section',
      head.classed === true ? [attr('classCode', 'DOCSECT'), attr('moodCode', 'EVN')] : null,
      templateIds(spec.templates),
      ii(newUuid()),
      ce('code', { code: spec.code, displayName: spec.displayName, codeSystem: CODE_SYSTEMS.loinc }),
      hl7.el('title', head.title),
      hl7.el('text', head.text),
      rest,
    ),
  );
}

/**
 * The CDA header both profiles share, in the order of CDA_extended.xsd: realm, type id, the
 * document template ids (HL7 France, CI-SIS, then the profile's own ones), id, LOINC code, title,
 * time, confidentiality N, language, setId, version 1, recordTarget, author (the professional who
 * writes it), custodian (the professional's structure) and legalAuthenticator.
 */
export function cisisHeader(header: {
  templates: ReadonlyArray<{ root: string; extension?: string }>;
  documentId: string;
  setId: string;
  code: Coded;
  title: string;
  time: string;
  patient: PrescriptionPatient;
  localPatientRoot: string;
  author: Professional;
}): XmlContent[] {
  return [
    hl7.el('realmCode', attr('code', 'FR')),
    hl7.el('typeId', attr('root', CDA_TYPE_ID.root), attr('extension', CDA_TYPE_ID.extension)),
    hl7.el('templateId', attr('root', TEMPLATES.hl7France)),
    hl7.el('templateId', attr('root', TEMPLATES.ciSis)),
    header.templates.map((t) => hl7.el('templateId', attr('root', t.root), attr('extension', t.extension ?? null))),
    ii(header.documentId),
    ce('code', header.code),
    hl7.el('title', header.title),
    hl7.el('effectiveTime', attr('value', header.time)),
    ce('confidentialityCode', { code: 'N', displayName: 'Normal', codeSystem: CODE_SYSTEMS.confidentiality }),
    hl7.el('languageCode', attr('code', 'fr-FR')),
    hl7.el('setId', attr('root', header.setId)),
    hl7.el('versionNumber', attr('value', 1)),
    recordTarget(header.patient, header.localPatientRoot),
    hl7.el('author', hl7.el('time', attr('value', header.time)), assigned('assignedAuthor', header.author)),
    custodian(header.author.structure),
    legalAuthenticator(header.author, header.time),
  ];
}

/** componentOf: an ambulatory encounter ending when the document was written, at a JDV_J02 facility. */
export function ambulatoryEncounter(time: string, facility: Coded): XmlElementNode {
  return hl7.el(
    'componentOf',
    hl7.el(
      'encompassingEncounter',
      ce('code', { code: 'AMB', displayName: 'Ambulatoire (hors établissement)', codeSystem: CODE_SYSTEMS.actCode }),
      // As in the official examples: the end of the encounter (the document's writing).
      hl7.el('effectiveTime', hl7.el('high', attr('value', time))),
      hl7.el('location', hl7.el('healthCareFacility', ce('code', facility))),
    ),
  );
}

/** A narrative table: header cells and rows of cells (strings or narrative content). */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<XmlContent>>): XmlElementNode {
  return hl7.el(
    'table',
    attr('border', '1'),
    headers.length === 0 ? null : hl7.el('thead', hl7.el('tr', headers.map((h) => hl7.el('th', h)))),
    hl7.el('tbody', rows.map((cells) => hl7.el('tr', cells.map((cell) => hl7.el('td', cell))))),
  );
}
