/**
 * XDS.b metadata as ebRIM 3.0 XML, both ways: DocumentEntry / SubmissionSet / Association objects
 * read from registry responses (ITI-18) and written into ITI-41/ITI-57 requests and simulator
 * responses. Slot names, classification schemes and the XCN/XON layouts follow IHE ITI TF-3 §4.2.3
 * and the official TD2.1/TD3.1 examples (dmp.md §3).
 */
import { attr, readableChildren, xmlNamespace, xmlNs, type XmlContent, type XmlElementNode, type XmlReadableElement } from '../../platform/xml';
import type { CodedValue, XdsAuthor, XdsDocumentMetadata } from '../cda';
import { ASSOCIATION, CONFIDENTIALITY_SYSTEM, NS, STATUS, statusName, XDS, type AvailabilityStatus } from './codes';

export const rim = xmlNamespace(NS.rim, 'rim');

export type { CodedValue, XdsAuthor, XdsDocumentMetadata } from '../cda';

/** A document entry as the registry describes it. */
export interface DocumentEntry {
  entryUuid: string;
  logicalId: string;
  uniqueId: string;
  status: AvailabilityStatus;
  version: number;
  title: string;
  mimeType: string;
  typeCode: CodedValue | null;
  classCode: CodedValue | null;
  formatCode: CodedValue | null;
  healthcareFacilityTypeCode: CodedValue | null;
  practiceSettingCode: CodedValue | null;
  confidentialityCodes: CodedValue[];
  eventCodes: CodedValue[];
  creationTime: string | null;
  serviceStartTime: string | null;
  serviceStopTime: string | null;
  languageCode: string | null;
  patientId: string;
  repositoryUniqueId: string | null;
  size: number | null;
  hash: string | null;
  authors: XdsAuthor[];
}

export interface SubmissionSetEntry {
  entryUuid: string;
  uniqueId: string;
  submissionTime: string | null;
  patientId: string;
  sourceId: string | null;
}

export interface AssociationEntry {
  id: string;
  type: string;
  source: string;
  target: string;
}

export interface RegistryObjects {
  documents: DocumentEntry[];
  submissionSets: SubmissionSetEntry[];
  associations: AssociationEntry[];
}

// ---------------------------------------------------------------------------------------------
// HL7 v2 data types used in slots (XCN, XON, CE as code^display^system)

/** XCN (IHE ITI TF-3 Table 4.2.3.1.4-1): IdNat^FAMILY^Given^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS. */
export function formatXcn(author: Pick<XdsAuthor, 'idNat' | 'family' | 'given'>): string {
  return `${esc(author.idNat)}^${esc(author.family ?? '')}^${esc(author.given ?? '')}^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS`;
}

export function parseXcn(value: string): Pick<XdsAuthor, 'idNat' | 'family' | 'given'> {
  const parts = value.split('^');
  const out: Pick<XdsAuthor, 'idNat' | 'family' | 'given'> = { idNat: parts[0] ?? '' };
  if (parts[1]) out.family = parts[1];
  if (parts[2]) out.given = parts[2];
  return out;
}

/** XON: NAME^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^<id> (official TD2.1 example). */
export function formatXon(institution: { id: string; name: string }): string {
  return `${esc(institution.name)}^^^^^&1.2.250.1.71.4.2.2&ISO^IDNST^^^${esc(institution.id)}`;
}

export function parseXon(value: string): { id: string; name: string } {
  const parts = value.split('^');
  return { name: parts[0] ?? '', id: parts[9] ?? '' };
}

/** code^displayName^codeSystem (authorRole/authorSpecialty slots of the examples). */
function formatCe(value: CodedValue): string {
  return `${esc(value.code)}^${esc(value.displayName)}^${esc(value.codeSystem)}`;
}

function parseCe(value: string): CodedValue {
  const [code = '', displayName = '', codeSystem = ''] = value.split('^');
  return { code, displayName, codeSystem };
}

/** HL7 v2 delimiters in user-provided text become spaces: no escape sequences on the DMP side. */
function esc(value: string): string {
  return value.replace(/[\^&~\\|]/g, ' ');
}

// ---------------------------------------------------------------------------------------------
// Reading

function slotValues(object: XmlReadableElement, name: string): string[] {
  for (const slot of readableChildren(object, NS.rim, 'Slot')) {
    if (slot.getAttribute('name') !== name) continue;
    const list = readableChildren(slot, NS.rim, 'ValueList')[0];
    return list === undefined ? [] : readableChildren(list, NS.rim, 'Value').map((v) => (v.textContent ?? '').trim());
  }
  return [];
}

function slot(object: XmlReadableElement, name: string): string | null {
  return slotValues(object, name)[0] ?? null;
}

function localized(object: XmlReadableElement, local: 'Name' | 'Description'): string {
  const holder = readableChildren(object, NS.rim, local)[0];
  const string = holder === undefined ? undefined : readableChildren(holder, NS.rim, 'LocalizedString')[0];
  return string?.getAttribute('value') ?? '';
}

function coded(classification: XmlReadableElement): CodedValue {
  return {
    code: classification.getAttribute('nodeRepresentation') ?? '',
    codeSystem: slot(classification, 'codingScheme') ?? '',
    displayName: localized(classification, 'Name'),
  };
}

function externalId(object: XmlReadableElement, scheme: string): string | null {
  const found = readableChildren(object, NS.rim, 'ExternalIdentifier').find((e) => e.getAttribute('identificationScheme') === scheme);
  return found?.getAttribute('value') ?? null;
}

function readAuthor(classification: XmlReadableElement): XdsAuthor {
  const person = slot(classification, 'authorPerson');
  const author: XdsAuthor = person === null ? { idNat: '' } : parseXcn(person);
  const institution = slot(classification, 'authorInstitution');
  if (institution !== null) author.institution = parseXon(institution);
  const role = slot(classification, 'authorRole');
  if (role !== null) author.role = parseCe(role);
  const specialty = slot(classification, 'authorSpecialty');
  if (specialty !== null) author.specialty = parseCe(specialty);
  return author;
}

/**
 * The children of a registry object by kind, read in one pass (a DocumentEntry has ~40 of them and
 * ~20 are looked up: once per lookup made a 2 000-entry answer cost 40 000 child walks). First
 * occurrence wins, as in the lookups above.
 */
function indexOf(object: XmlReadableElement) {
  const slots = new Map<string, XmlReadableElement>();
  const classified = new Map<string, XmlReadableElement[]>();
  const external = new Map<string, XmlReadableElement>();
  for (const child of readableChildren(object, NS.rim)) {
    if (child.localName === 'Slot') {
      const name = child.getAttribute('name');
      if (name !== null && !slots.has(name)) slots.set(name, child);
    } else if (child.localName === 'Classification') {
      const scheme = child.getAttribute('classificationScheme');
      if (scheme === null) continue;
      const list = classified.get(scheme);
      if (list === undefined) classified.set(scheme, [child]);
      else list.push(child);
    } else if (child.localName === 'ExternalIdentifier') {
      const scheme = child.getAttribute('identificationScheme');
      if (scheme !== null && !external.has(scheme)) external.set(scheme, child);
    }
  }
  const slotOf = (name: string): string | null => {
    const found = slots.get(name);
    const list = found === undefined ? undefined : readableChildren(found, NS.rim, 'ValueList')[0];
    const value = list === undefined ? undefined : readableChildren(list, NS.rim, 'Value')[0];
    return value === undefined ? null : (value.textContent ?? '').trim();
  };
  const classificationsOf = (scheme: string): XmlReadableElement[] => classified.get(scheme) ?? [];
  const firstCodedOf = (scheme: string): CodedValue | null => {
    const found = classificationsOf(scheme)[0];
    return found === undefined ? null : coded(found);
  };
  const externalIdOf = (scheme: string): string | null => external.get(scheme)?.getAttribute('value') ?? null;
  return { slot: slotOf, classifications: classificationsOf, firstCoded: firstCodedOf, externalId: externalIdOf };
}

export function readDocumentEntry(object: XmlReadableElement): DocumentEntry {
  const id = object.getAttribute('id') ?? '';
  const { slot, classifications, firstCoded, externalId } = indexOf(object);
  const size = slot('size');
  const version = readableChildren(object, NS.rim, 'VersionInfo')[0]?.getAttribute('versionName');
  return {
    entryUuid: id,
    logicalId: object.getAttribute('lid') ?? id,
    uniqueId: externalId(XDS.documentUniqueId) ?? '',
    status: statusName(object.getAttribute('status') ?? '') ?? 'Approved',
    version: version === undefined || version === null || !/^\d+$/.test(version) ? 1 : Number(version),
    title: localized(object, 'Name'),
    mimeType: object.getAttribute('mimeType') ?? 'application/octet-stream',
    typeCode: firstCoded(XDS.typeCode),
    classCode: firstCoded(XDS.classCode),
    formatCode: firstCoded(XDS.formatCode),
    healthcareFacilityTypeCode: firstCoded(XDS.healthcareFacilityTypeCode),
    practiceSettingCode: firstCoded(XDS.practiceSettingCode),
    confidentialityCodes: classifications(XDS.confidentialityCode).map(coded),
    eventCodes: classifications(XDS.eventCode).map(coded),
    creationTime: slot('creationTime'),
    serviceStartTime: slot('serviceStartTime'),
    serviceStopTime: slot('serviceStopTime'),
    languageCode: slot('languageCode'),
    patientId: externalId(XDS.documentPatientId) ?? '',
    repositoryUniqueId: slot('repositoryUniqueId'),
    size: size !== null && /^\d+$/.test(size) ? Number(size) : null,
    hash: slot('hash'),
    authors: classifications(XDS.author).map(readAuthor),
  };
}

function readSubmissionSet(object: XmlReadableElement): SubmissionSetEntry {
  return {
    entryUuid: object.getAttribute('id') ?? '',
    uniqueId: externalId(object, XDS.submissionSetUniqueId) ?? '',
    submissionTime: slot(object, 'submissionTime'),
    patientId: externalId(object, XDS.submissionSetPatientId) ?? '',
    sourceId: externalId(object, XDS.submissionSetSourceId),
  };
}

/**
 * Reads every object of a rim:RegistryObjectList (or of a SubmitObjectsRequest's list), given as the
 * list element or as its children parsed one at a time (a long answer, see SoapCall.records).
 */
export function readRegistryObjects(list: XmlReadableElement | Iterable<XmlReadableElement> | null): RegistryObjects {
  const out: RegistryObjects = { documents: [], submissionSets: [], associations: [] };
  if (list === null) return out;
  for (const child of Symbol.iterator in list ? list : readableChildren(list)) {
    if (child.namespaceURI !== NS.rim) continue;
    if (child.localName === 'ExtrinsicObject') out.documents.push(readDocumentEntry(child));
    else if (child.localName === 'RegistryPackage') out.submissionSets.push(readSubmissionSet(child));
    else if (child.localName === 'Association') {
      out.associations.push({
        id: child.getAttribute('id') ?? '',
        type: child.getAttribute('associationType') ?? '',
        source: child.getAttribute('sourceObject') ?? '',
        target: child.getAttribute('targetObject') ?? '',
      });
    }
  }
  return out;
}

/** The restriction codes (TRE_A07) a document carries. */
export function restrictionsOf(entry: Pick<DocumentEntry, 'confidentialityCodes'>): string[] {
  return entry.confidentialityCodes.filter((c) => c.codeSystem === CONFIDENTIALITY_SYSTEM.dmp).map((c) => c.code);
}

// ---------------------------------------------------------------------------------------------
// Writing

function slotEl(name: string, values: readonly string[]): XmlElementNode {
  return rim.el('Slot', attr('name', name), rim.el('ValueList', values.map((v) => rim.el('Value', v))));
}

function localizedEl(local: 'Name' | 'Description', value: string): XmlElementNode {
  return rim.el(local, rim.el('LocalizedString', attr('charset', 'UTF8'), attr('value', value), xmlNs.attr('lang', 'FR')));
}

function classificationEl(id: string, scheme: string, object: string, value: CodedValue): XmlElementNode {
  return rim.el(
    'Classification',
    attr('classificationScheme', scheme),
    attr('classifiedObject', object),
    attr('id', id),
    attr('nodeRepresentation', value.code),
    attr('objectType', XDS.classification),
    slotEl('codingScheme', [value.codeSystem]),
    localizedEl('Name', value.displayName),
  );
}

function authorEl(id: string, scheme: string, object: string, author: XdsAuthor): XmlElementNode {
  return rim.el(
    'Classification',
    attr('classificationScheme', scheme),
    attr('classifiedObject', object),
    attr('id', id),
    attr('nodeRepresentation', ''),
    attr('objectType', XDS.classification),
    author.institution === undefined ? null : slotEl('authorInstitution', [formatXon(author.institution)]),
    slotEl('authorPerson', [formatXcn(author)]),
    author.role === undefined ? null : slotEl('authorRole', [formatCe(author.role)]),
    author.specialty === undefined ? null : slotEl('authorSpecialty', [formatCe(author.specialty)]),
  );
}

function externalIdEl(id: string, scheme: string, object: string, value: string, name: string): XmlElementNode {
  return rim.el(
    'ExternalIdentifier',
    attr('id', id),
    attr('identificationScheme', scheme),
    attr('objectType', 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier'),
    attr('registryObject', object),
    attr('value', value),
    localizedEl('Name', name),
  );
}

export interface DocumentEntryOptions {
  /** Symbolic id (ITI-41) or urn:uuid (registry). */
  id: string;
  lid?: string;
  status?: AvailabilityStatus;
  version?: number;
  patientId: string;
  repositoryUniqueId?: string;
  /** Distinct ids for the nested objects. */
  idPrefix: string;
}

/** An ExtrinsicObject for a DocumentEntry (IHE ITI TF-3 §4.2.3.2; element order of rim.xsd). */
export function documentEntryEl(meta: XdsDocumentMetadata, options: DocumentEntryOptions): XmlElementNode {
  const id = options.id;
  const n = (() => {
    let i = 0;
    return () => `${options.idPrefix}${++i}`;
  })();
  const slots: XmlContent[] = [
    slotEl('creationTime', [meta.creationTime]),
    meta.hash === undefined ? null : slotEl('hash', [meta.hash]),
    slotEl('languageCode', [meta.languageCode]),
    meta.legalAuthenticator === undefined ? null : slotEl('legalAuthenticator', [formatXcn(meta.legalAuthenticator)]),
    options.repositoryUniqueId === undefined ? null : slotEl('repositoryUniqueId', [options.repositoryUniqueId]),
    meta.serviceStartTime === undefined ? null : slotEl('serviceStartTime', [meta.serviceStartTime]),
    meta.serviceStopTime === undefined ? null : slotEl('serviceStopTime', [meta.serviceStopTime]),
    meta.size === undefined ? null : slotEl('size', [String(meta.size)]),
    slotEl('sourcePatientId', [meta.sourcePatientId]),
  ];
  return rim.el(
    'ExtrinsicObject',
    attr('id', id),
    attr('lid', options.lid),
    attr('mimeType', meta.mimeType),
    attr('objectType', XDS.documentEntryType),
    attr('status', options.status === undefined ? undefined : STATUS[options.status]),
    slots,
    localizedEl('Name', meta.title),
    options.version === undefined ? null : rim.el('VersionInfo', attr('versionName', String(options.version))),
    meta.authors.map((a) => authorEl(n(), XDS.author, id, a)),
    classificationEl(n(), XDS.classCode, id, meta.classCode),
    meta.confidentialityCodes.map((c) => classificationEl(n(), XDS.confidentialityCode, id, c)),
    meta.eventCodes.map((c) => classificationEl(n(), XDS.eventCode, id, c)),
    classificationEl(n(), XDS.formatCode, id, meta.formatCode),
    classificationEl(n(), XDS.healthcareFacilityTypeCode, id, meta.healthcareFacilityTypeCode),
    classificationEl(n(), XDS.practiceSettingCode, id, meta.practiceSettingCode),
    classificationEl(n(), XDS.typeCode, id, meta.typeCode),
    externalIdEl(n(), XDS.documentPatientId, id, options.patientId, 'XDSDocumentEntry.patientId'),
    externalIdEl(n(), XDS.documentUniqueId, id, meta.uniqueId, 'XDSDocumentEntry.uniqueId'),
  );
}

/** Back from a DocumentEntry to metadata (simulator: store and re-serve what was registered). */
export function metadataOf(entry: DocumentEntry): XdsDocumentMetadata {
  const empty: CodedValue = { code: '', codeSystem: '', displayName: '' };
  const meta: XdsDocumentMetadata = {
    uniqueId: entry.uniqueId,
    title: entry.title,
    mimeType: entry.mimeType === 'application/pdf' ? 'application/pdf' : 'text/xml',
    typeCode: entry.typeCode ?? empty,
    classCode: entry.classCode ?? empty,
    formatCode: entry.formatCode ?? empty,
    healthcareFacilityTypeCode: entry.healthcareFacilityTypeCode ?? empty,
    practiceSettingCode: entry.practiceSettingCode ?? empty,
    confidentialityCodes: entry.confidentialityCodes,
    eventCodes: entry.eventCodes,
    languageCode: entry.languageCode ?? 'fr-FR',
    creationTime: entry.creationTime ?? '',
    sourcePatientId: entry.patientId,
    authors: entry.authors,
  };
  if (entry.serviceStartTime !== null) meta.serviceStartTime = entry.serviceStartTime;
  if (entry.serviceStopTime !== null) meta.serviceStopTime = entry.serviceStopTime;
  if (entry.size !== null) meta.size = entry.size;
  if (entry.hash !== null) meta.hash = entry.hash;
  return meta;
}

export interface SubmissionSetOptions {
  id: string;
  uniqueId: string;
  sourceId: string;
  submissionTime: string;
  patientId: string;
  author: XdsAuthor;
  /** JDV_J59 content type (R209 activity type). */
  contentTypeCode: CodedValue;
  title?: string;
}

/** A RegistryPackage classified as SubmissionSet (IHE ITI TF-3 §4.2.3.3). */
export function submissionSetEl(options: SubmissionSetOptions): XmlElementNode {
  const id = options.id;
  return rim.el(
    'RegistryPackage',
    attr('id', id),
    attr('objectType', XDS.registryPackage),
    slotEl('submissionTime', [options.submissionTime]),
    localizedEl('Name', options.title ?? 'Lot de soumission'),
    authorEl(`${id}-author`, XDS.submissionSetAuthor, id, options.author),
    classificationEl(`${id}-content`, XDS.contentTypeCode, id, options.contentTypeCode),
    rim.el(
      'Classification',
      attr('classificationNode', XDS.submissionSetClassification),
      attr('classifiedObject', id),
      attr('id', `${id}-class`),
      attr('objectType', XDS.classification),
    ),
    externalIdEl(`${id}-pid`, XDS.submissionSetPatientId, id, options.patientId, 'XDSSubmissionSet.patientId'),
    externalIdEl(`${id}-src`, XDS.submissionSetSourceId, id, options.sourceId, 'XDSSubmissionSet.sourceId'),
    externalIdEl(`${id}-uid`, XDS.submissionSetUniqueId, id, options.uniqueId, 'XDSSubmissionSet.uniqueId'),
  );
}

export function associationEl(options: {
  id: string;
  type: string;
  source: string;
  target: string;
  slots?: Record<string, string[]>;
}): XmlElementNode {
  return rim.el(
    'Association',
    attr('associationType', options.type),
    attr('id', options.id),
    attr('objectType', XDS.association),
    attr('sourceObject', options.source),
    attr('targetObject', options.target),
    Object.entries(options.slots ?? {}).map(([name, values]) => slotEl(name, values)),
  );
}

export function hasMember(id: string, submissionSet: string, document: string, original = true): XmlElementNode {
  return associationEl({ id, type: ASSOCIATION.hasMember, source: submissionSet, target: document, slots: { SubmissionSetStatus: [original ? 'Original' : 'Reference'] } });
}
