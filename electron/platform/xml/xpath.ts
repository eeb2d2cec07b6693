/**
 * Reading typed values out of a parsed document with namespace-aware XPath 1.0 (the `xpath`
 * package over @xmldom/xmldom). Parse at the edge, return typed values, and say precisely what is
 * missing: the error carries the expression (element names only, never document content).
 */
import type { Attr, Element, Node } from '@xmldom/xmldom';
import * as xpath from 'xpath';
import { isElement, NodeKind, textOf } from './dom';
import { XmlError } from './errors';

/** Prefix → namespace URI, as used in the expressions (independent of the document's prefixes). */
export type XmlNamespaces = Readonly<Record<string, string>>;

/** An expression compiled once (`xpath.parse`, untyped in the package's declarations). */
interface CompiledXPath {
  evaluate(options: { node: unknown; namespaces: Record<string, string> }): { resultType?: number; nodeset?: () => { toArray(): unknown[] } } & object;
}

// The expressions come from code (a few hundred at most): each is parsed once, not on every call
// (tokenising and parsing was half the cost of reading a CDA header).
const compiled = new Map<string, CompiledXPath>();
const MAX_COMPILED = 1_000;

function compile(expression: string): CompiledXPath {
  let found = compiled.get(expression);
  if (found === undefined) {
    found = (xpath as unknown as { parse(expression: string): CompiledXPath }).parse(expression);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(expression, found);
  }
  return found;
}

function evaluate(context: Node, expression: string, namespaces: XmlNamespaces): Node[] {
  // The xpath package is typed against lib.dom; @xmldom/xmldom nodes implement the same interface.
  const result = compile(expression).evaluate({ node: context, namespaces: { ...namespaces } });
  if (typeof result.nodeset !== 'function' || !('nodes' in result)) throw new TypeError(`XPath expression does not select nodes: ${expression}`);
  // Document order, as xpath.select returns them.
  return result.nodeset().toArray() as Node[];
}

/** Every node the expression selects, in document order. */
export function selectNodes(context: Node, expression: string, namespaces: XmlNamespaces = {}): Node[] {
  return evaluate(context, expression, namespaces);
}

/** Selected elements (other node kinds are a programming error in the expression). */
export function selectElements(context: Node, expression: string, namespaces: XmlNamespaces = {}): Element[] {
  return evaluate(context, expression, namespaces).map((node) => {
    if (!isElement(node)) throw new TypeError(`XPath expression selects non-elements: ${expression}`);
    return node;
  });
}

export function selectElement(context: Node, expression: string, namespaces: XmlNamespaces = {}): Element | null {
  return selectElements(context, expression, namespaces)[0] ?? null;
}

export function requireElement(context: Node, expression: string, namespaces: XmlNamespaces = {}): Element {
  const found = selectElement(context, expression, namespaces);
  if (found === null) throw new XmlError('XML_VALUE_MISSING', { path: expression });
  return found;
}

function stringValue(node: Node): string {
  return node.nodeType === NodeKind.ATTRIBUTE ? (node as Attr).value : textOf(node);
}

/** String value of the first selected node (element text or attribute), trimmed; undefined if none. */
export function readText(context: Node, expression: string, namespaces: XmlNamespaces = {}): string | undefined {
  const node = evaluate(context, expression, namespaces)[0];
  return node === undefined ? undefined : stringValue(node).trim();
}

/** Like readText, but a missing node or an empty value is an XML_VALUE_MISSING error. */
export function requireText(context: Node, expression: string, namespaces: XmlNamespaces = {}): string {
  const value = readText(context, expression, namespaces);
  if (value === undefined || value === '') throw new XmlError('XML_VALUE_MISSING', { path: expression });
  return value;
}

/** String values of every selected node, trimmed. */
export function readTexts(context: Node, expression: string, namespaces: XmlNamespaces = {}): string[] {
  return evaluate(context, expression, namespaces).map((node) => stringValue(node).trim());
}

/** xs:integer lexical form, within the safe integer range. */
export function readInteger(context: Node, expression: string, namespaces: XmlNamespaces = {}): number | undefined {
  const value = readText(context, expression, namespaces);
  if (value === undefined || value === '') return undefined;
  if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new XmlError('XML_VALUE_INVALID', { path: expression, expected: 'integer' });
  }
  return Number(value);
}

/** xs:boolean lexical form: true, false, 1, 0. */
export function readBoolean(context: Node, expression: string, namespaces: XmlNamespaces = {}): boolean | undefined {
  const value = readText(context, expression, namespaces);
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new XmlError('XML_VALUE_INVALID', { path: expression, expected: 'boolean' });
}

/** A value restricted to a closed list (a code from a specification's value set). */
export function readEnum<T extends string>(
  context: Node,
  expression: string,
  allowed: readonly T[],
  namespaces: XmlNamespaces = {},
): T | undefined {
  const value = readText(context, expression, namespaces);
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new XmlError('XML_VALUE_INVALID', { path: expression, expected: 'one of a closed list' });
  }
  return value as T;
}
