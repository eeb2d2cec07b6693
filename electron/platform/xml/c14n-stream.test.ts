import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlDocumentArbitrary } from '../../../fixtures/testing/xml-arbitraries';
import { canonicalDigest } from './c14n';
import { canonicalDocumentDigest } from './c14n-stream';
import { parseXml, type XmlParseLimits } from './parse';

/** The reference: the DOM parsed by parseXml, canonicalised by c14n.ts. */
function reference(input: string | Uint8Array, withComments: boolean, limits?: XmlParseLimits): string {
  try {
    return canonicalDigest(parseXml(input, limits), { algorithm: 'inclusive', withComments }, 'sha256').toString('base64');
  } catch (error) {
    return `refused ${(error as { code?: string }).code ?? String(error)}`;
  }
}

function streamed(input: string | Uint8Array, withComments: boolean, limits?: XmlParseLimits, longTextRunBytes?: number): string {
  try {
    return canonicalDocumentDigest(input, { withComments, ...(longTextRunBytes === undefined ? {} : { longTextRunBytes }) }, 'sha256', limits).toString('base64');
  } catch (error) {
    return `refused ${(error as { code?: string }).code ?? String(error)}`;
  }
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('canonicalDocumentDigest', () => {
  it('is the DOM canonical digest of any document, as bytes or text, with or without comments (property)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, fc.boolean(), fc.boolean(), (xml, comments, declaration) => {
        const text = declaration ? `<?xml version="1.0" encoding="UTF-8"?>\n${xml}` : xml;
        const expected = reference(text, comments);
        expect(expected.startsWith('refused')).toBe(false);
        expect(streamed(utf8(text), comments)).toBe(expected);
        expect(streamed(text, comments)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('reads the longest text run on the bytes, out of the view, with the same digest (property, any run length)', () => {
    fc.assert(
      fc.property(xmlDocumentArbitrary, fc.boolean(), fc.integer({ min: 1, max: 24 }), (xml, comments, longTextRunBytes) => {
        const expected = reference(xml, comments);
        expect(streamed(utf8(xml), comments, undefined, longTextRunBytes)).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a long run that is not a plain text node with the whole view: in a comment, a CDATA section, an attribute, around the root, with references, line ends, controls, accents', () => {
    const long = 'QUJD'.repeat(40);
    const cases = [
      `<a><!-- x > ${long} <y --></a>`,
      `<a><![CDATA[ x > ${long} <y ]]></a>`,
      `<a><?p x > ${long} <y ?></a>`,
      `<a x=">${long}<b/>"/>`,
      `<a>x</a>${' '.repeat(200)}<!-- fin -->`,
      `<a>b>${long}&amp;${long}</a>`,
      `<a>b>${long}
${long}</a>`,
      `<a>b>${long}${long}</a>`,
      `<a>b>${long}é${long}</a>`,
      `<a>b]]>${long}</a>`,
      `<a>b>${long}]]</a>`,
      `<a>x>${long}<b/></a>`,
      `<a><b>${long}</b>${long}${long}<c/>${long}</a>`,
    ];
    for (const xml of cases) {
      for (const comments of [true, false]) {
        expect({ xml, result: streamed(utf8(xml), comments, undefined, 100) }).toEqual({ xml, result: reference(utf8(xml), comments) });
      }
    }
  });

  it('refuses what parseXml refuses, with its code, on mutated documents (property)', () => {
    const inserts = fc.constantFrom('<', '>', '&', ';', '"', "'", '=', '/', '!', '?', '-', ':', ' ', '\r', '\u0001', 'é', '\uFFFF', '\uD800', ']]>', '<!--', '-->', '<?', '?>', '&#1;', '&x;', 'xmlns:q="urn:q"', 'q:');
    fc.assert(
      fc.property(xmlDocumentArbitrary, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), inserts), { minLength: 1, maxLength: 3 }), fc.boolean(), (xml, edits, comments) => {
        let text = `<?xml version="1.0"?>${xml}`;
        for (const [at, remove, insert] of edits) {
          const k = at % (text.length + 1);
          text = text.slice(0, k) + insert + text.slice(k + remove);
        }
        const expected = reference(utf8(text), comments);
        expect({ text, result: streamed(utf8(text), comments) }).toEqual({ text, result: expected });
        expect({ text, result: streamed(utf8(text), comments, undefined, 1 + (edits[0]?.[0] ?? 0) % 16) }).toEqual({ text, result: expected });
        expect({ text, result: streamed(text, comments) }).toEqual({ text, result: reference(text, comments) });
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 2000) },
    );
  }, 120_000);

  it('digests a CDA-like document: accents, emoji, line ends, a megabyte of base64, comments and instructions around the root', () => {
    const entries = Array.from({ length: 200 }, (_, i) => `<e n="${i}" é="&quot;x&#9;" xml:lang="fr">t${i} ’œ &amp; 😀 a>b</e>`).join('\r\n');
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="cda.xsl"?>\n<!-- tête -->\n` +
      `<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:b="urn:b">${entries}` +
      `<text mediaType="application/pdf" representation="B64">${'JVBERi0xLjQK'.repeat(100_000)}</text><b:z b:y="1" a="2"/><c xmlns=""><d xmlns="urn:hl7-org:v3"/></c>` +
      `<![CDATA[ <x> & ]]><?pi   data ?></ClinicalDocument>\n<!-- fin -->\n`;
    for (const comments of [true, false]) {
      expect(streamed(utf8(xml), comments)).toBe(reference(xml, comments));
      expect(streamed(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(xml)]), comments)).toBe(reference(xml, comments));
    }
  });

  it('gives other encodings, byte-order marks and limits to the reference path (same result, same refusals)', () => {
    const latin = Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>', 'latin1');
    expect(streamed(latin, true)).toBe(reference(latin, true));
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')]);
    expect(streamed(utf16, true)).toBe(reference(utf16, true));
    for (const bad of [Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x3c, 0x2f, 0x61, 0x3e]), utf8('<a>\uFFFE</a>'), utf8('<!DOCTYPE a><a/>'), utf8(' <?xml version="1.0"?><a/>')]) {
      expect(streamed(bad, true)).toBe(reference(bad, true));
      expect(streamed(bad, true)).toMatch(/^refused XML_/);
    }
    const deep = `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`;
    expect(streamed(deep, true, { maxDepth: 20 })).toBe('refused XML_TOO_DEEP');
    const wide = `<r>${'<a b="1"/>'.repeat(5000)}</r>`;
    expect(streamed(utf8(wide), true, { maxTreeBytes: 100_000 })).toBe(reference(utf8(wide), true, { maxTreeBytes: 100_000 }));
    expect(streamed(utf8(wide), true, { maxBytes: 1000 })).toBe('refused XML_TOO_LARGE');
  });
});
