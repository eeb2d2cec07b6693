import { describe, expect, it } from 'vitest';
import { XmlError } from './errors';
import { parseXml } from './parse';
import { readBoolean, readEnum, readInteger, readText, readTexts, requireElement, requireText, selectElements } from './xpath';

// Namespaces as the caller names them, independent of the prefixes the document happens to use.
const NS = { r: 'http://www.cnamts.fr/INSiResultat', s: 'http://www.w3.org/2003/05/soap-envelope' };
const doc = parseXml(
  '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>' +
    '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR> 00 </CodeCR><LibelleCR>OK</LibelleCR></CR>' +
    '<Prenom>PIERRE</Prenom><Prenom>ALAIN</Prenom><Nb>12</Nb><Bad>1.5</Bad><Flag>true</Flag><Sexe code="F"/></RESULTAT>' +
    '</env:Body></env:Envelope>',
);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as XmlError).code;
  }
  return 'none';
}

describe('typed XPath readers', () => {
  it('reads text through namespace-aware expressions, trimmed', () => {
    expect(readText(doc, '/s:Envelope/s:Body/r:RESULTAT/r:CR/r:CodeCR', NS)).toBe('00');
    expect(requireText(doc, '//r:LibelleCR', NS)).toBe('OK');
    expect(readTexts(doc, '//r:Prenom', NS)).toEqual(['PIERRE', 'ALAIN']);
    expect(readText(doc, '//r:Sexe/@code', NS)).toBe('F');
    expect(readText(doc, '//r:Absent', NS)).toBeUndefined();
    expect(selectElements(doc, '//r:Prenom', NS)).toHaveLength(2);
  });

  it('reads integers, booleans and closed lists, or says what is wrong', () => {
    expect(readInteger(doc, '//r:Nb', NS)).toBe(12);
    expect(readBoolean(doc, '//r:Flag', NS)).toBe(true);
    expect(readEnum(doc, '//r:CR/r:CodeCR', ['00', '01', '02'] as const, NS)).toBe('00');
    expect(code(() => readInteger(doc, '//r:Bad', NS))).toBe('XML_VALUE_INVALID');
    expect(code(() => readBoolean(doc, '//r:Nb', NS))).toBe('XML_VALUE_INVALID');
    expect(code(() => readEnum(doc, '//r:LibelleCR', ['00'] as const, NS))).toBe('XML_VALUE_INVALID');
  });

  it('reports a missing value with the expression, not the content', () => {
    let error: unknown;
    try {
      requireElement(doc, '//r:INDIVIDU', NS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(XmlError);
    expect((error as XmlError).code).toBe('XML_VALUE_MISSING');
    expect((error as XmlError).details).toEqual({ path: '//r:INDIVIDU' });
    expect(code(() => requireText(doc, '//r:Absent', NS))).toBe('XML_VALUE_MISSING');
  });

  it('refuses expressions that select non-elements where elements are expected', () => {
    expect(() => selectElements(doc, '//r:Sexe/@code', NS)).toThrow(TypeError);
    expect(() => selectElements(doc, 'count(//r:Prenom)', NS)).toThrow(TypeError);
  });
});
