import fc from 'fast-check';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { xmlDocumentArbitrary } from '../../../fixtures/testing/xml-arbitraries';
import { parseXmlLite, readableChildren, type XmlReadableElement, type XmlReadableNode } from './lite';
import { parseXml, parseXmlWithRecords, treeBudget } from './parse';
import { xmlErrorCode } from '../../../fixtures/testing/xml-errors';

const LIMITS = { maxDepth: 256, maxTreeBytes: 64 * 1024 * 1024 };

const codeOf = xmlErrorCode;

type Projection = { ns: string | null; local: string | null; attributes: Array<[string, string | null]>; children: Array<string | Projection> };

const isDeclaration = (name: string): boolean => name === 'xmlns' || name.startsWith('xmlns:');

/** What a reader can see of an element: names, attributes (declarations aside), text and children in order. */
function project(element: XmlReadableElement, attributeNames: (e: XmlReadableElement) => string[]): Projection {
  const children: Array<string | Projection> = [];
  for (let child: XmlReadableNode | null = element.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === 1) children.push(project(child as XmlReadableElement, attributeNames));
    else if (child.nodeType === 3 || child.nodeType === 4) {
      const data = (child as XmlReadableNode & { data: string }).data;
      if (typeof children[children.length - 1] === 'string') children[children.length - 1] += data;
      else children.push(data);
    }
  }
  const names = attributeNames(element).filter((n) => !isDeclaration(n)).sort();
  return { ns: element.namespaceURI ?? null, local: element.localName, attributes: names.map((n) => [n, element.getAttribute(n)]), children };
}

const domAttributeNames = (e: XmlReadableElement): string[] => {
  const attributes = (e as unknown as Element).attributes;
  return Array.from({ length: attributes.length }, (_, i) => attributes.item(i)?.name ?? '');
};
const liteAttributeNames = (e: XmlReadableElement): string[] => (e as XmlReadableElement & { attributeNames(): string[] }).attributeNames();

describe('parseXmlLite', () => {
  it('reads what the DOM reads, on any document (property, @xmldom/xmldom as the oracle)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, (xml) => {
        const dom = parseXml(xml).documentElement as unknown as XmlReadableElement;
        expect(project(parseXmlLite(xml, LIMITS), liteAttributeNames)).toEqual(project(dom, domAttributeNames));
      }),
      { numRuns: 500 },
    );
  });

  it('reads namespaces, attributes, references and text like the DOM', () => {
    const xml = '<r:a xmlns:r="urn:r" xmlns="urn:d" x="1&amp;2&#x9;" y="a\tb\r\nc"><b>t&lt;&#233;&#x1F600;</b><![CDATA[<&>]]><c xmlns="" r:z="v"/></r:a>';
    const lite = parseXmlLite(xml, LIMITS);
    expect(lite.namespaceURI).toBe('urn:r');
    expect(lite.getAttribute('x')).toBe('1&2\t');
    expect(lite.getAttribute('y')).toBe('a b c');
    expect(lite.textContent).toBe('t<é😀<&>');
    const [b, c] = readableChildren(lite);
    expect([b?.namespaceURI, b?.localName, c?.namespaceURI, c?.getAttribute('r:z')]).toEqual(['urn:d', 'b', null, 'v']);
    expect(readableChildren(lite, 'urn:d', 'b')).toHaveLength(1);
    expect(project(lite, liteAttributeNames)).toEqual(project(parseXml(xml).documentElement as unknown as XmlReadableElement, domAttributeNames));
  });

  it('keeps the refusals of parseXml', () => {
    expect(codeOf(() => parseXmlLite('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', LIMITS))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseXmlLite('<a>&nbsp;</a>', LIMITS))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlLite('<a b="&x;"/>', LIMITS))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlLite('<a>\u0001</a>', LIMITS))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXmlLite('<a>&#1;</a>', LIMITS))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXmlLite('<a b="&#x0;"/>', LIMITS))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXmlLite('<a b="\uFFFF"/>', LIMITS))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXmlLite('<a><![CDATA[\u0002]]></a>', LIMITS))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXmlLite('<a><!-- \uD800 --></a>', LIMITS))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXmlLite('<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="x"/></a>', LIMITS))).toBe('XML_XINCLUDE_FORBIDDEN');
    expect(codeOf(() => parseXmlLite(`${'<a>'.repeat(300)}${'</a>'.repeat(300)}`, LIMITS))).toBe('XML_TOO_DEEP');
    expect(codeOf(() => parseXmlLite(`<r>${'<a/>'.repeat(10_000)}</r>`, { maxDepth: 256, maxTreeBytes: treeBudget(100) / 10 }))).toBe('XML_TOO_COMPLEX');
  });

  it('refuses what is not namespace-well-formed XML', () => {
    for (const bad of [
      '<a></b>',
      '<a>',
      '<a b=1/>',
      '<a b="<"/>',
      '<a>x]]>y</a>',
      '<a>&amp</a>',
      '<a>&#xZZ;</a>',
      '<a><!-- x -- y --></a>',
      '<p:a/>',
      '<a p:b="1"/>',
      '<a b="1" b="2"/>',
      '<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>',
      '<a xmlns:p=""/>',
      '<a xmlns:xml="urn:x"/>',
      '<1a/>',
      '<a:b:c xmlns:a="urn:a"/>',
    ]) {
      expect({ bad, code: codeOf(() => parseXmlLite(bad, LIMITS)) }).toEqual({ bad, code: 'XML_MALFORMED' });
    }
  });

  it('is what parseXmlWithRecords gives as readable records, equal to its DOM records', () => {
    const xml = '<q:R xmlns:q="urn:q"><L xmlns="urn:r"><O id="1"><N>un</N></O><O id="2"/></L></q:R>';
    const split = parseXmlWithRecords(xml, { ns: 'urn:r', local: 'L' });
    const lite = [...split.readableRecords()].map((e) => project(e, liteAttributeNames));
    // An xmldom Element is an XmlReadableElement (structural type: checked by the compiler here).
    const domRecords: XmlReadableElement[] = [...split.records()];
    const dom = domRecords.map((e) => project(e, domAttributeNames));
    expect(lite).toEqual(dom);
    expect(lite.map((p) => p.attributes)).toEqual([[['id', '1']], [['id', '2']]]);
  });
});

describe('records of UTF-8 bytes, read on their Latin-1 view (utf8-view.ts)', () => {
  const readable = (e: XmlReadableElement): Projection => project(e, liteAttributeNames);
  const dom = (e: XmlReadableElement): Projection => project(e, domAttributeNames);

  it('reads from the bytes what it reads from the text, records and skeleton (property)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, fc.boolean(), (xml, bom) => {
        const root = parseXml(xml).documentElement as Element;
        if (root.namespaceURI === null) return;
        const parent = { ns: root.namespaceURI, local: root.localName ?? '' };
        const fromText = parseXmlWithRecords(xml, parent);
        const fromBytes = parseXmlWithRecords(Buffer.from(`${bom ? '\uFEFF' : ''}${xml}`, 'utf8'), parent);
        expect([...fromBytes.readableRecords()].map(readable)).toEqual([...fromText.readableRecords()].map(readable));
        expect([...fromBytes.records()].map(dom)).toEqual([...fromText.records()].map(dom));
        const skeleton = (split: typeof fromText): Projection => dom(split.skeleton.documentElement as unknown as XmlReadableElement);
        expect(skeleton(fromBytes)).toEqual(skeleton(fromText));
      }),
      { numRuns: 300 },
    );
  });

  it('gives names, namespaces, values and text beyond ASCII as their characters', () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><R titre="Réponse — 1"><L xmlns="urn:r" xmlns:é="urn:é—"><é:Objet nom="Médecin — généraliste"><Nœud>Compte rendu — 03/12 😀 &#233;</Nœud></é:Objet></L></R>';
    const split = parseXmlWithRecords(Buffer.from(xml, 'utf8'), { ns: 'urn:r', local: 'L' });
    const [record] = [...split.readableRecords()];
    expect([record?.namespaceURI, record?.localName, record?.getAttribute('nom')]).toEqual(['urn:é—', 'Objet', 'Médecin — généraliste']);
    const [child] = record === undefined ? [] : readableChildren(record, 'urn:r', 'Nœud');
    expect(child?.textContent).toBe('Compte rendu — 03/12 😀 é');
    expect(split.skeleton.documentElement?.getAttribute('titre')).toBe('Réponse — 1');
  });

  it('refuses from the bytes what it refuses from the text', () => {
    const parent = { ns: 'urn:r', local: 'L' };
    const records = (bytes: Buffer) => () => [...parseXmlWithRecords(bytes, parent).readableRecords()];
    // U+FFFF and U+FFFE are valid UTF-8 and not XML characters (XML 1.0 §2.2), in a record or around it.
    expect(codeOf(records(Buffer.from('<L xmlns="urn:r"><a>é \uFFFF</a></L>', 'utf8')))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(records(Buffer.from('<R a="é\uFFFE"><L xmlns="urn:r"><a/></L></R>', 'utf8')))).toBe('XML_INVALID_CHARACTER');
    // A stray continuation byte: not UTF-8, refused rather than read as Latin-1.
    expect(codeOf(records(Buffer.concat([Buffer.from('<L xmlns="urn:r"><a>é'), Buffer.from([0xa9]), Buffer.from('</a></L>')])))).toBe('XML_ENCODING_INVALID');
    expect(codeOf(records(Buffer.from('<L xmlns="urn:r"><a>é &#1;</a></L>', 'utf8')))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(records(Buffer.from('<L xmlns="urn:r"><é:a/></L>', 'utf8')))).toBe('XML_MALFORMED');
  });

  it('decodes a document in another encoding as parseXml does', () => {
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><L xmlns="urn:r"><a>'), Buffer.from([0xe9]), Buffer.from('</a></L>')]);
    const [record] = [...parseXmlWithRecords(latin1, { ns: 'urn:r', local: 'L' }).readableRecords()];
    expect(record?.textContent).toBe('é');
  });
});
