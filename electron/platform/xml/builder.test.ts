import fc from 'fast-check';
import type { Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { attr, canonicalPart, domNode, el, serializeXml, toDocument, xmlNamespace, xmlNs, type XmlElementNode } from './builder';
import { canonicalize } from './c14n';
import { attributesOf, childElements, isNamespaceDeclaration, textOf } from './dom';
import { XmlError } from './errors';
import { hasForbiddenXmlChar, parseXml, parseXmlElement } from './parse';

const ins = xmlNamespace('http://www.cnamts.fr/INSiRecSans', 'ins');
const soap = xmlNamespace('http://www.w3.org/2003/05/soap-envelope', 'soap');
const rim = xmlNamespace('urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0');

describe('XML builder', () => {
  it('declares each namespace where it is first needed, and only once', () => {
    const xml = serializeXml(soap.el('Envelope', soap.el('Body', ins.el('RECSANSVITALE', ins.el('NomNaissance', 'PATB-QUATRE')))));
    expect(xml).toBe(
      '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body>' +
        '<ins:RECSANSVITALE xmlns:ins="http://www.cnamts.fr/INSiRecSans"><ins:NomNaissance>PATB-QUATRE</ins:NomNaissance></ins:RECSANSVITALE>' +
        '</soap:Body></soap:Envelope>',
    );
  });

  it('handles a default namespace and undeclares it for unqualified children', () => {
    const xml = serializeXml(rim.el('Slot', attr('name', '$XDSDocumentEntryStatus'), rim.el('ValueList'), el('Free')));
    expect(xml).toBe(
      '<Slot xmlns="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" name="$XDSDocumentEntryStatus"><ValueList/><Free xmlns=""/></Slot>',
    );
    const root = parseXmlElement(xml);
    expect(childElements(root)[1]?.namespaceURI ?? null).toBeNull();
  });

  it('writes prefixed and xml: attributes, and forced declarations', () => {
    const xsi = xmlNamespace('http://www.w3.org/2001/XMLSchema-instance', 'xsi');
    const xs = xmlNamespace('http://www.w3.org/2001/XMLSchema', 'xs');
    const xml = serializeXml(
      el('AttributeValue', xs.declare(), xsi.attr('type', xs.qname('string')), xmlNs.attr('lang', 'fr'), 'valeur'),
    );
    expect(xml).toBe(
      '<AttributeValue xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="xs:string" xml:lang="fr">valeur</AttributeValue>',
    );
  });

  it('escapes text and attribute values by construction', () => {
    const hostile = `a<b>&c"d'e]]>f\r\ng\th`;
    const xml = serializeXml(el('x', attr('v', hostile), hostile, el('y', '</x><z>')));
    const root = parseXmlElement(xml);
    expect(root.getAttribute('v')).toBe(hostile);
    expect(root.firstChild?.nodeValue).toBe(hostile);
    expect(childElements(root)).toHaveLength(1);
    expect(textOf(childElements(root)[0] as Element)).toBe('</x><z>');
  });

  it('skips null, undefined and false content, flattens arrays, writes numbers', () => {
    const prenoms = ['PIERRE', 'ALAIN'];
    const xml = serializeXml(
      ins.el('RECSANSVITALE', null, undefined, false, prenoms.map((p) => ins.el('Prenom', p)), attr('n', 2), attr('absent', undefined), 0),
    );
    expect(xml).toBe(
      '<ins:RECSANSVITALE xmlns:ins="http://www.cnamts.fr/INSiRecSans" n="2"><ins:Prenom>PIERRE</ins:Prenom><ins:Prenom>ALAIN</ins:Prenom>0</ins:RECSANSVITALE>',
    );
  });

  it('refuses control characters in user data with a typed error', () => {
    expect(() => el('Nom', 'DUPONT\u0000')).toThrow(XmlError);
    expect(() => attr('v', 'x\u001b')).toThrow(XmlError);
    try {
      el('Nom', 'A\u0007');
    } catch (error) {
      expect((error as XmlError).code).toBe('XML_INVALID_CHARACTER');
    }
  });

  it('refuses invalid names, duplicate attributes and conflicting prefixes (programming errors)', () => {
    expect(() => el('a b')).toThrow(TypeError);
    expect(() => el('1a')).toThrow(TypeError);
    expect(() => xmlNamespace('urn:x', 'x:y')).toThrow(TypeError);
    expect(() => el('a', attr('v', '1'), attr('v', '2'))).toThrow(TypeError);
    const a1 = xmlNamespace('urn:one', 'p');
    const a2 = xmlNamespace('urn:two', 'p');
    expect(() => serializeXml(a1.el('a', a2.attr('b', '1')))).toThrow(TypeError);
    expect(() => xmlNamespace('urn:x').attr('b', '1')).toThrow(TypeError);
    expect(() => el('a', Number.NaN)).toThrow(TypeError);
  });

  it('embeds an existing DOM element with the namespaces it inherits', () => {
    // An assertion parsed from a larger document uses xs:string in content, declared on an ancestor.
    const source = parseXmlElement(
      '<wrapper xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
        '<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1"><saml2:AttributeValue xsi:type="xs:string">x&#13;y</saml2:AttributeValue></saml2:Assertion></wrapper>',
    );
    const assertion = childElements(source)[0] as Element;
    const xml = serializeXml(soap.el('Header', domNode(assertion)));
    const root = parseXmlElement(xml);
    const embedded = childElements(root)[0] as Element;
    expect(embedded.localName).toBe('Assertion');
    expect(embedded.lookupNamespaceURI('xs')).toBe('http://www.w3.org/2001/XMLSchema');
    expect(textOf(embedded)).toBe('x\ry');
  });

  it('reuses the text of an immutable DOM element per surrounding namespaces, and rewrites a mutable one', () => {
    const assertion = parseXmlElement('<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_1"><saml2:Issuer>x</saml2:Issuer></saml2:Assertion>');
    const inHeader = (node: ReturnType<typeof domNode>): string => serializeXml(soap.el('Header', node));
    const inSaml = (node: ReturnType<typeof domNode>): string => serializeXml(xmlNamespace('urn:oasis:names:tc:SAML:2.0:assertion', 'saml2').el('Advice', node));
    const first = inHeader(domNode(assertion, { immutable: true }));
    expect(first).toBe(inHeader(domNode(assertion)));
    expect(inHeader(domNode(assertion, { immutable: true }))).toBe(first);
    // Another scope: the declaration already in scope is not repeated, as without the cache.
    expect(inSaml(domNode(assertion, { immutable: true }))).toBe(inSaml(domNode(assertion)));
    expect(inSaml(domNode(assertion, { immutable: true }))).not.toBe(first);
    assertion.setAttribute('ID', '_2');
    expect(inHeader(domNode(assertion))).toContain('ID="_2"');
    expect(inHeader(domNode(assertion, { immutable: true }))).toBe(first);
  });

  it('builds a DOM document', () => {
    const doc = toDocument(ins.el('RECSANSVITALE', ins.el('Sexe', 'F')));
    expect(doc.documentElement?.namespaceURI).toBe('http://www.cnamts.fr/INSiRecSans');
  });

  it('round-trips arbitrary trees through text (property)', () => {
    const namespaces = [null, xmlNamespace('urn:a', 'a'), xmlNamespace('urn:b', 'b'), xmlNamespace('urn:d')];
    const safeText = fc.string({ maxLength: 20 }).filter((s) => !hasForbiddenXmlChar(s));
    const name = fc.constantFrom('x', 'y', 'Nom', 'Prenom', 'z-1');
    const tree: fc.Arbitrary<XmlElementNode> = fc.letrec<{ node: XmlElementNode }>((tie) => ({
      node: fc
        .tuple(
          fc.constantFrom(...namespaces),
          name,
          fc.uniqueArray(fc.tuple(fc.constantFrom('p', 'q', 'r'), safeText), { selector: (a) => a[0], maxLength: 3 }),
          fc.array(fc.oneof({ depthSize: 'small' }, safeText, tie('node')), { maxLength: 4 }),
        )
        .map(([ns, local, attrs, children]) => {
          const content = [...attrs.map(([k, v]) => attr(k, v)), ...children];
          return ns === null ? el(local, ...content) : ns.el(local, ...content);
        }),
    })).node;
    const shape = (node: Element): unknown => ({
      ns: node.namespaceURI ?? null,
      local: node.localName,
      attrs: attributesOf(node)
        .filter((a) => !isNamespaceDeclaration(a))
        .map((a) => [a.name, a.value])
        .sort(),
      text: textOf(node),
      children: childElements(node).map(shape),
    });
    const expected = (node: XmlElementNode): unknown => ({
      ns: node.name.ns,
      local: node.name.local,
      attrs: node.attributes.map((a) => [a.name.local, a.value]).sort(),
      text: node.children.map((c) => (c.kind === 'text' ? c.value : c.kind === 'element' ? (expectedText(c) as string) : '')).join(''),
      children: node.children.filter((c): c is XmlElementNode => c.kind === 'element').map(expected),
    });
    const expectedText = (node: XmlElementNode): string =>
      node.children.map((c) => (c.kind === 'text' ? c.value : c.kind === 'element' ? expectedText(c) : '')).join('');
    fc.assert(
      fc.property(tree, (node) => {
        expect(shape(parseXmlElement(serializeXml(node)))).toEqual(expected(node));
      }),
      { numRuns: 300 },
    );
  });

  it('writes the canonical form that C14N gives of the parsed text (property)', () => {
    const namespaces = [null, xmlNamespace('urn:a', 'a'), xmlNamespace('urn:b', 'b'), xmlNamespace('urn:d'), xmlNamespace('urn:e')];
    // Every character the two escapings treat differently: & < > " ' tab, line feed, carriage return.
    const safeText = fc.string({ maxLength: 20, unit: fc.constantFrom('a', 'é', '&', '<', '>', '"', "'", '\t', '\n', '\r', ' ', '€', '𝄞') });
    const name = fc.constantFrom('x', 'y', 'Nom', 'z-1');
    const attribute = fc.oneof(
      fc.tuple(fc.constantFrom('p', 'q', 'r'), safeText).map(([k, v]) => attr(k, v)),
      fc.tuple(fc.constantFrom(xmlNamespace('urn:a', 'a'), xmlNamespace('urn:b', 'b')), fc.constantFrom('p', 'q'), safeText).map(([ns, k, v]) => ns.attr(k, v)),
      safeText.map((v) => xmlNs.attr('lang', v)),
    );
    const tree: fc.Arbitrary<XmlElementNode> = fc.letrec<{ node: XmlElementNode }>((tie) => ({
      node: fc
        .tuple(
          fc.constantFrom(...namespaces),
          name,
          fc.uniqueArray(attribute, { selector: (a) => `${a?.name.ns ?? ''} ${a?.name.local ?? ''}`, maxLength: 4 }),
          fc.array(fc.oneof({ depthSize: 'small' }, safeText, tie('node')), { maxLength: 4 }),
        )
        .map(([ns, local, attrs, children]) => {
          const content = [...attrs, ...children];
          return ns === null ? el(local, ...content) : ns.el(local, ...content);
        }),
    })).node;
    fc.assert(
      fc.property(tree, fc.boolean(), (node, withComments) => {
        const parsed = parseXml(serializeXml(node, { declaration: true }));
        expect(serializeXml(node, { canonical: true })).toBe(canonicalize(parsed, { algorithm: 'inclusive', withComments }));
        const bytes = Buffer.from(serializeXml(node, { declaration: true, canonical: true }), 'utf8');
        expect(canonicalPart(bytes).toString('utf8')).toBe(canonicalize(parseXml(bytes), { algorithm: 'inclusive', withComments }));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses to write a DOM node in canonical form', () => {
    const embedded = parseXmlElement('<a xmlns="urn:x"/>');
    expect(() => serializeXml(el('root', domNode(embedded)), { canonical: true })).toThrow(TypeError);
  });
});
