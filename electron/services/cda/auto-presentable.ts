/**
 * « Auto-présentable » CDA documents: a CI-SIS document sent wrapped in an XSL stylesheet, so that
 * a plain browser shows it without a CDA viewer (the form laboratories send their results in
 * through MSSanté). The root is `xsl:stylesheet` (or its synonym `xsl:transform`, XSLT 1.0 §2.2)
 * and the `ClinicalDocument` travels inside it as data, read by the stylesheet's own templates.
 *
 * Pupitre reads the CDA inside and never runs the stylesheet: no XSLT engine is involved, the
 * wrapper goes through the same safe parser as any CDA (no DTD, bounded size and depth) and only
 * the embedded `ClinicalDocument` element is used, for the XDS metadata, the viewer and the copy
 * sent to the DMP. The laboratories' exact layout of the wrapper is not in the public references
 * held here (modelled, README): exactly one `ClinicalDocument` in the HL7 v3 namespace, carried as
 * data by the stylesheet (not produced by one of its templates), is accepted; none or several is
 * refused as not a CDA document.
 */
import type { Element } from '@xmldom/xmldom';
import { AppError } from '../../contract';
import { inScopeNamespaces, serializeElement } from '../../platform/xml';
import { HL7_NS } from './oids';

/** XSLT 1.0 namespace (W3C Recommendation, 16 November 1999, §2.1). */
export const XSLT_NS = 'http://www.w3.org/1999/XSL/Transform';

export function isStylesheet(root: Element): boolean {
  return root.namespaceURI === XSLT_NS && (root.localName === 'stylesheet' || root.localName === 'transform');
}

/**
 * The one ClinicalDocument a stylesheet carries as data: inside its top-level elements of another
 * namespace than XSLT's (XSLT 1.0 §2.2 lets a stylesheet hold such elements, and its templates
 * read them with `document('')`). A ClinicalDocument written inside a template is what running
 * the stylesheet would produce: Pupitre never runs it, so such a file is not read as that CDA.
 */
export function embeddedClinicalDocument(stylesheet: Element): Element {
  const found: Element[] = [];
  for (let child = stylesheet.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType !== 1) continue;
    const element = child as Element;
    if (element.namespaceURI === XSLT_NS) continue;
    if (element.namespaceURI === HL7_NS && element.localName === 'ClinicalDocument') found.push(element);
    else {
      const inside = element.getElementsByTagNameNS(HL7_NS, 'ClinicalDocument');
      for (let i = 0; i < inside.length; i += 1) found.push(inside.item(i) as Element);
    }
  }
  if (found.length !== 1) throw new AppError('CDA_NOT_A_DOCUMENT', { root: 'xsl:stylesheet', embedded: found.length });
  return found[0] as Element;
}

const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * The embedded ClinicalDocument as a document of its own: the namespace declarations it inherits
 * from the stylesheet are repeated on its root only for the prefixes it uses (its elements, its
 * attributes, and the QName values of xsi:type), so that nothing of the wrapper travels with it.
 */
export function serializeEmbedded(root: Element): string {
  const used = new Set<string>();
  const visit = (element: Element): void => {
    used.add(element.prefix ?? '');
    for (let i = 0; i < element.attributes.length; i += 1) {
      const attribute = element.attributes.item(i);
      if (attribute === null || attribute.name === 'xmlns' || attribute.prefix === 'xmlns') continue;
      if (attribute.prefix !== null && attribute.prefix !== '') used.add(attribute.prefix);
      if (attribute.namespaceURI === XSI_NS && attribute.localName === 'type' && attribute.value.includes(':')) used.add(attribute.value.split(':')[0] as string);
    }
    for (let child = element.firstChild; child !== null; child = child.nextSibling) if (child.nodeType === 1) visit(child as Element);
  };
  visit(root);
  const unused = new Map([...inScopeNamespaces(root)].filter(([prefix]) => !used.has(prefix)));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serializeElement(root, unused)}`;
}
