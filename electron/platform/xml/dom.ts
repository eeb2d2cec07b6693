/**
 * Small DOM utilities shared by the XML layer: node kinds, namespace-aware child access, in-scope
 * namespaces, and a faithful serializer (STYLE.md "Protocol code": XML leaves the process only
 * through a serializer that escapes by construction).
 */
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export const NodeKind = {
  ELEMENT: 1,
  ATTRIBUTE: 2,
  TEXT: 3,
  CDATA_SECTION: 4,
  PROCESSING_INSTRUCTION: 7,
  COMMENT: 8,
  DOCUMENT: 9,
  DOCUMENT_TYPE: 10,
} as const;

export function isElement(node: Node | null | undefined): node is Element {
  return node !== null && node !== undefined && node.nodeType === NodeKind.ELEMENT;
}

export function isDocument(node: Node | null | undefined): node is Document {
  return node !== null && node !== undefined && node.nodeType === NodeKind.DOCUMENT;
}

/** Child elements of `parent`, optionally filtered by namespace URI (null: no namespace) and local name. */
export function childElements(parent: Node, ns?: string | null, local?: string): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child !== null; child = child.nextSibling) {
    if (!isElement(child)) continue;
    if (ns !== undefined && (child.namespaceURI ?? null) !== ns) continue;
    if (local !== undefined && child.localName !== local) continue;
    out.push(child);
  }
  return out;
}

export function firstChildElement(parent: Node, ns?: string | null, local?: string): Element | null {
  for (let child = parent.firstChild; child !== null; child = child.nextSibling) {
    if (!isElement(child)) continue;
    if (ns !== undefined && (child.namespaceURI ?? null) !== ns) continue;
    if (local !== undefined && child.localName !== local) continue;
    return child;
  }
  return null;
}

/** Concatenated text of the text and CDATA descendants (the XPath string-value of an element). */
export function textOf(node: Node): string {
  if (node.nodeType === NodeKind.TEXT || node.nodeType === NodeKind.CDATA_SECTION) return (node as Node & { data: string }).data;
  if (node.nodeType === NodeKind.ATTRIBUTE) return (node as Attr).value;
  let out = '';
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === NodeKind.ELEMENT || child.nodeType === NodeKind.TEXT || child.nodeType === NodeKind.CDATA_SECTION) {
      out += textOf(child);
    }
  }
  return out;
}

export function attributesOf(element: Element): Attr[] {
  const out: Attr[] = [];
  const list = element.attributes;
  for (let i = 0; i < list.length; i++) {
    const attr = list.item(i);
    if (attr !== null) out.push(attr);
  }
  return out;
}

export function isNamespaceDeclaration(attr: Attr): boolean {
  return attr.namespaceURI === XMLNS_NS || attr.name === 'xmlns' || attr.name.startsWith('xmlns:');
}

/** Prefix declared by an `xmlns` / `xmlns:p` attribute ('' for the default namespace). */
export function declaredPrefix(attr: Attr): string {
  return attr.name === 'xmlns' ? '' : attr.name.slice('xmlns:'.length);
}

/**
 * Applies the namespace declarations of `element` (and the bindings its own name and attributes
 * need, for DOMs built with createElementNS) on top of `scope`. Returns `scope` itself when nothing
 * changes, so that callers copy maps only where namespaces are declared.
 */
export function scopeOf(element: Element, scope: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  let next: Map<string, string> | null = null;
  const bind = (prefix: string, uri: string): void => {
    if ((next ?? scope).get(prefix) === uri) return;
    next ??= new Map(scope);
    next.set(prefix, uri);
  };
  for (const attr of attributesOf(element)) {
    if (isNamespaceDeclaration(attr)) bind(declaredPrefix(attr), attr.value);
  }
  // Namespace fix-up (DOM Level 3 Appendix B): a binding used by the node itself but not declared.
  const prefix = element.prefix ?? '';
  const uri = element.namespaceURI ?? '';
  if (((next ?? scope).get(prefix) ?? '') !== uri) bind(prefix, uri);
  for (const attr of attributesOf(element)) {
    if (isNamespaceDeclaration(attr) || attr.prefix === null || attr.prefix === '' || attr.prefix === 'xml') continue;
    if ((next ?? scope).get(attr.prefix) !== (attr.namespaceURI ?? '')) bind(attr.prefix, attr.namespaceURI ?? '');
  }
  return next ?? scope;
}

/** Namespaces in scope on `element` (its ancestors' declarations and its own). '' is the default. */
export function inScopeNamespaces(element: Element): ReadonlyMap<string, string> {
  const chain: Element[] = [];
  for (let node: Node | null = element; isElement(node); node = node.parentNode) chain.push(node);
  let scope: ReadonlyMap<string, string> = new Map();
  for (let i = chain.length - 1; i >= 0; i--) scope = scopeOf(chain[i] as Element, scope);
  return scope;
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Whether a long text holds none of the characters character data escapes (`&`, `<`, `>`, `\r`):
 * a CDA's megabyte of base64 is then used as it is, found by four native searches, ~30× faster
 * than a regular expression's scan that leaves it unchanged. Short texts answer false (the
 * regular expression is cheaper there).
 */
export function isLongPlainText(value: string): boolean {
  return value.length >= 256 && !value.includes('&') && !value.includes('<') && !value.includes('>') && !value.includes('\r');
}

/** Escapes character data; `\r` is kept as a reference so that parsers do not normalise it away. */
export function escapeText(value: string): string {
  if (isLongPlainText(value)) return value;
  return value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c] as string);
}

/** Escapes an attribute value; tab and line breaks as references survive attribute normalisation. */
export function escapeAttribute(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c] as string);
}

/**
 * Serialises a DOM element (with its subtree) faithfully. Namespace declarations the subtree relies
 * on but inherits from ancestors outside it are repeated on its root, unless `outerScope` (what the
 * surrounding output already declares) has them — so an element taken out of one document (a signed
 * SAML assertion) stays valid wherever it is written.
 */
export function serializeElement(element: Element, outerScope: ReadonlyMap<string, string> = new Map()): string {
  const out: string[] = [];
  writeDomElement(element, outerScope, out, inScopeNamespaces(element));
  return out.join('');
}

/** Serialises a whole document, with an XML declaration when asked. */
export function serializeDocument(doc: Document, options: { declaration?: boolean } = {}): string {
  const out: string[] = [];
  if (options.declaration === true) out.push('<?xml version="1.0" encoding="UTF-8"?>');
  for (let child = doc.firstChild; child !== null; child = child.nextSibling) {
    if (isElement(child)) writeDomElement(child, new Map(), out, null);
    // xmldom keeps the XML declaration as a processing instruction named "xml": never copy it.
    else if (!(child.nodeType === NodeKind.PROCESSING_INSTRUCTION && (child as Node & { target: string }).target.toLowerCase() === 'xml')) {
      writeOther(child, out);
    }
  }
  return out.join('');
}

function writeOther(node: Node, out: string[]): void {
  switch (node.nodeType) {
    case NodeKind.TEXT:
    case NodeKind.CDATA_SECTION:
      out.push(escapeText((node as Node & { data: string }).data));
      break;
    case NodeKind.COMMENT:
      out.push(`<!--${(node as Node & { data: string }).data}-->`);
      break;
    case NodeKind.PROCESSING_INSTRUCTION: {
      const pi = node as Node & { target: string; data: string };
      out.push(pi.data === '' ? `<?${pi.target}?>` : `<?${pi.target} ${pi.data}?>`);
      break;
    }
    default:
      break;
  }
}

function writeDomElement(
  element: Element,
  written: ReadonlyMap<string, string>,
  out: string[],
  inherited: ReadonlyMap<string, string> | null,
): void {
  const scope = new Map(written);
  const declarations: string[] = [];
  const declared = new Set<string>();
  const write = (prefix: string, uri: string): void => {
    declared.add(prefix);
    scope.set(prefix, uri);
    declarations.push(prefix === '' ? ` xmlns="${escapeAttribute(uri)}"` : ` xmlns:${prefix}="${escapeAttribute(uri)}"`);
  };
  const declare = (prefix: string, uri: string): void => {
    if (prefix === 'xml' || declared.has(prefix)) return;
    if ((scope.get(prefix) ?? '') === uri && (prefix === '' || scope.has(prefix))) return;
    write(prefix, uri);
  };
  // The element's own declarations are written as they are, even when the surrounding output
  // already has them: inclusive c14n and exc-c14n InclusiveNamespaces depend on where they sit.
  const own = new Set<string>();
  for (const attr of attributesOf(element)) {
    if (!isNamespaceDeclaration(attr)) continue;
    own.add(declaredPrefix(attr));
    if (declaredPrefix(attr) !== 'xml' && !declared.has(declaredPrefix(attr))) write(declaredPrefix(attr), attr.value);
  }
  if (inherited !== null) {
    for (const [prefix, uri] of inherited) if (!own.has(prefix)) declare(prefix, uri);
  }
  const prefix = element.prefix ?? '';
  declare(prefix, element.namespaceURI ?? '');
  const attrs: string[] = [];
  for (const attr of attributesOf(element)) {
    if (isNamespaceDeclaration(attr)) continue;
    if (attr.prefix !== null && attr.prefix !== '' && attr.prefix !== 'xml') declare(attr.prefix, attr.namespaceURI ?? '');
    attrs.push(` ${attr.name}="${escapeAttribute(attr.value)}"`);
  }
  out.push(`<${element.nodeName}`, ...declarations, ...attrs);
  if (element.firstChild === null) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (let child: Node | null = element.firstChild; child !== null; child = child.nextSibling) {
    if (isElement(child)) writeDomElement(child, scope, out, null);
    else writeOther(child, out);
  }
  out.push(`</${element.nodeName}>`);
}
