/**
 * Renders the human-readable part of a CDA document as sanitised HTML for the renderer's viewer:
 * section titles and the narrative block of each section (CDA R2 NarrativeBlock.xsd: paragraph,
 * content, list/item, table, br, sub, sup, caption, footnote). Allow-list by construction: only
 * the elements below are produced, the only attributes are colspan/rowspan (digits), every text
 * is escaped, links keep their text and lose their target, multimedia becomes a placeholder. A
 * text/plain nonXMLBody is shown as preformatted text; other unstructured bodies (PDF, images)
 * are for the dedicated viewers and give an empty string.
 */
import type { Element, Node } from '@xmldom/xmldom';
import { childElements, readText, selectElement, selectElements } from '../../platform/xml';
import { parseCda } from './metadata';
import { HL7_NS } from './oids';

const NS = { h: HL7_NS } as const;
const TEXT_NODE = 3;
const CDATA_NODE = 4;
const ELEMENT_NODE = 1;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Narrative element → HTML element (everything else is unwrapped: its text is kept). */
const ELEMENT_MAP: Readonly<Record<string, string>> = {
  paragraph: 'p',
  list: 'ul',
  item: 'li',
  table: 'table',
  caption: 'caption',
  thead: 'thead',
  tbody: 'tbody',
  tfoot: 'tfoot',
  tr: 'tr',
  th: 'th',
  td: 'td',
  sub: 'sub',
  sup: 'sup',
  footnote: 'small',
  content: 'span',
};

/** styleCode values of CDA R2 NarrativeBlock that carry meaning (emphasis). */
const STYLE_WRAPPERS: ReadonlyArray<[string, string]> = [
  ['bold', 'strong'],
  ['italics', 'em'],
  ['underline', 'u'],
  ['emphasis', 'em'],
];

function render(node: Node, out: string[]): void {
  if (node.nodeType === TEXT_NODE || node.nodeType === CDATA_NODE) {
    out.push(escapeHtml((node as Node & { data: string }).data));
    return;
  }
  if (node.nodeType !== ELEMENT_NODE) return;
  const element = node as Element;
  if (element.namespaceURI !== HL7_NS) return;
  const name = element.localName ?? '';
  if (name === 'br') {
    out.push('<br>');
    return;
  }
  if (name === 'renderMultiMedia') {
    out.push('<span>[image]</span>');
    return;
  }
  if (name === 'col' || name === 'colgroup' || name === 'footnoteRef') return;
  if (name === 'caption' && element.parentNode !== null && (element.parentNode as Element).localName !== 'table') {
    // Captions of paragraphs and lists: a strong heading line.
    out.push('<strong>');
    renderChildren(element, out);
    out.push('</strong> ');
    return;
  }
  let tag = ELEMENT_MAP[name];
  if (name === 'list' && element.getAttribute('listType') === 'ordered') tag = 'ol';
  if (tag === undefined) {
    renderChildren(element, out); // linkHtml and unknown elements: text only
    return;
  }
  const styles = (element.getAttribute('styleCode') ?? '').toLowerCase().split(/\s+/);
  const wrappers = STYLE_WRAPPERS.filter(([style]) => styles.includes(style)).map(([, html]) => html);
  let attributes = '';
  if (tag === 'td' || tag === 'th') {
    for (const span of ['colspan', 'rowspan']) {
      const value = element.getAttribute(span) ?? '';
      if (/^[1-9]\d{0,2}$/.test(value)) attributes += ` ${span}="${value}"`;
    }
  }
  out.push(`<${tag}${attributes}>`, ...wrappers.map((w) => `<${w}>`));
  renderChildren(element, out);
  out.push(...wrappers.reverse().map((w) => `</${w}>`), `</${tag}>`);
}

function renderChildren(element: Element, out: string[]): void {
  for (let child = element.firstChild; child !== null; child = child.nextSibling) render(child, out);
}

function renderSection(section: Element, depth: number, out: string[]): void {
  const heading = `h${Math.min(depth + 2, 6)}`;
  const title = readText(section, 'h:title', NS) || readText(section, 'h:code/@displayName', NS) || '';
  out.push('<section>');
  if (title !== '') out.push(`<${heading}>${escapeHtml(title)}</${heading}>`);
  const text = selectElement(section, 'h:text', NS);
  if (text !== null) {
    out.push('<div>');
    renderChildren(text, out);
    out.push('</div>');
  }
  for (const sub of selectElements(section, 'h:component/h:section', NS)) renderSection(sub, depth + 1, out);
  out.push('</section>');
}

/** Sanitised HTML of the document's narrative (see the module comment for the allow-list). */
export function narrativeToSafeHtml(xml: string | Uint8Array): string {
  const root = parseCda(xml);
  const body = selectElement(root, 'h:component/h:structuredBody', NS);
  if (body !== null) {
    const out: string[] = ['<article>'];
    for (const section of selectElements(body, 'h:component/h:section', NS)) renderSection(section, 0, out);
    out.push('</article>');
    return out.join('');
  }
  const text = selectElement(root, 'h:component/h:nonXMLBody/h:text', NS);
  if (text !== null && (text.getAttribute('mediaType') ?? '').toLowerCase() === 'text/plain') {
    const raw = childElements(text).length === 0 ? (text.textContent ?? '') : '';
    const decoded = text.getAttribute('representation') === 'B64' ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8') : raw;
    return `<article><pre>${escapeHtml(decoded)}</pre></article>`;
  }
  return '';
}
