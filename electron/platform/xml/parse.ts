/**
 * Safe XML parsing (ARCHITECTURE.md §6: "parsers never resolve DTDs or external entities; sizes are
 * bounded"). Every XML document that comes from outside — SOAP responses, MTOM root parts, CDA
 * files, signed tokens, documents handed to validation tools — goes through `parseXml`.
 *
 * Two passes, so that nothing is built before the input is known to be harmless (issue 14: depth
 * checked after building the tree cost 2.7 GB for 7 MB of nesting):
 * 1. a streaming pass over the markup (scan.ts) refuses any DOCTYPE (no internal subset, so no
 *    entity expansion — "billion laughs" — and no external DTD or entity is ever fetched),
 *    XInclude, nesting deeper than `maxDepth`, and input whose tree would cost more memory than
 *    `maxTreeBytes` (10 × the input by default, the bound issue 14 sets for every parser);
 * 2. @xmldom/xmldom builds the DOM the rest of the code reads; undeclared entity references are
 *    errors, and a walk of the tree refuses characters XML 1.0 forbids (§2.2), including through
 *    character references such as `&#1;`, which @xmldom/xmldom alone would let through.
 * Errors are `XmlError`s with a position, never a fragment of the document.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { XmlError } from './errors';
import './xmldom-grammar';
import { normalizeLineEnds, parseXmlLite, type XmlReadableElement } from './lite';
import { scanXmlMarkup, splitXmlRecords, XINCLUDE_NS, type XmlScanStats } from './scan';
import { fromUtf8View, utf8View } from './utf8-view';

export { TREE_NODE_BYTES, XINCLUDE_NS, type XmlScanStats } from './scan';

export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_XML_DEPTH = 256;
/** The tree of a document may cost this many times its size in memory (issue 14). */
export const TREE_BYTES_PER_INPUT_BYTE = 10;
/** …but a small document may always use this much (a 2 KB SOAP answer costs ~50 KB of DOM). */
export const MIN_TREE_BYTES = 8 * 1024 * 1024;

export interface XmlParseLimits {
  /** Largest accepted input, in bytes (UTF-8 for strings). Default 16 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting. Default 256. */
  maxDepth?: number;
  /**
   * Largest estimated memory of the parsed tree, in bytes. Default: 10 × the input size, at least
   * 8 MiB (MIN_TREE_BYTES).
   */
  maxTreeBytes?: number;
  /**
   * Encoding known from outside the document (a MIME `charset`), which takes precedence over the
   * document's own (XML 1.0 Appendix F). Bytes only.
   */
  encoding?: string;
}

const ELEMENT_NODE = 1;
const ATTRIBUTE_NODE = 2;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const ENTITY_REFERENCE_NODE = 5;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;
const DOCUMENT_TYPE_NODE = 10;

// XML 1.0 §2.2: Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
// (lone surrogates are excluded by the `u` flag's code-point view).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// One character class, no lookaround: a fast first pass over long texts (a CDA's megabytes of
// base64); only a text with a control character or a surrogate goes through FORBIDDEN_CHAR.
// eslint-disable-next-line no-control-regex
const SUSPECT_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** True when `value` contains a character XML 1.0 cannot carry (control characters, lone surrogates). */
export function hasForbiddenXmlChar(value: string): boolean {
  return SUSPECT_CHAR.test(value) && FORBIDDEN_CHAR.test(value);
}

/** Parses untrusted XML into a DOM, refusing DTDs, entities, XInclude, oversized, over-deep or over-dense input. */
export function parseXml(input: string | Uint8Array, limits: XmlParseLimits = {}): Document {
  const text = decodeXmlInput(input, limits);
  scanXml(text, limits);

  let doc: Document;
  try {
    // Positions are tracked only to report an error: a document that fails is parsed again with
    // the locator (xmldom's line counting scans every text, megabytes of base64 in a CDA).
    doc = domParse(text, false).doc as Document;
  } catch {
    const { error } = domParse(text, true);
    const message = error?.message ?? 'malformed';
    // Positions only: xmldom's message may quote names from the document.
    const position: Record<string, unknown> = {};
    if (error?.line !== undefined) position.line = error.line;
    if (error?.column !== undefined) position.column = error.column;
    if (/^Doctype not allowed/i.test(message)) throw new XmlError('XML_DOCTYPE_FORBIDDEN', position);
    throw new XmlError('XML_MALFORMED', position, { cause: new Error(firstLine(message)) });
  }
  if (doc.documentElement === null) throw new XmlError('XML_MALFORMED', { reason: 'no-root-element' });
  try {
    checkTree(doc);
  } catch (error) {
    // The same refusal, with the line of the offending node (parsed again with the locator).
    const located = domParse(text, true).doc;
    if (located !== undefined) checkTree(located);
    throw error;
  }
  return doc;
}

interface DomParseError {
  message: string;
  line?: number;
  column?: number;
}

/** xmldom with XML 1.0 rules; throws on the first error (returned instead when `locate` is set). */
function domParse(text: string, locate: boolean): { doc: Document; error?: undefined } | { doc?: undefined; error: DomParseError | undefined } {
  let firstError: DomParseError | undefined;
  try {
    const doc = new DOMParser({
      locator: locate,
      // XML 1.0 §2.11 only: xmldom's default also folds U+0085 and U+2028 (XML 1.1 rules), which
      // would alter text that XML 1.0 keeps, and with it canonical forms and signatures.
      normalizeLineEndings: normalizeLineEnds,
      onError: (level, message, context: { locator?: { lineNumber?: number; columnNumber?: number } } | undefined) => {
        // Warnings (e.g. a replacement character) are not fatal; errors such as an undeclared entity are.
        if (level === 'warning') return;
        firstError ??= { message, line: context?.locator?.lineNumber, column: context?.locator?.columnNumber };
        throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
    return { doc };
  } catch (cause) {
    if (!locate) throw cause;
    return { error: firstError ?? { message: cause instanceof Error ? cause.message : String(cause) } };
  }
}

/** The text of an input: size-checked, decoded (bytes), byte-order mark removed. */
export function decodeXmlInput(input: string | Uint8Array, limits: Pick<XmlParseLimits, 'maxBytes' | 'encoding'> = {}): string {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (typeof input === 'string') {
    // A string is at most 3 bytes per UTF-16 unit in UTF-8: only measure when it could be too big.
    if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) {
      throw new XmlError('XML_TOO_LARGE', { maxBytes });
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  checkXmlSize(input, limits);
  return decodeXmlBytes(input, limits.encoding);
}

function checkXmlSize(input: Uint8Array, limits: Pick<XmlParseLimits, 'maxBytes'>): void {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  if (input.byteLength > maxBytes) throw new XmlError('XML_TOO_LARGE', { maxBytes, size: input.byteLength });
}

/** Default tree budget for a text of `length` characters. */
export function treeBudget(length: number): number {
  return Math.max(TREE_BYTES_PER_INPUT_BYTE * length, MIN_TREE_BYTES);
}

/** The streaming pass alone (see the module comment): counts, or an XmlError before any tree exists. */
export function scanXml(text: string, limits: Pick<XmlParseLimits, 'maxDepth' | 'maxTreeBytes'> = {}): XmlScanStats {
  return scanXmlMarkup(text, { maxDepth: limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH, maxTreeBytes: limits.maxTreeBytes ?? treeBudget(text.length) });
}

/** A document whose records are parsed one at a time (see `parseXmlWithRecords`). */
export interface XmlWithRecords {
  /** The document without its records: their parent is there, empty. */
  skeleton: Document;
  /** How many records were cut out. */
  count: number;
  /**
   * Each record as the root element of a document of its own, parsed when reached: read it into
   * values and let it go, so that only one record's tree exists at a time.
   */
  records(): Generator<Element>;
  /**
   * The same records as light reading trees (lite.ts): the same refusals, ~10× faster than the DOM,
   * for readers that only need names, attributes and text (an ITI-18 answer's registry objects).
   */
  readableRecords(): Generator<XmlReadableElement>;
}

/**
 * Parses a list document (an ITI-18 answer with thousands of registry objects) without building
 * one tree for all of it: the children of the elements named `{ns}local` are cut out by the
 * streaming pass and parsed one by one, each within its own budget; the rest is parsed as usual.
 * Same refusals as `parseXml` (DOCTYPE, XInclude, depth, size, characters).
 */
export function parseXmlWithRecords(input: string | Uint8Array, parent: { ns: string; local: string }, limits: XmlParseLimits = {}): XmlWithRecords {
  const { text, utf8View } = recordsText(input, limits);
  const real = utf8View ? fromUtf8View : (piece: string): string => piece;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH;
  const split = splitXmlRecords(text, parent, maxDepth);
  const skeleton = parseXml(real(split.skeleton), { maxDepth, ...(limits.maxTreeBytes === undefined ? {} : { maxTreeBytes: limits.maxTreeBytes }) });
  return {
    skeleton,
    count: split.records.length,
    *records() {
      for (const record of split.records) yield parseXmlElement(real(record.text), { maxDepth, maxBytes: Number.MAX_SAFE_INTEGER });
    },
    *readableRecords() {
      for (const record of split.records) yield parseXmlLite(record.text, { maxDepth, maxTreeBytes: treeBudget(record.text.length) }, utf8View);
    },
  };
}

/**
 * The text a list document's records are cut from. UTF-8 bytes are not decoded: the markup is read
 * on their Latin-1 view (utf8-view.ts), half the memory of the decoded text and no decoder pass over
 * megabytes (an ITI-18 answer of 2 000 entries: 13 MB with a « — » in every title, so none of it
 * is plain ASCII), and only the names, values and texts the records hand out are decoded. Other
 * encodings, and bytes that are not valid UTF-8, are decoded (or refused) as `parseXml` does.
 */
function recordsText(input: string | Uint8Array, limits: XmlParseLimits): { text: string; utf8View: boolean } {
  if (typeof input !== 'string') {
    checkXmlSize(input, limits);
    const { content, label } = xmlBytesEncoding(input, limits.encoding);
    const view = label === 'utf-8' ? utf8View(content) : null;
    if (view?.kind === 'ascii') return { text: view.view, utf8View: false };
    if (view?.kind === 'utf8') return { text: view.view, utf8View: true };
    return { text: decode(content, label), utf8View: false };
  }
  return { text: decodeXmlInput(input, limits), utf8View: false };
}

/** Parses and returns the document element. */
export function parseXmlElement(input: string | Uint8Array, limits?: XmlParseLimits): Element {
  const root = parseXml(input, limits).documentElement;
  if (root === null) throw new XmlError('XML_MALFORMED', { reason: 'no-root-element' });
  return root;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Walk of the built tree (iterative: the readers and canonicalisation recurse, the check must not):
 * no DOCTYPE, entity reference or XInclude node, only legal characters — also a second line of
 * defence should the markup pass and @xmldom/xmldom ever disagree.
 */
function checkTree(doc: Document): void {
  const stack: Node[] = [];
  for (let child = doc.firstChild; child !== null; child = child.nextSibling) stack.push(child);
  while (stack.length > 0) {
    const node = stack.pop() as Node;
    switch (node.nodeType) {
      case DOCUMENT_TYPE_NODE:
        throw new XmlError('XML_DOCTYPE_FORBIDDEN');
      case ENTITY_REFERENCE_NODE:
        throw new XmlError('XML_MALFORMED', { reason: 'entity-reference' });
      case TEXT_NODE:
      case CDATA_SECTION_NODE:
      case COMMENT_NODE:
      case PROCESSING_INSTRUCTION_NODE:
        if (hasForbiddenXmlChar((node as Node & { data: string }).data)) {
          throw new XmlError('XML_INVALID_CHARACTER', lineOf(node));
        }
        break;
      case ELEMENT_NODE: {
        // The markup pass refuses an XInclude namespace declaration; one spelled with character references ends here.
        if ((node as Element).namespaceURI === XINCLUDE_NS) throw new XmlError('XML_XINCLUDE_FORBIDDEN', lineOf(node));
        const attributes = (node as Element).attributes;
        for (let a = 0; a < attributes.length; a++) {
          const attr = attributes.item(a);
          if (attr !== null && attr.nodeType === ATTRIBUTE_NODE && hasForbiddenXmlChar(attr.value)) {
            throw new XmlError('XML_INVALID_CHARACTER', lineOf(node));
          }
        }
        for (let child = node.firstChild; child !== null; child = child.nextSibling) stack.push(child);
        break;
      }
      default:
        break;
    }
  }
}

function lineOf(node: Node): Record<string, unknown> {
  const line = (node as Node & { lineNumber?: number }).lineNumber;
  return typeof line === 'number' ? { line } : {};
}

// XML 1.0 §4.3.3 and Appendix F: the encoding comes from a byte-order mark, else from the encoding
// declaration, else UTF-8. Only encodings met in French health exchanges are accepted.
const ENCODINGS: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'iso-8859-1': 'latin1',
  latin1: 'latin1',
  'iso-8859-15': 'iso-8859-15',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'utf-16': 'utf-16le',
};

/** The decoder's label for an encoding name (`utf-8` for the four names of UTF-8), undefined when not accepted. */
export function xmlEncodingLabel(name: string): string | undefined {
  return ENCODINGS[name.toLowerCase()];
}

/** The encoding named by the XML declaration that starts `bytes`, as written; undefined without one. */
export function declaredXmlEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] !== 0x3c || bytes[1] !== 0x3f) return undefined;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
  return /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1];
}

/**
 * Decodes XML bytes using the BOM, else the external encoding when given, else the XML
 * declaration, else UTF-8; refuses bytes invalid in that encoding.
 */
export function decodeXmlBytes(bytes: Uint8Array, externalEncoding?: string): string {
  const { content, label } = xmlBytesEncoding(bytes, externalEncoding);
  return decode(content, label);
}

/** The bytes of the text (a BOM left out) and the decoder's label for them, chosen as `decodeXmlBytes` says. */
function xmlBytesEncoding(bytes: Uint8Array, externalEncoding?: string): { content: Uint8Array; label: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { content: bytes.subarray(3), label: 'utf-8' };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { content: bytes.subarray(2), label: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { content: bytes.subarray(2), label: 'utf-16be' };
  if (externalEncoding !== undefined) {
    const mapped = xmlEncodingLabel(externalEncoding);
    if (mapped === undefined || mapped === 'utf-16le') throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: externalEncoding });
    return { content: bytes, label: mapped };
  }
  let label = 'utf-8';
  const declared = declaredXmlEncoding(bytes);
  if (declared !== undefined) {
    const mapped = xmlEncodingLabel(declared);
    if (mapped === undefined) throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: declared });
    label = mapped;
  }
  if (label === 'utf-16le') throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: 'utf-16 without BOM' });
  return { content: bytes, label };
}

function decode(bytes: Uint8Array, label: string): string {
  // ASCII bytes (a CDA of base64, most SOAP messages) are the same text in UTF-8: checked and
  // decoded without the UTF-8 decoder's work, into a one-byte string (faster to parse and scan).
  if (label === 'utf-8' && isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // Valid UTF-8 with a few accented letters among megabytes of ASCII (a CDA's header and its base64
  // body): only the pieces that are not ASCII go through the decoder (~3× less work for 1.3 MB).
  if (label === 'utf-8' && bytes.byteLength > 2 * UTF8_PIECE && isUtf8(bytes)) return decodeUtf8ByPieces(bytes);
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (cause) {
    // Refused, never decoded with replacement characters (issue 14): the text would not be the document's.
    throw new XmlError('XML_ENCODING_INVALID', { encoding: label }, { cause });
  }
}

const UTF8_PIECE = 64 * 1024;

/**
 * Valid UTF-8 (checked by the caller) decoded piece by piece: ASCII pieces as Latin-1 (the same
 * characters, no decoder), the others with the UTF-8 decoder. Pieces end before a continuation
 * byte (10xxxxxx) never splits a character: each piece is valid UTF-8 on its own.
 */
function decodeUtf8ByPieces(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const pieces: string[] = [];
  for (let start = 0; start < buffer.length; ) {
    let end = Math.min(start + UTF8_PIECE, buffer.length);
    while (end < buffer.length && ((buffer[end] as number) & 0xc0) === 0x80) end--;
    const piece = buffer.subarray(start, end);
    pieces.push(isAscii(piece) ? piece.toString('latin1') : decoder.decode(piece));
    start = end;
  }
  return pieces.join('');
}
