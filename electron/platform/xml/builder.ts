/**
 * A small typed XML builder that escapes by construction (STYLE.md "Protocol code": never string
 * concatenation of user data). Elements, attributes and text are values; the serializer declares
 * namespaces where they are first needed and escapes every text and attribute value.
 *
 *   const ins = xmlNamespace('http://www.cnamts.fr/INSiRecSans', 'ins');
 *   ins.el('RECSANSVITALE', ins.el('NomNaissance', nom), prenoms.map((p) => ins.el('Prenom', p)));
 *
 * Content items: elements, `attr(...)`/`ns.attr(...)` attributes, strings and numbers (text),
 * `domNode(element)` (an existing DOM element such as a signed assertion, written faithfully),
 * `ns.declare()` (force a declaration here), arrays (flattened); null/undefined/false are skipped.
 */
import type { Document, Element } from '@xmldom/xmldom';
import { escapeAttr as canonicalAttr, escapeText as canonicalText } from './c14n';
import { escapeAttribute, escapeText, serializeElement, XML_NS } from './dom';
import { XmlError } from './errors';
import { hasForbiddenXmlChar, parseXml, type XmlParseLimits } from './parse';

export interface XmlName {
  /** Namespace URI, or null for no namespace. */
  readonly ns: string | null;
  /** '' means no prefix (default namespace for elements, no namespace for attributes). */
  readonly prefix: string;
  readonly local: string;
}

export interface XmlElementNode {
  readonly kind: 'element';
  readonly name: XmlName;
  readonly attributes: readonly XmlAttributeNode[];
  readonly declarations: readonly XmlNamespaceDeclaration[];
  readonly children: readonly XmlChildNode[];
}

export interface XmlAttributeNode {
  readonly kind: 'attribute';
  readonly name: XmlName;
  readonly value: string;
}

export interface XmlTextNode {
  readonly kind: 'text';
  readonly value: string;
}

/** An existing DOM element embedded as is (namespace declarations it inherits are repeated). */
export interface XmlDomNode {
  readonly kind: 'dom';
  readonly element: Element;
  /** The element is never changed once embedded (a signed token): its text is kept and reused. */
  readonly immutable?: boolean;
}

export interface XmlNamespaceDeclaration {
  readonly kind: 'xmlns';
  readonly prefix: string;
  readonly uri: string;
}

export type XmlChildNode = XmlElementNode | XmlTextNode | XmlDomNode;

export type XmlContent =
  | XmlChildNode
  | XmlAttributeNode
  | XmlNamespaceDeclaration
  | string
  | number
  | bigint
  | null
  | undefined
  | false
  | readonly XmlContent[];

export type XmlAttributeValue = string | number | bigint | boolean;

// Namespaces in XML 1.0 §3: NCName. Restricted to ASCII: every element and attribute name of the
// specifications used here is ASCII, and names come from code, never from user data.
const NCNAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

export function isNcName(value: string): boolean {
  return NCNAME.test(value);
}

function checkName(value: string, what: string): void {
  // Names come from code, never from user data: a bad one is a programming error.
  if (!isNcName(value)) throw new TypeError(`invalid XML ${what}: ${JSON.stringify(value)}`);
}

function checkChars(value: string): string {
  if (hasForbiddenXmlChar(value)) throw new XmlError('XML_INVALID_CHARACTER');
  return value;
}

function toText(value: string | number | bigint | boolean): string {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('XML text cannot be NaN or infinite');
  return checkChars(String(value));
}

function makeName(ns: string | null, prefix: string, local: string): XmlName {
  checkName(local, 'local name');
  if (prefix !== '') checkName(prefix, 'prefix');
  if (ns === null && prefix !== '') throw new TypeError(`prefix "${prefix}" needs a namespace`);
  if (prefix === 'xmlns' || (prefix === 'xml' && ns !== XML_NS)) throw new TypeError(`reserved prefix "${prefix}"`);
  return { ns, prefix, local };
}

function buildElement(name: XmlName, content: readonly XmlContent[]): XmlElementNode {
  const attributes: XmlAttributeNode[] = [];
  const declarations: XmlNamespaceDeclaration[] = [];
  const children: XmlChildNode[] = [];
  const visit = (item: XmlContent): void => {
    if (item === null || item === undefined || item === false) return;
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'bigint') {
      const value = toText(item);
      if (value !== '') children.push({ kind: 'text', value });
      return;
    }
    if (Array.isArray(item)) {
      for (const inner of item as readonly XmlContent[]) visit(inner);
      return;
    }
    const node = item as Exclude<XmlContent, readonly XmlContent[] | string | number | bigint | null | undefined | false>;
    switch (node.kind) {
      case 'attribute':
        if (attributes.some((a) => a.name.ns === node.name.ns && a.name.local === node.name.local)) {
          throw new TypeError(`duplicate attribute ${node.name.local}`);
        }
        attributes.push(node);
        return;
      case 'xmlns':
        declarations.push(node);
        return;
      default:
        children.push(node);
    }
  };
  for (const item of content) visit(item);
  return { kind: 'element', name, attributes, declarations, children };
}

/** An element without namespace. */
export function el(local: string, ...content: XmlContent[]): XmlElementNode {
  return buildElement(makeName(null, '', local), content);
}

/** An unqualified attribute; null/undefined gives nothing (convenient for optional attributes). */
export function attr(local: string, value: XmlAttributeValue | null | undefined): XmlAttributeNode | null {
  if (value === null || value === undefined) return null;
  return { kind: 'attribute', name: makeName(null, '', local), value: toText(value) };
}

export function text(value: string | number | bigint): XmlTextNode {
  return { kind: 'text', value: toText(value) };
}

/**
 * Embeds an existing DOM element (e.g. a signed SAML assertion) without re-building it.
 * `immutable`: the element is never changed afterwards (a signed token, whose signature a change
 * would break anyway): its text is kept per surrounding namespaces and reused — a VIHF goes into
 * every DMP request of its validity window (issue 15, bulk sending).
 */
export function domNode(element: Element, options: { immutable?: boolean } = {}): XmlDomNode {
  return options.immutable === true ? { kind: 'dom', element, immutable: true } : { kind: 'dom', element };
}

/** Texts of immutable DOM nodes, per element and surrounding namespaces. */
const serializedImmutable = new WeakMap<Element, Map<string, string>>();

function serializeDomNode(node: XmlDomNode, scope: ReadonlyMap<string, string>): string {
  if (node.immutable !== true) return serializeElement(node.element, scope);
  let texts = serializedImmutable.get(node.element);
  if (texts === undefined) {
    texts = new Map();
    serializedImmutable.set(node.element, texts);
  }
  const key = [...scope].join('\u0000');
  let text = texts.get(key);
  if (text === undefined) {
    text = serializeElement(node.element, scope);
    if (texts.size >= 8) texts.clear();
    texts.set(key, text);
  }
  return text;
}

export interface XmlNamespace {
  readonly uri: string;
  readonly prefix: string;
  el(local: string, ...content: XmlContent[]): XmlElementNode;
  attr(local: string, value: XmlAttributeValue | null | undefined): XmlAttributeNode | null;
  /** Declares this namespace on the element it is given to (unless already in scope), for its
   * descendants or for QName-valued content such as `xsi:type="xs:string"`. */
  declare(): XmlNamespaceDeclaration;
  /** The name with its prefix, for QName-valued content such as `xsi:type` or fault codes. */
  qname(local: string): string;
}

/** A namespace and the prefix to write it with ('' = default namespace; attributes need a prefix). */
export function xmlNamespace(uri: string, prefix = ''): XmlNamespace {
  if (uri === '') throw new TypeError('a namespace URI cannot be empty');
  if (prefix !== '') checkName(prefix, 'prefix');
  checkChars(uri);
  return {
    uri,
    prefix,
    el: (local, ...content) => buildElement(makeName(uri, prefix, local), content),
    attr: (local, value) => {
      if (prefix === '') throw new TypeError('a namespaced attribute needs a prefix');
      if (value === null || value === undefined) return null;
      return { kind: 'attribute', name: makeName(uri, prefix, local), value: toText(value) };
    },
    declare: () => ({ kind: 'xmlns', prefix, uri }),
    qname: (local) => {
      checkName(local, 'local name');
      return prefix === '' ? local : `${prefix}:${local}`;
    },
  };
}

/** The `xml:` namespace (xml:lang, xml:space), always bound. */
export const xmlNs: XmlNamespace = {
  uri: XML_NS,
  prefix: 'xml',
  el: () => {
    throw new TypeError('no element lives in the xml: namespace');
  },
  attr: (local, value) =>
    value === null || value === undefined ? null : { kind: 'attribute', name: makeName(XML_NS, 'xml', local), value: toText(value) },
  declare: () => {
    throw new TypeError('the xml: prefix is never declared');
  },
  qname: (local) => `xml:${local}`,
};

export interface SerializeOptions {
  /** Prepends `<?xml version="1.0" encoding="UTF-8"?>`. */
  declaration?: boolean;
  /**
   * Writes the element in its Canonical XML 1.0 form (W3C REC-xml-c14n-20010315 §2.3, with or
   * without comments alike: the builder makes none): namespace declarations then attributes in
   * canonical order, start and end tags for empty elements, the canonical escapes. The text after
   * the declaration is then exactly what canonicalising the parsed document gives, so a signature
   * can digest these bytes without parsing them again (see `canonicalPart`). DOM nodes are refused.
   */
  canonical?: boolean;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Serialises a built element to a string (UTF-8 is the only encoding the output ever declares). */
export function serializeXml(node: XmlElementNode, options: SerializeOptions = {}): string {
  const out: string[] = [];
  if (options.declaration === true) out.push(XML_DECLARATION);
  writeElement(node, new Map([['xml', XML_NS]]), out, options.canonical === true);
  return out.join('');
}

/**
 * The canonical form inside bytes written by `serializeXml(…, { canonical: true })`: the same bytes
 * without the XML declaration (C14N §2.1 drops it). A view, not a copy.
 */
export function canonicalPart(bytes: Buffer): Buffer {
  const declaration = Buffer.from(XML_DECLARATION, 'latin1');
  return bytes.subarray(0, declaration.length).equals(declaration) ? bytes.subarray(declaration.length) : bytes;
}

/** Serialises to UTF-8 bytes. */
export function serializeXmlToBytes(node: XmlElementNode, options: SerializeOptions = {}): Buffer {
  return Buffer.from(serializeXml(node, options), 'utf8');
}

/** Builds a DOM Document (through the safe parser, so the DOM is exactly what the text says). */
export function toDocument(node: XmlElementNode, limits?: XmlParseLimits): Document {
  return parseXml(serializeXml(node), limits ?? { maxBytes: Number.MAX_SAFE_INTEGER });
}

function writeElement(node: XmlElementNode, parentScope: ReadonlyMap<string, string>, out: string[], canonical: boolean): void {
  let scope: Map<string, string> | null = null;
  const declarations: string[] = [];
  const current = (prefix: string): string | undefined => (scope ?? parentScope).get(prefix);
  const bind = (prefix: string, uri: string): void => {
    if (prefix === 'xml') return;
    const existing = current(prefix);
    if (prefix === '' ? (existing ?? '') === uri : existing === uri) return;
    if (declarations.some((d) => d.startsWith(prefix === '' ? ' xmlns=' : ` xmlns:${prefix}=`))) {
      throw new TypeError(`prefix "${prefix}" bound to two namespaces on <${node.name.local}>`);
    }
    scope ??= new Map(parentScope);
    scope.set(prefix, uri);
    declarations.push(prefix === '' ? ` xmlns="${attrEscape(uri)}"` : ` xmlns:${prefix}="${attrEscape(uri)}"`);
  };
  const attrEscape = canonical ? canonicalAttr : escapeAttribute;

  for (const declaration of node.declarations) bind(declaration.prefix, declaration.uri);
  bind(node.name.prefix, node.name.ns ?? '');
  const attributes: string[] = [];
  // C14N §2.3: attributes sorted by namespace URI (none first), then local name; declarations by
  // prefix (the default namespace first). Code-point order: names here are ASCII.
  const ordered = canonical ? [...node.attributes].sort((a, b) => compare(a.name.ns ?? '', b.name.ns ?? '') || compare(a.name.local, b.name.local)) : node.attributes;
  for (const attribute of ordered) {
    if (attribute.name.prefix !== '') bind(attribute.name.prefix, attribute.name.ns ?? '');
    const qname = attribute.name.prefix === '' ? attribute.name.local : `${attribute.name.prefix}:${attribute.name.local}`;
    attributes.push(` ${qname}="${attrEscape(attribute.value)}"`);
  }
  if (canonical) declarations.sort((a, b) => compare(declaredPrefixOf(a), declaredPrefixOf(b)));
  const tag = node.name.prefix === '' ? node.name.local : `${node.name.prefix}:${node.name.local}`;
  out.push(`<${tag}`, ...declarations, ...attributes);
  if (node.children.length === 0 && !canonical) {
    out.push('/>');
    return;
  }
  out.push('>');
  const childScope: ReadonlyMap<string, string> = scope ?? parentScope;
  for (const child of node.children) {
    if (child.kind === 'text') out.push(canonical ? canonicalText(child.value) : escapeText(child.value));
    else if (child.kind === 'element') writeElement(child, childScope, out, canonical);
    else if (canonical) throw new TypeError('a DOM node has no canonical form here: canonicalise the parsed document instead');
    else out.push(serializeDomNode(child, childScope));
  }
  out.push(`</${tag}>`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** '' for ` xmlns="…"`, the prefix for ` xmlns:p="…"`. */
function declaredPrefixOf(declaration: string): string {
  return declaration.startsWith(' xmlns=') ? '' : declaration.slice(' xmlns:'.length, declaration.indexOf('='));
}
