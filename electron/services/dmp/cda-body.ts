/**
 * The PDF inside a CDA R2 N1 document (XDS-SD: `component/nonXMLBody/text` with
 * mediaType="application/pdf" representation="B64"; CI-SIS structuration minimale, dmp.md §4).
 * Parsed with the safe parser; anything else gives null (the viewer then shows the narrative).
 */
import { selectElement } from '../../platform/xml';
import { parseCda } from '../cda';

const ns = { c: 'urn:hl7-org:v3' };

/** An « auto-présentable » wrapper's CDA is read the same way (its stylesheet is never run). */
export function extractPdfFromCda(xml: string): Buffer | null {
  let text;
  try {
    text = selectElement(parseCda(xml), 'c:component/c:nonXMLBody/c:text', ns);
  } catch {
    return null;
  }
  if (text === null || text.getAttribute('mediaType') !== 'application/pdf' || text.getAttribute('representation') !== 'B64') return null;
  const value = (text.textContent ?? '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  const pdf = Buffer.from(value, 'base64');
  return pdf.subarray(0, 5).toString('latin1') === '%PDF-' ? pdf : null;
}
