/**
 * The streaming pass of safe parsing (parse.ts): reads the markup of a document once, keeping only
 * the stack of open element names, and refuses it before any tree is built when it declares a
 * DOCTYPE, asks for XInclude, nests deeper than allowed, or would cost more memory as a DOM than
 * its budget (issue 14: 7 MB of nesting cost 2.7 GB because depth was checked after the tree).
 *
 * Why our own scanner rather than saxes (installed, and kept as this module's test oracle): the
 * pass only needs the markup, and jumping from one `<` to the next with `indexOf` skips text at
 * native speed, where saxes reads every character (measured on a 16 MB base64 CDA body: saxes
 * 1.7 s, this scanner a few milliseconds; bench/xml-parsing.bench.ts). Character-level rules
 * (XML 1.0 §2.2 Char, entity references) stay with the DOM parser and the tree check after it: the
 * tree they run on is already bounded.
 *
 * The scanner is strict where it could disagree with the DOM parser on structure: a close tag must
 * name the open element, an attribute value must be quoted and may not hold `<` (XML 1.0 §3.1
 * AttValue), every construct must be terminated. Anything else is XML_MALFORMED.
 */
import { XmlError } from './errors';

export const XINCLUDE_NS = 'http://www.w3.org/2001/XInclude';

/**
 * Memory kept by one node of an @xmldom/xmldom tree, in bytes (V8, 64-bit), measured on documents
 * made of one kind of node and rounded up by 5 to 20 % (memory.test.ts checks that the bound holds
 * in a separate process): an element carries a NodeList, a NamedNodeMap and a namespace map; an
 * attribute or a text node carries its own NodeList; a namespace declaration extends the maps.
 * Characters count apart, 4 bytes each (decoded text, line-end normalised copy, slices).
 */
export const TREE_NODE_BYTES = { element: 1050, attribute: 300, namespaceDeclaration: 650, text: 350, other: 250, character: 4 } as const;

export interface XmlScanLimits {
  maxDepth: number;
  /** Largest estimated memory of the tree, in bytes. */
  maxTreeBytes: number;
}

/** What the pass counted. */
export interface XmlScanStats {
  elements: number;
  attributes: number;
  /** Text and CDATA sections. */
  texts: number;
  /** Comments and processing instructions (the XML declaration included). */
  others: number;
  maxDepth: number;
  /** Estimated memory of the DOM @xmldom/xmldom builds for this text, in bytes. */
  treeBytes: number;
}

const enum Char {
  Tab = 0x09,
  LineFeed = 0x0a,
  CarriageReturn = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Apostrophe = 0x27,
  Slash = 0x2f,
  Equals = 0x3d,
  GreaterThan = 0x3e,
}

function isSpace(code: number): boolean {
  return code === Char.Space || code === Char.LineFeed || code === Char.Tab || code === Char.CarriageReturn;
}

/** Reads the markup of `text` (see the module comment); throws an XmlError at the first problem. */
export function scanXmlMarkup(text: string, limits: XmlScanLimits): XmlScanStats {
  const stats: XmlScanStats = { elements: 0, attributes: 0, texts: 0, others: 0, maxDepth: 0, treeBytes: TREE_NODE_BYTES.character * text.length };
  const open: string[] = [];
  const n = text.length;
  let line = 1;
  let counted = 0;
  /** Line of offset `at`, counted lazily (errors only). */
  const lineAt = (at: number): number => {
    for (; counted < at && counted < n; counted++) if (text.charCodeAt(counted) === Char.LineFeed) line++;
    return line;
  };
  const malformed = (at: number, reason: string): XmlError => new XmlError('XML_MALFORMED', { line: lineAt(at), reason });
  const charge = (at: number, bytes: number): void => {
    stats.treeBytes += bytes;
    if (stats.treeBytes > limits.maxTreeBytes) throw new XmlError('XML_TOO_COMPLEX', { maxTreeBytes: limits.maxTreeBytes, line: lineAt(at) });
  };
  const until = (from: number, terminator: string, reason: string): number => {
    const end = text.indexOf(terminator, from);
    if (end < 0) throw malformed(from, reason);
    return end + terminator.length;
  };

  let i = 0;
  let rootSeen = false;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      // Character data: one text node inside the root; outside it only white space is allowed.
      if (open.length > 0) {
        stats.texts += 1;
        charge(i, TREE_NODE_BYTES.text);
      } else if (/\S/.test(text.slice(i, textEnd))) throw malformed(i, 'text-outside-root');
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      i = until(lt + 4, '-->', 'unterminated-comment');
      stats.others += 1;
      charge(lt, TREE_NODE_BYTES.other);
    } else if (text.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) throw malformed(lt, 'cdata-outside-root');
      i = until(lt + 9, ']]>', 'unterminated-cdata');
      stats.texts += 1;
      charge(lt, TREE_NODE_BYTES.text);
    } else if (text.startsWith('<!', lt)) {
      // XML 1.0 §2.8: a DOCTYPE (anywhere: xmldom would read it); no other `<!` construct exists.
      if (/^<!doctype/i.test(text.slice(lt, lt + 9))) throw new XmlError('XML_DOCTYPE_FORBIDDEN', { line: lineAt(lt) });
      throw malformed(lt, 'markup-declaration');
    } else if (text.startsWith('<?', lt)) {
      i = until(lt + 2, '?>', 'unterminated-processing-instruction');
      stats.others += 1;
      charge(lt, TREE_NODE_BYTES.other);
    } else if (text.charCodeAt(lt + 1) === Char.Slash) {
      const end = text.indexOf('>', lt + 2);
      if (end < 0) throw malformed(lt, 'unterminated-end-tag');
      const name = text.slice(lt + 2, end).trimEnd();
      if (open.pop() !== name) throw malformed(lt, 'end-tag-mismatch');
      i = end + 1;
    } else {
      i = scanStartTag(lt);
    }
  }
  if (open.length > 0) throw malformed(n, 'unclosed-element');
  if (!rootSeen) throw malformed(n, 'no-root-element');
  return stats;

  /** A start tag at `lt` (`<name attr="v" …>` or `…/>`); returns the offset after it. */
  function scanStartTag(lt: number): number {
    let k = lt + 1;
    while (k < n && !isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== Char.GreaterThan && text.charCodeAt(k) !== Char.Slash) k++;
    const name = text.slice(lt + 1, k);
    if (name === '' || name.includes('<')) throw malformed(lt, 'element-name');
    if (open.length === 0 && rootSeen) throw malformed(lt, 'several-roots');
    const depth = open.length + 1;
    if (depth > limits.maxDepth) throw new XmlError('XML_TOO_DEEP', { maxDepth: limits.maxDepth, line: lineAt(lt) });
    if (depth > stats.maxDepth) stats.maxDepth = depth;
    let bytes = TREE_NODE_BYTES.element;
    for (;;) {
      while (k < n && isSpace(text.charCodeAt(k))) k++;
      if (k >= n) throw malformed(lt, 'unterminated-start-tag');
      const code = text.charCodeAt(k);
      if (code === Char.GreaterThan || (code === Char.Slash && text.charCodeAt(k + 1) === Char.GreaterThan)) {
        stats.elements += 1;
        charge(lt, bytes);
        rootSeen = true;
        if (code === Char.GreaterThan) {
          open.push(name);
          return k + 1;
        }
        return k + 2;
      }
      const nameStart = k;
      while (k < n && !isSpace(text.charCodeAt(k)) && text.charCodeAt(k) !== Char.Equals && text.charCodeAt(k) !== Char.GreaterThan && text.charCodeAt(k) !== Char.Slash) k++;
      const attribute = text.slice(nameStart, k);
      while (k < n && isSpace(text.charCodeAt(k))) k++;
      if (attribute === '' || attribute.includes('<') || text.charCodeAt(k) !== Char.Equals) throw malformed(lt, 'attribute');
      k++;
      while (k < n && isSpace(text.charCodeAt(k))) k++;
      const quote = text.charCodeAt(k);
      if (quote !== Char.Quote && quote !== Char.Apostrophe) throw malformed(lt, 'attribute-value');
      const valueEnd = text.indexOf(quote === Char.Quote ? '"' : "'", k + 1);
      if (valueEnd < 0) throw malformed(lt, 'attribute-value');
      const value = text.slice(k + 1, valueEnd);
      if (value.includes('<')) throw malformed(lt, 'attribute-value');
      const declaration = attribute === 'xmlns' || attribute.startsWith('xmlns:');
      // XInclude is never processed here, but a document that asks for it is not one Pupitre accepts.
      if (declaration && value.trim() === XINCLUDE_NS) throw new XmlError('XML_XINCLUDE_FORBIDDEN', { line: lineAt(lt) });
      stats.attributes += 1;
      bytes += declaration ? TREE_NODE_BYTES.namespaceDeclaration : TREE_NODE_BYTES.attribute;
      k = valueEnd + 1;
    }
  }
}
