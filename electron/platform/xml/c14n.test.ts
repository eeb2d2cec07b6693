import fc from 'fast-check';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { xmlDocumentArbitrary as xmlDocument } from '../../../fixtures/testing/xml-arbitraries';
import { C14nCanonicalization, C14nCanonicalizationWithComments, ExclusiveCanonicalization, ExclusiveCanonicalizationWithComments } from 'xml-crypto';
import { createHash } from 'node:crypto';
import { canonicalDigest, canonicalize, c14nOptionsFor, C14N, escapeText } from './c14n';
import { childElements } from './dom';
import { parseXml } from './parse';

// Exclusive XML Canonicalization 1.0, §2.2 (the example that motivates exc-c14n).
const SPEC_EXAMPLE =
  '<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en">' +
  '<n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>';

function elem2(): Element {
  return childElements(parseXml(SPEC_EXAMPLE).documentElement as Element)[0] as Element;
}

function allElements(root: Element): Element[] {
  return [root, ...childElements(root).flatMap(allElements)];
}

describe('canonicalize', () => {
  it('gives the exc-c14n specification example its inclusive and exclusive forms', () => {
    expect(canonicalize(elem2(), { algorithm: 'inclusive' })).toBe(
      '<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xmlns:n3="ftp://example.org" xml:lang="en"><n3:stuff></n3:stuff></n1:elem2>',
    );
    expect(canonicalize(elem2(), { algorithm: 'exclusive' })).toBe(
      '<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>',
    );
  });

  it('renders InclusiveNamespaces PrefixList prefixes the inclusive way', () => {
    expect(canonicalize(elem2(), { algorithm: 'exclusive', inclusivePrefixes: ['n0'] })).toBe(
      '<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>',
    );
    // A prefix used only inside attribute content (xsi:type="xs:string") is kept only when listed.
    const doc = parseXml(
      '<r xmlns:xs="http://www.w3.org/2001/XMLSchema"><v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">1</v></r>',
    );
    const v = childElements(doc.documentElement as Element)[0] as Element;
    expect(canonicalize(v, { algorithm: 'exclusive' })).toBe('<v xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">1</v>');
    expect(canonicalize(v, { algorithm: 'exclusive', inclusivePrefixes: ['xs', '#default'] })).toBe(
      '<v xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string">1</v>',
    );
  });

  it('inherits xml: attributes into an inclusive subset only', () => {
    const doc = parseXml('<a xml:lang="fr" xml:space="preserve"><b xml:lang="en"><c/></b></a>');
    const c = childElements(childElements(doc.documentElement as Element)[0] as Element)[0] as Element;
    expect(canonicalize(c, { algorithm: 'inclusive' })).toBe('<c xml:lang="en" xml:space="preserve"></c>');
    expect(canonicalize(c, { algorithm: 'exclusive' })).toBe('<c></c>');
  });

  it('sorts namespaces and attributes, escapes, drops the declaration and handles comments', () => {
    const doc = parseXml(
      '<?xml version="1.0"?>\n<!-- c1 --><doc xmlns:z="urn:z" xmlns:a="urn:a" z:b="2" a:b="1" b="0" xmlns="urn:d">' +
        '<e v="&quot;&#9;&#10;&#13;&lt;&gt;">t&amp;&lt;&gt;&#13;<![CDATA[<x>]]><!-- c2 --><?p  d?></e><f xmlns=""/></doc><!-- c3 -->',
    );
    expect(canonicalize(doc, { algorithm: 'inclusive', withComments: true })).toBe(
      '<!-- c1 -->\n<doc xmlns="urn:d" xmlns:a="urn:a" xmlns:z="urn:z" b="0" a:b="1" z:b="2">' +
        '<e v="&quot;&#x9;&#xA;&#xD;&lt;>">t&amp;&lt;&gt;&#xD;&lt;x&gt;<!-- c2 --><?p d?></e><f xmlns=""></f></doc>\n<!-- c3 -->',
    );
    expect(canonicalize(doc, { algorithm: 'inclusive' })).toBe(
      '<doc xmlns="urn:d" xmlns:a="urn:a" xmlns:z="urn:z" b="0" a:b="1" z:b="2">' +
        '<e v="&quot;&#x9;&#xA;&#xD;&lt;>">t&amp;&lt;&gt;&#xD;&lt;x&gt;<?p d?></e><f xmlns=""></f></doc>',
    );
  });

  it('leaves out the excluded subtree (enveloped signature)', () => {
    const doc = parseXml('<a ID="1"><b/><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><x/></Signature><c/></a>');
    const root = doc.documentElement as Element;
    const signature = childElements(root)[1] as Element;
    expect(canonicalize(root, { algorithm: 'exclusive', exclude: signature })).toBe('<a ID="1"><b></b><c></c></a>');
  });

  it('maps algorithm URIs', () => {
    expect(c14nOptionsFor(C14N.exclusiveWithComments, ['a'])).toEqual({ algorithm: 'exclusive', withComments: true, inclusivePrefixes: ['a'] });
    expect(c14nOptionsFor(C14N.inclusive)).toEqual({ algorithm: 'inclusive', withComments: false });
    expect(c14nOptionsFor('http://www.w3.org/2006/12/xml-c14n11')).toBeNull();
  });

  it('agrees with xml-crypto on random documents and subtrees (property)', () => {
    fc.assert(
      fc.property(xmlDocument, fc.nat(), fc.boolean(), (xml, pick, comments) => {
        // xml-crypto 6 drops the target of processing instructions (libxml2 agrees with us, below).
        fc.pre(!xml.includes('<?'));
        const doc = parseXml(xml);
        const root = doc.documentElement as Element;
        const inclusive = comments ? new C14nCanonicalizationWithComments() : new C14nCanonicalization();
        const exclusive = comments ? new ExclusiveCanonicalizationWithComments() : new ExclusiveCanonicalization();
        const asDom = (e: Element) => e as unknown as globalThis.Element;
        expect(canonicalize(root, { algorithm: 'inclusive', withComments: comments })).toBe(inclusive.process(asDom(root), {}));
        expect(canonicalize(root, { algorithm: 'exclusive', withComments: comments })).toBe(exclusive.process(asDom(root), {}));
        const elements = allElements(root);
        const sub = elements[pick % elements.length] as Element;
        expect(canonicalize(sub, { algorithm: 'exclusive', withComments: comments })).toBe(exclusive.process(asDom(sub), {}));
      }),
      { numRuns: 400 },
    );
  });
});

describe('escapeText', () => {
  it('escapes long texts as short ones, and returns a long text with nothing to escape as it is', () => {
    const long = 'QUJD'.repeat(100);
    expect(escapeText(long)).toBe(long);
    for (const [raw, escaped] of [['&', '&amp;'], ['<', '&lt;'], ['>', '&gt;'], ['\r', '&#xD;']] as const) {
      expect(escapeText(`${long}${raw}${long}`)).toBe(`${long}${escaped}${long}`);
      expect(escapeText(`x${raw}`)).toBe(`x${escaped}`);
    }
  });
});

describe('canonicalDigest', () => {
  const digestOfString = (doc: Parameters<typeof canonicalize>[0], options: Parameters<typeof canonicalize>[1]): Buffer =>
    createHash('sha256').update(canonicalize(doc, options), 'utf8').digest();

  it('digests the UTF-8 of the canonical form, pieces of every size included', () => {
    const small = Array.from({ length: 3000 }, (_, i) => `<e n="${i}" é="&quot;x&#9;">t${i} ’œ &amp; 😀</e>`).join('');
    const xml = `<?xml version="1.0"?><!-- tête --><r xmlns="urn:x" xmlns:b="urn:b">${small}<big>${'QUJD'.repeat(50_000)}</big><b:z/>\r\n</r><!-- fin -->`;
    const doc = parseXml(xml);
    for (const options of [{ algorithm: 'inclusive', withComments: true }, { algorithm: 'exclusive', withComments: false }] as const) {
      expect(canonicalDigest(doc, options, 'sha256').equals(digestOfString(doc, options))).toBe(true);
    }
  });

  it('is the digest of canonicalize on arbitrary documents (property)', () => {
    fc.assert(
      fc.property(xmlDocument, (xml) => {
        const doc = parseXml(xml);
        const options = { algorithm: 'inclusive', withComments: true } as const;
        expect(canonicalDigest(doc, options, 'sha256').equals(digestOfString(doc, options))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });
});
