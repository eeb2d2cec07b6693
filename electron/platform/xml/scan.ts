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

/** White space, `>` or `/`: where an element name stops (each character read once). */
function endsName(code: number): boolean {
  return code <= Char.Space ? isSpace(code) : code === Char.GreaterThan || code === Char.Slash;
}

/** …and `=`, for an attribute name. */
function endsAttributeName(code: number): boolean {
  return code <= Char.Space ? isSpace(code) : code === Char.GreaterThan || code === Char.Slash || code === Char.Equals;
}

/** What the markup reader reports; offsets are UTF-16 indexes into the text. */
export interface MarkupHandler {
  /** Character data between `from` and `to` (exclusive), inside the root element. */
  text(from: number, to: number): void;
  /** A comment or processing instruction, from `at` to `end` (exclusive). */
  other(at: number, end: number): void;
  /** A CDATA section from `at` to `end` (exclusive, `<![CDATA[` and `]]>` included). */
  cdata(at: number, end: number): void;
  /** A start tag's attribute, before `startTag`. */
  attribute(name: string, value: string, at: number): void;
  /** A start tag `<name …>` from `at` to `end` (exclusive); `empty` for `<name …/>`; depth counts it. */
  startTag(name: string, at: number, end: number, empty: boolean, depth: number): void;
  /** An end tag from `at` to `end` (exclusive); depth is the closed element's. */
  endTag(name: string, at: number, end: number, depth: number): void;
}

/**
 * Reads the markup of `text` once and reports it to `handler`; throws an XmlError at the first
 * DOCTYPE, XInclude declaration, nesting deeper than `maxDepth` or structural error (see the module
 * comment). Returns a line counter for the handler's own errors.
 */
export function readMarkup(text: string, maxDepth: number, handler: MarkupHandler, lineAt: (at: number) => number): void {
  const open: string[] = [];
  const n = text.length;
  const malformed = (at: number, reason: string): XmlError => new XmlError('XML_MALFORMED', { line: lineAt(at), reason });
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
      // Character data: a text node inside the root; outside it only white space is allowed.
      if (open.length > 0) handler.text(i, textEnd);
      else if (/\S/.test(text.slice(i, textEnd))) throw malformed(i, 'text-outside-root');
    }
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      i = until(lt + 4, '-->', 'unterminated-comment');
      handler.other(lt, i);
    } else if (text.startsWith('<![CDATA[', lt)) {
      if (open.length === 0) throw malformed(lt, 'cdata-outside-root');
      i = until(lt + 9, ']]>', 'unterminated-cdata');
      handler.cdata(lt, i);
    } else if (text.startsWith('<!', lt)) {
      // XML 1.0 §2.8: a DOCTYPE (anywhere: the DOM parser would read it); no other `<!` construct exists.
      if (/^<!doctype/i.test(text.slice(lt, lt + 9))) throw new XmlError('XML_DOCTYPE_FORBIDDEN', { line: lineAt(lt) });
      throw malformed(lt, 'markup-declaration');
    } else if (text.startsWith('<?', lt)) {
      i = until(lt + 2, '?>', 'unterminated-processing-instruction');
      handler.other(lt, i);
    } else if (text.charCodeAt(lt + 1) === Char.Slash) {
      const end = text.indexOf('>', lt + 2);
      if (end < 0) throw malformed(lt, 'unterminated-end-tag');
      const name = text.slice(lt + 2, end).trimEnd();
      const depth = open.length;
      if (open.pop() !== name) throw malformed(lt, 'end-tag-mismatch');
      i = end + 1;
      handler.endTag(name, lt, i, depth);
    } else {
      i = startTag(lt);
    }
  }
  if (open.length > 0) throw malformed(n, 'unclosed-element');
  if (!rootSeen) throw malformed(n, 'no-root-element');

  /** A start tag at `lt` (`<name attr="v" …>` or `…/>`); returns the offset after it. */
  function startTag(lt: number): number {
    let k = lt + 1;
    while (k < n && !endsName(text.charCodeAt(k))) k++;
    const name = text.slice(lt + 1, k);
    if (name === '' || name.includes('<')) throw malformed(lt, 'element-name');
    if (open.length === 0 && rootSeen) throw malformed(lt, 'several-roots');
    const depth = open.length + 1;
    if (depth > maxDepth) throw new XmlError('XML_TOO_DEEP', { maxDepth, line: lineAt(lt) });
    for (;;) {
      while (k < n && isSpace(text.charCodeAt(k))) k++;
      if (k >= n) throw malformed(lt, 'unterminated-start-tag');
      const code = text.charCodeAt(k);
      if (code === Char.GreaterThan || (code === Char.Slash && text.charCodeAt(k + 1) === Char.GreaterThan)) {
        rootSeen = true;
        const empty = code === Char.Slash;
        const end = empty ? k + 2 : k + 1;
        if (!empty) open.push(name);
        handler.startTag(name, lt, end, empty, depth);
        return end;
      }
      const nameStart = k;
      while (k < n && !endsAttributeName(text.charCodeAt(k))) k++;
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
      // XInclude is never processed here, but a document that asks for it is not one Pupitre accepts.
      if ((attribute === 'xmlns' || attribute.startsWith('xmlns:')) && value.trim() === XINCLUDE_NS) {
        throw new XmlError('XML_XINCLUDE_FORBIDDEN', { line: lineAt(lt) });
      }
      handler.attribute(attribute, value, lt);
      k = valueEnd + 1;
    }
  }
}

export function lineCounter(text: string): (at: number) => number {
  let line = 1;
  let counted = 0;
  return (at) => {
    for (; counted < at && counted < text.length; counted++) if (text.charCodeAt(counted) === Char.LineFeed) line++;
    return line;
  };
}

/** Reads the markup of `text` (see the module comment) and estimates its tree; throws an XmlError at the first problem. */
export function scanXmlMarkup(text: string, limits: XmlScanLimits): XmlScanStats {
  const stats: XmlScanStats = { elements: 0, attributes: 0, texts: 0, others: 0, maxDepth: 0, treeBytes: TREE_NODE_BYTES.character * text.length };
  const lineAt = lineCounter(text);
  const charge = (at: number, bytes: number): void => {
    stats.treeBytes += bytes;
    if (stats.treeBytes > limits.maxTreeBytes) throw new XmlError('XML_TOO_COMPLEX', { maxTreeBytes: limits.maxTreeBytes, line: lineAt(at) });
  };
  let elementBytes: number = TREE_NODE_BYTES.element;
  readMarkup(
    text,
    limits.maxDepth,
    {
      text: (at) => {
        stats.texts += 1;
        charge(at, TREE_NODE_BYTES.text);
      },
      cdata: (at) => {
        stats.texts += 1;
        charge(at, TREE_NODE_BYTES.text);
      },
      other: (at) => {
        stats.others += 1;
        charge(at, TREE_NODE_BYTES.other);
      },
      attribute: (name) => {
        stats.attributes += 1;
        elementBytes += name === 'xmlns' || name.startsWith('xmlns:') ? TREE_NODE_BYTES.namespaceDeclaration : TREE_NODE_BYTES.attribute;
      },
      startTag: (_name, at, _end, _empty, depth) => {
        stats.elements += 1;
        if (depth > stats.maxDepth) stats.maxDepth = depth;
        const bytes = elementBytes;
        elementBytes = TREE_NODE_BYTES.element;
        charge(at, bytes);
      },
      endTag: () => undefined,
    },
    lineAt,
  );
  return stats;
}

/** A record cut out of a document by `splitXmlRecords`. */
export interface XmlRecordText {
  /** The record's markup, its root re-declaring the namespaces in scope where it was cut. */
  text: string;
}

export interface XmlRecordSplitText {
  /** The document without its records (their parent kept, empty). */
  skeleton: string;
  records: XmlRecordText[];
}

/**
 * Cuts the children of the elements named `{ns}local` out of a document, each as a document of its
 * own, and leaves the rest (the skeleton). The parts are parsed separately: a list response of
 * thousands of entries never becomes one tree (issue 14: every parser within 10 × its input).
 */
export function splitXmlRecords(text: string, parent: { ns: string; local: string }, maxDepth: number): XmlRecordSplitText {
  const lineAt = lineCounter(text);
  // Namespace declarations by depth (depth 0: the predefined xml prefix).
  const scopes: Array<Map<string, string>> = [new Map([['xml', 'http://www.w3.org/XML/1998/namespace']])];
  let declarations = new Map<string, string>();
  const resolve = (prefix: string, depth: number): string | undefined => {
    for (let d = depth; d >= 0; d--) {
      const uri = scopes[d]?.get(prefix);
      if (uri !== undefined) return uri;
    }
    return undefined;
  };
  const records: XmlRecordText[] = [];
  const skeleton: string[] = [];
  let copiedUpTo = 0;
  let parentDepth = -1;
  let record: { start: number; nameEnd: number; declared: Set<string> } | null = null;
  readMarkup(
    text,
    maxDepth,
    {
      text: () => undefined,
      cdata: () => undefined,
      other: () => undefined,
      attribute: (name, value) => {
        if (name === 'xmlns') declarations.set('', value);
        else if (name.startsWith('xmlns:')) declarations.set(name.slice(6), value);
      },
      startTag: (name, at, end, empty, depth) => {
        scopes[depth] = declarations;
        const own = declarations;
        declarations = new Map();
        if (record === null && parentDepth >= 0 && depth === parentDepth + 1) {
          record = { start: at, nameEnd: at + 1 + name.length, declared: new Set(own.keys()) };
          if (empty) finishRecord(end, depth);
          return;
        }
        if (record === null && parentDepth < 0 && !empty) {
          const colon = name.indexOf(':');
          const uri = resolve(colon < 0 ? '' : name.slice(0, colon), depth);
          if (uri === parent.ns && name.slice(colon + 1) === parent.local) parentDepth = depth;
        }
        if (empty) scopes.length = depth;
      },
      endTag: (_name, _at, end, depth) => {
        if (record !== null && depth === parentDepth + 1) finishRecord(end, depth);
        else if (depth === parentDepth) parentDepth = -1;
        scopes.length = depth;
      },
    },
    lineAt,
  );

  function finishRecord(end: number, depth: number): void {
    const current = record as { start: number; nameEnd: number; declared: Set<string> };
    // Namespaces in scope at the record that its root does not declare itself.
    const inherited = new Map<string, string>();
    for (let d = depth - 1; d >= 1; d--) {
      for (const [prefix, uri] of scopes[d] ?? []) if (!current.declared.has(prefix) && !inherited.has(prefix)) inherited.set(prefix, uri);
    }
    // Values are copied as written (escapes included), in the quotes they can sit in.
    const extra = [...inherited].map(([prefix, raw]) => ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}=${raw.includes('"') ? `'${raw}'` : `"${raw}"`}`).join('');
    records.push({ text: `${text.slice(current.start, current.nameEnd)}${extra}${text.slice(current.nameEnd, end)}` });
    skeleton.push(text.slice(copiedUpTo, current.start));
    copiedUpTo = end;
    record = null;
    scopes.length = depth;
  }

  skeleton.push(text.slice(copiedUpTo));
  return { skeleton: skeleton.join(''), records };
}
