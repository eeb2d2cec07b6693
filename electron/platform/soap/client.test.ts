import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, type IssuedCertificate, type TestCa } from '../../../fixtures/testing/pki';
import { classifyTransportError, HttpClient, TransportError } from '../http';
import { parseXml, serializeXml, xmlNamespace } from '../xml';
import { SoapClient } from './client';
import { buildEnvelope, SoapError, SoapFaultError } from './envelope';
import { buildMtomMessage, newContentId, parseMtomMessage, readBinaryContent, xopInclude } from './mtom';

const XDS = 'urn:ihe:iti:xds-b:2007';
const xds = xmlNamespace(XDS, 'xds');
const RETRIEVE = 'urn:ihe:iti:2007:RetrieveDocumentSet';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

let ca: TestCa;
let serverCert: IssuedCertificate;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  ca = createTestCa();
  serverCert = ca.issue('127.0.0.1', { ips: ['127.0.0.1'] });
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function serve(handler: Handler): Promise<string> {
  const sockets = new Set<Socket>();
  const server = https.createServer({ key: serverCert.keyPem, cert: serverCert.certPem }, (req, res) => {
    void Promise.resolve(handler(req, res)).catch((error: unknown) => {
      res.writeHead(599);
      res.end(String(error));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/DocumentRepository_Service`;
}

function soapClient(responseMs = 5000): SoapClient {
  const http = new HttpClient({ tls: { ca: ca.certPem }, timeouts: { responseMs, totalMs: 60_000 } });
  cleanups.push(() => http.close());
  return new SoapClient(http);
}

function envelope(body: ReturnType<typeof xds.el>): string {
  return serializeXml(buildEnvelope({ addressing: { action: RETRIEVE, messageId: 'urn:uuid:1' }, body }), { declaration: true });
}

const FAULT = (code: string) =>
  envelope(null as never).replace(
    '<soap:Body/>',
    `<soap:Body><soap:Fault><soap:Code><soap:Value>soap:${code}</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="fr">Refus</soap:Text></soap:Reason></soap:Fault></soap:Body>`,
  );

async function reject(promise: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error('expected a rejection');
}

describe('SoapClient', () => {
  it('round-trips a 5 MB binary with MTOM both ways', async () => {
    const document = randomBytes(5 * 1024 * 1024);
    let received: string | null = null;
    const url = await serve(async (req, res) => {
      // The server side of ITI-41/ITI-43, streaming the request.
      const request = await parseMtomMessage(String(req.headers['content-type']), req);
      const root = parseXml(request.root.data).documentElement;
      const include = root?.getElementsByTagNameNS(XDS, 'Document').item(0);
      const bytes = readBinaryContent(include as never, request.attachments);
      received = createHash('sha256').update(bytes).digest('hex');
      const id = newContentId();
      const response = buildMtomMessage({
        envelope: envelope(xds.el('RetrieveDocumentSetResponse', xds.el('DocumentResponse', xds.el('mimeType', 'application/pdf'), xds.el('Document', xopInclude(id))))),
        attachments: [{ contentId: id, contentType: 'application/pdf', data: bytes }],
      });
      res.writeHead(200, { 'content-type': response.contentType, 'content-length': String(response.contentLength) });
      for (const chunk of response.chunks) res.write(chunk);
      res.end();
    });
    const id = newContentId();
    const result = await soapClient().call({
      url,
      action: RETRIEVE,
      envelope: buildEnvelope({
        addressing: { action: RETRIEVE, messageId: 'urn:uuid:2' },
        body: xds.el('ProvideAndRegisterDocumentSetRequest', xds.el('Document', xopInclude(id))),
      }),
      attachments: [{ contentId: id, contentType: 'application/pdf', data: document }],
    });
    expect(received).toBe(createHash('sha256').update(document).digest('hex'));
    expect(result.status).toBe(200);
    expect(result.content.localName).toBe('RetrieveDocumentSetResponse');
    const returned = result.binary(result.content.getElementsByTagNameNS(XDS, 'Document').item(0) as never);
    expect(returned.length).toBe(document.length);
    expect(returned.equals(document)).toBe(true);
  });

  it('sends a plain SOAP 1.2 request with the action in the media type', async () => {
    let contentType = '';
    const url = await serve((req, res) => {
      contentType = String(req.headers['content-type']);
      req.resume();
      res.writeHead(200, { 'content-type': 'application/soap+xml; charset=utf-8' });
      res.end(envelope(xds.el('Ok')));
    });
    const result = await soapClient().call({ url, action: 'urn:x:op', envelope: envelope(xds.el('Query')) });
    expect(contentType).toBe('application/soap+xml; charset=UTF-8; action="urn:x:op"');
    expect(result.content.localName).toBe('Ok');
    expect(result.attachments.size).toBe(0);
  });

  it('returns faults as SoapFaultError, plain (400) or inside multipart/related (ITI-43, 500)', async () => {
    const url = await serve((req, res) => {
      req.resume();
      if (req.url?.includes('multipart')) {
        const message = buildMtomMessage({ envelope: FAULT('Receiver'), attachments: [] });
        res.writeHead(500, { 'content-type': message.contentType });
        for (const chunk of message.chunks) res.write(chunk);
        res.end();
      } else {
        res.writeHead(400, { 'content-type': 'application/soap+xml' });
        res.end(FAULT('Sender'));
      }
    });
    const client = soapClient();
    const sender = await reject(client.call({ url, action: RETRIEVE, envelope: envelope(xds.el('Q')) }));
    expect(sender).toBeInstanceOf(SoapFaultError);
    expect((sender as SoapFaultError).fault.code.local).toBe('Sender');
    expect((sender as SoapFaultError).httpStatus).toBe(400);
    expect(classifyTransportError(sender)).toEqual({ retryable: false, outcomeUnknown: false, code: 'SOAP_FAULT' });
    const receiver = await reject(client.call({ url: `${url}?multipart`, action: RETRIEVE, envelope: envelope(xds.el('Q')) }));
    expect(receiver).toBeInstanceOf(SoapFaultError);
    expect((receiver as SoapFaultError).fault.reason).toBe('Refus');
    expect(classifyTransportError(receiver).retryable).toBe(true);
  });

  it('reports an HTML error page as an HTTP status error', async () => {
    const url = await serve((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end('<html><body>Internal error</body></html>');
    });
    const error = await reject(soapClient().call({ url, action: RETRIEVE, envelope: envelope(xds.el('Q')) }));
    expect(error).toBeInstanceOf(TransportError);
    expect(classifyTransportError(error)).toEqual({ retryable: true, outcomeUnknown: false, code: 'TRANSPORT_HTTP_SERVER_ERROR' });
  });

  it('reports an unreadable 200 response as malformed with an unknown outcome', async () => {
    const bodies: Record<string, [string, string]> = {
      truncated: ['application/soap+xml', envelope(xds.el('Ok')).slice(0, 80)],
      html: ['text/html', '<html>maintenance</html>'],
      notSoap: ['application/soap+xml', '<Envelope><Body/></Envelope>'],
      multipart: ['multipart/related; boundary=B; type="application/xop+xml"', '--B\r\nContent-Type: application/xop+xml\r\n\r\n<e/>\r\n'],
      doctype: ['application/soap+xml', '<!DOCTYPE e [<!ENTITY x "y">]><e>&x;</e>'],
    };
    const url = await serve((req, res) => {
      req.resume();
      const [type, body] = bodies[new URL(req.url ?? '', 'https://x').searchParams.get('case') ?? ''] as [string, string];
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    });
    const client = soapClient();
    for (const name of Object.keys(bodies)) {
      const error = await reject(client.call({ url: `${url}?case=${name}`, action: RETRIEVE, envelope: envelope(xds.el('Q')) }));
      expect(classifyTransportError(error), name).toEqual({ retryable: true, outcomeUnknown: true, code: 'TRANSPORT_MALFORMED_RESPONSE' });
    }
  });

  it('reports a connection closed in the middle of an MTOM response as outcome unknown', async () => {
    const url = await serve((req, res) => {
      req.resume();
      const message = buildMtomMessage({ envelope: envelope(xds.el('Ok')), attachments: [{ contentId: 'a@x', data: Buffer.alloc(200_000, 7) }] });
      res.writeHead(200, { 'content-type': message.contentType, 'content-length': String(message.contentLength) });
      res.write(Buffer.concat([...message.chunks]).subarray(0, 100_000));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const error = await reject(soapClient().call({ url, action: RETRIEVE, envelope: envelope(xds.el('Q')) }));
    expect(error).toBeInstanceOf(TransportError);
    expect(classifyTransportError(error)).toEqual({ retryable: true, outcomeUnknown: true, code: 'TRANSPORT_CONNECTION_LOST' });
  });

  it('times out with an unknown outcome when the service does not answer', async () => {
    const url = await serve((req) => {
      req.resume();
    });
    const error = await reject(soapClient(300).call({ url, action: RETRIEVE, envelope: envelope(xds.el('Q')) }));
    expect(classifyTransportError(error)).toEqual({ retryable: true, outcomeUnknown: true, code: 'TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN' });
  });

  it('reports an xop:Include without its part', async () => {
    const url = await serve((req, res) => {
      req.resume();
      const message = buildMtomMessage({ envelope: envelope(xds.el('R', xds.el('Document', xopInclude('missing@x')))), attachments: [] });
      res.writeHead(200, { 'content-type': message.contentType });
      for (const chunk of message.chunks) res.write(chunk);
      res.end();
    });
    const result = await soapClient().call({ url, action: RETRIEVE, envelope: envelope(xds.el('Q')), mtom: true });
    const element = result.content.getElementsByTagNameNS(XDS, 'Document').item(0);
    expect(() => result.binary(element as never)).toThrow(SoapError);
  });
});
