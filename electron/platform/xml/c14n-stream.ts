/**
 * Canonical XML 1.0, inclusive (W3C REC-xml-c14n-20010315, with or without comments), of a whole
 * document, written into a digest as the document is read — no DOM. It is what a ds:Reference with a
 * C14N transform over an external XML document digests: the XAdES manifest of a DMP submission set
 * names the CDA that way (xades.ts), and a CDA is mostly one text node, a megabyte of base64.
 *
 * Through the DOM, that megabyte is decoded to a string, parsed by @xmldom/xmldom (two regular
 * expressions over it), walked for forbidden characters, escaped and encoded back to UTF-8 to be
 * hashed: ~8 ms for a 1.3 MB CDA. Here the markup is read (scan.ts) on a Latin-1 view of the UTF-8
 * bytes — markup is ASCII, so every offset is a byte offset — and a text that canonicalisation
 * leaves as it is (no reference, `>` or carriage return) goes into the hash as the document's own
 * bytes: the canonical form of a valid UTF-8 text is its UTF-8, unchanged.
 *
 * The result is `canonicalDigest(parseXml(input), inclusive)` (c14n.ts), the reference it is tested
 * against (c14n-stream.test.ts, on random documents and on mutated ones). The refusals are the
 * reference's too, by construction: this path refuses nothing itself. Whatever it does not take in
 * its stride — an error of any kind, a processing instruction other than the XML declaration that
 * xmldom's own grammar accepts, a document not in UTF-8 — is handed to the reference path, whose
 * parser gives the verdict (same error, same line).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import grammar from '@xmldom/xmldom/lib/grammar.js';
import { hasForbiddenAsciiControl } from './ascii-controls';
import { BatchedHash, canonicalDigest, compareCodePoints, escapeAttr, escapeText } from './c14n';
import { CONTROL_CHAR, decodeReferences, LONE_SURROGATE, NCNAME, normalizeLineEnds, splitQualifiedName, SURROGATE, TO_NORMALISE, type QualifiedNames } from './lite';
import { declaredXmlEncoding, DEFAULT_MAX_XML_BYTES, DEFAULT_MAX_XML_DEPTH, parseXml, treeBudget, xmlEncodingLabel, type XmlParseLimits } from './parse';
import { readMarkup, TREE_NODE_BYTES, XINCLUDE_NS } from './scan';
import { fromUtf8View, NON_CHARACTERS } from './utf8-view';

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/** Text runs from this length (bytes) up are read on the bytes, out of the Latin-1 view (a CDA's base64). */
export const LONG_TEXT_RUN_BYTES = 64 * 1024;

/**
 * The digest of the document's inclusive canonical form (comments kept or not), `algorithm` a
 * node:crypto hash name. `longTextRunBytes`: see LONG_TEXT_RUN_BYTES (smaller in tests).
 */
export function canonicalDocumentDigest(
  input: string | Uint8Array,
  options: { withComments: boolean; longTextRunBytes?: number },
  algorithm: string,
  limits: XmlParseLimits = {},
): Buffer {
  let streamed: Buffer | null = null;
  try {
    try {
      streamed = streamDigest(input, options.withComments, algorithm, limits, options.longTextRunBytes ?? LONG_TEXT_RUN_BYTES);
    } catch (error) {
      if (!(error instanceof NotATextRun)) throw error;
      streamed = streamDigest(input, options.withComments, algorithm, limits, Number.POSITIVE_INFINITY);
    }
  } catch {
    // Not for this path: the reference path below reads it again and gives the verdict.
  }
  return streamed ?? canonicalDigest(parseXml(input, limits), { algorithm: 'inclusive', withComments: options.withComments }, algorithm);
}

/** Anything this path leaves to the reference path. */
class Declined extends Error {}
const decline = (): never => {
  throw new Declined();
};

/** The long run left out of the view was not a plain text node: read the document again with the whole view. */
class NotATextRun extends Error {}

/**
 * The longest run of bytes between a `>` and the next `<` (no markup in it), when at least
 * `minBytes` long: the candidate text node read on the bytes (streamDigest). Whether it is one is
 * decided there, by where the markup reader's nodes fall around it.
 */
function longestTextRun(content: Buffer, minBytes: number): { start: number; end: number } | null {
  if (content.length < minBytes) return null;
  let best: { start: number; end: number } | null = null;
  let lt = content.indexOf(0x3c);
  while (lt >= 0) {
    const next = content.indexOf(0x3c, lt + 1);
    if (next < 0) break;
    if (next - lt > minBytes) {
      const gt = content.lastIndexOf(0x3e, next);
      if (gt > lt && next - gt - 1 >= minBytes && (best === null || next - gt - 1 > best.end - best.start)) best = { start: gt + 1, end: next };
    }
    lt = next;
  }
  return best;
}

/** Qualified names already found valid (Namespaces in XML: NCName or NCName:NCName): documents of a kind repeat theirs. */
const validNames: QualifiedNames = new Map();

/** UTF-16 length of valid UTF-8 (the length of the string the reference path decodes): its tree budget depends on it. */
function utf16Length(bytes: Buffer): number {
  let length = 0;
  // Small pieces: the few that hold accents are counted byte by byte, the ASCII ones natively.
  for (let start = 0; start < bytes.length; start += 4096) {
    const piece = bytes.subarray(start, Math.min(start + 4096, bytes.length));
    if (isAscii(piece)) {
      length += piece.length;
      continue;
    }
    for (const byte of piece) if ((byte & 0xc0) !== 0x80) length += byte >= 0xf0 ? 2 : 1;
  }
  return length;
}

/**
 * The digest, or null when the document is left to the reference path (an exception means the same;
 * NotATextRun: read it again with `longTextRunBytes` infinite).
 */
function streamDigest(input: string | Uint8Array, withComments: boolean, algorithm: string, limits: XmlParseLimits, longTextRunBytes: number): Buffer | null {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  let view: string;
  /** The UTF-8 bytes `view` is the Latin-1 view of (null: `view` is the text itself). */
  let bytes: Buffer | null = null;
  let ascii = true;
  let length: number;
  /** The long text run left out of the view (byte offsets; the view's offsets after `run.start` are shorter by its length). */
  let run: { start: number; end: number } | null = null;
  if (typeof input === 'string') {
    if (input.length * 3 > maxBytes) return null;
    view = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    length = view.length;
    ascii = false;
  } else {
    if (input.byteLength > maxBytes || limits.encoding !== undefined) return null;
    let content = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf) content = content.subarray(3);
    else if ((content[0] === 0xff && content[1] === 0xfe) || (content[0] === 0xfe && content[1] === 0xff)) return null;
    else {
      const declared = declaredXmlEncoding(content);
      if (declared !== undefined && xmlEncodingLabel(declared) !== 'utf-8') return null;
    }
    ascii = isAscii(content);
    if (!ascii && (!isUtf8(content) || NON_CHARACTERS.some((c) => content.includes(c)))) return null;
    bytes = content;
    // A megabyte of base64 would be copied into the view only to be found plain: it is left out
    // (the view joins the markup around it) and read on the bytes when the reader gets there.
    run = longestTextRun(content, longTextRunBytes);
    view = run === null ? content.toString('latin1') : content.toString('latin1', 0, run.start) + content.toString('latin1', run.end);
    length = ascii ? content.length : utf16Length(content);
  }
  /** A piece of the view as the text it stands for. */
  const real = (piece: string): string => (bytes === null || ascii ? piece : fromUtf8View(piece));
  /** XML 1.0 §2.2 on a piece of the view (the bytes were checked for lone surrogates and U+FFFE/U+FFFF). */
  const checkChars = (piece: string): void => {
    if (CONTROL_CHAR.test(piece)) decline();
    if (bytes === null && SURROGATE.test(piece) && LONE_SURROGATE.test(piece)) decline();
  };

  // The same bounds as parseXml's streaming pass (scan.ts): depth by readMarkup, the tree charged alike.
  const maxTreeBytes = limits.maxTreeBytes ?? treeBudget(length);
  let treeBytes = TREE_NODE_BYTES.character * length;
  const charge = (amount: number): void => {
    treeBytes += amount;
    if (treeBytes > maxTreeBytes) decline();
  };
  let elementBytes: number = TREE_NODE_BYTES.element;

  const hash = new BatchedHash(algorithm);
  const put = (text: string): void => hash.text(text);

  const splitName = (qualified: string): readonly [prefix: string, local: string] => splitQualifiedName(qualified, validNames, decline);

  const scopes: Array<ReadonlyMap<string, string>> = [new Map([['xml', XML_NAMESPACE]])];
  const open: string[] = [];
  let attributes: string[] = [];
  let rootStarted = false;

  /**
   * Called with the view's span of every node the reader reports, before it is written: the left-out
   * run is a text node of its own only if the reader reaches its place between two nodes, inside the
   * root (the node before it ends with `>`, the one after starts with `<`: a text split there
   * canonicalises as the whole would: no reference, line end or `]]>` spans the cut). Plain text is
   * hashed as its bytes; anything else is read again with the whole view.
   */
  let runTaken = run === null;
  const reach = (at: number, end: number): void => {
    if (runTaken || run === null) return;
    if (at < run.start) {
      if (end > run.start) throw new NotATextRun();
      return;
    }
    runTaken = true;
    const piece = (bytes as Buffer).subarray(run.start, run.end);
    if (open.length === 0 || !isAscii(piece) || piece.includes(0x26) || piece.includes(0x0d)) throw new NotATextRun();
    if (hasForbiddenAsciiControl(piece)) throw new NotATextRun();
    charge(TREE_NODE_BYTES.text);
    hash.bytes(piece);
  };
  /** Byte offset of a view offset. */
  const byteAt = (at: number): number => (run === null || at < run.start ? at : at + run.end - run.start);

  /** A comment or processing instruction: inside the root as it is, around it on a line of its own (C14N §2.1). */
  const putNode = (node: string): void => {
    if (open.length > 0) put(node);
    else if (!rootStarted) put(`${node}\n`);
    else put(`\n${node}`);
  };

  readMarkup(
    view,
    limits.maxDepth ?? DEFAULT_MAX_XML_DEPTH,
    {
      text(from, to) {
        reach(from, to);
        const raw = view.slice(from, to);
        checkChars(raw);
        if (raw.includes(']]>')) decline();
        charge(TREE_NODE_BYTES.text);
        if (!raw.includes('&') && !raw.includes('\r') && !raw.includes('>')) {
          if (bytes === null) put(raw);
          else {
            hash.bytes(bytes.subarray(byteAt(from), byteAt(from) + to - from));
          }
          return;
        }
        put(escapeText(decodeReferences(normalizeLineEnds(real(raw)), decline)));
      },
      cdata(at, end) {
        reach(at, end);
        const raw = view.slice(at + 9, end - 3);
        checkChars(raw);
        charge(TREE_NODE_BYTES.text);
        put(escapeText(normalizeLineEnds(real(raw))));
      },
      other(at, end) {
        reach(at, end);
        const raw = view.slice(at, end);
        checkChars(raw);
        charge(TREE_NODE_BYTES.other);
        if (raw.startsWith('<!--')) {
          const data = raw.slice(4, -3);
          if (data.includes('--') || data.endsWith('-')) decline();
          if (withComments) putNode(`<!--${normalizeLineEnds(real(data))}-->`);
          return;
        }
        // A processing instruction, read by xmldom's own grammar (sax.js parseProcessingInstruction).
        const pi = normalizeLineEnds(real(raw));
        const match = (grammar.PI as RegExp).exec(pi);
        if (match === null || match[0].length !== pi.length) return decline();
        const target = match[1] as string;
        if (target.toLowerCase() === 'xml') {
          // The XML declaration, only first and well-formed; it is not a processing instruction (C14N §2.1).
          if (at !== 0 || !(grammar.XMLDecl as RegExp).test(pi)) decline();
          return;
        }
        const data = match[2] ?? '';
        putNode(`<?${target}${data === '' ? '' : ` ${data}`}?>`);
      },
      attribute(name, value) {
        checkChars(value);
        const qualified = real(name);
        for (let i = 0; i < attributes.length; i += 2) if (attributes[i] === qualified) decline();
        const text = real(value);
        // §3.3.3: literal white space becomes a space; what a character reference gives is kept.
        attributes.push(qualified, TO_NORMALISE.test(text) ? decodeReferences(normalizeLineEnds(text).replace(/[\t\n\r]/g, ' '), decline) : text);
        elementBytes += qualified === 'xmlns' || qualified.startsWith('xmlns:') ? TREE_NODE_BYTES.namespaceDeclaration : TREE_NODE_BYTES.attribute;
      },
      startTag(name, at, end, empty, depth) {
        reach(at, end);
        const own = attributes;
        attributes = [];
        charge(elementBytes);
        elementBytes = TREE_NODE_BYTES.element;
        const parentScope = scopes[depth - 1] as ReadonlyMap<string, string>;
        let scope = parentScope;
        // C14N §2.3 over a whole document: an element renders the namespaces it binds differently from its parent.
        const declarations: Array<[string, string]> = [];
        for (let i = 0; i < own.length; i += 2) {
          const attribute = own[i] as string;
          if (attribute !== 'xmlns' && !attribute.startsWith('xmlns:')) continue;
          const uri = own[i + 1] as string;
          const prefix = attribute === 'xmlns' ? '' : attribute.slice(6);
          if (attribute !== 'xmlns' && !NCNAME.test(prefix)) decline();
          if ((prefix === 'xml') !== (uri === XML_NAMESPACE) || prefix === 'xmlns' || uri === XMLNS_NAMESPACE || (prefix !== '' && uri === '')) decline();
          if (scope === parentScope) scope = new Map(parentScope);
          (scope as Map<string, string>).set(prefix, uri);
          if (prefix !== 'xml' && uri !== (parentScope.get(prefix) ?? '')) declarations.push([prefix, uri]);
        }
        const qualified = real(name);
        const [prefix] = splitName(qualified);
        const uri = scope.get(prefix);
        if ((prefix !== '' && uri === undefined) || uri === XINCLUDE_NS) decline();
        const attrs: Array<{ uri: string; local: string; qualified: string; value: string }> = [];
        const expanded = new Set<string>();
        for (let i = 0; i < own.length; i += 2) {
          const attribute = own[i] as string;
          if (attribute === 'xmlns' || attribute.startsWith('xmlns:')) continue;
          const [attributePrefix, local] = splitName(attribute);
          const attributeUri = attributePrefix === '' ? '' : (scope.get(attributePrefix) ?? decline());
          if (attributePrefix !== '') {
            const key = `{${attributeUri}}${local}`;
            if (expanded.has(key)) decline();
            expanded.add(key);
          }
          attrs.push({ uri: attributeUri, local, qualified: attribute, value: own[i + 1] as string });
        }
        declarations.sort((a, b) => compareCodePoints(a[0], b[0]));
        attrs.sort((a, b) => compareCodePoints(a.uri, b.uri) || compareCodePoints(a.local, b.local));
        let tag = `<${qualified}`;
        for (const [p, u] of declarations) tag += `${p === '' ? ' xmlns' : ` xmlns:${p}`}="${escapeAttr(u)}"`;
        for (const a of attrs) tag += ` ${a.qualified}="${escapeAttr(a.value)}"`;
        put(`${tag}>`);
        rootStarted = true;
        if (empty) put(`</${qualified}>`);
        else {
          open.push(qualified);
          scopes[depth] = scope;
        }
      },
      endTag(_name, at, end, depth) {
        reach(at, end);
        put(`</${open.pop() as string}>`);
        scopes.length = depth;
      },
    },
    () => 0,
  );
  if (!runTaken) throw new NotATextRun();
  return hash.digest();
}
