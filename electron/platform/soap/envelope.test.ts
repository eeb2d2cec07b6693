import type { Element } from '@xmldom/xmldom';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../contract/errors';
import { classifyTransportError } from '../http';
import { attr, hasForbiddenXmlChar, parseXml, serializeXml, textOf, xmlNamespace, xmlNs } from '../xml';
import {
  buildEnvelope,
  newMessageId,
  parseEnvelope,
  serializeEnvelope,
  SOAP11_NS,
  SOAP12_NS,
  SoapError,
  SoapFaultError,
  WSA_NS,
  WSSE_NS,
} from './envelope';

const ins = xmlNamespace('http://www.cnamts.fr/INSiRecSans', 'ins');
const lps = xmlNamespace('urn:siram:lps:ctxlps', 'urn1');
const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

// Shape of an INSi fault (Sender / siram_* subcode / siram:Erreur detail), as public INSi client
// fixtures show it; the texts here are made up.
const INSI_FAULT = `<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><env:Body xmlns:env="http://www.w3.org/2003/05/soap-envelope">
<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>soap:siram_100</soap:Value></soap:Subcode></soap:Code>
<soap:Reason><soap:Text xml:lang="en">Not allowed</soap:Text><soap:Text xml:lang="fr">Accès refusé pour ce logiciel.</soap:Text></soap:Reason>
<soap:Detail><siram:Erreur xmlns:siram="urn:siram" code="desir_550" severite="erreur" messageID="uuid:1">Numéro d'autorisation inconnu.</siram:Erreur></soap:Detail>
</soap:Fault></env:Body></soap:Envelope>`;

describe('SOAP 1.2 envelope', () => {
  it('builds WS-Addressing headers, extra headers and a WS-Security header around a DOM assertion', () => {
    const assertion = parseXml(`<saml2:Assertion xmlns:saml2="${SAML_NS}" ID="_1" Version="2.0"><saml2:Issuer>CN=x</saml2:Issuer></saml2:Assertion>`);
    const xml = serializeEnvelope({
      addressing: { action: 'urn:ihe:iti:2007:RegistryStoredQuery', messageId: 'urn:uuid:0b6f4648-f2e9-4a06-94fd-c563a807212f', to: 'https://dmp.example/registry', replyTo: true },
      headers: lps.el('ContexteLPS', attr('Version', '01_00'), lps.el('Id', 'ecd08001')),
      security: assertion,
      body: ins.el('RECSANSVITALE', ins.el('NomNaissance', 'PATB-QUATRE')),
    });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Header>')).toBe(true);
    expect(xml).toContain(
      '<wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">urn:uuid:0b6f4648-f2e9-4a06-94fd-c563a807212f</wsa:MessageID>',
    );
    expect(xml).toContain('<wsa:ReplyTo xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>');
    expect(xml).toContain('<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing" soap:mustUnderstand="true">urn:ihe:iti:2007:RegistryStoredQuery</wsa:Action>');

    const parsed = parseEnvelope(xml);
    expect(parsed.version).toBe('1.2');
    expect(parsed.headers.map((h) => h.localName)).toEqual(['MessageID', 'To', 'ReplyTo', 'Action', 'ContexteLPS', 'Security']);
    expect(parsed.addressing).toEqual({
      action: 'urn:ihe:iti:2007:RegistryStoredQuery',
      messageId: 'urn:uuid:0b6f4648-f2e9-4a06-94fd-c563a807212f',
      to: 'https://dmp.example/registry',
    });
    const security = parsed.headers[5] as Element;
    expect(security.namespaceURI).toBe(WSSE_NS);
    expect((security.firstChild as Element).namespaceURI).toBe(SAML_NS);
    expect(parsed.content?.localName).toBe('RECSANSVITALE');
    expect(parsed.fault).toBeNull();
  });

  it('omits the header when there is none and can drop mustUnderstand', () => {
    expect(serializeXml(buildEnvelope({ body: ins.el('X') }))).toBe(
      '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><ins:X xmlns:ins="http://www.cnamts.fr/INSiRecSans"/></soap:Body></soap:Envelope>',
    );
    const xml = serializeXml(buildEnvelope({ addressing: { action: 'a', messageId: 'm', mustUnderstand: false }, body: null }));
    expect(xml).not.toContain('mustUnderstand');
    expect(newMessageId()).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
  });

  it('parses an INSi-style SOAP 1.2 fault into codes, reason and detail', () => {
    const parsed = parseEnvelope(INSI_FAULT);
    const fault = parsed.fault;
    expect(fault?.code).toEqual({ ns: SOAP12_NS, local: 'Sender' });
    expect(fault?.subcodes).toEqual([{ ns: SOAP12_NS, local: 'siram_100' }]);
    expect(fault?.reason).toBe('Accès refusé pour ce logiciel.');
    expect(fault?.reasons).toHaveLength(2);
    const erreur = fault?.detailEntries[0] as Element;
    expect(erreur.namespaceURI).toBe('urn:siram');
    expect(erreur.getAttribute('code')).toBe('desir_550');
    expect(textOf(erreur)).toBe("Numéro d'autorisation inconnu.");
  });

  it('turns a fault into a typed error whose details carry codes only', () => {
    const error = new SoapFaultError(parseEnvelope(INSI_FAULT).fault as never, 400);
    expect(error.code).toBe('SOAP_FAULT');
    expect(error.toWire().details).toEqual({ faultCode: 'Sender', subcodes: ['siram_100'], httpStatus: 400 });
    expect(JSON.stringify(error.toWire())).not.toContain('autorisation inconnu');
    expect(classifyTransportError(error)).toEqual({ retryable: false, outcomeUnknown: false, code: 'SOAP_FAULT' });
    const receiver = parseEnvelope(INSI_FAULT.replace('soap:Sender', 'soap:Receiver')).fault;
    expect(classifyTransportError(new SoapFaultError(receiver as never, 500))).toEqual({ retryable: true, outcomeUnknown: false, code: 'SOAP_FAULT' });
  });

  it('accepts SOAP 1.1 only when asked, and refuses what is not an envelope', () => {
    const soap11 = `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>`;
    expect(() => parseEnvelope(soap11)).toThrow(SoapError);
    const parsed = parseEnvelope(soap11, { allowSoap11: true });
    expect(parsed.version).toBe('1.1');
    expect(parsed.fault?.code).toEqual({ ns: SOAP11_NS, local: 'Client' });
    expect(parsed.fault?.reason).toBe('bad');
    expect(() => parseEnvelope('<Envelope/>')).toThrow(SoapError);
    expect(() => parseEnvelope(`<soap:Envelope xmlns:soap="${SOAP12_NS}"><soap:Header/></soap:Envelope>`)).toThrow(SoapError);
    expect(() => parseEnvelope(`<soap:Envelope xmlns:soap="${SOAP12_NS}"><soap:Body><soap:Fault/></soap:Body></soap:Envelope>`)).toThrow(SoapError);
  });

  it('reads WS-Addressing headers of a response', () => {
    const parsed = parseEnvelope(
      `<soap:Envelope xmlns:soap="${SOAP12_NS}"><soap:Header><Action xmlns="${WSA_NS}">urn:x:Response</Action>` +
        `<RelatesTo xmlns="${WSA_NS}">urn:uuid:1</RelatesTo></soap:Header><soap:Body><r/></soap:Body></soap:Envelope>`,
    );
    expect(parsed.addressing).toEqual({ action: 'urn:x:Response', relatesTo: 'urn:uuid:1' });
  });

  it('reads back any fault it could be sent (property)', () => {
    const soap = xmlNamespace(SOAP12_NS, 'env');
    const text = fc.string({ maxLength: 40 }).filter((t) => !hasForbiddenXmlChar(t) && t.trim() === t);
    const local = fc.stringMatching(/^[a-z][a-z0-9_]{0,12}$/);
    fc.assert(
      fc.property(fc.constantFrom('Sender', 'Receiver', 'MustUnderstand'), fc.array(local, { maxLength: 3 }), text, (code, subcodes, reason) => {
        const subcode = (rest: string[]): ReturnType<typeof soap.el> | null =>
          rest.length === 0 ? null : soap.el('Subcode', soap.el('Value', `env:${rest[0]}`), subcode(rest.slice(1)));
        const xml = serializeXml(
          soap.el(
            'Envelope',
            soap.el(
              'Body',
              soap.el('Fault', soap.el('Code', soap.el('Value', `env:${code}`), subcode(subcodes)), soap.el('Reason', soap.el('Text', xmlNs.attr('lang', 'fr'), reason))),
            ),
          ),
        );
        const fault = parseEnvelope(xml).fault;
        expect(fault?.code).toEqual({ ns: SOAP12_NS, local: code });
        expect(fault?.subcodes.map((s) => s.local)).toEqual(subcodes);
        expect(fault?.reason).toBe(reason);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws anything but a typed error on arbitrary input (property)', () => {
    const fragments = fc.constantFrom(
      `<soap:Envelope xmlns:soap="${SOAP12_NS}">`,
      '<soap:Header>',
      '</soap:Header>',
      '<soap:Body>',
      '</soap:Body>',
      '<soap:Fault>',
      '</soap:Fault>',
      '<soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>',
      '</soap:Envelope>',
      '<x/>',
      'text',
    );
    fc.assert(
      fc.property(fc.array(fragments, { maxLength: 12 }), (parts) => {
        try {
          parseEnvelope(parts.join(''));
        } catch (error) {
          expect(isAppError(error)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
