/**
 * SOAP 1.2 envelopes (W3C SOAP 1.2 Part 1) with WS-Addressing 1.0 headers and an optional
 * WS-Security header carrying a SAML assertion, as the INSi (DESIR_ICIR_EXP_1.5.0.wsdl, soap12
 * binding) and DMPi services expect; and the parser of their responses into a typed body or a typed
 * SOAP 1.2 Fault.
 *
 * Header shapes follow the official examples (package DMP v02.05.00): DMP requests carry
 * wsa:MessageID, wsa:To, wsa:ReplyTo (anonymous) and wsa:Action; the INSi example carries
 * wsa:MessageID and wsa:Action next to ContexteLPS/ContexteBAM (passed as extra headers).
 * Deviation from the examples: they write `mustUnderstand="true"` without a namespace, which SOAP
 * ignores; here wsa:Action carries soap:mustUnderstand="true" as SOAP 1.2 §5.2.3 defines it (what
 * the .NET DMP kit's WCF stack sends too). `mustUnderstand: false` drops it.
 */
import { randomUUID } from 'node:crypto';
import type { Document, Element } from '@xmldom/xmldom';
import { AppError, type ErrorCode } from '../../contract/errors';
import {
  childElements,
  domNode,
  firstChildElement,
  inScopeNamespaces,
  isElement,
  parseXml,
  serializeXml,
  textOf,
  xmlNamespace,
  XML_NS,
  type XmlContent,
  type XmlElementNode,
  type XmlParseLimits,
} from '../xml';

export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
export const WSA_ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';

export const soapNs = xmlNamespace(SOAP12_NS, 'soap');
export const wsaNs = xmlNamespace(WSA_NS, 'wsa');
export const wsseNs = xmlNamespace(WSSE_NS, 'wsse');

export type SoapErrorCode = Extract<ErrorCode, `SOAP_${string}` | `MTOM_${string}`>;

/** A SOAP or MTOM message that cannot be read (details: reason only, never content). */
export class SoapError extends AppError {
  declare readonly code: SoapErrorCode;

  constructor(code: SoapErrorCode, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, details, options);
    this.name = 'SoapError';
  }
}

export interface WsAddressing {
  action: string;
  /** Unique per message (e.g. `urn:uuid:…`): see `newMessageId()`. */
  messageId: string;
  /** The endpoint URL. */
  to?: string;
  /** wsa:ReplyTo/wsa:Address; `true` means the anonymous address (DMP examples). */
  replyTo?: string | true;
  relatesTo?: string;
  /** soap:mustUnderstand="true" on wsa:Action. Default true. */
  mustUnderstand?: boolean;
}

/** Something that becomes the content of wsse:Security: a DOM (signed assertion) or built XML. */
export type SecurityToken = Element | Document | XmlElementNode;

export interface EnvelopeOptions {
  body: XmlContent;
  addressing?: WsAddressing;
  /** Tokens placed in a wsse:Security header (a signed SAML assertion: INSi assertion PS, VIHF). */
  security?: SecurityToken | readonly SecurityToken[];
  /** Other header blocks (ContexteLPS, ContexteBAM…), written after the addressing headers. */
  headers?: XmlContent;
  /** Namespaces to declare on the Envelope (shorter bodies when many elements share them). */
  declare?: ReadonlyArray<{ declare(): XmlContent }>;
}

export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

function tokenContent(token: SecurityToken): XmlContent {
  if ((token as XmlElementNode).kind === 'element') return token as XmlElementNode;
  const element = isElement(token as Element) ? (token as Element) : (token as Document).documentElement;
  if (element === null) throw new TypeError('empty security token');
  // A security token is signed: it is never changed once built (its text is reused per request).
  return domNode(element, { immutable: true });
}

export function addressingHeaders(addressing: WsAddressing): XmlContent {
  return [
    wsaNs.el('MessageID', addressing.messageId),
    addressing.to === undefined ? null : wsaNs.el('To', addressing.to),
    addressing.replyTo === undefined ? null : wsaNs.el('ReplyTo', wsaNs.el('Address', addressing.replyTo === true ? WSA_ANONYMOUS : addressing.replyTo)),
    addressing.relatesTo === undefined ? null : wsaNs.el('RelatesTo', addressing.relatesTo),
    wsaNs.el('Action', addressing.mustUnderstand === false ? null : soapNs.attr('mustUnderstand', 'true'), addressing.action),
  ];
}

/** Builds a SOAP 1.2 envelope; the body and headers are built XML (escaped by construction). */
export function buildEnvelope(options: EnvelopeOptions): XmlElementNode {
  const tokens = options.security === undefined ? [] : Array.isArray(options.security) ? options.security : [options.security];
  const header: XmlContent[] = [
    options.addressing === undefined ? null : addressingHeaders(options.addressing),
    options.headers,
    tokens.length === 0 ? null : wsseNs.el('Security', (tokens as readonly SecurityToken[]).map(tokenContent)),
  ];
  const hasHeader = options.addressing !== undefined || tokens.length > 0 || !isEmptyContent(options.headers);
  return soapNs.el(
    'Envelope',
    (options.declare ?? []).map((ns) => ns.declare()),
    hasHeader ? soapNs.el('Header', header) : null,
    soapNs.el('Body', options.body),
  );
}

function isEmptyContent(content: XmlContent): boolean {
  if (content === null || content === undefined || content === false) return true;
  if (Array.isArray(content)) return (content as readonly XmlContent[]).every(isEmptyContent);
  return false;
}

/** The envelope as text, with an XML declaration. */
export function serializeEnvelope(options: EnvelopeOptions): string {
  return serializeXml(buildEnvelope(options), { declaration: true });
}

export interface QNameValue {
  ns: string | null;
  local: string;
}

export interface SoapFault {
  /** env:Code/env:Value (Sender, Receiver, MustUnderstand, VersionMismatch, DataEncodingUnknown). */
  code: QNameValue;
  /** env:Subcode/env:Value, outermost first (INSi: siram_100…). */
  subcodes: QNameValue[];
  /** The reason to show: French text if present, else the first. */
  reason: string;
  reasons: Array<{ lang: string | null; text: string }>;
  node: string | null;
  role: string | null;
  /** env:Detail, whose children are service-specific (INSi: siram:Erreur). */
  detail: Element | null;
  detailEntries: Element[];
}

export interface SoapEnvelope {
  document: Document;
  envelope: Element;
  version: '1.2' | '1.1';
  headers: Element[];
  body: Element;
  /** The first element child of Body (the operation's response), null when Body is empty. */
  content: Element | null;
  fault: SoapFault | null;
  addressing: { action?: string; messageId?: string; relatesTo?: string; to?: string };
}

export interface ParseEnvelopeOptions {
  limits?: XmlParseLimits;
  /** Accept the SOAP 1.1 namespace (the official TD2.1 request example uses it). Default false. */
  allowSoap11?: boolean;
}

function resolveQName(element: Element, value: string): QNameValue {
  const trimmed = value.trim();
  const colon = trimmed.indexOf(':');
  const prefix = colon < 0 ? '' : trimmed.slice(0, colon);
  const local = colon < 0 ? trimmed : trimmed.slice(colon + 1);
  const ns = inScopeNamespaces(element).get(prefix);
  return { ns: ns === undefined || ns === '' ? null : ns, local };
}

function parseFault12(fault: Element): SoapFault {
  const code = firstChildElement(fault, SOAP12_NS, 'Code');
  const codeValue = code === null ? null : firstChildElement(code, SOAP12_NS, 'Value');
  if (code === null || codeValue === null) throw new SoapError('SOAP_MALFORMED', { reason: 'fault-without-code' });
  const subcodes: QNameValue[] = [];
  for (let sub = firstChildElement(code, SOAP12_NS, 'Subcode'); sub !== null; sub = firstChildElement(sub, SOAP12_NS, 'Subcode')) {
    const value = firstChildElement(sub, SOAP12_NS, 'Value');
    if (value === null) break;
    subcodes.push(resolveQName(value, textOf(value)));
  }
  const reasonElement = firstChildElement(fault, SOAP12_NS, 'Reason');
  const reasons = (reasonElement === null ? [] : childElements(reasonElement, SOAP12_NS, 'Text')).map((t) => ({
    lang: t.getAttributeNS(XML_NS, 'lang') || null,
    text: textOf(t).trim(),
  }));
  const detail = firstChildElement(fault, SOAP12_NS, 'Detail');
  const node = firstChildElement(fault, SOAP12_NS, 'Node');
  const role = firstChildElement(fault, SOAP12_NS, 'Role');
  return {
    code: resolveQName(codeValue, textOf(codeValue)),
    subcodes,
    reason: (reasons.find((r) => r.lang?.toLowerCase().startsWith('fr') === true) ?? reasons[0])?.text ?? '',
    reasons,
    node: node === null ? null : textOf(node).trim(),
    role: role === null ? null : textOf(role).trim(),
    detail,
    detailEntries: detail === null ? [] : childElements(detail),
  };
}

/** SOAP 1.1 faults (faultcode/faultstring/detail), for the SOAP 1.1 examples only. */
function parseFault11(fault: Element): SoapFault {
  const faultcode = firstChildElement(fault, null, 'faultcode');
  const faultstring = firstChildElement(fault, null, 'faultstring');
  const detail = firstChildElement(fault, null, 'detail');
  const actor = firstChildElement(fault, null, 'faultactor');
  const text = faultstring === null ? '' : textOf(faultstring).trim();
  return {
    code: faultcode === null ? { ns: SOAP11_NS, local: 'Server' } : resolveQName(faultcode, textOf(faultcode)),
    subcodes: [],
    reason: text,
    reasons: [{ lang: null, text }],
    node: actor === null ? null : textOf(actor).trim(),
    role: null,
    detail,
    detailEntries: detail === null ? [] : childElements(detail),
  };
}

/** Parses a SOAP envelope (text, bytes or an already safely parsed document). */
export function parseEnvelope(input: string | Uint8Array | Document, options: ParseEnvelopeOptions = {}): SoapEnvelope {
  const document = typeof input === 'string' || input instanceof Uint8Array ? parseXml(input, options.limits) : input;
  const envelope = document.documentElement;
  if (envelope === null || envelope.localName !== 'Envelope') throw new SoapError('SOAP_MALFORMED', { reason: 'not-an-envelope' });
  const ns = envelope.namespaceURI;
  const version = ns === SOAP12_NS ? '1.2' : ns === SOAP11_NS && options.allowSoap11 === true ? '1.1' : null;
  if (version === null) throw new SoapError('SOAP_MALFORMED', { reason: 'soap-version', namespace: ns });
  const children = childElements(envelope);
  const header = children[0]?.namespaceURI === ns && children[0]?.localName === 'Header' ? children[0] : null;
  const body = childElements(envelope, ns, 'Body');
  if (body.length !== 1) throw new SoapError('SOAP_MALFORMED', { reason: 'body-count', count: body.length });
  const bodyElement = body[0] as Element;
  const headers = header === null ? [] : childElements(header);
  const contents = childElements(bodyElement);
  const content = contents[0] ?? null;
  const isFault = content !== null && content.namespaceURI === ns && content.localName === 'Fault';
  const fault = isFault ? (version === '1.2' ? parseFault12(content) : parseFault11(content)) : null;
  const wsa = (local: string): string | undefined => {
    const found = headers.find((h) => h.namespaceURI === WSA_NS && h.localName === local);
    return found === undefined ? undefined : textOf(found).trim();
  };
  const addressing: SoapEnvelope['addressing'] = {};
  for (const key of ['Action', 'MessageID', 'RelatesTo', 'To'] as const) {
    const value = wsa(key);
    if (value !== undefined) {
      const field = key === 'Action' ? 'action' : key === 'MessageID' ? 'messageId' : key === 'RelatesTo' ? 'relatesTo' : 'to';
      addressing[field] = value;
    }
  }
  return { document, envelope, version, headers, body: bodyElement, content, fault, addressing };
}

/**
 * Shapes of the fault codes Pupitre's teleservices use: numbered codes (INSi `siram_100`,
 * `desir_550`, `insi_19`), XDS and DMP error codes (`XDSRegistryBusy`, `DMPAccessDenied`), and the
 * SOAP 1.2 (Part 1 §5.4.6), SOAP 1.1, WS-Security (OASIS WSS 1.1 §12) and WS-Addressing (§6.4)
 * codes. A person's name never has one of these shapes.
 */
const FAULT_CODE_SHAPES = [
  /^[A-Za-z]{2,16}_\d{1,6}$/,
  /^(?:XDS|DMP)[A-Za-z0-9]{1,60}$/,
  /^(?:Sender|Receiver|MustUnderstand|VersionMismatch|DataEncodingUnknown|Client|Server)$/,
  /^(?:UnsupportedSecurityToken|UnsupportedAlgorithm|InvalidSecurity|InvalidSecurityToken|FailedAuthentication|FailedCheck|SecurityTokenUnavailable|MessageExpired)$/,
  /^(?:InvalidAddressingHeader|InvalidAddress|InvalidEPR|InvalidCardinality|MissingAddressInEPR|DuplicateMessageID|ActionMismatch|MessageAddressingHeaderRequired|DestinationUnreachable|ActionNotSupported|EndpointUnavailable)$/,
];

/**
 * A fault code as it may leave this module (error details, logs, the Diagnostic screen): a code
 * of a known shape (see above). Anything else a service put where a code goes — a sentence, a
 * name, a very long value — becomes `non-standard` (issue 14 point 9: the teleservice's own text
 * can carry identities and is never echoed).
 */
export function sanitizeFaultToken(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const code = value.trim();
  return FAULT_CODE_SHAPES.some((shape) => shape.test(code)) ? code : 'non-standard';
}

/**
 * A SOAP Fault returned by the service: a definite answer (the request was processed and refused),
 * so the outcome is known. Receiver faults are retryable (the service failed), Sender faults are not
 * (the request itself is wrong). Services map fault codes to their own messages; the reason text
 * stays out of `details` (it may quote patient data).
 */
export class SoapFaultError extends AppError {
  readonly fault: SoapFault;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;
  readonly outcomeUnknown = false;

  constructor(fault: SoapFault, httpStatus?: number) {
    // Codes only, sanitised; the reason text stays in `fault` (it may quote patient data).
    const details: Record<string, unknown> = { faultCode: sanitizeFaultToken(fault.code.local), subcodes: fault.subcodes.map((s) => sanitizeFaultToken(s.local)) };
    if (httpStatus !== undefined) details.httpStatus = httpStatus;
    super('SOAP_FAULT', details);
    this.name = 'SoapFaultError';
    this.fault = fault;
    this.httpStatus = httpStatus;
    this.retryable = fault.code.local === 'Receiver' || fault.code.local === 'Server';
  }
}

export function isSoapFaultError(value: unknown): value is SoapFaultError {
  return value instanceof SoapFaultError;
}
