import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../contract';
import type { Element } from '@xmldom/xmldom';
import { canonicalizeToBytes, canonicalPart, hasForbiddenXmlChar, parseXml, readText, readTexts } from '../../platform/xml';
import { buildPdfDocument } from './build';
import { extractXdsMetadata } from './metadata';
import { HL7_NS } from './oids';
import { MINIMAL_PDF, sampleInput, sequentialOids } from './test-input';

const NS = { h: HL7_NS };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? error.code : 'NOT_APP_ERROR';
  }
  return undefined;
}

describe('buildPdfDocument (CDA R2 N1, CI-SIS structuration minimale)', () => {
  it('writes the header the structuration minimale requires and wraps the PDF in base64', () => {
    const ids = sequentialOids();
    const { xml } = buildPdfDocument(sampleInput(), ids);
    const root = parseXml(xml).documentElement!;
    expect(readTexts(root, 'h:templateId/@root', NS)).toEqual(['2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1', '1.3.6.1.4.1.19376.1.2.20']);
    expect(readText(root, 'h:id/@root', NS)).toBe(ids.issued[0]);
    expect(readText(root, 'h:setId/@root', NS)).toBe(ids.issued[1]);
    expect(readText(root, 'h:versionNumber/@value', NS)).toBe('1');
    expect(readText(root, 'h:code/@code', NS)).toBe('11488-4');
    expect(readText(root, 'h:recordTarget/h:patientRole/h:id/@extension', NS)).toBe('279035121518989');
    expect(readText(root, 'h:recordTarget/h:patientRole/h:id/@root', NS)).toBe('1.2.250.1.213.1.4.10');
    expect(readText(root, "h:recordTarget/h:patientRole/h:patient/h:name/h:family[@qualifier='BR']", NS)).toBe('PAT-TROIS');
    expect(readText(root, "h:recordTarget/h:patientRole/h:patient/h:name/h:given[@qualifier='BR']", NS)).toBe('DOMINIQUE');
    expect(readText(root, 'h:recordTarget/h:patientRole/h:patient/h:birthTime/@value', NS)).toBe('19790328');
    expect(readText(root, 'h:recordTarget/h:patientRole/h:patient/h:birthplace/h:place/h:addr/h:county', NS)).toBe('51215');
    expect(readText(root, 'h:author/h:assignedAuthor/h:code/@code', NS)).toBe('G15_10/SM26');
    expect(readText(root, 'h:custodian/h:assignedCustodian/h:representedCustodianOrganization/h:id/@extension', NS)).toBe('499700123450001');
    expect(readText(root, 'h:legalAuthenticator/h:assignedEntity/h:id/@extension', NS)).toBe('899700123450');
    expect(readText(root, 'h:documentationOf/h:serviceEvent/h:effectiveTime/h:low/@value', NS)).toBe('20261130080000+0000');
    expect(readText(root, 'h:componentOf/h:encompassingEncounter/h:location/h:healthCareFacility/h:code/@code', NS)).toBe('SA07');
    expect(readText(root, 'h:component/h:nonXMLBody/h:text/@mediaType', NS)).toBe('application/pdf');
    const b64 = readText(root, 'h:component/h:nonXMLBody/h:text', NS) ?? '';
    expect(Buffer.from(b64, 'base64').equals(MINIMAL_PDF)).toBe(true);
    expect(xml).not.toContain('relatedDocument');
  });

  it('writes the base64 of a PDF of several pieces, padding included, as one text', () => {
    for (const size of [48 * 1024, 200_001, 200_002]) {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(size, 0xa5)]);
      const { xml } = buildPdfDocument(sampleInput({ pdf }), sequentialOids());
      const b64 = readText(parseXml(xml).documentElement as Element, 'h:component/h:nonXMLBody/h:text', NS) ?? '';
      expect(b64).toBe(pdf.toString('base64'));
    }
  });

  it('gives the same XDS metadata as reading the whole document it built, whatever the input', () => {
    const text = fc.string({ minLength: 0, maxLength: 20 }).filter((t) => !hasForbiddenXmlChar(t));
    const input = fc.record({
      pdf: fc.uint8Array({ minLength: 1, maxLength: 4096 }),
      confidentiality: fc.subarray(['N', 'MASQUE_PS', 'INVISIBLE_PATIENT', 'INVISIBLE_REPRESENTANTS_LEGAUX']),
      title: fc.string({ minLength: 1, maxLength: 60 }).filter((t) => t.trim() !== '' && !hasForbiddenXmlChar(t)),
      stop: fc.boolean(),
      replaces: fc.option(
        fc.record({ uniqueId: fc.constantFrom('1.2.250.1.999.7.1^ext', '1.2.250.1.999.7.1'), setId: fc.constantFrom('1.2.250.1.999.7.2', '1.2.250.1.999.7.2^ 3 '), version: fc.integer({ min: 1, max: 9 }) }),
        { nil: undefined },
      ),
      // The metadata are derived from the model, not read back: every shape of author must agree.
      name: fc.option(text, { nil: undefined }),
      family: text,
      idNat: fc.constantFrom('899700123450', ' 899700123450 '),
      role: fc.constantFrom(undefined, { code: '10', codeSystem: '1.2.250.1.71.1.2.7', displayName: 'Médecin' }, { code: '21', codeSystem: '1.2.250.1.71.1.2.7', displayName: '' }),
      specialty: fc.constantFrom(
        undefined,
        { code: 'SM26', codeSystem: '1.2.250.1.71.4.2.5', displayName: 'Qualifié en médecine générale' },
        { code: 'G15_10/SM26', codeSystem: '1.2.250.1.213.1.1.4.5', displayName: ' Médecine générale ' },
      ),
      institution: fc.option(fc.record({ id: fc.constantFrom('', ' 499700123450001', 'x'), name: fc.constantFrom('', 'Cabinet  ’œ ', ' ') }), { nil: undefined }),
      typeCode: fc.constantFrom('11488-4', '34133-9', '18842-5', '60591-5'),
      practiceSettingCode: fc.constantFrom(undefined, 'AMBULATOIRE', 'ETABLISSEMENT'),
    });
    fc.assert(
      fc.property(input, ({ pdf, confidentiality, title, stop, replaces, name, family, idNat, role, specialty, institution, typeCode, practiceSettingCode }) => {
        const base = sampleInput();
        const author = { idNat, family, ...(name === undefined ? {} : { given: name }), ...(role === undefined ? {} : { role }), ...(specialty === undefined ? {} : { specialty }), ...(institution === undefined ? {} : { institution }) };
        let built: ReturnType<typeof buildPdfDocument>;
        try {
          built = buildPdfDocument(
            sampleInput({
              pdf: Buffer.concat([Buffer.from('%PDF-1.4\n'), pdf]),
              confidentiality,
              title,
              typeCode,
              author,
              ...(practiceSettingCode === undefined ? {} : { practiceSettingCode }),
              serviceTime: stop ? base.serviceTime : { start: base.serviceTime.start },
              ...(replaces === undefined ? {} : { replaces }),
            }),
            sequentialOids(),
          );
        } catch (error) {
          // An input the builder refuses has no metadata to compare.
          if (isAppError(error) && (error.code === 'CDA_INPUT_INVALID' || error.code === 'CDA_TYPE_CODE_UNKNOWN')) return;
          throw error;
        }
        const dmpCodes = confidentiality.filter((c) => c !== 'N');
        expect(built.metadata).toEqual(extractXdsMetadata(built.xml, { extraConfidentiality: dmpCodes }));
      }),
      { numRuns: 300 },
    );
  });

  it('returns the XDS metadata of the document it built, hash and size of its bytes', () => {
    const { xml, metadata } = buildPdfDocument(sampleInput({ confidentiality: ['R', 'MASQUE_PS', 'INVISIBLE_PATIENT'] }), sequentialOids());
    const bytes = Buffer.from(xml, 'utf8');
    expect(metadata.size).toBe(bytes.byteLength);
    expect(metadata.hash).toBe(createHash('sha1').update(bytes).digest('hex'));
    expect(metadata.mimeType).toBe('text/xml');
    expect(metadata.formatCode.code).toBe('urn:ihe:iti:xds-sd:pdf:2008');
    expect(metadata.classCode).toEqual({ code: '10', codeSystem: '1.2.250.1.213.1.1.4.1', displayName: 'Compte rendu' });
    expect(metadata.practiceSettingCode.code).toBe('AMBULATOIRE');
    expect(metadata.sourcePatientId).toBe('279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH');
    expect(metadata.creationTime).toBe('20261130093000');
    expect(metadata.serviceStartTime).toBe('20261130080000');
    expect(metadata.serviceStopTime).toBe('20261130082000');
    // The header carries R; the DMP codes (TRE_A07) exist only in the metadata.
    expect(readText(parseXml(xml).documentElement!, 'h:confidentialityCode/@code', NS)).toBe('R');
    expect(metadata.confidentialityCodes.map((c) => c.code)).toEqual(['R', 'MASQUE_PS', 'INVISIBLE_PATIENT']);
    expect(metadata.confidentialityCodes[1]?.codeSystem).toBe('1.2.250.1.213.1.1.4.13');
    expect(metadata.missing).toBeUndefined();
    expect(metadata.authors[0]?.role?.code).toBe('10');
    expect(metadata.authors[0]?.specialty?.code).toBe('G15_10/SM26');
  });

  it('replaces a document: same setId, next version, RPLC relatedDocument (CI-SIS structuration minimale)', () => {
    const ids = sequentialOids();
    const { xml, metadata } = buildPdfDocument(sampleInput({ replaces: { uniqueId: '1.2.250.1.999.7.1^ABC', setId: '1.2.250.1.999.7.2', version: 3 } }), ids);
    const root = parseXml(xml).documentElement!;
    expect(readText(root, 'h:setId/@root', NS)).toBe('1.2.250.1.999.7.2');
    expect(readText(root, 'h:versionNumber/@value', NS)).toBe('4');
    expect(readText(root, "h:relatedDocument[@typeCode='RPLC']/h:parentDocument/h:id/@root", NS)).toBe('1.2.250.1.999.7.1');
    expect(readText(root, "h:relatedDocument[@typeCode='RPLC']/h:parentDocument/h:id/@extension", NS)).toBe('ABC');
    expect(metadata.replaces).toBe('1.2.250.1.999.7.1^ABC');
    expect(metadata.versionNumber).toBe(4);
    expect(ids.issued).toHaveLength(1);
  });

  it('keeps a setId written root^extension as an II with its extension', () => {
    const { xml, metadata } = buildPdfDocument(sampleInput({ replaces: { uniqueId: '1.2.250.1.999.7.1', setId: '1.2.250.1.999.7.2^LOT-9', version: 1 } }), sequentialOids());
    const root = parseXml(xml).documentElement!;
    expect(readText(root, 'h:setId/@root', NS)).toBe('1.2.250.1.999.7.2');
    expect(readText(root, 'h:setId/@extension', NS)).toBe('LOT-9');
    expect(metadata.setId).toBe('1.2.250.1.999.7.2^LOT-9');
  });

  it('refuses invalid input with the field at fault', () => {
    expect(codeOf(() => buildPdfDocument(sampleInput({ pdf: Buffer.from('not a pdf') }), sequentialOids()))).toBe('CDA_PDF_INVALID');
    expect(codeOf(() => buildPdfDocument(sampleInput({ typeCode: '00000-0' }), sequentialOids()))).toBe('CDA_TYPE_CODE_UNKNOWN');
    expect(codeOf(() => buildPdfDocument(sampleInput({ typeCode: 'E1762' }), sequentialOids()))).toBe('CDA_TYPE_CODE_UNKNOWN');
    const bad = [
      sampleInput({ title: '  ' }),
      sampleInput({ patient: { ...sampleInput().patient, ins: '12345' } }),
      sampleInput({ patient: { ...sampleInput().patient, oid: '1.2.3' } }),
      sampleInput({ effectiveTime: 'hier' }),
      sampleInput({ author: { idNat: '899700123450' } }),
      sampleInput({ patient: { ...sampleInput().patient, birthPlaceCode: 'Reims' } }),
      sampleInput({ confidentiality: ['SECRET'] }),
      sampleInput({ practiceSettingCode: 'SA07' }),
      sampleInput({ healthcareFacilityTypeCode: 'AMBULATOIRE' }),
      sampleInput({ replaces: { uniqueId: 'pas-un-oid', setId: '1.2.3', version: 1 } }),
    ];
    for (const input of bad) expect(codeOf(() => buildPdfDocument(input, sequentialOids()))).toBe('CDA_INPUT_INVALID');
    expect(codeOf(() => buildPdfDocument(sampleInput(), { newOid: () => 'x' }))).toBe('CDA_INPUT_INVALID');
  });

  it('escapes every user value by construction (titles and names round-trip)', () => {
    const text = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && !hasForbiddenXmlChar(s));
    fc.assert(
      fc.property(text, text, text, (title, family, custodian) => {
        const input = sampleInput({ title, author: { ...sampleInput().author, family }, custodian: { id: '1', name: custodian } });
        const { metadata } = buildPdfDocument(input, sequentialOids());
        expect(metadata.title).toBe(title.trim().replace(/\r\n?/g, '\n'));
        expect(metadata.authors[0]?.family).toBe(family.trim().replace(/\r\n?/g, '\n').trim());
      }),
      { numRuns: 60 },
    );
  });

  it('metadata extracted again from the XML equals the metadata returned', () => {
    const { xml, metadata } = buildPdfDocument(sampleInput(), sequentialOids());
    expect(extractXdsMetadata(xml)).toEqual(metadata);
  });

  it('writes the document in canonical form and digests it once, as a verifier would recompute it', () => {
    const built = buildPdfDocument(sampleInput({ title: 'CR « A & B » <urgent>\tsuite', pdf: Buffer.concat([MINIMAL_PDF, Buffer.alloc(70_000, 0xe9)]) }), sequentialOids());
    expect(built.xml).toBe(built.bytes.toString('utf8'));
    expect(built.metadata.size).toBe(built.bytes.length);
    expect(built.metadata.hash).toBe(createHash('sha1').update(built.bytes).digest('hex'));
    const canonical = canonicalizeToBytes(parseXml(built.bytes), { algorithm: 'inclusive', withComments: true });
    expect(canonical.equals(canonicalPart(built.bytes))).toBe(true);
    expect(built.canonicalDigest).toEqual({ algorithm: 'sha256', value: createHash('sha256').update(canonical).digest('base64') });
    const base64 = readText(parseXml(built.bytes).documentElement as Element, 'h:component/h:nonXMLBody/h:text', NS) ?? '';
    expect(Buffer.from(base64, 'base64').equals(Buffer.concat([MINIMAL_PDF, Buffer.alloc(70_000, 0xe9)]))).toBe(true);
  });
});
