/** A complete, valid PdfDocumentInput for tests (demo practitioner of fixtures/sim/pki). */
import type { OidGenerator, PdfDocumentInput } from './types';

export const MINIMAL_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');

export function sampleInput(overrides: Partial<PdfDocumentInput> = {}): PdfDocumentInput {
  return {
    pdf: MINIMAL_PDF,
    title: 'Compte rendu de consultation',
    typeCode: '11488-4',
    patient: { ins: '279035121518989', oid: '1.2.250.1.213.1.4.10', birthName: 'PAT-TROIS', firstNames: 'DOMINIQUE MARIE-LOUISE', sex: 'F', birthDate: '1979-03-28', birthPlaceCode: '51215' },
    author: {
      idNat: '899700123450',
      given: 'Jean',
      family: 'DEMO',
      role: { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' },
      specialty: { code: 'SM26', codeSystem: '1.2.250.1.71.4.2.5', displayName: 'Qualifié en médecine générale' },
    },
    custodian: { id: '499700123450001', name: 'Cabinet du Dr Démo' },
    serviceTime: { start: '2026-11-30T09:00:00+01:00', stop: '2026-11-30T09:20:00+01:00' },
    effectiveTime: '2026-11-30T09:30:00Z',
    ...overrides,
  };
}

export function sequentialOids(prefix = '1.2.250.1.999.42'): OidGenerator & { issued: string[] } {
  const issued: string[] = [];
  return {
    issued,
    newOid() {
      const oid = `${prefix}.${issued.length + 1}`;
      issued.push(oid);
      return oid;
    },
  };
}

/**
 * A CDA document wrapped the « auto-présentable » way (tests): an XSLT 1.0 stylesheet that a
 * browser applies to itself (`<?xml-stylesheet href="#"?>`, `document('')`), carrying the CDA
 * as a top-level data element in a namespace of its own (XSLT 1.0 §2.2 allows such elements).
 */
export function autoPresentable(cdaXml: string, { copies = 1 }: { copies?: number } = {}): string {
  const inner = cdaXml.replace(/^<\?xml[^>]*\?>\s*/, '');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<?xml-stylesheet type="text/xsl" href="#"?>',
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:hl7="urn:hl7-org:v3" xmlns:labo="urn:example:laboratoire">',
    '  <xsl:output method="html" encoding="UTF-8"/>',
    '  <xsl:template match="/">',
    '    <html><body><h1><xsl:value-of select="document(\'\')//hl7:ClinicalDocument/hl7:title"/></h1></body></html>',
    '  </xsl:template>',
    `  <labo:document>${inner.repeat(copies)}</labo:document>`,
    '</xsl:stylesheet>',
    '',
  ].join('\n');
}
