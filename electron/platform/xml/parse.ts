/**
 * Safe XML parsing (ARCHITECTURE.md §6: "parsers never resolve DTDs or external entities; sizes are
 * bounded"). Every XML document that comes from outside — SOAP responses, MTOM root parts, CDA
 * files, signed tokens — goes through `parseXml`.
 *
 * - Any DOCTYPE is refused (no internal subset, so no entity expansion — "billion laughs" — and no
 *   external DTD or entity is ever fetched). Undeclared entity references are errors.
 * - Input size and element depth are bounded before the rest of the code walks the tree
 *   (canonicalisation and the readers recurse).
 * - Characters that XML 1.0 forbids (§2.2 Char), including through character references such as
 *   `&#1;`, are refused: @xmldom/xmldom alone would let them through.
 * - Errors are `XmlError`s with a position, never a fragment of the document.
 */
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { XmlError } from './errors';

export const DEFAULT_MAX_XML_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_XML_DEPTH = 256;

export interface XmlParseLimits {
  /** Largest accepted input, in bytes (UTF-8 for strings). Default 16 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting. Default 256. */
  maxDepth?: number;
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

/** True when `value` contains a character XML 1.0 cannot carry (control characters, lone surrogates). */
export function hasForbiddenXmlChar(value: string): boolean {
  return FORBIDDEN_CHAR.test(value);
}

/** Parses untrusted XML into a DOM, refusing DTDs, oversized or over-deep input. */
export function parseXml(input: string | Uint8Array, limits: XmlParseLimits = {}): Document {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH;

  let text: string;
  if (typeof input === 'string') {
    // A string is at most 3 bytes per UTF-16 unit in UTF-8: only measure when it could be too big.
    if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) {
      throw new XmlError('XML_TOO_LARGE', { maxBytes });
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    if (input.byteLength > maxBytes) throw new XmlError('XML_TOO_LARGE', { maxBytes, size: input.byteLength });
    text = decodeXmlBytes(input, limits.encoding);
  }

  rejectDoctypeInProlog(text);

  let firstError: { message: string; line?: number; column?: number } | undefined;
  let doc: Document;
  try {
    doc = new DOMParser({
      locator: true,
      // XML 1.0 §2.11 only: xmldom's default also folds U+0085 and U+2028 (XML 1.1 rules), which
      // would alter text that XML 1.0 keeps, and with it canonical forms and signatures.
      normalizeLineEndings: (source: string) => source.replace(/\r\n?/g, '\n'),
      onError: (level, message, context: { locator?: { lineNumber?: number; columnNumber?: number } } | undefined) => {
        // Warnings (e.g. a replacement character) are not fatal; errors such as an undeclared entity are.
        if (level === 'warning') return;
        firstError ??= { message, line: context?.locator?.lineNumber, column: context?.locator?.columnNumber };
        throw new Error(message);
      },
    }).parseFromString(text, 'text/xml');
  } catch (cause) {
    const message = firstError?.message ?? (cause instanceof Error ? cause.message : String(cause));
    // Positions only: xmldom's message may quote names from the document.
    const position: Record<string, unknown> = {};
    if (firstError?.line !== undefined) position.line = firstError.line;
    if (firstError?.column !== undefined) position.column = firstError.column;
    if (/^Doctype not allowed/i.test(message)) throw new XmlError('XML_DOCTYPE_FORBIDDEN', position);
    throw new XmlError('XML_MALFORMED', position, { cause: new Error(firstLine(message)) });
  }
  if (doc.documentElement === null) throw new XmlError('XML_MALFORMED', { reason: 'no-root-element' });
  checkTree(doc, maxDepth);
  return doc;
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
 * XML 1.0 §2.8: a document type declaration may only appear in the prolog, before the root element
 * (xmldom already rejects one anywhere else). Skips the XML declaration, comments, processing
 * instructions and white space.
 */
function rejectDoctypeInProlog(text: string): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return; // unterminated: the parser reports it
      i = end + 2;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return;
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!', i) && /^<!doctype/i.test(text.slice(i, i + 9))) {
      throw new XmlError('XML_DOCTYPE_FORBIDDEN', { offset: i });
    }
    return;
  }
}

/** Iterative walk: depth bound, no DOCTYPE or entity reference node, only legal characters. */
function checkTree(doc: Document, maxDepth: number): void {
  const stack: Array<{ node: Node; depth: number }> = [];
  for (let child = doc.firstChild; child !== null; child = child.nextSibling) stack.push({ node: child, depth: 1 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: Node; depth: number };
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
        if (depth > maxDepth) throw new XmlError('XML_TOO_DEEP', { maxDepth });
        const attributes = (node as Element).attributes;
        for (let a = 0; a < attributes.length; a++) {
          const attr = attributes.item(a);
          if (attr !== null && attr.nodeType === ATTRIBUTE_NODE && hasForbiddenXmlChar(attr.value)) {
            throw new XmlError('XML_INVALID_CHARACTER', lineOf(node));
          }
        }
        for (let child = node.firstChild; child !== null; child = child.nextSibling) {
          stack.push({ node: child, depth: depth + 1 });
        }
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

/**
 * Decodes XML bytes using the BOM, else the external encoding when given, else the XML
 * declaration, else UTF-8; refuses bytes invalid in that encoding.
 */
export function decodeXmlBytes(bytes: Uint8Array, externalEncoding?: string): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decode(bytes.subarray(3), 'utf-8');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return decode(bytes.subarray(2), 'utf-16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return decode(bytes.subarray(2), 'utf-16be');
  if (externalEncoding !== undefined) {
    const mapped = ENCODINGS[externalEncoding.toLowerCase()];
    if (mapped === undefined || mapped === 'utf-16le') throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: externalEncoding });
    return decode(bytes, mapped);
  }
  let label = 'utf-8';
  if (bytes[0] === 0x3c && bytes[1] === 0x3f) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 200)).toString('latin1');
    const declaration = /^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
    if (declaration?.[1] !== undefined) {
      const mapped = ENCODINGS[declaration[1].toLowerCase()];
      if (mapped === undefined) throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: declaration[1] });
      label = mapped;
    }
  }
  if (label === 'utf-16le') throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: 'utf-16 without BOM' });
  return decode(bytes, label);
}

function decode(bytes: Uint8Array, label: string): string {
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new XmlError('XML_ENCODING_UNSUPPORTED', { encoding: label, reason: 'invalid-bytes' }, { cause });
  }
}
