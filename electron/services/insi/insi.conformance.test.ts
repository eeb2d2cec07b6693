/**
 * INSi against the official material (shared/reference):
 * - every outgoing part validates against the official XSDs: RECSANSVITALE and RECVITALE bodies,
 *   ContexteLPS, ContexteBAM (with and without COUVERTURE), wsse:Security with the signed
 *   assertion PS (SAML 2.0 schema);
 * - the official example response WS_INS2_rechercherInsAvecTraitsIdentite_reponse.xml parses to the
 *   right INS, key, OID and traits;
 * - the official example request's body is read by the simulator's rules (same shape as ours).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Element } from '@xmldom/xmldom';
import { beforeAll, expect, it } from 'vitest';
import { describeWithPrerequisites, hasReference, referenceDir, type PrerequisiteCheck } from '../../../fixtures/testing/tier';
import { hasXmllint, validateAgainstXsd } from '../../../fixtures/testing/xsd';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { DEMO_LPS, demoPractitionerSession } from '../../../fixtures/wiring/insi';
import { createManualClock } from '../../platform/clock';
import { WSSE_NS, parseEnvelope } from '../../platform/soap';
import { childElements, serializeElement, serializeXml, toDocument } from '../../platform/xml';
import { InsiClient, type EnvelopeRequest } from './client';
import { INSI_NS, recSansVitale, recVitale } from './request';
import { parseInsiResponse } from './response';

const both: PrerequisiteCheck = () => hasReference() ?? hasXmllint();
const xsd = (...path: string[]) => join(referenceDir() as string, 'insi', 'xsd', ...path);

function valid(element: Element, schema: string): void {
  const result = validateAgainstXsd(serializeElement(element), schema);
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

function header(envelope: ReturnType<typeof parseEnvelope>, ns: string, local: string): Element {
  const found = envelope.headers.find((h) => h.namespaceURI === ns && h.localName === local);
  if (found === undefined) throw new Error(`missing header ${local}`);
  return found;
}

let pki: DemoPki;
const clock = createManualClock(Date.UTC(2026, 0, 15, 9));
const client = new InsiClient({ transport: () => ({ stream: () => Promise.reject(new Error('not used')) }), endpoint: () => 'https://127.0.0.1/', lps: () => DEMO_LPS, clock });

describeWithPrerequisites('conformance', both, 'INSi requests against the official XSDs', () => {
  beforeAll(async () => {
    pki = await ensureSharedTestPki();
  });

  async function built(request: Omit<EnvelopeRequest, 'credentials'>, mode: 'cps' | 'structure') {
    const session = demoPractitionerSession(pki.practitioner);
    const credentials = mode === 'cps' ? { mode: 'cps' as const, ...session } : { mode: 'structure' as const, emitter: '10B9990001' };
    const { envelope } = await client.buildEnvelope({ ...request, credentials });
    return parseEnvelope(serializeXml(envelope));
  }

  it('rechercherInsAvecTraitsIdentite in card mode: body, ContexteLPS, ContexteBAM and the signed assertion are valid', async () => {
    const envelope = await built(
      { operation: 'traits', body: recSansVitale({ birthName: "D'ARTAGNAN DE L'HERAULT", givenNames: 'PIERRE-ALAIN', sex: 'M', birthDate: '2001-06-17', birthPlaceCode: '63220' }) },
      'cps',
    );
    valid(envelope.content as Element, xsd('ServiceIdentiteCertifiee', 'INSi_RECSANS_INS.xsd'));
    valid(header(envelope, INSI_NS.ctxLps, 'ContexteLPS'), xsd('CTX', 'ROOT_ctxlps_CTXLPS_V01_00.xsd'));
    valid(header(envelope, INSI_NS.ctxBam, 'ContexteBAM'), xsd('CTX', 'ROOT_ctxbam_CTXBAM_V01_02.xsd'));
    const security = header(envelope, WSSE_NS, 'Security');
    valid(security, xsd('WSSE', 'Security.xsd'));
    const assertion = childElements(security)[0] as Element;
    valid(assertion, xsd('SAML', 'saml-schema-assertion-2.0.xsd'));
    expect(envelope.addressing.action).toBe('urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite');
    expect(envelope.addressing.messageId).toMatch(/^uuid:[0-9a-f-]{36}$/);
  });

  it('a partial birth date (lunar date) and no birth place stay valid', async () => {
    const envelope = await built({ operation: 'traits', body: recSansVitale({ birthName: 'NGUYEN', givenNames: 'VAN MINH', sex: 'M', birthDate: '1952-00-00', birthPlaceCode: null }) }, 'structure');
    valid(envelope.content as Element, xsd('ServiceIdentiteCertifiee', 'INSi_RECSANS_INS.xsd'));
    expect(envelope.headers.some((h) => h.localName === 'Security')).toBe(false);
  });

  it('rechercherInsAvecCarteVitale: RECVITALE and a ContexteBAM with COUVERTURE are valid', async () => {
    const envelope = await built(
      {
        operation: 'vitale',
        body: recVitale({ beneficiaryNumber: '2751263220749', insuredNumber: '1750163220123', birthName: 'ADRUN', birthDate: '1975-12-31', birthRank: 1 }),
        coverage: { insured: { number: '1750163220123', key: '52' }, beneficiary: { number: '2751263220749', key: '74', birthDate: '1975-12-31', rank: 1 } },
      },
      'cps',
    );
    valid(envelope.content as Element, xsd('ServiceIdentiteCertifiee', 'INSi_RECVITALE_INS.xsd'));
    valid(header(envelope, INSI_NS.ctxBam, 'ContexteBAM'), xsd('CTX', 'ROOT_ctxbam_CTXBAM_V01_02.xsd'));
  });

  it('a body in the wrong element order is refused by the XSD (the check is real)', () => {
    const good = toDocument(recSansVitale({ birthName: 'ADRUN', givenNames: 'ZOE', sex: 'F', birthDate: '1975-12-31', birthPlaceCode: null })).documentElement as Element;
    const sexe = childElements(good, INSI_NS.recSans, 'Sexe')[0] as Element;
    good.insertBefore(sexe, good.firstChild);
    expect(validateAgainstXsd(serializeElement(good), xsd('ServiceIdentiteCertifiee', 'INSi_RECSANS_INS.xsd')).valid).toBe(false);
  });
});

describeWithPrerequisites('conformance', hasReference, 'INSi official example messages', () => {
  const example = (name: string) => readFileSync(join(referenceDir() as string, 'dmp', 'examples', name));

  it('parses the official response to the right INS, key, OID and traits', () => {
    const result = parseInsiResponse(example('WS_INS2_rechercherInsAvecTraitsIdentite_reponse.xml'));
    expect(result.code).toBe('00');
    expect(result.label).toBe('OK');
    expect(result.identity?.active).toEqual({
      number: '2070585756270',
      key: '97',
      keyValid: true,
      matricule: '207058575627097',
      oid: '1.2.250.1.213.1.4.8',
      kind: 'NIR',
    });
    expect(result.identity?.history).toEqual([]);
    expect(result.identity?.traits).toEqual({
      birthName: 'PATB-QUATRE',
      birthGivenNames: 'LAURENCE',
      firstGivenName: 'LAURENCE',
      sex: 'F',
      birthDate: '1907-05-25',
      birthPlaceCode: '85756',
    });
  });

  it('the official request body has the shape our builder writes', () => {
    const envelope = parseEnvelope(example('WS_INS2_rechercherInsAvecTraitsIdentite_requete.xml'));
    const official = serializeElement(envelope.content as Element).replace(/\s+</g, '<').replace(/>\s+/g, '>');
    const ours = serializeXml(recSansVitale({ birthName: 'PATB-QUATRE', givenNames: 'LAURENCE', sex: 'F', birthDate: '1907-05-25', birthPlaceCode: null }));
    const names = (xml: string) => [...xml.matchAll(/<([A-Za-z0-9_]+:)?([A-Za-z]+)[ >/]/g)].map((m) => m[2]);
    expect(names(ours)).toEqual(names(official));
    const textOf = (xml: string) => [...xml.matchAll(/>([^<]+)</g)].map((m) => m[1]);
    expect(textOf(ours)).toEqual(textOf(official));
  });
});
