/**
 * XML canonicalisation for signatures:
 * - Canonical XML 1.0 (W3C REC-xml-c14n-20010315), "inclusive", with or without comments;
 * - Exclusive XML Canonicalization 1.0 (W3C REC-xml-exc-c14n-20020718), with or without comments,
 *   with the InclusiveNamespaces PrefixList (§3: listed prefixes are treated the inclusive way).
 *
 * Input is a whole document or an element subtree (the node-set of a same-document reference);
 * `exclude` removes one subtree (the enveloped-signature transform). The walk is recursive, which
 * parseXml's depth bound makes safe.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Attr, Document, Element, Node } from '@xmldom/xmldom';
import {
  attributesOf,
  declaredPrefix,
  inScopeNamespaces,
  isDocument,
  isElement,
  isLongPlainText,
  isNamespaceDeclaration,
  NodeKind,
  scopeOf,
  XML_NS,
} from './dom';

export const C14N = {
  inclusive: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  inclusiveWithComments: 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  exclusive: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  exclusiveWithComments: 'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
} as const;

export type C14nAlgorithmUri = (typeof C14N)[keyof typeof C14N];

export interface C14nOptions {
  algorithm: 'inclusive' | 'exclusive';
  withComments?: boolean;
  /** Exclusive only: prefixes handled the inclusive way; '#default' is the default namespace. */
  inclusivePrefixes?: readonly string[];
  /** A node left out with its subtree (enveloped-signature transform). */
  exclude?: Node | null;
}

/** Options for an algorithm URI, or null when the URI is not one of the four canonicalisations. */
export function c14nOptionsFor(uri: string, inclusivePrefixes?: readonly string[]): C14nOptions | null {
  switch (uri) {
    case C14N.inclusive:
      return { algorithm: 'inclusive', withComments: false };
    case C14N.inclusiveWithComments:
      return { algorithm: 'inclusive', withComments: true };
    case C14N.exclusive:
      return { algorithm: 'exclusive', withComments: false, inclusivePrefixes: inclusivePrefixes ?? [] };
    case C14N.exclusiveWithComments:
      return { algorithm: 'exclusive', withComments: true, inclusivePrefixes: inclusivePrefixes ?? [] };
    default:
      return null;
  }
}

/** The canonical form as a string (its UTF-8 encoding is what gets digested or signed). */
export function canonicalize(node: Document | Element, options: C14nOptions): string {
  const out: string[] = [];
  write(node, options, out);
  return out.join('');
}

/**
 * The digest of the canonical form's UTF-8 (what a ds:Reference with a C14N transform digests),
 * written into the hash as it is produced: the canonical text of a megabyte document is never
 * joined into one string nor encoded as a whole (a 1.3 MB CDA: about half the time of
 * `canonicalize` + hashing its string). Same bytes as `canonicalize`, by construction (one writer).
 */
export function canonicalDigest(node: Document | Element, options: C14nOptions, algorithm: string): Buffer {
  const hash = new BatchedHash(algorithm);
  write(node, options, {
    push(...parts: string[]): void {
      for (const part of parts) hash.text(part);
    },
  });
  return hash.digest();
}

/**
 * A hash fed with text in batches of 64 K characters (one `update` per tag or attribute costs
 * more), long texts and bytes straight in. Same digest as hashing the whole text at once.
 */
export class BatchedHash {
  private readonly hash: Hash;
  private pending: string[] = [];
  private pendingLength = 0;

  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
  }

  /** Appends `text` (as UTF-8). */
  text(text: string): void {
    if (text.length >= DIGEST_BATCH) {
      this.flush();
      this.hash.update(text, 'utf8');
      return;
    }
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= DIGEST_BATCH) this.flush();
  }

  /** Appends bytes as they are (UTF-8 already). */
  bytes(bytes: Uint8Array): void {
    this.flush();
    this.hash.update(bytes);
  }

  digest(): Buffer {
    this.flush();
    return this.hash.digest();
  }

  private flush(): void {
    if (this.pendingLength === 0) return;
    this.hash.update(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
  }
}

const DIGEST_BATCH = 64 * 1024;

/** Where the canonical text goes, piece by piece. */
interface Sink {
  push(...parts: string[]): unknown;
}

function write(node: Document | Element, options: C14nOptions, out: Sink): void {
  const ctx: Context = {
    exclusive: options.algorithm === 'exclusive',
    withComments: options.withComments === true,
    inclusivePrefixes: new Set((options.inclusivePrefixes ?? []).map((p) => (p === '#default' ? '' : p))),
    exclude: options.exclude ?? null,
    out,
  };
  if (isDocument(node)) {
    // C14N §2.1: nodes outside the document element are separated from it by line feeds.
    let afterRoot = false;
    for (let child = node.firstChild; child !== null; child = child.nextSibling) {
      if (child === ctx.exclude) continue;
      if (isElement(child)) {
        writeElement(child, new Map(), new Map(), null, ctx);
        afterRoot = true;
      } else if (child.nodeType === NodeKind.COMMENT || child.nodeType === NodeKind.PROCESSING_INSTRUCTION) {
        if (child.nodeType === NodeKind.COMMENT && !ctx.withComments) continue;
        // xmldom keeps the XML declaration as a processing instruction; it is not one (C14N §2.1).
        if (isXmlDeclaration(child)) continue;
        if (afterRoot) out.push('\n');
        writeLeaf(child, ctx);
        if (!afterRoot) out.push('\n');
      }
    }
  } else {
    const parent = node.parentNode;
    const ancestors = isElement(parent) ? inScopeNamespaces(parent) : new Map<string, string>();
    const inherited = !ctx.exclusive && isElement(parent) ? inheritedXmlAttributes(node) : null;
    writeElement(node, ancestors, new Map(), inherited, ctx);
  }
}

export function canonicalizeToBytes(node: Document | Element, options: C14nOptions): Buffer {
  return Buffer.from(canonicalize(node, options), 'utf8');
}

interface Context {
  exclusive: boolean;
  withComments: boolean;
  inclusivePrefixes: ReadonlySet<string>;
  exclude: Node | null;
  out: Sink;
}

/**
 * C14N 1.0 §2.4: the apex of a document subset inherits the xml:* attributes (xml:lang, xml:space,
 * xml:base) of its ancestors, nearest first. Exclusive C14N does not (exc-c14n §3).
 */
function inheritedXmlAttributes(element: Element): Attr[] {
  const seen = new Set<string>();
  for (const attr of attributesOf(element)) if (attr.namespaceURI === XML_NS) seen.add(attr.localName ?? attr.name);
  const out: Attr[] = [];
  for (let node = element.parentNode; isElement(node); node = node.parentNode) {
    for (const attr of attributesOf(node)) {
      const local = attr.localName ?? attr.name;
      if (attr.namespaceURI !== XML_NS || seen.has(local)) continue;
      seen.add(local);
      out.push(attr);
    }
  }
  return out;
}

function writeElement(
  element: Element,
  parentScope: ReadonlyMap<string, string>,
  rendered: ReadonlyMap<string, string>,
  inherited: Attr[] | null,
  ctx: Context,
): void {
  const scope = scopeOf(element, parentScope);
  const decls: Array<[string, string]> = [];
  const consider = (prefix: string): void => {
    if (prefix === 'xml') return;
    if (prefix === '') {
      const uri = scope.get('') ?? '';
      const current = rendered.get('') ?? '';
      // An empty default namespace is only written to undo a default an output ancestor set.
      if (uri !== current) decls.push(['', uri]);
      return;
    }
    const uri = scope.get(prefix);
    if (uri === undefined || uri === '') return;
    if (rendered.get(prefix) !== uri) decls.push([prefix, uri]);
  };

  const attrs = attributesOf(element).filter((a) => !isNamespaceDeclaration(a));
  if (ctx.exclusive) {
    // exc-c14n §3: a namespace is rendered where it is visibly utilised (element or attribute
    // prefix), plus the InclusiveNamespaces prefixes, unless an output ancestor rendered it already.
    const utilised = new Set<string>([element.prefix ?? '']);
    for (const a of attrs) if (a.prefix !== null && a.prefix !== '') utilised.add(a.prefix);
    for (const p of ctx.inclusivePrefixes) {
      if (p === '' || scope.has(p)) utilised.add(p);
    }
    for (const p of utilised) consider(p);
  } else {
    // C14N §2.3: every namespace node in scope, unless the nearest output ancestor has it.
    const prefixes = new Set<string>(['']);
    for (const p of scope.keys()) prefixes.add(p);
    for (const attr of attributesOf(element)) if (isNamespaceDeclaration(attr)) prefixes.add(declaredPrefix(attr));
    for (const p of prefixes) consider(p);
  }
  decls.sort((a, b) => compareCodePoints(a[0], b[0]));

  let nextRendered = rendered;
  if (decls.length > 0) {
    const copy = new Map(rendered);
    for (const [prefix, uri] of decls) copy.set(prefix, uri);
    nextRendered = copy;
  }

  const allAttrs = inherited === null ? attrs : [...attrs, ...inherited];
  allAttrs.sort((a, b) => {
    const byNs = compareCodePoints(a.namespaceURI ?? '', b.namespaceURI ?? '');
    return byNs !== 0 ? byNs : compareCodePoints(a.localName ?? a.name, b.localName ?? b.name);
  });

  const out = ctx.out;
  const tag = element.nodeName;
  out.push('<', tag);
  for (const [prefix, uri] of decls) {
    out.push(prefix === '' ? ' xmlns="' : ` xmlns:${prefix}="`, escapeAttr(uri), '"');
  }
  for (const attr of allAttrs) out.push(' ', attr.name, '="', escapeAttr(attr.value), '"');
  out.push('>');
  for (let child = element.firstChild; child !== null; child = child.nextSibling) {
    if (child === ctx.exclude) continue;
    if (isElement(child)) writeElement(child, scope, nextRendered, null, ctx);
    else writeLeaf(child, ctx);
  }
  out.push('</', tag, '>');
}

function isXmlDeclaration(node: Node): boolean {
  return node.nodeType === NodeKind.PROCESSING_INSTRUCTION && (node as Node & { target: string }).target.toLowerCase() === 'xml';
}

function writeLeaf(node: Node, ctx: Context): void {
  switch (node.nodeType) {
    case NodeKind.TEXT:
    case NodeKind.CDATA_SECTION:
      ctx.out.push(escapeText((node as Node & { data: string }).data));
      break;
    case NodeKind.COMMENT:
      if (ctx.withComments) ctx.out.push('<!--', (node as Node & { data: string }).data, '-->');
      break;
    case NodeKind.PROCESSING_INSTRUCTION: {
      const pi = node as Node & { target: string; data: string };
      ctx.out.push('<?', pi.target, pi.data === '' ? '' : ` ${pi.data}`, '?>');
      break;
    }
    default:
      break;
  }
}

// C14N §2.3 "Text Nodes" and "Attribute Nodes": the only escapes canonical XML uses (also used by
// the builder's canonical serialisation, builder.ts).
export function escapeText(value: string): string {
  if (isLongPlainText(value)) return value;
  return value.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

export function escapeAttr(value: string): string {
  return value.replace(/[&<"\t\n\r]/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '"':
        return '&quot;';
      case '\t':
        return '&#x9;';
      case '\n':
        return '&#xA;';
      default:
        return '&#xD;';
    }
  });
}

/** Orders strings by Unicode code point (C14N §2.2), which UTF-16 `<` gets wrong above U+FFFF. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x - y;
    return xs ? 1 : -1; // a surrogate encodes a code point above every BMP one
  }
  return a.length - b.length;
}
