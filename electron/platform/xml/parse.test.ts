import { createRequire } from 'node:module';
import type { Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { xmlDocumentArbitrary } from '../../../fixtures/testing/xml-arbitraries';
import { el, serializeXml } from './builder';
import { textOf } from './dom';
import { XmlError } from './errors';
import { canonicalize } from './c14n';
import { childElements } from './dom';
import { decodeXmlBytes, hasForbiddenXmlChar, MIN_TREE_BYTES, parseXml, parseXmlElement, parseXmlWithRecords, scanXml, XINCLUDE_NS } from './parse';
import { xmlErrorCode } from '../../../fixtures/testing/xml-errors';

const codeOf = xmlErrorCode;

describe('parseXml', () => {
  it('parses namespaces, attributes and text', () => {
    const doc = parseXml('<?xml version="1.0"?><a:root xmlns:a="urn:a" x="1"><a:b>texte é</a:b></a:root>');
    const root = doc.documentElement;
    expect(root?.namespaceURI).toBe('urn:a');
    expect(root?.localName).toBe('root');
    expect(root?.getAttribute('x')).toBe('1');
    expect(textOf(root as never)).toBe('texte é');
  });

  it('refuses an internal DTD subset with entities (billion laughs)', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    expect(codeOf(() => parseXml(bomb))).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('refuses an external entity (XXE) and any DOCTYPE, even after comments', () => {
    expect(codeOf(() => parseXml('<!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>'))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseXml('<!-- x --><?pi y?>\n<!DOCTYPE a><a/>'))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseXml(Buffer.from('\uFEFF<!DOCTYPE a [<!ENTITY x SYSTEM "http://127.0.0.1/">]><a>&x;</a>')))).toBe(
      'XML_DOCTYPE_FORBIDDEN',
    );
    expect(codeOf(() => parseXml('<a><!DOCTYPE b></a>'))).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('refuses a billion-laughs document before expanding anything, even a large one', () => {
    const lol = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]>\n<lolz>&lol10;</lolz>`;
    expect(codeOf(() => parseXml(bomb))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseXml(Buffer.from(`<!-- ${'padding '.repeat(200_000)}-->${bomb.replace('<?xml version="1.0"?>\n', '')}`)))).toBe('XML_DOCTYPE_FORBIDDEN');
  });

  it('refuses XInclude, however its namespace is spelled', () => {
    expect(codeOf(() => parseXml(`<a xmlns:xi="${XINCLUDE_NS}"><xi:include href="file:///etc/passwd" parse="text"/></a>`))).toBe('XML_XINCLUDE_FORBIDDEN');
    expect(codeOf(() => parseXml(`<include xmlns="${XINCLUDE_NS}" href="/etc/passwd"/>`))).toBe('XML_XINCLUDE_FORBIDDEN');
    expect(codeOf(() => parseXml('<a xmlns:xi="http://www.w3.org/2001/XIn&#99;lude"><xi:include href="x"/></a>'))).toBe('XML_XINCLUDE_FORBIDDEN');
  });

  it('refuses undeclared entity references', () => {
    expect(codeOf(() => parseXml('<a>&nbsp;</a>'))).toBe('XML_MALFORMED');
  });

  it('refuses characters XML forbids, raw or as references', () => {
    expect(codeOf(() => parseXml('<a>\u0001</a>'))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXml('<a>&#1;</a>'))).toBe('XML_INVALID_CHARACTER');
    expect(codeOf(() => parseXml('<a b="&#x0;"/>'))).toBe('XML_INVALID_CHARACTER');
  });

  it('bounds the input size, for strings and bytes', () => {
    const big = `<a>${'x'.repeat(2000)}</a>`;
    expect(codeOf(() => parseXml(big, { maxBytes: 1000 }))).toBe('XML_TOO_LARGE');
    expect(codeOf(() => parseXml(Buffer.from(big), { maxBytes: 1000 }))).toBe('XML_TOO_LARGE');
    // Multi-byte characters count as bytes, not as UTF-16 units.
    expect(codeOf(() => parseXml(`<a>${'é'.repeat(600)}</a>`, { maxBytes: 1000 }))).toBe('XML_TOO_LARGE');
    expect(parseXml(big, { maxBytes: 5000 }).documentElement?.localName).toBe('a');
  });

  it('bounds the nesting depth while reading, before any tree is built', () => {
    const deep = `${'<a>'.repeat(300)}${'</a>'.repeat(300)}`;
    expect(codeOf(() => parseXml(deep))).toBe('XML_TOO_DEEP');
    expect(parseXml(deep, { maxDepth: 300 }).documentElement?.localName).toBe('a');
    // 7 MB of nesting (issue 14: 2.7 GB when depth was checked after the tree): refused at once.
    const started = performance.now();
    expect(codeOf(() => parseXml(`<a>${'<b>'.repeat(1_000_000)}`, { maxBytes: 8_000_000 }))).toBe('XML_TOO_DEEP');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('refuses a document whose tree would cost more than 10 times its size, before building it', () => {
    // 4 bytes per element, ~1 KB of DOM each: 250 times the input.
    const dense = `<r>${'<a/>'.repeat(1_000_000)}</r>`;
    expect(codeOf(() => parseXml(dense))).toBe('XML_TOO_COMPLEX');
    // Small documents keep a floor (a 2 KB SOAP answer costs more than 10 times its size).
    expect(parseXml(`<r>${'<a/>'.repeat(500)}</r>`).documentElement?.childNodes.length).toBe(500);
    expect(scanXml(`<r>${'<a/>'.repeat(500)}</r>`).treeBytes).toBeLessThan(MIN_TREE_BYTES);
    // The budget is a limit callers can tighten.
    expect(codeOf(() => parseXml('<r><a/><a/></r>', { maxTreeBytes: 1000 }))).toBe('XML_TOO_COMPLEX');
  });

  it('refuses mismatched or unterminated markup in the streaming pass', () => {
    for (const bad of ['<a></b>', '<a>', '<a b=1/>', '<a b="<"/>', '<a><!-- x</a>', '<a><![CDATA[x</a>', '<a><?pi </a>', 'x<a/>', '<a/>x', '<a/><b/>', '<!ELEMENT a ANY><a/>']) {
      expect({ bad, code: codeOf(() => parseXml(bad)) }).toEqual({ bad, code: 'XML_MALFORMED' });
    }
  });

  it('counts the markup as saxes does, on any well-formed document (saxes as oracle)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, (xml) => {
        const counts = { elements: 0, attributes: 0, maxDepth: 0 };
        let depth = 0;
        const oracle = new SaxesParser({ xmlns: true });
        oracle.on('opentag', (tag) => {
          counts.elements += 1;
          counts.attributes += Object.keys(tag.attributes).length;
          depth += 1;
          counts.maxDepth = Math.max(counts.maxDepth, depth);
        });
        oracle.on('closetag', () => (depth -= 1));
        oracle.write(xml).close();
        const stats = scanXml(xml);
        expect({ elements: stats.elements, attributes: stats.attributes, maxDepth: stats.maxDepth }).toEqual(counts);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what saxes refuses for structure, never less (saxes as oracle)', () => {
    const piece = fc.constantFrom('<a>', '</a>', '<b x="1">', '</b>', '<c/>', 'text', '<!-- c -->', '<?p d?>', '<![CDATA[z]]>', '<!DOCTYPE a>', ' ', '<', '>', '"', '=', '&amp;');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const xml = pieces.join('');
        let saxesOk = true;
        const oracle = new SaxesParser({ xmlns: true });
        oracle.on('doctype', () => (saxesOk = false));
        oracle.on('error', () => {
          saxesOk = false;
        });
        try {
          oracle.write(xml).close();
        } catch {
          saxesOk = false;
        }
        let ours = true;
        try {
          parseXml(xml);
        } catch (error) {
          expect(error).toBeInstanceOf(XmlError);
          ours = false;
        }
        // Whatever we accept, saxes accepts too.
        if (ours) expect(saxesOk, xml).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports malformed XML with a position and without quoting the document', () => {
    let error: unknown;
    try {
      parseXml('<Patient>\n<Nom>DUPONT</Nom>\n<Prenom>JEAN</Nom></Patient>');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmlError);
    const details = JSON.stringify((error as XmlError).toWire());
    expect((error as XmlError).code).toBe('XML_MALFORMED');
    expect(details).not.toContain('DUPONT');
    expect(details).not.toContain('JEAN');
    expect((error as XmlError).details).toHaveProperty('line');
  });

  it('refuses an empty document or several roots', () => {
    expect(codeOf(() => parseXml(''))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXml('<a/><b/>'))).toBe('XML_MALFORMED');
  });

  it('decodes bytes from the BOM or the encoding declaration', () => {
    expect(textOf(parseXmlElement(Buffer.from('\uFEFF<a>é</a>', 'utf8')) as never)).toBe('é');
    expect(textOf(parseXmlElement(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')])) as never)).toBe('é');
    const latin1 = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>'), Buffer.from([0xe9]), Buffer.from('</a>')]);
    expect(textOf(parseXmlElement(latin1) as never)).toBe('é');
    expect(codeOf(() => decodeXmlBytes(Buffer.from('<?xml version="1.0" encoding="EBCDIC-FR"?><a/>')))).toBe('XML_ENCODING_UNSUPPORTED');
    expect(codeOf(() => decodeXmlBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e])))).toBe('XML_ENCODING_INVALID');
  });

  it('decodes a UTF-8 header before a long ASCII rest as the decoder would, and refuses the same', () => {
    const ascii = Buffer.alloc(300 * 1024, 'QUJD');
    const whole = Buffer.concat([Buffer.from('<?xml version="1.0" encoding="UTF-8"?><a>Médecin ’œ ', 'utf8'), ascii, Buffer.from('</a>')]);
    expect(decodeXmlBytes(whole)).toBe(new TextDecoder('utf-8').decode(whole));
    // A sequence cut short just before the ASCII rest, or a stray byte inside it: refused.
    const cut = Buffer.concat([Buffer.from('<a>é', 'utf8').subarray(0, 4), ascii, Buffer.from('</a>')]);
    expect(codeOf(() => decodeXmlBytes(cut))).toBe('XML_ENCODING_INVALID');
    const stray = Buffer.concat([Buffer.from('<a>é', 'utf8'), ascii, Buffer.from([0xc3]), ascii, Buffer.from('</a>')]);
    expect(codeOf(() => decodeXmlBytes(stray))).toBe('XML_ENCODING_INVALID');
  });

  it('decodes characters of every length across the 64 KB pieces of a long UTF-8 text as the decoder would', () => {
    for (const character of ['é', '’', '😀']) {
      for (let shift = 0; shift < 4; shift++) {
        const filler = 'A'.repeat(64 * 1024 - 3 + shift);
        const bytes = Buffer.from(`<a>${filler}${character}${filler}${character}${'B'.repeat(70_000)}é</a>`, 'utf8');
        expect(decodeXmlBytes(bytes)).toBe(new TextDecoder('utf-8').decode(bytes));
      }
    }
  });

  it('reads end tags with expressions built once, and still refuses a malformed one', () => {
    const grammar = createRequire(import.meta.url)('@xmldom/xmldom/lib/grammar.js') as { reg: (...parts: unknown[]) => RegExp & { memoised?: boolean } };
    expect((grammar.reg as unknown as { memoised?: boolean }).memoised).toBe(true);
    expect(textOf(parseXml('<a:b xmlns:a="urn:a"><c>x</c></a:b >').documentElement as Element)).toBe('x');
    for (const bad of ['<a></a b>', '<a></1a>', '<a><b></a></b>']) expect(codeOf(() => parseXml(bad))).toBe('XML_MALFORMED');
  });

  it('keeps U+0085 and U+2028 (XML 1.0 line-end handling only)', () => {
    const root = parseXmlElement('<a b="x\u2028y">1\u00852\u20283\r\n4\r5</a>');
    expect(textOf(root as never)).toBe('1\u00852\u20283\n4\n5');
    expect(root.getAttribute('b')).toBe('x\u2028y');
  });

  it('never throws anything but an XmlError on arbitrary input (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `<a>${s}</a>`), fc.uint8Array({ maxLength: 200 })), (input) => {
        try {
          parseXml(input);
        } catch (error) {
          expect(error).toBeInstanceOf(XmlError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('reads back any legal text the builder wrote (property)', () => {
    const legal = fc.string({ unit: 'grapheme', maxLength: 80 }).filter((s) => !hasForbiddenXmlChar(s));
    fc.assert(
      fc.property(legal, legal, (content, value) => {
        const xml = serializeXml(el('a', { kind: 'attribute', name: { ns: null, prefix: '', local: 'v' }, value }, content));
        const root = parseXmlElement(xml);
        expect(textOf(root as never)).toBe(content);
        expect(root.getAttribute('v')).toBe(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseXmlWithRecords (list answers parsed one record at a time)', () => {
  const exc = (node: Parameters<typeof canonicalize>[0]) => canonicalize(node, { algorithm: 'exclusive' });

  it('gives each record with the namespaces in scope where it was cut, and the rest as a skeleton', () => {
    const xml =
      `<?xml version="1.0"?><s:Envelope xmlns:s="urn:s" xmlns="urn:default"><s:Body><q:Response xmlns:q='urn:q"x' status="ok">` +
      `<r:List xmlns:r="urn:r"><r:Obj id="1"><Name>un</Name></r:Obj>\n<r:Obj id="2" xmlns:r="urn:r2"><r:Slot/></r:Obj><Plain a="&amp;"/></r:List>` +
      `<q:Errors/></q:Response></s:Body></s:Envelope>`;
    const full = parseXml(xml);
    const split = parseXmlWithRecords(xml, { ns: 'urn:r', local: 'List' });
    const list = full.getElementsByTagNameNS('urn:r', 'List')[0]!;
    const expected = childElements(list).map((e) => exc(e));
    expect(split.count).toBe(3);
    expect([...split.records()].map((e) => exc(e))).toEqual(expected);
    const skeletonList = split.skeleton.getElementsByTagNameNS('urn:r', 'List')[0]!;
    expect(childElements(skeletonList)).toHaveLength(0);
    expect(split.skeleton.getElementsByTagNameNS('urn:q"x', 'Errors')).toHaveLength(1);
  });

  it('equals the full parse on any document (property)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, (xml) => {
        const full = parseXml(xml);
        const root = full.documentElement!;
        const split = parseXmlWithRecords(xml, { ns: root.namespaceURI ?? '', local: root.localName ?? '' });
        if (root.namespaceURI === null) return;
        expect([...split.records()].map((e) => exc(e))).toEqual(childElements(root).map((e) => exc(e)));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the refusals of parseXml', () => {
    const parent = { ns: 'urn:r', local: 'L' };
    expect(codeOf(() => parseXmlWithRecords('<!DOCTYPE x><L xmlns="urn:r"/>', parent))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => parseXmlWithRecords(`<L xmlns="urn:r">${'<a>'.repeat(300)}${'</a>'.repeat(300)}</L>`, parent))).toBe('XML_TOO_DEEP');
    expect(codeOf(() => [...parseXmlWithRecords('<L xmlns="urn:r"><a>&#1;</a></L>', parent).records()])).toBe('XML_INVALID_CHARACTER');
    // The cutting pass checks every attribute, in the skeleton and in the records.
    expect(codeOf(() => parseXmlWithRecords(`<E xmlns:xi="${XINCLUDE_NS}"><L xmlns="urn:r"><a/></L></E>`, parent))).toBe('XML_XINCLUDE_FORBIDDEN');
    expect(codeOf(() => parseXmlWithRecords(`<E><L xmlns="urn:r"><a xmlns:xi=" ${XINCLUDE_NS} "/></L></E>`, parent))).toBe('XML_XINCLUDE_FORBIDDEN');
    expect(codeOf(() => parseXmlWithRecords('<L xmlns="urn:r"><a b="x<y"/></L>', parent))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlWithRecords('<L xmlns="urn:r"><a b<c="x"/></L>', parent))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlWithRecords('<L xmlns="urn:r"><a ="x"/></L>', parent))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlWithRecords('<L xmlns="urn:r"><a b="x/></L>', parent))).toBe('XML_MALFORMED');
    // A name that only starts like a declaration is an ordinary attribute; declarations reach the records.
    const split = parseXmlWithRecords('<L xmlns="urn:r" xmlns:p="urn:p"><p:a xmlnsx="1" p:b="2"/></L>', parent);
    const [record] = [...split.readableRecords()];
    expect(record?.namespaceURI).toBe('urn:p');
    expect(record?.getAttribute('xmlnsx')).toBe('1');
  });
});
