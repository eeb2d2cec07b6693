/**
 * CDA R2 level 1 document wrapping a PDF (IHE XDS-SD, CI-SIS "Volet structuration minimale des
 * documents de santé" §2 en-tête and §3 corps non structuré). Built with the typed XML builder:
 * every value is escaped by construction.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../contract';
import { attr, canonicalPart, serializeXml, xmlNamespace, type XmlContent, type XmlElementNode } from '../../platform/xml';
import { toCdaTime, toXdsTime } from './hl7-time';
import { codedValue, roleAndSpecialty } from './metadata';
import { formatCodeFor } from './format-code';
import { classCodeFor } from './type-class';
import {
  AUTHOR_SPECIALTY_OID,
  CDA_TYPE_ID,
  DMP_CONFIDENTIALITY_OID,
  FACILITY_TYPE_OID,
  HL7_CONFIDENTIALITY_OID,
  HL7_GENDER_OID,
  HL7_NS,
  IDNAT_PS_OID,
  IDNAT_STRUCT_OID,
  INS_OIDS,
  isOid,
  PRACTICE_SETTING_OID,
  PROFESSION_G15_OID,
  TEMPLATE_CI_SIS,
  TEMPLATE_HL7_FRANCE,
  TEMPLATE_XDS_SD,
  xdsPatientId,
  xdsUniqueId,
} from './oids';
import type { BuiltCdaDocument, CodedValue, OidGenerator, PdfDocumentInput, XdsAuthor, XdsDocumentMetadata } from './types';
import { lookup } from './value-sets';
import { documentType } from './document-types';

const hl7 = xmlNamespace(HL7_NS);
const xsi = xmlNamespace('http://www.w3.org/2001/XMLSchema-instance', 'xsi');

/** Defaults for a liberal practice (JDV_J04 AMBULATOIRE, JDV_J02 SA07 "Cabinet individuel"). */
export const DEFAULT_PRACTICE_SETTING = 'AMBULATOIRE';
export const DEFAULT_FACILITY_TYPE = 'SA07';

/** Largest PDF accepted: the CDA (base64, +33 %) must stay under the parser bound of 64 MiB. */
export const MAX_PDF_BYTES = 40 * 1024 * 1024;

function invalid(field: string, reason?: string): AppError {
  return new AppError('CDA_INPUT_INVALID', reason === undefined ? { field } : { field, reason });
}

function time(value: string, field: string): string {
  const converted = toCdaTime(value);
  if (converted === null) throw invalid(field, 'format');
  return converted;
}

function nonEmpty(value: string | undefined, field: string, max = 500): string {
  const trimmed = (value ?? '').trim();
  if (trimmed === '' || trimmed.length > max) throw invalid(field);
  return trimmed;
}

function ce(name: string, value: CodedValue): XmlElementNode {
  return hl7.el(name, attr('code', value.code), attr('displayName', value.displayName || null), attr('codeSystem', value.codeSystem));
}

function ii(root: string, extension?: string): XmlElementNode {
  return hl7.el('id', attr('root', root), attr('extension', extension));
}

/** The author's JDV_J01 code "G15_<profession>[/<specialty>]" from the card's profession and specialty. */
export function authorSpecialtyCode(author: XdsAuthor): CodedValue | undefined {
  if (author.specialty !== undefined && author.specialty.codeSystem === AUTHOR_SPECIALTY_OID) return author.specialty;
  if (author.role === undefined) return undefined;
  const profession = author.role.codeSystem === PROFESSION_G15_OID ? author.role.code : author.role.code.replace(/^G15_/, '');
  const code = author.specialty === undefined ? `G15_${profession}` : `G15_${profession}/${author.specialty.code}`;
  const known = lookup('authorSpecialty', code);
  return { code, codeSystem: AUTHOR_SPECIALTY_OID, displayName: known?.displayName ?? author.specialty?.displayName ?? author.role.displayName };
}

function personName(given: string | undefined, family: string | undefined): XmlElementNode {
  return hl7.el('name', given === undefined ? null : hl7.el('given', given), family === undefined ? null : hl7.el('family', family));
}

function organization(name: string, id: string, practiceSetting?: CodedValue): XmlElementNode {
  // CDA R2 Organization: id, name, telecom, addr, standardIndustryClassCode.
  return hl7.el('representedOrganization', ii(IDNAT_STRUCT_OID, id), hl7.el('name', name), practiceSetting === undefined ? null : ce('standardIndustryClassCode', practiceSetting));
}

function validate(input: PdfDocumentInput): void {
  const pdf = input.pdf;
  // ISO 32000-1 §7.5.2: a PDF file begins with "%PDF-".
  if (pdf.byteLength < 5 || Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') throw new AppError('CDA_PDF_INVALID');
  if (pdf.byteLength > MAX_PDF_BYTES) throw invalid('pdf', 'too-large');
  nonEmpty(input.title, 'title', 255);
  const { patient } = input;
  // INS matricule: NIR (13 + key 2) or NIA, Corsica "2A/2B" (Référentiel INS).
  if (!/^\d{5}(?:\d{2}|2[AB])\d{8}$/.test(patient.ins)) throw invalid('patient.ins');
  if (!INS_OIDS.includes(patient.oid)) throw invalid('patient.oid');
  nonEmpty(patient.birthName, 'patient.birthName', 100);
  nonEmpty(patient.firstNames, 'patient.firstNames', 100);
  if (!['M', 'F', 'U'].includes(patient.sex)) throw invalid('patient.sex');
  if (!/^\d{8}$/.test(patient.birthDate.replaceAll('-', ''))) throw invalid('patient.birthDate');
  // INSEE COG: 5 digits, or 2A/2B + 3 digits (Corsica).
  if (patient.birthPlaceCode !== undefined && !/^(?:\d{5}|2[AB]\d{3})$/.test(patient.birthPlaceCode)) throw invalid('patient.birthPlaceCode');
  nonEmpty(input.author.idNat, 'author.idNat', 64);
  // The author is also the legal authenticator, whose name (with a family name) is mandatory
  // (CI-SIS structuration minimale, legalAuthenticator/assignedEntity/assignedPerson/name).
  nonEmpty(input.author.family, 'author.family', 100);
  nonEmpty(input.custodian.id, 'custodian.id', 64);
  nonEmpty(input.custodian.name, 'custodian.name', 255);
  if (input.replaces !== undefined) {
    const root = input.replaces.uniqueId.split('^')[0] ?? '';
    if (!isOid(root)) throw invalid('replaces.uniqueId');
    if (!isOid(input.replaces.setId.split('^')[0] ?? '')) throw invalid('replaces.setId');
    if (!Number.isSafeInteger(input.replaces.version) || input.replaces.version < 1) throw invalid('replaces.version');
  }
}

export function buildPdfDocument(input: PdfDocumentInput, ids: OidGenerator): BuiltCdaDocument {
  validate(input);
  const type = documentType(input.typeCode);
  if (type === undefined) throw new AppError('CDA_TYPE_CODE_UNKNOWN', { typeCode: input.typeCode });

  // Confidentiality: the CDA header carries one N/R/V code (CDA R2 confidentialityCode is a CE);
  // the DMP codes (TRE_A07) are XDS metadata only (JDV_J08).
  const chosen = input.confidentiality ?? [];
  for (const code of chosen) if (lookup('confidentiality', code) === undefined) throw invalid('confidentiality');
  const headerLevel = chosen.find((c) => lookup('confidentiality', c)?.codeSystem === HL7_CONFIDENTIALITY_OID) ?? 'N';
  const dmpCodes = chosen.filter((c) => lookup('confidentiality', c)?.codeSystem === DMP_CONFIDENTIALITY_OID);
  const confidentiality = lookup('confidentiality', headerLevel) as CodedValue;

  const practice = lookup('practiceSetting', input.practiceSettingCode ?? DEFAULT_PRACTICE_SETTING);
  if (practice === undefined || practice.codeSystem !== PRACTICE_SETTING_OID) throw invalid('practiceSettingCode');
  const facility = lookup('healthcareFacilityType', input.healthcareFacilityTypeCode ?? DEFAULT_FACILITY_TYPE);
  if (facility === undefined || facility.codeSystem !== FACILITY_TYPE_OID) throw invalid('healthcareFacilityTypeCode');

  const effectiveTime = time(input.effectiveTime, 'effectiveTime');
  const serviceStart = time(input.serviceTime.start, 'serviceTime.start');
  const serviceStop = input.serviceTime.stop === undefined ? undefined : time(input.serviceTime.stop, 'serviceTime.stop');

  const documentId = ids.newOid();
  if (!isOid(documentId)) throw invalid('ids.newOid');
  // CI-SIS structuration minimale: setId [1..1], versionNumber [1..1]; a replacement keeps the
  // setId of the replaced document and increments its version.
  // setId: an II written like a uniqueId (root or root^extension).
  const [setIdRoot, setIdExtension] = (input.replaces?.setId ?? ids.newOid()).split('^');
  if (!isOid(setIdRoot ?? '')) throw invalid('ids.newOid');
  const version = input.replaces === undefined ? 1 : input.replaces.version + 1;

  const { author, custodian, patient } = input;
  const authorCode = authorSpecialtyCode(author);
  const institution = author.institution ?? custodian;
  const firstNames = patient.firstNames.trim().split(/\s+/);
  const given = author.given?.trim() || undefined;
  const family = author.family?.trim() || undefined;

  const [replacedRoot, replacedExtension] = input.replaces === undefined ? [] : input.replaces.uniqueId.split('^');

  const content: XmlContent[] = [
    xsi.declare(),
    hl7.el('realmCode', attr('code', 'FR')),
    hl7.el('typeId', attr('root', CDA_TYPE_ID.root), attr('extension', CDA_TYPE_ID.extension)),
    hl7.el('templateId', attr('root', TEMPLATE_HL7_FRANCE)),
    hl7.el('templateId', attr('root', TEMPLATE_CI_SIS)),
    hl7.el('templateId', attr('root', TEMPLATE_XDS_SD)),
    ii(documentId),
    ce('code', type),
    hl7.el('title', input.title.trim()),
    hl7.el('effectiveTime', attr('value', effectiveTime)),
    ce('confidentialityCode', confidentiality),
    hl7.el('languageCode', attr('code', 'fr-FR')),
    hl7.el('setId', attr('root', setIdRoot), attr('extension', setIdExtension)),
    hl7.el('versionNumber', attr('value', version)),
    hl7.el(
      'recordTarget',
      hl7.el(
        'patientRole',
        ii(patient.oid, patient.ins),
        hl7.el(
          'patient',
          attr('classCode', 'PSN'),
          // Structuration minimale: birth name (qualifier BR), birth first names, first name (BR).
          hl7.el(
            'name',
            hl7.el('family', attr('qualifier', 'BR'), patient.birthName.trim()),
            hl7.el('given', firstNames.join(' ')),
            hl7.el('given', attr('qualifier', 'BR'), firstNames[0] ?? ''),
          ),
          hl7.el('administrativeGenderCode', attr('code', patient.sex), attr('codeSystem', HL7_GENDER_OID)),
          hl7.el('birthTime', attr('value', patient.birthDate.replaceAll('-', ''))),
          // CI-SIS structuration minimale (INS traits): birth place as its COG code.
          patient.birthPlaceCode === undefined
            ? null
            : hl7.el('birthplace', hl7.el('place', hl7.el('addr', hl7.el('county', patient.birthPlaceCode)))),
        ),
      ),
    ),
    hl7.el(
      'author',
      hl7.el('time', attr('value', effectiveTime)),
      hl7.el(
        'assignedAuthor',
        ii(IDNAT_PS_OID, author.idNat.trim()),
        authorCode === undefined ? null : ce('code', authorCode),
        given === undefined && family === undefined ? null : hl7.el('assignedPerson', personName(given, family)),
        organization(institution.name, institution.id),
      ),
    ),
    hl7.el(
      'custodian',
      hl7.el('assignedCustodian', hl7.el('representedCustodianOrganization', ii(IDNAT_STRUCT_OID, custodian.id.trim()), hl7.el('name', custodian.name.trim()))),
    ),
    hl7.el(
      'legalAuthenticator',
      hl7.el('time', attr('value', effectiveTime)),
      hl7.el('signatureCode', attr('code', 'S')),
      hl7.el(
        'assignedEntity',
        ii(IDNAT_PS_OID, author.idNat.trim()),
        hl7.el('assignedPerson', personName(given, family)),
        organization(institution.name, institution.id),
      ),
    ),
    hl7.el(
      'documentationOf',
      hl7.el(
        'serviceEvent',
        hl7.el('effectiveTime', hl7.el('low', attr('value', serviceStart)), serviceStop === undefined ? null : hl7.el('high', attr('value', serviceStop))),
        hl7.el(
          'performer',
          attr('typeCode', 'PRF'),
          hl7.el(
            'assignedEntity',
            ii(IDNAT_PS_OID, author.idNat.trim()),
            hl7.el('assignedPerson', personName(given, family)),
            organization(institution.name, institution.id, practice),
          ),
        ),
      ),
    ),
    input.replaces === undefined
      ? null
      : hl7.el(
          'relatedDocument',
          attr('typeCode', 'RPLC'),
          hl7.el(
            'parentDocument',
            // CI-SIS structuration minimale: parentDocument holds id and versionNumber only.
            ii(replacedRoot ?? '', replacedExtension),
            hl7.el('versionNumber', attr('value', input.replaces.version)),
          ),
        ),
    hl7.el(
      'componentOf',
      hl7.el(
        'encompassingEncounter',
        hl7.el('effectiveTime', hl7.el('low', attr('value', serviceStart)), serviceStop === undefined ? null : hl7.el('high', attr('value', serviceStop))),
        hl7.el('location', hl7.el('healthCareFacility', ce('code', facility))),
      ),
    ),
  ];
  // XDS-SD: nonXMLBody/text, PDF in base64 (representation B64). The document is written in its
  // canonical form (Canonical XML 1.0, builder.ts): the XAdES signature of the submission set then
  // digests these bytes as they are, computed once here (the CDA is never parsed again to be signed).
  // The header is serialised once, without the base64 text, and the base64 goes between its last
  // start and end tags: the megabytes are written once.
  const header = serializeXml(
    hl7.el('ClinicalDocument', ...content, hl7.el('component', hl7.el('nonXMLBody', hl7.el('text', attr('mediaType', 'application/pdf'), attr('representation', 'B64'))))),
    { declaration: true, canonical: true },
  );
  if (!header.endsWith(BODY_END)) throw new Error('unexpected CDA serialisation');
  // The XDS metadata of this header, from the values just written into it: what metadata.ts
  // would read back from it (build.test.ts checks the two agree on varied inputs), without
  // parsing the header again (2–4 ms a document under load).
  const person = (entity: { code?: CodedValue }): XdsAuthor => {
    const out: XdsAuthor = { idNat: author.idNat.trim() };
    if (given !== undefined) out.given = given;
    if (family !== undefined) out.family = family;
    if (entity.code !== undefined) Object.assign(out, roleAndSpecialty(codedValue(entity.code, 'authorSpecialty')));
    const org = { id: institution.id.trim(), name: institution.name.trim() };
    if (org.id !== '' || org.name !== '') out.institution = org;
    return out;
  };
  const typeCode = codedValue(type, 'typeCode') as CodedValue;
  const missing: string[] = [];
  const classCode = classCodeFor(typeCode.code)?.value ?? (missing.push('classCode'), { code: '', codeSystem: '', displayName: '' });
  const extension = (value: string | undefined): string | undefined => (value?.trim() === '' ? undefined : value?.trim());
  const creationTime = toXdsTime(effectiveTime);
  if (creationTime === undefined) throw new AppError('CDA_HEADER_INCOMPLETE', { path: 'h:effectiveTime/@value', reason: 'format' });
  const confidentialityCodes = [codedValue(confidentiality, 'confidentiality') as CodedValue];
  for (const code of dmpCodes) if (!confidentialityCodes.some((c) => c.code === code)) confidentialityCodes.push({ ...(lookup('confidentiality', code) as CodedValue) });
  const metadata: XdsDocumentMetadata = {
    uniqueId: documentId,
    title: input.title.trim(),
    mimeType: 'text/xml',
    typeCode,
    classCode,
    formatCode: formatCodeFor([TEMPLATE_HL7_FRANCE, TEMPLATE_CI_SIS, TEMPLATE_XDS_SD], 'application/pdf') as CodedValue,
    healthcareFacilityTypeCode: codedValue(facility, 'healthcareFacilityType') as CodedValue,
    practiceSettingCode: codedValue(practice, 'practiceSetting') as CodedValue,
    confidentialityCodes,
    eventCodes: [],
    languageCode: 'fr-FR',
    creationTime,
    sourcePatientId: xdsPatientId(patient.ins, patient.oid),
    authors: [person(authorCode === undefined ? {} : { code: authorCode })],
    setId: xdsUniqueId(setIdRoot ?? '', extension(setIdExtension)),
    versionNumber: version,
  };
  const start = toXdsTime(serviceStart);
  const stop = serviceStop === undefined ? undefined : toXdsTime(serviceStop);
  if (start !== undefined) metadata.serviceStartTime = start;
  if (stop !== undefined) metadata.serviceStopTime = stop;
  metadata.legalAuthenticator = person({});
  if (replacedRoot !== undefined && replacedRoot.trim() !== '') metadata.replaces = xdsUniqueId(replacedRoot.trim(), extension(replacedExtension));
  if (missing.length > 0) metadata.missing = missing;
  const head = Buffer.from(header.slice(0, header.length - BODY_END.length), 'utf8');
  const pdf = Buffer.from(input.pdf.buffer, input.pdf.byteOffset, input.pdf.byteLength);
  // Base64 needs no escaping (RFC 4648 alphabet): written as it is, 48 KB of PDF at a time (a
  // multiple of 3 bytes: no padding but at the end), never as one string of the whole document.
  const base64Length = 4 * Math.ceil(pdf.byteLength / 3);
  const bytes = Buffer.allocUnsafe(head.length + base64Length + BODY_END.length);
  head.copy(bytes, 0);
  let at = head.length;
  for (let offset = 0; offset < pdf.byteLength; offset += BASE64_CHUNK) at += bytes.write(pdf.toString('base64', offset, Math.min(offset + BASE64_CHUNK, pdf.byteLength)), at, 'latin1');
  if (at !== head.length + base64Length) throw new Error('unexpected base64 length');
  bytes.write(BODY_END, at, 'latin1');
  const canonicalDigest = { algorithm: 'sha256' as const, value: createHash('sha256').update(canonicalPart(bytes)).digest('base64') };
  return {
    bytes,
    get xml(): string {
      return bytes.toString('utf8');
    },
    canonicalDigest,
    metadata: { ...metadata, size: bytes.byteLength, hash: createHash('sha1').update(bytes).digest('hex') },
  };
}

/** PDF bytes base64-encoded at a time (a multiple of 3). */
const BASE64_CHUNK = 48 * 1024;

/** The end of the canonical CDA N1 after the base64 text (nonXMLBody is the last component). */
const BODY_END = '</text></nonXMLBody></component></ClinicalDocument>';
