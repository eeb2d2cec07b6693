/**
 * Bodies of TD3.2 (ITI-43 RetrieveDocumentSet), TD2.1 (ITI-41 ProvideAndRegisterDocumentSet-b) and
 * TD3.3a–d (ITI-57 UpdateDocumentSet), and the RegistryResponse they come back with.
 * Shapes: official examples TD3.2_*, TD2.1_*, TD3.3c_*, TD3.3d_* (shared/reference/dmp/examples),
 * IHE ITI TF-2b §3.41, §3.43, ITI TF-2b Suppl. XDS Metadata Update §3.57 (dmp.md §3 "Update examples").
 */
import type { Element } from '@xmldom/xmldom';
import { attr, childElements, xmlNamespace, type XmlElementNode } from '../../platform/xml';
import { xopInclude } from '../../platform/soap';
import { ASSOCIATION, NS, STATUS, type AvailabilityStatus } from './codes';
import { readRegistryErrors, responseStatus, type RegistryError } from './iti18';
import { associationEl, documentEntryEl, hasMember, submissionSetEl, type SubmissionSetOptions, type XdsDocumentMetadata } from './xds';

const xdsb = xmlNamespace(NS.xdsb, 'xdsb');
const lcm = xmlNamespace(NS.lcm, 'lcm');
const rim = xmlNamespace(NS.rim, 'rim');
const rs = xmlNamespace(NS.rs, 'rs');

// ---------------------------------------------------------------------------------------------
// ITI-43

export function buildRetrieveRequest(documents: ReadonlyArray<{ repositoryUniqueId: string; uniqueId: string }>): XmlElementNode {
  return xdsb.el(
    'RetrieveDocumentSetRequest',
    documents.map((d) => xdsb.el('DocumentRequest', xdsb.el('RepositoryUniqueId', d.repositoryUniqueId), xdsb.el('DocumentUniqueId', d.uniqueId))),
  );
}

export interface RetrievedDocumentRef {
  repositoryUniqueId: string;
  uniqueId: string;
  mimeType: string;
  /** The xdsb:Document element (xop:Include or base64). */
  content: Element;
}

export function readRetrieveResponse(response: Element): { status: 'success' | 'partial' | 'failure'; errors: RegistryError[]; documents: RetrievedDocumentRef[] } {
  if (response.localName !== 'RetrieveDocumentSetResponse' || response.namespaceURI !== NS.xdsb) throw new TypeError('not a RetrieveDocumentSetResponse');
  const registryResponse = childElements(response, NS.rs, 'RegistryResponse')[0];
  const text = (parent: Element, local: string): string => (childElements(parent, NS.xdsb, local)[0]?.textContent ?? '').trim();
  const documents: RetrievedDocumentRef[] = [];
  for (const d of childElements(response, NS.xdsb, 'DocumentResponse')) {
    const content = childElements(d, NS.xdsb, 'Document')[0];
    if (content === undefined) continue;
    documents.push({ repositoryUniqueId: text(d, 'RepositoryUniqueId'), uniqueId: text(d, 'DocumentUniqueId'), mimeType: text(d, 'mimeType'), content });
  }
  return {
    status: responseStatus(registryResponse?.getAttribute('status') ?? null),
    errors: registryResponse === undefined ? [] : readRegistryErrors(registryResponse),
    documents,
  };
}

/** Simulator side: the response with the document as an MTOM part. */
export function buildRetrieveResponse(
  found: ReadonlyArray<{ repositoryUniqueId: string; uniqueId: string; mimeType: string; contentId: string }>,
  errors: RegistryError[] = [],
): XmlElementNode {
  const status = errors.length === 0 ? 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success' : found.length > 0 ? 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess' : 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';
  return xdsb.el(
    'RetrieveDocumentSetResponse',
    registryResponseEl(status, errors),
    found.map((d) =>
      xdsb.el(
        'DocumentResponse',
        xdsb.el('RepositoryUniqueId', d.repositoryUniqueId),
        xdsb.el('DocumentUniqueId', d.uniqueId),
        xdsb.el('mimeType', d.mimeType),
        xdsb.el('Document', xopInclude(d.contentId)),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// ITI-41

export interface ProvideAndRegisterInput {
  submissionSet: Omit<SubmissionSetOptions, 'id'>;
  metadata: XdsDocumentMetadata;
  patientId: string;
  /** Content-ID of the document part. */
  contentId: string;
  /** entryUUID of the document this one replaces (RPLC), looked up when sending. */
  replacesEntryUuid?: string;
  /**
   * The XAdES signature of the submission set as a second document (official TD2.1 example:
   * ExtrinsicObject Signature01 + association `signs` to the submission set).
   */
  signature?: { uniqueId: string; contentId: string; size: number; hash: string };
}

/** Metadata of the signature document, as in the official TD2.1 example (IHE DSG). */
export function signatureMetadata(document: XdsDocumentMetadata, signature: { uniqueId: string; size: number; hash: string }): XdsDocumentMetadata {
  return {
    ...document,
    uniqueId: signature.uniqueId,
    title: 'Signature du lot de soumission',
    mimeType: 'text/xml',
    classCode: { code: 'urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1', codeSystem: 'URN', displayName: 'Digital Signature' },
    typeCode: { code: 'E1762', codeSystem: 'ASTM', displayName: 'Full Document' },
    formatCode: { code: 'http://www.w3.org/2000/09/xmldsig#', codeSystem: 'URN', displayName: 'Default Signature Style' },
    eventCodes: [{ code: '1.2.840.10065.1.12.1.14', codeSystem: '1.2.840.10065.1.12', displayName: 'Source' }],
    size: signature.size,
    hash: signature.hash,
    authors: document.authors,
  };
}

export function buildProvideAndRegister(input: ProvideAndRegisterInput): XmlElementNode {
  const ss = 'SubmissionSet01';
  const doc = 'Document01';
  const sig = 'Signature01';
  const signature = input.signature;
  return xdsb.el(
    'ProvideAndRegisterDocumentSetRequest',
    lcm.el(
      'SubmitObjectsRequest',
      rim.el(
        'RegistryObjectList',
        submissionSetEl({ ...input.submissionSet, id: ss }),
        documentEntryEl(input.metadata, { id: doc, patientId: input.patientId, idPrefix: 'd' }),
        signature === undefined ? null : documentEntryEl(signatureMetadata(input.metadata, signature), { id: sig, patientId: input.patientId, idPrefix: 's' }),
        hasMember('assoc01', ss, doc),
        signature === undefined ? null : hasMember('assoc02', ss, sig),
        signature === undefined ? null : associationEl({ id: 'assoc03', type: ASSOCIATION.signs, source: sig, target: ss, slots: { SubmissionSetStatus: ['Original'] } }),
        input.replacesEntryUuid === undefined ? null : associationEl({ id: 'assoc04', type: ASSOCIATION.replace, source: doc, target: input.replacesEntryUuid }),
      ),
    ),
    xdsb.el('Document', attr('id', doc), xopInclude(input.contentId)),
    signature === undefined ? null : xdsb.el('Document', attr('id', sig), xopInclude(signature.contentId)),
  );
}

// ---------------------------------------------------------------------------------------------
// ITI-57

export interface StatusUpdateInput {
  submissionSet: Omit<SubmissionSetOptions, 'id'>;
  entryUuid: string;
  from: AvailabilityStatus;
  to: AvailabilityStatus;
}

/** TD3.3c (delete) and TD3.3d (archive): an UpdateAvailabilityStatus association. */
export function buildStatusUpdate(input: StatusUpdateInput): XmlElementNode {
  const ss = 'SubmissionSet01';
  return lcm.el(
    'SubmitObjectsRequest',
    rim.el(
      'RegistryObjectList',
      submissionSetEl({ ...input.submissionSet, id: ss }),
      associationEl({
        id: 'assoc01',
        type: ASSOCIATION.updateAvailabilityStatus,
        source: ss,
        target: input.entryUuid,
        slots: { OriginalStatus: [STATUS[input.from]], NewStatus: [STATUS[input.to]] },
      }),
    ),
  );
}

export interface MetadataUpdateInput {
  submissionSet: Omit<SubmissionSetOptions, 'id'>;
  /** The new metadata version (confidentiality codes changed). */
  metadata: XdsDocumentMetadata;
  logicalId: string;
  previousVersion: number;
  patientId: string;
}

/** TD3.3a/b (masking, patient visibility): a new version of the DocumentEntry metadata. */
export function buildMetadataUpdate(input: MetadataUpdateInput): XmlElementNode {
  const ss = 'SubmissionSet01';
  const doc = 'Document01';
  return lcm.el(
    'SubmitObjectsRequest',
    rim.el(
      'RegistryObjectList',
      submissionSetEl({ ...input.submissionSet, id: ss }),
      documentEntryEl(input.metadata, { id: doc, lid: input.logicalId, patientId: input.patientId, idPrefix: 'd' }),
      associationEl({
        id: 'assoc01',
        type: ASSOCIATION.hasMember,
        source: ss,
        target: doc,
        slots: { SubmissionSetStatus: ['Original'], PreviousVersion: [String(input.previousVersion)] },
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------
// RegistryResponse

export function registryResponseEl(status: string, errors: RegistryError[] = []): XmlElementNode {
  return rs.el(
    'RegistryResponse',
    attr('status', status),
    errors.length === 0
      ? null
      : rs.el(
          'RegistryErrorList',
          errors.map((e) => rs.el('RegistryError', attr('codeContext', e.codeContext), attr('errorCode', e.errorCode), attr('severity', e.severity))),
        ),
  );
}

export function readRegistryResponse(response: Element): { status: 'success' | 'partial' | 'failure'; errors: RegistryError[] } {
  if (response.localName !== 'RegistryResponse' || response.namespaceURI !== NS.rs) throw new TypeError('not a RegistryResponse');
  return { status: responseStatus(response.getAttribute('status')), errors: readRegistryErrors(response) };
}
