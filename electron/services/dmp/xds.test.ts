import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasForbiddenXmlChar, toDocument } from '../../platform/xml';
import { parsePatientCx, patientCx, STATUS } from './codes';
import { buildAdhocQueryRequest, findDocuments, getDocumentsByUniqueId, readAdhocQueryRequest } from './iti18';
import { isAllowed, type DmpActor } from './rights';
import { buildTd02Response, parseTd02Response } from './td02';
import { documentEntryEl, formatXcn, parseXcn, readDocumentEntry, type XdsDocumentMetadata } from './xds';

// Printable text without HL7 v2 delimiters (which formatXcn turns into spaces) and without the
// characters XML 1.0 forbids.
const text = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -\'éèàçÉ<>"/.,;:'), minLength: 1, maxLength: 20 }).filter((s) => s.trim() === s && s !== '');
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const oid = fc.array(fc.integer({ min: 1, max: 99999 }), { minLength: 2, maxLength: 8 }).map((a) => `1.${a.join('.')}`);
const coded = fc.record({ code: text, codeSystem: oid, displayName: text });
const ts = fc.date({ min: new Date('1990-01-01'), max: new Date('2040-01-01'), noInvalidDate: true }).map((d) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14));

const metadata: fc.Arbitrary<XdsDocumentMetadata> = fc.record({
  uniqueId: oid,
  title: text,
  mimeType: fc.constantFrom('text/xml' as const, 'application/pdf' as const),
  typeCode: coded,
  classCode: coded,
  formatCode: coded,
  healthcareFacilityTypeCode: coded,
  practiceSettingCode: coded,
  confidentialityCodes: fc.array(coded, { minLength: 1, maxLength: 4 }),
  eventCodes: fc.array(coded, { maxLength: 2 }),
  languageCode: fc.constant('fr-FR'),
  creationTime: ts,
  serviceStartTime: ts,
  sourcePatientId: fc.constant('207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH'),
  authors: fc.array(
    fc.record({ idNat: digits(12), given: text, family: text, institution: fc.record({ id: digits(9), name: text }) }),
    { minLength: 1, maxLength: 2 },
  ),
  size: fc.nat({ max: 1e9 }),
  hash: fc.constant('af326fb44feb720121d2c277ce10f87407818089'),
});

describe('XDS metadata (ebRIM) writing and reading', () => {
  it('reads back every field of a DocumentEntry it wrote', () => {
    fc.assert(
      fc.property(metadata, fc.constantFrom('Approved' as const, 'Archived' as const, 'Deprecated' as const), fc.integer({ min: 1, max: 50 }), (meta, status, version) => {
        const el = documentEntryEl(meta, { id: 'urn:uuid:1', lid: 'urn:uuid:0', status, version, patientId: meta.sourcePatientId, repositoryUniqueId: '1.2.250.1.213.4.1.1.1.2', idPrefix: 'c' });
        const entry = readDocumentEntry(toDocument(el).documentElement!);
        expect(entry).toMatchObject({
          entryUuid: 'urn:uuid:1',
          logicalId: 'urn:uuid:0',
          uniqueId: meta.uniqueId,
          status,
          version,
          title: meta.title,
          mimeType: meta.mimeType,
          typeCode: meta.typeCode,
          classCode: meta.classCode,
          formatCode: meta.formatCode,
          confidentialityCodes: meta.confidentialityCodes,
          creationTime: meta.creationTime,
          serviceStartTime: meta.serviceStartTime,
          size: meta.size,
          patientId: meta.sourcePatientId,
        });
        expect(entry.authors).toEqual(meta.authors);
      }),
      { numRuns: 60 },
    );
  });

  it('formats and parses XCN author names, HL7 v2 delimiters neutralised', () => {
    fc.assert(
      fc.property(digits(12), text, text, (idNat, family, given) => {
        expect(parseXcn(formatXcn({ idNat, family, given }))).toEqual({ idNat, family, given });
      }),
    );
    expect(formatXcn({ idNat: '1', family: 'A^B&C', given: 'D|E' })).toBe('1^A B C^D E^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS');
  });

  it('quotes stored query slot values so that any value reads back unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !hasForbiddenXmlChar(s) && ![...s].some((c) => c.charCodeAt(0) < 0x20) && s.trim() === s && s !== ''), { minLength: 1, maxLength: 5 }), (values) => {
        const parsed = readAdhocQueryRequest(toDocument(buildAdhocQueryRequest(getDocumentsByUniqueId(values))).documentElement!);
        expect(parsed.name).toBe('GetDocuments');
        expect(parsed.slots.get('$XDSDocumentEntryUniqueId')).toEqual(values);
      }),
    );
    const find = readAdhocQueryRequest(toDocument(buildAdhocQueryRequest(findDocuments("O'Brien^^^&1.2&ISO^NH", { serviceStartFrom: '20240101' }))).documentElement!);
    expect(find.slots.get('$XDSDocumentEntryPatientId')).toEqual(["O'Brien^^^&1.2&ISO^NH"]);
    expect(find.slots.get('$XDSDocumentEntryStatus')).toEqual([STATUS.Approved]);
    expect(find.slots.get('$XDSDocumentEntryServiceStartTimeFrom')).toEqual(['20240101']);
  });

  it('builds and parses every TD0.2 answer', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('active' as const, 'closed' as const, 'absent' as const),
        fc.constantFrom('VALIDE' as const, 'EXPIRE' as const, 'INTERDIT' as const, 'NON_EXISTE' as const),
        fc.boolean(),
        fc.boolean(),
        fc.subarray(['OPPOSITION_BRIS_DE_GLACE', 'OPPOSITION_ACCES_URGENCE']),
        (existence, authorisation, mt, mes, oppositions) => {
          const response = buildTd02Response({
            requestId: 'r',
            queryId: 'q',
            creationTime: '20261130090000',
            patient: { matricule: '207058575627097', oid: '1.2.250.1.213.1.4.10' },
            status: { existence, authorisation: existence === 'absent' ? null : authorisation, treatingDoctor: mt, mesAttachment: mes, internetAccount: mes, oppositions },
          });
          const status = parseTd02Response(toDocument(response).documentElement!);
          expect(status.existence).toBe(existence);
          if (existence !== 'absent') {
            expect(status).toMatchObject({ authorisation, treatingDoctor: mt, mesAttachment: mes, oppositions });
          } else expect(status.authorisation).toBeNull();
        },
      ),
    );
  });

  it('reads the patient CX it writes and refuses other shapes', () => {
    expect(parsePatientCx(patientCx('297022A02077878', '1.2.250.1.213.1.4.10'))).toEqual({ matricule: '297022A02077878', oid: '1.2.250.1.213.1.4.10' });
    expect(parsePatientCx('207058575627097^^^&1.2.250.1.213.1.4.10&ISO^NH^^20100907')).toEqual({ matricule: '207058575627097', oid: '1.2.250.1.213.1.4.10' });
    expect(parsePatientCx('0456789999^^^&1.2.250.1.999.1.1.7898.2&ISO^PI')).toBeNull();
  });
});

describe('rights matrix (PDT-INF-526)', () => {
  const cps: DmpActor = { credential: 'CPS', profession: '10', treatingDoctor: false, purposeOfUse: 'normal' };
  it('lets a doctor with a CPS consult, feed, mask; a CPE and the structure only feed', () => {
    for (const op of ['TD3.1', 'TD3.2', 'TD2.1', 'TD3.3a', 'TD3.3b', 'TD0.3'] as const) expect(isAllowed(op, cps).allowed, op).toBe(true);
    for (const credential of ['CPE', 'STRUCTURE'] as const) {
      const actor: DmpActor = { credential, profession: null, treatingDoctor: false, purposeOfUse: 'normal' };
      expect(isAllowed('TD2.1', actor).allowed).toBe(true);
      expect(isAllowed('TD3.1-reference', actor).allowed).toBe(true);
      for (const op of ['TD3.1', 'TD3.2', 'TD3.3a', 'TD3.3b', 'TD0.3'] as const) expect(isAllowed(op, actor).allowed, `${credential} ${op}`).toBe(false);
    }
  });
  it('limits emergency modes and deletion', () => {
    expect(isAllowed('TD3.1', { ...cps, purposeOfUse: 'bris_de_glace' }).allowed).toBe(true);
    expect(isAllowed('TD3.3a', { ...cps, purposeOfUse: 'bris_de_glace' }).allowed).toBe(false);
    // PDT-INF-526: a PS non médecin has a régulation column too (TD3.1: oui), but may not archive there.
    expect(isAllowed('TD3.1', { ...cps, profession: '60', purposeOfUse: 'centre_15' }).allowed).toBe(true);
    expect(isAllowed('TD3.3d', { ...cps, profession: '60', purposeOfUse: 'centre_15' }, { own: true, patientDocument: false }).allowed).toBe(false);
    expect(isAllowed('TD3.1', { credential: 'CPE', profession: null, treatingDoctor: false, purposeOfUse: 'bris_de_glace' }).allowed).toBe(false);
    expect(isAllowed('TD3.3c', cps, { own: false, patientDocument: false }).allowed).toBe(false);
    expect(isAllowed('TD3.3c', cps, { own: true, patientDocument: false }).allowed).toBe(true);
    expect(isAllowed('TD3.3d', cps, { own: false, patientDocument: true }).allowed).toBe(false);
    expect(isAllowed('TD3.3d', { ...cps, treatingDoctor: true }, { own: false, patientDocument: true }).allowed).toBe(true);
  });
});
