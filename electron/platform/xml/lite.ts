/**
 * A light reading tree for the records of long list answers (an ITI-18 answer: thousands of
 * registry objects, ~6 KB each). @xmldom/xmldom costs ~1.2 ms per such record (it compiles a
 * Unicode regular expression for every end tag), 2.5 s for a DMP of 2 000 documents; this reader
 * builds the few things a record reader needs — elements with their namespace, attributes and text
 * — on top of the streaming pass (scan.ts), in one pass over the markup.
 *
 * Same refusals as `parseXml` (parse.ts), checked here rather than by the DOM parser:
 * - structure, DOCTYPE, XInclude, depth: the streaming pass (scan.ts);
 * - XML 1.0 §2.2 characters, in text, attribute values, comments and processing instructions,
 *   character references included (`&#1;` is XML_INVALID_CHARACTER);
 * - XML 1.0 §4.1/§4.6: only the five predefined entities and character references; any other
 *   reference is undeclared (a DOCTYPE is never accepted) and the document is XML_MALFORMED;
 * - XML 1.0 §2.4: `]]>` may not appear in character data; §2.5: `--` not inside a comment;
 * - Namespaces in XML 1.0 §3, §5: qualified names, bound prefixes, no attribute twice;
 * - memory: the tree is charged like the DOM would be (scan.ts TREE_NODE_BYTES, an upper bound:
 *   these nodes are smaller) against the same budget.
 * Values are normalised as XML 1.0 says: line ends (§2.11), attribute values (§3.3.3, CDATA type).
 */
import { XmlError } from './errors';
import { lineCounter, readMarkup, TREE_NODE_BYTES } from './scan';
import { fromUtf8View } from './utf8-view';

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** What a record reader needs of a node: xmldom's `Node` has the same members (structural type). */
export interface XmlReadableNode {
  readonly nodeType: number;
  readonly firstChild: XmlReadableNode | null;
  readonly nextSibling: XmlReadableNode | null;
}

/** What a record reader needs of an element: xmldom's `Element` has the same members. */
export interface XmlReadableElement extends XmlReadableNode {
  readonly namespaceURI: string | null;
  readonly localName: string | null;
  readonly textContent: string | null;
  getAttribute(qualifiedName: string): string | null;
}

class LiteText implements XmlReadableNode {
  readonly nodeType = 3;
  readonly firstChild = null;
  nextSibling: XmlReadableNode | null = null;
  constructor(readonly data: string) {}
}

class LiteElement implements XmlReadableElement {
  readonly nodeType = 1;
  firstChild: XmlReadableNode | null = null;
  lastChild: XmlReadableNode | null = null;
  nextSibling: XmlReadableNode | null = null;
  constructor(
    readonly namespaceURI: string | null,
    readonly localName: string,
    /** Qualified names and values, alternating, in document order (a few per element: a scan beats a map). */
    private readonly attributes: readonly string[],
  ) {}

  getAttribute(qualifiedName: string): string | null {
    for (let i = 0; i < this.attributes.length; i += 2) if (this.attributes[i] === qualifiedName) return this.attributes[i + 1] as string;
    return null;
  }

  /** Qualified names of the attributes, namespace declarations included, in document order. */
  attributeNames(): string[] {
    return this.attributes.filter((_, i) => i % 2 === 0);
  }

  get textContent(): string {
    let out = '';
    for (let child = this.firstChild; child !== null; child = child.nextSibling) {
      if (child instanceof LiteText) out += child.data;
      else if (child instanceof LiteElement) out += child.textContent;
    }
    return out;
  }

  append(child: LiteElement | LiteText): void {
    if (this.lastChild === null) this.firstChild = child;
    else (this.lastChild as LiteElement | LiteText).nextSibling = child;
    this.lastChild = child;
  }
}

/** Child elements of `parent`, optionally filtered by namespace URI (null: no namespace) and local name. */
export function readableChildren(parent: XmlReadableNode, ns?: string | null, local?: string): XmlReadableElement[] {
  const out: XmlReadableElement[] = [];
  for (let child = parent.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType !== 1) continue;
    const element = child as XmlReadableElement;
    if (ns !== undefined && (element.namespaceURI ?? null) !== ns) continue;
    if (local !== undefined && element.localName !== local) continue;
    out.push(element);
  }
  return out;
}

// XML 1.0 (5th edition) §2.3 NameStartChar / NameChar, without the colon (Namespaces in XML: NCName).
const NAME_START = 'A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
// (NameChar includes the combining marks U+0300–U+036F on purpose: XML 1.0 §2.3.)
// eslint-disable-next-line no-misleading-character-class
export const NCNAME = new RegExp(`^[${NAME_START}][${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*$`, 'u');
// XML 1.0 §2.2 (parse.ts FORBIDDEN_CHAR), in two steps: the look-around for lone surrogates is
// slow, and only text that holds a surrogate at all needs it.
// eslint-disable-next-line no-control-regex
export const CONTROL_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
export const SURROGATE = /[\uD800-\uDFFF]/;
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** True when a value needs more than a copy: a reference, or a character to normalise (tab, line end). */
export const TO_NORMALISE = /[&\t\n\r]/;
/**
 * A piece without a control character (tab and line ends included), a reference or a character
 * beyond ASCII is final as it is: one test on the common path instead of the four below.
 */
// eslint-disable-next-line no-control-regex
const NEEDS_CARE = /[\u0000-\u001F&\u0080-\uFFFF]/;
const FORBIDDEN_CHAR = { test: (value: string): boolean => CONTROL_CHAR.test(value) || (SURROGATE.test(value) && LONE_SURROGATE.test(value)) };
export const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML 1.0 §2.11: every `\r\n` and lone `\r` read as `\n` (a text without `\r` is returned as it is). */
export function normalizeLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Qualified names found valid, with their parts: the documents of a kind repeat theirs. */
export type QualifiedNames = Map<string, readonly [prefix: string, local: string]>;

/**
 * A qualified name split into prefix and local part, both NCNames (Namespaces in XML §3), else
 * `fail`. `checked` remembers the names found valid and their parts, so that each is checked and
 * split once (cleared past 4 096 names, so that a long-lived map stays small).
 */
export function splitQualifiedName(qualified: string, checked: QualifiedNames, fail: () => never): readonly [prefix: string, local: string] {
  const known = checked.get(qualified);
  if (known !== undefined) return known;
  const colon = qualified.indexOf(':');
  const prefix = colon < 0 ? '' : qualified.slice(0, colon);
  const local = colon < 0 ? qualified : qualified.slice(colon + 1);
  if ((colon >= 0 && !NCNAME.test(prefix)) || !NCNAME.test(local)) fail();
  if (checked.size >= 4096) checked.clear();
  const parts = [prefix, local] as const;
  checked.set(qualified, parts);
  return parts;
}

/** The names of the records read by `parseXmlLite`: a list answer's thousands of records share a few dozen. */
const liteNames: QualifiedNames = new Map();

/** What is wrong with a reference: its form, an entity no DTD declares, or a character XML cannot carry. */
export type ReferenceFault = 'reference' | 'character-reference' | 'entity-reference' | 'character';

/**
 * XML 1.0 §4.1, §4.6: the character references and the five predefined entities of `raw` decoded;
 * anything else goes to `fail` (any other entity would need a DTD to declare it, and none is read).
 */
export function decodeReferences(raw: string, fail: (fault: ReferenceFault) => never): string {
  if (!raw.includes('&')) return raw;
  let out = '';
  let from = 0;
  for (let amp = raw.indexOf('&'); amp >= 0; amp = raw.indexOf('&', from)) {
    const semi = raw.indexOf(';', amp + 1);
    if (semi < 0) fail('reference');
    const name = raw.slice(amp + 1, semi);
    let value: string;
    if (name.startsWith('#')) {
      const code = /^#x[0-9A-Fa-f]{1,6}$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
      if (Number.isNaN(code)) fail('character-reference');
      if (!isXmlChar(code)) fail('character');
      value = String.fromCodePoint(code);
    } else {
      value = PREDEFINED[name] ?? fail('entity-reference');
    }
    out += raw.slice(from, amp) + value;
    from = semi + 1;
  }
  return out + raw.slice(from);
}

/** XML 1.0 §2.2 Char, for a code point given by a character reference. */
export function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

export interface XmlLiteLimits {
  maxDepth: number;
  maxTreeBytes: number;
}

/**
 * Parses one element (a record cut out by `splitXmlRecords`, its namespaces re-declared on its root)
 * into a light tree; throws an XmlError with a line number, never a fragment of the document.
 * `utf8View`: `text` is the Latin-1 view of valid UTF-8 bytes without U+FFFE/U+FFFF (utf8-view.ts);
 * every name, value and text is turned back into the characters it stands for before it is checked.
 */
export function parseXmlLite(text: string, limits: XmlLiteLimits, utf8View = false): XmlReadableElement {
  const real = utf8View ? fromUtf8View : (piece: string): string => piece;
  const lineAt = lineCounter(text);
  const malformed = (at: number, reason: string): XmlError => new XmlError('XML_MALFORMED', { line: lineAt(at), reason });
  const invalidCharacter = (at: number): XmlError => new XmlError('XML_INVALID_CHARACTER', { line: lineAt(at) });
  let treeBytes = TREE_NODE_BYTES.character * text.length;
  const charge = (at: number, bytes: number): void => {
    treeBytes += bytes;
    if (treeBytes > limits.maxTreeBytes) throw new XmlError('XML_TOO_COMPLEX', { maxTreeBytes: limits.maxTreeBytes, line: lineAt(at) });
  };
  const splitName = (qualified: string, at: number): readonly [prefix: string, local: string] =>
    splitQualifiedName(qualified, liteNames, () => {
      throw malformed(at, 'name');
    });

  /**
   * Character data or an attribute value as read: checked (§2.2), line ends normalised (§2.11),
   * references decoded; in an attribute value (§3.3.3) literal white space becomes a space, what a
   * character reference gives is kept.
   */
  const finalValue = (piece: string, at: number, attribute: boolean): string => {
    if (!NEEDS_CARE.test(piece)) return piece;
    const raw = real(piece);
    if (FORBIDDEN_CHAR.test(raw)) throw invalidCharacter(at);
    if (!TO_NORMALISE.test(raw)) return raw;
    const lines = normalizeLineEnds(raw);
    return decode(attribute ? lines.replace(/[\t\n\r]/g, ' ') : lines, at);
  };

  /** Decodes the references of `raw` (its characters already checked). */
  const decode = (raw: string, at: number): string =>
    decodeReferences(raw, (fault) => {
      throw fault === 'character' ? invalidCharacter(at) : malformed(at, fault);
    });

  // Namespace scopes, one per open element (index 0: the predefined xml prefix).
  const scopes: Array<ReadonlyMap<string, string>> = [new Map([['xml', XML_NAMESPACE]])];
  const stack: LiteElement[] = [];
  let root: LiteElement | null = null;
  const NO_ATTRIBUTES: readonly string[] = [];
  let pending: string[] | null = null;
  let elementBytes: number = TREE_NODE_BYTES.element;

  readMarkup(
    text,
    limits.maxDepth,
    {
      text(from, to) {
        const piece = text.slice(from, to);
        const value = finalValue(piece, from, false);
        if (piece.includes(']]>')) throw malformed(from, 'cdata-end-in-text');
        charge(from, TREE_NODE_BYTES.text);
        stack[stack.length - 1]?.append(new LiteText(value));
      },
      cdata(at, end) {
        const raw = real(text.slice(at + 9, end - 3));
        if (FORBIDDEN_CHAR.test(raw)) throw invalidCharacter(at);
        charge(at, TREE_NODE_BYTES.text);
        stack[stack.length - 1]?.append(new LiteText(normalizeLineEnds(raw)));
      },
      other(at, end) {
        const raw = real(text.slice(at, end));
        if (FORBIDDEN_CHAR.test(raw)) throw invalidCharacter(at);
        if (raw.startsWith('<!--') && raw.slice(4, -3).includes('--')) throw malformed(at, 'comment');
        charge(at, TREE_NODE_BYTES.other);
      },
      attribute(viewName, viewValue, at) {
        const name = real(viewName);
        pending ??= [];
        for (let i = 0; i < pending.length; i += 2) if (pending[i] === name) throw malformed(at, 'duplicate-attribute');
        pending.push(name, finalValue(viewValue, at, true));
        elementBytes += name === 'xmlns' || name.startsWith('xmlns:') ? TREE_NODE_BYTES.namespaceDeclaration : TREE_NODE_BYTES.attribute;
      },
      startTag(viewName, at, _end, empty, depth) {
        const name = real(viewName);
        const attributes: readonly string[] = pending ?? NO_ATTRIBUTES;
        pending = null;
        charge(at, elementBytes);
        elementBytes = TREE_NODE_BYTES.element;
        // Namespace declarations of this element, over the scope it is in.
        let scope = scopes[depth - 1] as ReadonlyMap<string, string>;
        for (let i = 0; i < attributes.length; i += 2) {
          const attribute = attributes[i] as string;
          const value = attributes[i + 1] as string;
          if (attribute !== 'xmlns' && !attribute.startsWith('xmlns:')) continue;
          const prefix = attribute === 'xmlns' ? '' : attribute.slice(6);
          if (attribute !== 'xmlns' && !NCNAME.test(prefix)) throw malformed(at, 'namespace-declaration');
          if ((prefix === 'xml') !== (value === XML_NAMESPACE) || prefix === 'xmlns' || value === XMLNS_NAMESPACE) throw malformed(at, 'namespace-declaration');
          if (prefix !== '' && value === '') throw malformed(at, 'namespace-declaration');
          if (scope === scopes[depth - 1]) scope = new Map(scope);
          (scope as Map<string, string>).set(prefix, value);
        }
        const [prefix, local] = splitName(name, at);
        const uri = scope.get(prefix);
        if (prefix !== '' && uri === undefined) throw malformed(at, 'unbound-prefix');
        // Attribute names: qualified, prefixes bound, no two for the same expanded name.
        let prefixed: Set<string> | null = null;
        for (let i = 0; i < attributes.length; i += 2) {
          const attribute = attributes[i] as string;
          if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) continue;
          const [attributePrefix, attributeLocal] = splitName(attribute, at);
          if (attributePrefix === '') continue;
          // Unprefixed names are distinct by the map; a prefixed one may repeat another's expanded name.
          const attributeUri = scope.get(attributePrefix);
          if (attributeUri === undefined) throw malformed(at, 'unbound-prefix');
          prefixed ??= new Set();
          const key = `{${attributeUri}}${attributeLocal}`;
          if (prefixed.has(key)) throw malformed(at, 'duplicate-attribute');
          prefixed.add(key);
        }
        const element = new LiteElement(uri === undefined || uri === '' ? null : uri, local, attributes);
        const parent = stack[stack.length - 1];
        if (parent === undefined) root = element;
        else parent.append(element);
        if (!empty) {
          stack.push(element);
          scopes[depth] = scope;
        }
      },
      endTag(_name, _at, _end, depth) {
        stack.pop();
        scopes.length = depth;
      },
    },
    lineAt,
  );
  if (root === null) throw malformed(text.length, 'no-root-element');
  return root;
}
