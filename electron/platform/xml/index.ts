/**
 * platform/xml — safe parsing, a typed builder, XPath readers, canonicalisation, XML-DSig and XAdES.
 * No domain words here: INSi and DMP build on it (ARCHITECTURE.md §2).
 */
export { XmlError, isXmlError, type XmlErrorCode } from './errors';
export {
  parseXml,
  parseXmlElement,
  parseXmlWithRecords,
  scanXml,
  treeBudget,
  decodeXmlInput,
  decodeXmlBytes,
  hasForbiddenXmlChar,
  DEFAULT_MAX_XML_BYTES,
  DEFAULT_MAX_XML_DEPTH,
  MIN_TREE_BYTES,
  TREE_BYTES_PER_INPUT_BYTE,
  XINCLUDE_NS,
  type XmlParseLimits,
  type XmlScanStats,
  type XmlWithRecords,
} from './parse';
export { parseXmlLite, readableChildren, type XmlReadableElement, type XmlReadableNode, type XmlLiteLimits } from './lite';
export {
  el,
  attr,
  text,
  domNode,
  xmlNamespace,
  xmlNs,
  serializeXml,
  serializeXmlToBytes,
  canonicalPart,
  XML_DECLARATION,
  toDocument,
  isNcName,
  type XmlContent,
  type XmlElementNode,
  type XmlAttributeNode,
  type XmlTextNode,
  type XmlDomNode,
  type XmlChildNode,
  type XmlNamespace,
  type XmlNamespaceDeclaration,
  type XmlName,
  type XmlAttributeValue,
  type SerializeOptions,
} from './builder';
export {
  XML_NS,
  XMLNS_NS,
  childElements,
  firstChildElement,
  textOf,
  inScopeNamespaces,
  serializeElement,
  serializeDocument,
  isElement,
} from './dom';
export {
  selectNodes,
  selectElements,
  selectElement,
  requireElement,
  readText,
  requireText,
  readTexts,
  readInteger,
  readBoolean,
  readEnum,
  type XmlNamespaces,
} from './xpath';
export { canonicalDigest, canonicalize, canonicalizeToBytes, c14nOptionsFor, C14N, type C14nOptions, type C14nAlgorithmUri } from './c14n';
export { canonicalDocumentDigest } from './c14n-stream';
export {
  certificateToBase64,
  certificateToDer,
  certificateToPem,
  parseCertificate,
  verifyChain,
  type SignatureTrust,
} from './certificates';
export {
  DSIG,
  DSIG_NS,
  EXC_C14N_NS,
  signEnveloped,
  verifyEnvelopedSignature,
  type XmlSigner,
  type EnvelopedSignatureOptions,
  type SignaturePlacement,
  type VerifyOptions,
  type VerifiedSignature,
} from './dsig';
export {
  signSubmissionSet,
  verifySubmissionSetSignature,
  readSubmissionSetSignature,
  XADES_111_NS,
  PURPOSE_OF_SIGNATURE_SOURCE,
  SUBMISSION_SET_PLACEHOLDER_DIGEST,
  type SubmissionSetDocument,
  type SubmissionSetSignatureInput,
  type VerifySubmissionSetOptions,
  type VerifiedSubmissionSetSignature,
  type ManifestEntry,
} from './xades';
export { xsdValidator, type XsdValidator, type XsdValidation, type XsdIssue } from './xsd';
