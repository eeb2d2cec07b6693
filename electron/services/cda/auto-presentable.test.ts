import { describe, expect, it } from 'vitest';
import { isAppError } from '../../contract';
import { buildPdfDocument } from './build';
import { extractXdsMetadata, parseCda, unwrapAutoPresentable } from './metadata';
import { narrativeToSafeHtml } from './narrative';
import { autoPresentable, sampleInput, sequentialOids } from './test-input';

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? { code: error.code, details: error.details } : 'NOT_APP_ERROR';
  }
  return undefined;
}

describe('auto-présentable CDA (a CDA inside an XSL stylesheet)', () => {
  const { xml } = buildPdfDocument(sampleInput({ title: 'Compte rendu de biologie' }), sequentialOids());
  const wrapped = autoPresentable(xml);

  it('reads the XDS metadata of the CDA inside, as from the CDA alone', () => {
    const { size: _size, hash: _hash, ...original } = extractXdsMetadata(xml);
    const { size, hash, ...inside } = extractXdsMetadata(wrapped);
    expect(inside).toEqual(original);
    expect(size).toBe(Buffer.byteLength(wrapped));
    expect(hash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('gives the CDA inside as a document of its own, the stylesheet left out', () => {
    const inner = unwrapAutoPresentable(wrapped);
    expect(inner).not.toBeNull();
    expect(inner).not.toContain('XSL/Transform');
    expect(inner).not.toContain('xml-stylesheet');
    const root = parseCda(inner as string);
    expect(root.parentNode).toBe(root.ownerDocument);
    expect(inner).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ClinicalDocument [^>]*xmlns="urn:hl7-org:v3"/);
    expect(inner).not.toContain('urn:example:laboratoire');
    const { size, hash, ...fromInner } = extractXdsMetadata(inner as string);
    const { size: _s, hash: _h, ...original } = extractXdsMetadata(xml);
    expect(fromInner).toEqual(original);
    expect(size).toBe(Buffer.byteLength(inner as string));
    expect(hash).not.toBe(extractXdsMetadata(wrapped).hash);
    // A plain CDA is used as it is.
    expect(unwrapAutoPresentable(xml)).toBeNull();
  });

  it('shows the same narrative in the viewer', () => {
    expect(narrativeToSafeHtml(wrapped)).toBe(narrativeToSafeHtml(xml));
  });

  it('refuses a stylesheet carrying no CDA, or several, as not a CDA document', () => {
    const empty = autoPresentable(xml, { copies: 0 });
    expect(codeOf(() => parseCda(empty))).toEqual({ code: 'CDA_NOT_A_DOCUMENT', details: { root: 'xsl:stylesheet', embedded: 0 } });
    expect(codeOf(() => unwrapAutoPresentable(autoPresentable(xml, { copies: 2 })))).toEqual({ code: 'CDA_NOT_A_DOCUMENT', details: { root: 'xsl:stylesheet', embedded: 2 } });
    // A CDA written inside a template is what running the stylesheet would produce: not read.
    const produced = `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">${xml.replace(/^<\?xml[^>]*\?>/, '')}</xsl:template></xsl:stylesheet>`;
    expect(codeOf(() => parseCda(produced))).toEqual({ code: 'CDA_NOT_A_DOCUMENT', details: { root: 'xsl:stylesheet', embedded: 0 } });
    // Any other root is still refused.
    expect(codeOf(() => parseCda('<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'))).toMatchObject({ code: 'CDA_NOT_A_DOCUMENT' });
  });

  it('reads the wrapper with the safe parser: a DOCTYPE is refused, nothing is fetched or run', () => {
    const withDoctype = wrapped.replace('<xsl:stylesheet', '<!DOCTYPE xsl:stylesheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<xsl:stylesheet');
    expect(codeOf(() => parseCda(withDoctype))).toMatchObject({ code: expect.stringMatching(/^(?:XML_|CDA_NOT_A_DOCUMENT)/) });
    // The stylesheet's own output (the <h1> of its template) never appears: it is not applied.
    expect(narrativeToSafeHtml(wrapped)).not.toContain('<h1>');
  });
});
