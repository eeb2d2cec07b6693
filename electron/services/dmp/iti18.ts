/**
 * TD3.1 / ITI-18 Registry Stored Query: AdhocQueryRequest builders for the queries the DMPi
 * allows (FindDocuments with its filters, FindSubmissionSets, GetAssociations,
 * GetDocumentsAndAssociations, GetDocuments by uniqueId) and the AdhocQueryResponse reader.
 * Slot syntax (quoted strings, parenthesised lists) per IHE ITI TF-2a §3.18.4.1.2.3.5; official
 * request shape: shared/reference/dmp/examples/TD3.1_-_Recherche_de_document_requete.xml.
 */
import type { Element } from '@xmldom/xmldom';
import { attr, childElements, xmlNamespace, type XmlElementNode, type XmlReadableElement } from '../../platform/xml';
import { NS, RESPONSE_STATUS, STATUS, STORED_QUERY, type AvailabilityStatus } from './codes';
import { readRegistryObjects, type RegistryObjects } from './xds';

const query = xmlNamespace(NS.query, 'query');
const rim = xmlNamespace(NS.rim, 'rim');

export type StoredQueryName = keyof typeof STORED_QUERY;

export interface FindDocumentsFilters {
  statuses?: AvailabilityStatus[];
  typeCodes?: Array<{ code: string; codeSystem: string }>;
  classCodes?: Array<{ code: string; codeSystem: string }>;
  /** HL7 TS bounds on serviceStartTime / creationTime. */
  serviceStartFrom?: string;
  serviceStartTo?: string;
  creationFrom?: string;
  creationTo?: string;
  /** XCN pattern, e.g. `899700123450%`. */
  authorPerson?: string;
  confidentialityCodes?: Array<{ code: string; codeSystem: string }>;
}

/** Quoted slot string; single quotes are doubled (ITI TF-2a §3.18.4.1.2.3.5). */
function q(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function list(values: readonly string[]): string {
  return `(${values.map(q).join(',')})`;
}

export interface StoredQuery {
  name: StoredQueryName;
  slots: Array<[string, string[]]>;
  returnType: 'LeafClass' | 'ObjectRef';
}

export function findDocuments(patientId: string, filters: FindDocumentsFilters = {}): StoredQuery {
  const slots: Array<[string, string[]]> = [['$XDSDocumentEntryPatientId', [q(patientId)]]];
  slots.push(['$XDSDocumentEntryStatus', [list((filters.statuses ?? ['Approved']).map((s) => STATUS[s]))]]);
  if (filters.typeCodes?.length) slots.push(['$XDSDocumentEntryTypeCode', [list(filters.typeCodes.map((c) => `${c.code}^^${c.codeSystem}`))]]);
  if (filters.classCodes?.length) slots.push(['$XDSDocumentEntryClassCode', [list(filters.classCodes.map((c) => `${c.code}^^${c.codeSystem}`))]]);
  if (filters.serviceStartFrom !== undefined) slots.push(['$XDSDocumentEntryServiceStartTimeFrom', [filters.serviceStartFrom]]);
  if (filters.serviceStartTo !== undefined) slots.push(['$XDSDocumentEntryServiceStartTimeTo', [filters.serviceStartTo]]);
  if (filters.creationFrom !== undefined) slots.push(['$XDSDocumentEntryCreationTimeFrom', [filters.creationFrom]]);
  if (filters.creationTo !== undefined) slots.push(['$XDSDocumentEntryCreationTimeTo', [filters.creationTo]]);
  if (filters.authorPerson !== undefined) slots.push(['$XDSDocumentEntryAuthorPerson', [list([filters.authorPerson])]]);
  if (filters.confidentialityCodes?.length) {
    slots.push(['$XDSDocumentEntryConfidentialityCode', [list(filters.confidentialityCodes.map((c) => `${c.code}^^${c.codeSystem}`))]]);
  }
  return { name: 'FindDocuments', slots, returnType: 'LeafClass' };
}

export function findSubmissionSets(patientId: string, submissionTimeFrom: string): StoredQuery {
  return {
    name: 'FindSubmissionSets',
    slots: [
      ['$XDSSubmissionSetPatientId', [q(patientId)]],
      ['$XDSSubmissionSetSubmissionTimeFrom', [submissionTimeFrom]],
      ['$XDSSubmissionSetStatus', [list([STATUS.Approved])]],
    ],
    returnType: 'LeafClass',
  };
}

export function getAssociations(uuids: readonly string[]): StoredQuery {
  return { name: 'GetAssociations', slots: [['$uuid', [list(uuids)]]], returnType: 'LeafClass' };
}

export function getDocumentsAndAssociations(uuids: readonly string[]): StoredQuery {
  return { name: 'GetDocumentsAndAssociations', slots: [['$XDSDocumentEntryEntryUUID', [list(uuids)]]], returnType: 'LeafClass' };
}

export function getDocumentsByUniqueId(uniqueIds: readonly string[]): StoredQuery {
  return { name: 'GetDocuments', slots: [['$XDSDocumentEntryUniqueId', [list(uniqueIds)]]], returnType: 'LeafClass' };
}

export function buildAdhocQueryRequest(stored: StoredQuery): XmlElementNode {
  return query.el(
    'AdhocQueryRequest',
    rim.declare(),
    query.el('ResponseOption', attr('returnComposedObjects', 'true'), attr('returnType', stored.returnType)),
    rim.el(
      'AdhocQuery',
      attr('id', STORED_QUERY[stored.name]),
      stored.slots.map(([name, values]) => rim.el('Slot', attr('name', name), rim.el('ValueList', values.map((v) => rim.el('Value', v))))),
    ),
  );
}

export interface RegistryError {
  errorCode: string;
  codeContext: string;
  severity: string;
}

export interface AdhocQueryResult extends RegistryObjects {
  status: 'success' | 'partial' | 'failure';
  errors: RegistryError[];
}

export function readRegistryErrors(response: Element): RegistryError[] {
  const list = childElements(response, NS.rs, 'RegistryErrorList')[0];
  if (list === undefined) return [];
  return childElements(list, NS.rs, 'RegistryError').map((e) => ({
    errorCode: e.getAttribute('errorCode') ?? '',
    codeContext: e.getAttribute('codeContext') ?? '',
    severity: e.getAttribute('severity') ?? '',
  }));
}

export function responseStatus(value: string | null): 'success' | 'partial' | 'failure' {
  if (value === RESPONSE_STATUS.success) return 'success';
  if (value === RESPONSE_STATUS.partialSuccess) return 'partial';
  return 'failure';
}

/**
 * Reads an AdhocQueryResponse. `records`: the RegistryObjectList's children when the answer was
 * parsed one record at a time (SoapCall.records); otherwise they are read from `response`.
 */
export function parseAdhocQueryResponse(response: Element, records?: Iterable<XmlReadableElement>): AdhocQueryResult {
  if (response.localName !== 'AdhocQueryResponse' || response.namespaceURI !== NS.query) throw new TypeError('not an AdhocQueryResponse');
  const list = records ?? childElements(response, NS.rim, 'RegistryObjectList')[0] ?? null;
  return { ...readRegistryObjects(list), status: responseStatus(response.getAttribute('status')), errors: readRegistryErrors(response) };
}

/** The elements whose children an ITI-18 answer lists (for SoapCall.records). */
export const ITI18_RECORDS = { ns: NS.rim, local: 'RegistryObjectList' } as const;

// ---------------------------------------------------------------------------------------------
// Reading a request (simulator side)

export interface ParsedStoredQuery {
  name: StoredQueryName | null;
  /** Slot values with quotes and parentheses removed, lists flattened. */
  slots: Map<string, string[]>;
}

function unquoteValues(raw: string): string[] {
  const trimmed = raw.trim();
  const inner = trimmed.startsWith('(') && trimmed.endsWith(')') ? trimmed.slice(1, -1) : trimmed;
  const out: string[] = [];
  const re = /'((?:[^']|'')*)'|([^,\s][^,]*)/g;
  for (let m = re.exec(inner); m !== null; m = re.exec(inner)) {
    out.push(m[1] !== undefined ? m[1].replace(/''/g, "'") : (m[2] ?? '').trim());
  }
  return out;
}

export function readAdhocQueryRequest(request: Element): ParsedStoredQuery {
  const adhoc = childElements(request, NS.rim, 'AdhocQuery')[0];
  const id = adhoc?.getAttribute('id') ?? '';
  const name = (Object.entries(STORED_QUERY).find(([, value]) => value === id)?.[0] ?? null) as StoredQueryName | null;
  const slots = new Map<string, string[]>();
  for (const slot of adhoc === undefined ? [] : childElements(adhoc, NS.rim, 'Slot')) {
    const values = childElements(childElements(slot, NS.rim, 'ValueList')[0] ?? slot, NS.rim, 'Value').flatMap((v) => unquoteValues(v.textContent ?? ''));
    slots.set(slot.getAttribute('name') ?? '', [...(slots.get(slot.getAttribute('name') ?? '') ?? []), ...values]);
  }
  return { name, slots };
}
