/**
 * XDS metadata derived from a CDA R2 header, for any CI-SIS profile (N1 unstructured or
 * structured). Mapping per IHE ITI TF-3 §4.2.3 and the CI-SIS "Volet partage de documents de
 * santé" correspondence CDA header → XDS (as tabulated by ANS, research/dmp.md §3); where a value
 * cannot be derived it is listed in `missing`, never guessed.
 */
import { createHash } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { AppError } from '../../contract';
import { isXmlError, parseXml, readText, readTexts, selectElement, selectElements } from '../../platform/xml';
import { embeddedClinicalDocument, isStylesheet, serializeEmbedded } from './auto-presentable';
import { formatCodeFor } from './format-code';
import { toXdsTime } from './hl7-time';
import {
  AUTHOR_SPECIALTY_OID,
  DMP_CONFIDENTIALITY_OID,
  HL7_NS,
  IDNAT_PS_OID,
  INS_OIDS,
  PROFESSION_G15_OID,
  xdsPatientId,
  xdsUniqueId,
} from './oids';
import { classCodeFor } from './type-class';
import type { CodedValue, ExtractOptions, XdsAuthor, XdsDocumentMetadata } from './types';
import { lookup, type ValueSetName } from './value-sets';

/** CDA documents wrapping large PDFs are bigger than SOAP messages: 64 MiB. */
export const MAX_CDA_BYTES = 64 * 1024 * 1024;

const NS = { h: HL7_NS } as const;
const EMPTY: CodedValue = { code: '', codeSystem: '', displayName: '' };

/**
 * Parses a CDA document (safe parser: no DTD, bounded) and returns its ClinicalDocument element:
 * the root, or the one an « auto-présentable » stylesheet carries (see auto-presentable.ts).
 */
export function parseCda(xml: string | Uint8Array): Element {
  let root: Element | null;
  try {
    root = parseXml(xml, { maxBytes: MAX_CDA_BYTES }).documentElement;
  } catch (error) {
    // Not XML at all: not a CDA. A refusal for what the document does (DOCTYPE, XInclude, depth,
    // size, encoding) keeps its own code: its message says what to fix (issue 14 point 9).
    if (isXmlError(error) && error.code === 'XML_MALFORMED') throw new AppError('CDA_NOT_A_DOCUMENT', { reason: error.code }, { cause: error });
    throw error;
  }
  if (root !== null && isStylesheet(root)) return embeddedClinicalDocument(root);
  if (root === null || root.namespaceURI !== HL7_NS || root.localName !== 'ClinicalDocument') {
    throw new AppError('CDA_NOT_A_DOCUMENT', { root: root?.localName ?? null });
  }
  return root;
}

/**
 * The CDA document itself, as its own XML, when `xml` is an auto-présentable wrapper; null when it
 * is a plain CDA document (use it as it is). Throws CDA_NOT_A_DOCUMENT for anything else.
 */
export function unwrapAutoPresentable(xml: string | Uint8Array): string | null {
  const root = parseCda(xml);
  if (root.parentNode === root.ownerDocument) return null;
  return serializeEmbedded(root);
}

function attrOf(context: Element, path: string, name: string): string | undefined {
  const value = readText(context, `${path}/@${name}`, NS);
  return value === undefined || value === '' ? undefined : value;
}

/** A CE/CD element as a coded value; the display name falls back on the value set's. */
function coded(element: Element | null, valueSet?: ValueSetName): CodedValue | undefined {
  if (element === null) return undefined;
  if (element.hasAttribute('nullFlavor')) return undefined;
  return codedValue({ code: element.getAttribute('code') ?? '', codeSystem: element.getAttribute('codeSystem') ?? '', displayName: element.getAttribute('displayName') ?? '' }, valueSet);
}

/**
 * What `coded` reads from a CE element written from `value` (cda/build.ts derives the metadata of
 * the document it builds with it, without reading the document back).
 */
export function codedValue(value: CodedValue, valueSet?: ValueSetName): CodedValue | undefined {
  if (value.code === '') return undefined;
  const known = valueSet === undefined ? undefined : lookup(valueSet, value.code);
  return { code: value.code, codeSystem: value.codeSystem || known?.codeSystem || '', displayName: (value.displayName || known?.displayName || '').trim() };
}

function required(root: Element, path: string): string {
  const value = readText(root, path, NS);
  if (value === undefined || value === '') throw new AppError('CDA_HEADER_INCOMPLETE', { path });
  return value;
}

/** Profession and specialty from an author's code: JDV_J01 "G15_10/SM26" or a bare TRE_G15 code. */
export function roleAndSpecialty(code: CodedValue | undefined): Pick<XdsAuthor, 'role' | 'specialty'> {
  if (code === undefined) return {};
  if (code.codeSystem === AUTHOR_SPECIALTY_OID || code.code.startsWith('G15_')) {
    const profession = /^G15_([^/]+)/.exec(code.code)?.[1];
    const specialty = { ...code, codeSystem: code.codeSystem || AUTHOR_SPECIALTY_OID };
    if (profession === undefined) return { specialty };
    const roleName = lookup('authorSpecialty', `G15_${profession}`)?.displayName ?? '';
    return { role: { code: profession, codeSystem: PROFESSION_G15_OID, displayName: roleName }, specialty };
  }
  return { role: code };
}

function person(entity: Element, personPath: string): XdsAuthor {
  const ids = selectElements(entity, 'h:id', NS);
  const national = ids.find((id) => id.getAttribute('root') === IDNAT_PS_OID) ?? ids[0];
  const idNat = national?.getAttribute('extension') ?? national?.getAttribute('root') ?? '';
  const author: XdsAuthor = { idNat };
  const given = readTexts(entity, `${personPath}/h:name/h:given`, NS).find((g) => g !== '');
  const family = readTexts(entity, `${personPath}/h:name/h:family`, NS).find((f) => f !== '');
  if (given !== undefined) author.given = given;
  if (family !== undefined) author.family = family;
  Object.assign(author, roleAndSpecialty(coded(selectElement(entity, 'h:code', NS), 'authorSpecialty')));
  const organization = selectElement(entity, 'h:representedOrganization', NS);
  if (organization !== null) {
    const id = readText(organization, 'h:id/@extension', NS) ?? readText(organization, 'h:id/@root', NS) ?? '';
    const name = readText(organization, 'h:name', NS) ?? '';
    if (id !== '' || name !== '') author.institution = { id, name };
  }
  return author;
}

function authorsOf(root: Element): XdsAuthor[] {
  return selectElements(root, 'h:author/h:assignedAuthor', NS).map((assigned) => {
    const isDevice = selectElement(assigned, 'h:assignedAuthoringDevice', NS) !== null;
    const author = person(assigned, 'h:assignedPerson');
    if (isDevice && author.family === undefined) {
      const software = readText(assigned, 'h:assignedAuthoringDevice/h:softwareName', NS);
      if (software !== undefined && software !== '') author.family = software;
    }
    return author;
  });
}

/** Earliest low and latest high of the documented acts (documentationOf/serviceEvent/effectiveTime). */
function serviceTimes(root: Element): { start?: string; stop?: string } {
  const lows = readTexts(root, 'h:documentationOf/h:serviceEvent/h:effectiveTime/h:low/@value', NS)
    .map((v) => toXdsTime(v))
    .filter((v): v is string => v !== undefined);
  const highs = readTexts(root, 'h:documentationOf/h:serviceEvent/h:effectiveTime/h:high/@value', NS)
    .map((v) => toXdsTime(v))
    .filter((v): v is string => v !== undefined);
  const key = (v: string): string => v.padEnd(14, '0');
  const out: { start?: string; stop?: string } = {};
  if (lows.length > 0) out.start = lows.reduce((a, b) => (key(b) < key(a) ? b : a));
  if (highs.length > 0) out.stop = highs.reduce((a, b) => (key(b) > key(a) ? b : a));
  return out;
}

function confidentialityOf(root: Element, extra: readonly string[]): CodedValue[] {
  const out: CodedValue[] = [];
  const header = coded(selectElement(root, 'h:confidentialityCode', NS), 'confidentiality');
  if (header !== undefined) out.push(header);
  for (const code of extra) {
    const known = lookup('confidentiality', code);
    if (known === undefined || known.codeSystem !== DMP_CONFIDENTIALITY_OID) {
      throw new AppError('CDA_INPUT_INVALID', { field: 'confidentiality', code });
    }
    if (!out.some((c) => c.code === code)) out.push({ ...known });
  }
  return out;
}

export function extractXdsMetadata(xml: string | Uint8Array, options: ExtractOptions = {}): XdsDocumentMetadata {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  const root = parseCda(bytes);
  const missing: string[] = [];
  const orMissing = (value: CodedValue | undefined, name: string): CodedValue => {
    if (value !== undefined) return value;
    missing.push(name);
    return { ...EMPTY };
  };

  const uniqueId = xdsUniqueId(required(root, 'h:id/@root'), attrOf(root, 'h:id', 'extension'));
  const typeCode = coded(selectElement(root, 'h:code', NS), 'typeCode');
  if (typeCode === undefined) throw new AppError('CDA_HEADER_INCOMPLETE', { path: 'h:code/@code' });
  const creationTime = toXdsTime(required(root, 'h:effectiveTime/@value'));
  if (creationTime === undefined) throw new AppError('CDA_HEADER_INCOMPLETE', { path: 'h:effectiveTime/@value', reason: 'format' });

  // recordTarget: the INS is the patient id on the DMP (CI-SIS structuration minimale; XDS patientId NH).
  const patientIds = selectElements(root, 'h:recordTarget/h:patientRole/h:id', NS);
  const ins = patientIds.find((id) => INS_OIDS.includes(id.getAttribute('root') ?? '') && (id.getAttribute('extension') ?? '') !== '');
  if (ins === undefined) throw new AppError('CDA_PATIENT_INS_MISSING');

  const templateIds = readTexts(root, 'h:templateId/@root', NS);
  const mediaType = attrOf(root, 'h:component/h:nonXMLBody/h:text', 'mediaType');
  const facility = coded(
    selectElement(root, 'h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code', NS),
    'healthcareFacilityType',
  );
  const practice = coded(
    selectElement(root, 'h:documentationOf/h:serviceEvent/h:performer/h:assignedEntity/h:representedOrganization/h:standardIndustryClassCode', NS),
    'practiceSetting',
  );
  const title = readText(root, 'h:title', NS);
  const language = attrOf(root, 'h:languageCode', 'code');
  const setIdRoot = attrOf(root, 'h:setId', 'root');
  const versionText = attrOf(root, 'h:versionNumber', 'value');
  const replacedRoot = attrOf(root, "h:relatedDocument[@typeCode='RPLC']/h:parentDocument/h:id", 'root');
  const legal = selectElement(root, 'h:legalAuthenticator/h:assignedEntity', NS);
  const times = serviceTimes(root);

  const metadata: XdsDocumentMetadata = {
    uniqueId,
    title: title !== undefined && title !== '' ? title : typeCode.displayName,
    mimeType: 'text/xml',
    typeCode,
    classCode: orMissing(classCodeFor(typeCode.code)?.value, 'classCode'),
    formatCode: orMissing(formatCodeFor(templateIds, mediaType), 'formatCode'),
    healthcareFacilityTypeCode: orMissing(facility, 'healthcareFacilityTypeCode'),
    practiceSettingCode: orMissing(practice, 'practiceSettingCode'),
    confidentialityCodes: confidentialityOf(root, options.extraConfidentiality ?? []),
    eventCodes: selectElements(root, 'h:documentationOf/h:serviceEvent/h:code', NS)
      .map((e) => coded(e))
      .filter((c): c is CodedValue => c !== undefined),
    languageCode: language ?? 'fr-FR',
    creationTime,
    sourcePatientId: xdsPatientId(ins.getAttribute('extension') ?? '', ins.getAttribute('root') ?? ''),
    authors: authorsOf(root),
    size: bytes.byteLength,
    hash: createHash('sha1').update(bytes).digest('hex'),
  };
  if (language === undefined) missing.push('languageCode');
  if (metadata.confidentialityCodes.length === 0) missing.push('confidentialityCode');
  if (metadata.authors.length === 0) missing.push('author');
  if (setIdRoot !== undefined) metadata.setId = xdsUniqueId(setIdRoot, attrOf(root, 'h:setId', 'extension'));
  if (versionText !== undefined && /^\d+$/.test(versionText)) metadata.versionNumber = Number(versionText);
  if (times.start !== undefined) metadata.serviceStartTime = times.start;
  if (times.stop !== undefined) metadata.serviceStopTime = times.stop;
  if (legal !== null) metadata.legalAuthenticator = person(legal, 'h:assignedPerson');
  if (replacedRoot !== undefined) {
    metadata.replaces = xdsUniqueId(replacedRoot, attrOf(root, "h:relatedDocument[@typeCode='RPLC']/h:parentDocument/h:id", 'extension'));
  }
  if (missing.length > 0) metadata.missing = missing;
  return metadata;
}
