import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../contract';
import { buildPdfDocument } from './build';
import { extractXdsMetadata } from './metadata';
import { sampleInput, sequentialOids } from './test-input';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isAppError(error) ? error.code : 'NOT_APP_ERROR';
  }
  return undefined;
}

const base = (): string => buildPdfDocument(sampleInput(), sequentialOids()).xml;

/** A structured header (VSM-like) written by hand: what another software would send. */
function structured(extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <templateId root="1.2.250.1.213.1.1.1.1"/><templateId root="1.2.250.1.213.1.1.1.13" extension="201310"/>
  <id root="1.2.3.4.5" extension="DOC-1"/>
  <code code="SYNTH" codeSystem="1.2.250.1.213.1.1.4.12"/>
  <effectiveTime value="20200312101700+0100"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <setId root="1.2.3.4.6"/><versionNumber value="2"/>
  <recordTarget><patientRole><id root="1.2.3.4.567" extension="IPP1"/><id root="1.2.250.1.213.1.4.8" extension="279035121518989"/></patientRole></recordTarget>
  <author><time value="20200312"/><assignedAuthor><id root="1.2.250.1.71.4.2.1" extension="801234567897"/>
    <assignedAuthoringDevice><softwareName>LOGICIEL</softwareName></assignedAuthoringDevice></assignedAuthor></author>
  <documentationOf><serviceEvent><code code="34117-2" codeSystem="2.16.840.1.113883.6.1" displayName="Historique et clinique"/>
    <effectiveTime><low value="20200101"/><high value="20200301"/></effectiveTime></serviceEvent></documentationOf>
  <documentationOf><serviceEvent><code nullFlavor="UNK"/><effectiveTime><low value="20191201"/><high value="20200201"/></effectiveTime></serviceEvent></documentationOf>
  ${extra}
  <component><structuredBody><component><section><title>Motif</title><text>Bilan</text></section></component></structuredBody></component>
</ClinicalDocument>`;
}

describe('extractXdsMetadata', () => {
  it('derives the metadata of a structured header and lists what it cannot derive', () => {
    const m = extractXdsMetadata(structured());
    expect(m.uniqueId).toBe('1.2.3.4.5^DOC-1');
    expect(m.setId).toBe('1.2.3.4.6');
    expect(m.versionNumber).toBe(2);
    expect(m.typeCode).toEqual({ code: 'SYNTH', codeSystem: '1.2.250.1.213.1.1.4.12', displayName: 'Synthèse' });
    expect(m.title).toBe('Synthèse');
    expect(m.classCode.code).toBe('11');
    expect(m.formatCode.code).toBe('urn:asip:ci-sis:vsm:2012');
    expect(m.sourcePatientId).toBe('279035121518989^^^&1.2.250.1.213.1.4.8&ISO^NH');
    expect(m.creationTime).toBe('20200312091700');
    // Earliest low and latest high over every documented act.
    expect(m.serviceStartTime).toBe('20191201');
    expect(m.serviceStopTime).toBe('20200301');
    expect(m.eventCodes.map((c) => c.code)).toEqual(['34117-2']);
    expect(m.authors).toEqual([{ idNat: '801234567897', family: 'LOGICIEL' }]);
    expect(m.missing).toEqual(['healthcareFacilityTypeCode', 'practiceSettingCode', 'languageCode']);
    expect(m.healthcareFacilityTypeCode.code).toBe('');
  });

  it('adds the DMP confidentiality codes chosen at sending, and refuses unknown ones', () => {
    const m = extractXdsMetadata(base(), { extraConfidentiality: ['INVISIBLE_REPRESENTANTS_LEGAUX'] });
    expect(m.confidentialityCodes.map((c) => c.code)).toEqual(['N', 'INVISIBLE_REPRESENTANTS_LEGAUX']);
    expect(codeOf(() => extractXdsMetadata(base(), { extraConfidentiality: ['V'] }))).toBe('CDA_INPUT_INVALID');
  });

  it('reads the replaced document of a RPLC relation', () => {
    const m = extractXdsMetadata(structured('<relatedDocument typeCode="RPLC"><parentDocument><id root="1.2.3.4.9"/></parentDocument></relatedDocument>'));
    expect(m.replaces).toBe('1.2.3.4.9');
  });

  it('refuses what is not a CDA document, without echoing its content', () => {
    expect(codeOf(() => extractXdsMetadata('<html><body>secret</body></html>'))).toBe('CDA_NOT_A_DOCUMENT');
    expect(codeOf(() => extractXdsMetadata('pas du XML'))).toBe('CDA_NOT_A_DOCUMENT');
    // A DOCTYPE is refused for what it is (its message says why), not as "not a CDA".
    expect(codeOf(() => extractXdsMetadata('<!DOCTYPE x [<!ENTITY a "b">]><ClinicalDocument xmlns="urn:hl7-org:v3"/>'))).toBe('XML_DOCTYPE_FORBIDDEN');
    expect(codeOf(() => extractXdsMetadata('<ClinicalDocument/>'))).toBe('CDA_NOT_A_DOCUMENT');
  });

  it('requires an id, a type, a creation time and the INS of the patient', () => {
    const s = structured();
    expect(codeOf(() => extractXdsMetadata(s.replace('<id root="1.2.3.4.5" extension="DOC-1"/>', '')))).toBe('CDA_HEADER_INCOMPLETE');
    expect(codeOf(() => extractXdsMetadata(s.replace('<code code="SYNTH" codeSystem="1.2.250.1.213.1.1.4.12"/>', '')))).toBe('CDA_HEADER_INCOMPLETE');
    expect(codeOf(() => extractXdsMetadata(s.replace('20200312101700+0100', '2020-03-12')))).toBe('CDA_HEADER_INCOMPLETE');
    expect(codeOf(() => extractXdsMetadata(s.replace('1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.2')))).toBe('CDA_PATIENT_INS_MISSING');
  });

  it('never throws anything but a typed error on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (junk) => {
        const code = codeOf(() => extractXdsMetadata(junk));
        expect(code).not.toBe('NOT_APP_ERROR');
      }),
      { numRuns: 200 },
    );
  });
});
