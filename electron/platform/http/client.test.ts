import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../contract/errors';
import { createTestCa, type IssuedCertificate, type TestCa } from '../../../fixtures/testing/pki';
import { DMP_LPS_TLS, HttpClient, type HttpClientOptions } from './client';
import { classifyTransportError, TransportError } from './errors';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let ca: TestCa;
let server: IssuedCertificate;
let client: IssuedCertificate;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  ca = createTestCa();
  server = ca.issue('127.0.0.1', { ips: ['127.0.0.1'], dns: ['localhost'], extendedKeyUsage: ['serverAuth'] });
  client = ca.issue('INSI-AUTO', { extendedKeyUsage: ['clientAuth'] });
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function listen(s: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  s.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        s.close(() => resolve());
      }),
  );
  return (s.address() as AddressInfo).port;
}

/** An HTTPS server on loopback; `requireClientCertificate` makes it mutual TLS. */
async function httpsServer(handler: Handler, options: { requireClientCertificate?: boolean; tls?: https.ServerOptions } = {}): Promise<string> {
  const s = https.createServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      ca: [ca.certPem],
      requestCert: options.requireClientCertificate === true,
      rejectUnauthorized: options.requireClientCertificate === true,
      ...options.tls,
    },
    handler,
  );
  return `https://127.0.0.1:${await listen(s)}/service`;
}

function newClient(options: HttpClientOptions = {}): HttpClient {
  const c = new HttpClient({ tls: { ca: ca.certPem }, timeouts: { connectMs: 2000, responseMs: 2000, totalMs: 10_000 }, ...options });
  cleanups.push(() => c.close());
  return c;
}

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected a TransportError');
}

function readAll(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

describe('HttpClient', () => {
  it('posts a body given as chunks and reads the response', async () => {
    const url = await httpsServer(async (req, res) => {
      const body = await readAll(req);
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${req.headers['content-length']}:${body.toString()}`);
    });
    const response = await newClient().request({ url, body: [Buffer.from('bon'), Buffer.from('jour')], contentLength: 7 });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('7:bonjour');
  });

  it('reuses the connection for the next request (keep-alive)', async () => {
    const sockets = new Set<unknown>();
    const url = await httpsServer((req, res) => {
      sockets.add(req.socket);
      res.end('ok');
    });
    const c = newClient();
    await c.request({ url });
    await c.request({ url });
    expect(sockets.size).toBe(1);
  });

  it('sends an idempotent request once more when the pooled connection was closed by the server, never another one', async () => {
    // The server answers the first request on each connection, then drops the connection as soon as
    // the next request arrives on it: a keep-alive connection closed just as it is reused.
    const served = new WeakSet<object>();
    let requests = 0;
    const url = await httpsServer(async (req, res) => {
      requests += 1;
      await readAll(req);
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      res.end('ok');
    });
    const c = newClient();
    await c.request({ url, method: 'POST', body: 'premier' });
    const read = await c.request({ url, method: 'POST', body: 'lecture', idempotent: true });
    expect(read.body.toString()).toBe('ok');
    expect(c.stats()).toMatchObject({ connections: 2, reused: 1, retried: 1 });
    // A request that is not idempotent is never sent twice: its outcome stays unknown.
    const e = await failure(c.request({ url, method: 'POST', body: 'envoi' }));
    expect(e.code).toBe('TRANSPORT_CONNECTION_LOST');
    expect(e.outcomeUnknown).toBe(true);
    expect(requests).toBe(4);
    expect(c.stats().retried).toBe(1);
  });

  it('warms a connection that the next request reuses, and never throws while warming', async () => {
    const sockets = new Set<unknown>();
    const url = await httpsServer((req, res) => {
      sockets.add(req.socket);
      res.writeHead(req.method === 'GET' ? 404 : 200).end(req.method);
    });
    const c = newClient();
    await c.warm(url);
    expect(c.stats()).toMatchObject({ connections: 1, reused: 0 });
    const response = await c.request({ url, method: 'POST', body: 'x' });
    expect(response.body.toString()).toBe('POST');
    expect(c.stats()).toMatchObject({ connections: 1, reused: 1 });
    expect(sockets.size).toBe(1);
    await expect(newClient().warm('https://127.0.0.1:1/none')).resolves.toBeUndefined();
  });

  it('times out with an UNKNOWN outcome when the request was sent and no answer came', async () => {
    let received = '';
    const url = await httpsServer(async (req) => {
      received = (await readAll(req)).toString();
      // never answers
    });
    const error = await failure(newClient().request({ url, body: 'document', timeouts: { responseMs: 300 } }));
    expect(received).toBe('document');
    expect(error.code).toBe('TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN');
    expect(classifyTransportError(error)).toEqual({ retryable: true, outcomeUnknown: true, code: 'TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN' });
  });

  it('times out with a CERTAIN failure when the connection never got established', async () => {
    // Accepts TCP but never speaks TLS: the handshake never completes, nothing is sent.
    const silent = net.createServer(() => undefined);
    const port = await listen(silent);
    const error = await failure(newClient().request({ url: `https://127.0.0.1:${port}/`, body: 'x', timeouts: { connectMs: 300 } }));
    expect(error.code).toBe('TRANSPORT_TIMEOUT');
    expect(classifyTransportError(error)).toEqual({ retryable: true, outcomeUnknown: false, code: 'TRANSPORT_TIMEOUT' });
  });

  it('reports a refused connection as certain and retryable', async () => {
    const probe = net.createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await failure(newClient().request({ url: `https://127.0.0.1:${port}/`, body: 'x' }));
    expect(error.code).toBe('TRANSPORT_CONNECTION_REFUSED');
    expect(error.phase).toBe('connect');
    expect(classifyTransportError(error)).toMatchObject({ retryable: true, outcomeUnknown: false });
  });

  it('classifies HTTP statuses: 5xx retryable (502/504 unknown), 4xx final, 429 retryable', async () => {
    const url = await httpsServer((req, res) => {
      res.writeHead(Number(new URL(req.url ?? '/', 'https://x').searchParams.get('status')));
      res.end('<html>erreur</html>');
    });
    const c = newClient();
    const expectations: Array<[number, string, boolean, boolean]> = [
      [500, 'TRANSPORT_HTTP_SERVER_ERROR', true, false],
      [503, 'TRANSPORT_HTTP_SERVER_ERROR', true, false],
      [502, 'TRANSPORT_HTTP_SERVER_ERROR', true, true],
      [504, 'TRANSPORT_HTTP_SERVER_ERROR', true, true],
      [400, 'TRANSPORT_HTTP_CLIENT_ERROR', false, false],
      [404, 'TRANSPORT_HTTP_CLIENT_ERROR', false, false],
      [429, 'TRANSPORT_HTTP_CLIENT_ERROR', true, false],
      [302, 'TRANSPORT_HTTP_UNEXPECTED_STATUS', false, false],
    ];
    for (const [status, code, retryable, outcomeUnknown] of expectations) {
      const error = await failure(c.request({ url: `${url}?status=${status}`, body: 'x' }));
      expect(error.status).toBe(status);
      expect(classifyTransportError(error)).toEqual({ retryable, outcomeUnknown, code });
    }
    const accepted = await c.request({ url: `${url}?status=500`, body: 'x', acceptErrorStatus: true });
    expect(accepted.status).toBe(500);
    expect(accepted.body.toString()).toBe('<html>erreur</html>');
  });

  it('reports a connection closed in the middle of the response as outcome unknown', async () => {
    const url = await httpsServer((req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x'.repeat(100));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const error = await failure(newClient().request({ url, body: 'x' }));
    expect(error.code).toBe('TRANSPORT_CONNECTION_LOST');
    expect(error.phase).toBe('receive');
    expect(classifyTransportError(error)).toMatchObject({ retryable: true, outcomeUnknown: true });
  });

  it('reports a connection reset after the request arrived as outcome unknown', async () => {
    const url = await httpsServer(async (req) => {
      await readAll(req);
      req.socket.destroy();
    });
    const error = await failure(newClient().request({ url, body: 'x' }));
    expect(error.code).toBe('TRANSPORT_CONNECTION_LOST');
    expect(error.outcomeUnknown).toBe(true);
  });

  it('reports a reset while the body is still being sent as a certain failure', async () => {
    const url = await httpsServer((req) => {
      req.once('data', () => req.socket.destroy());
    });
    const chunk = Buffer.alloc(512 * 1024, 0x41);
    const chunks = function* (): Generator<Buffer> {
      for (let i = 0; i < 128; i++) yield chunk; // 64 MiB: more than any socket buffer holds
    };
    const error = await failure(newClient().request({ url, body: chunks(), contentLength: 128 * chunk.length }));
    expect(error.phase).toBe('send');
    expect(error.code).toBe('TRANSPORT_CONNECTION_RESET');
    expect(classifyTransportError(error)).toMatchObject({ retryable: true, outcomeUnknown: false });
  });

  it('bounds the response size, declared or streamed', async () => {
    const url = await httpsServer((req, res) => {
      if (req.url?.includes('chunked')) {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write('y'.repeat(1000));
        res.end();
      } else {
        res.writeHead(200, { 'content-length': '5000' });
        res.end('z'.repeat(5000));
      }
    });
    const c = newClient({ maxResponseBytes: 4000 });
    expect((await failure(c.request({ url }))).code).toBe('TRANSPORT_RESPONSE_TOO_LARGE');
    const streamed = await failure(c.request({ url: `${url}?chunked` }));
    expect(streamed.code).toBe('TRANSPORT_RESPONSE_TOO_LARGE');
    expect(classifyTransportError(streamed)).toMatchObject({ retryable: false, outcomeUnknown: true });
  });

  it('aborts: before sending (certain) and while waiting for the answer (unknown)', async () => {
    const url = await httpsServer(() => undefined);
    const c = newClient();
    const before = new AbortController();
    before.abort();
    const early = await failure(c.request({ url, body: 'x', signal: before.signal }));
    expect(early.code).toBe('TRANSPORT_ABORTED');
    expect(early.outcomeUnknown).toBe(false);
    const during = new AbortController();
    const pending = c.request({ url, body: 'x', signal: during.signal });
    setTimeout(() => during.abort(), 200);
    const late = await failure(pending);
    expect(late.code).toBe('TRANSPORT_ABORTED');
    expect(late.outcomeUnknown).toBe(true);
  });

  it('refuses plain http unless explicitly allowed', async () => {
    const s = http.createServer((_req, res) => res.end('plain'));
    const port = await listen(s);
    expect(() => newClient().stream({ url: `http://127.0.0.1:${port}/` })).toThrow(TypeError);
    const response = await newClient({ allowPlainHttp: true }).request({ url: `http://127.0.0.1:${port}/` });
    expect(response.body.toString()).toBe('plain');
  });
});

describe('HttpClient with mutual TLS', () => {
  const identify: Handler = (req, res) => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    res.end(String(peer.subject?.CN ?? ''));
  };

  it('presents a PEM client certificate', async () => {
    const url = await httpsServer(identify, { requireClientCertificate: true });
    const c = newClient({ tls: { ca: ca.certPem, clientCertificate: { kind: 'pem', key: client.keyPem, cert: client.certPem } } });
    expect((await c.request({ url })).body.toString()).toBe('INSI-AUTO');
  });

  it('offers the DMP\'s four suites over TLS 1.2 (PDT-INF-579), AES-GCM first, ChaCha20 still accepted', async () => {
    const cipherName: Handler = (req, res) => res.end((req.socket as TLSSocket).getCipher().name);
    const suites = 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-GCM-SHA384';
    expect(new Set(DMP_LPS_TLS.ciphers?.split(':'))).toEqual(new Set(suites.split(':')));
    const dmpClient = newClient({ tls: { ca: ca.certPem, ...DMP_LPS_TLS } });
    // A server that follows the client's preference (Node's servers follow their own unless told).
    const any = await httpsServer(cipherName, { tls: { ciphers: suites, maxVersion: 'TLSv1.2', honorCipherOrder: false } });
    expect((await dmpClient.request({ url: any })).body.toString()).toBe('ECDHE-RSA-AES128-GCM-SHA256');
    const chachaOnly = await httpsServer(cipherName, { tls: { ciphers: 'ECDHE-RSA-CHACHA20-POLY1305', maxVersion: 'TLSv1.2' } });
    expect((await dmpClient.request({ url: chachaOnly })).body.toString()).toBe('ECDHE-RSA-CHACHA20-POLY1305');
  });

  it('presents a PKCS#12 client certificate protected by a passphrase', async () => {
    const url = await httpsServer(identify, { requireClientCertificate: true });
    const c = newClient({ tls: { ca: ca.certPem, clientCertificate: { kind: 'pfx', pfx: client.pfx('secret'), passphrase: 'secret' } } });
    expect((await c.request({ url })).body.toString()).toBe('INSI-AUTO');
  });

  it('reports a wrong PKCS#12 passphrase when the client is built', () => {
    let error: unknown;
    try {
      new HttpClient({ tls: { clientCertificate: { kind: 'pfx', pfx: client.pfx('secret'), passphrase: 'wrong' } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('TRANSPORT_CLIENT_CERTIFICATE_INVALID');
  });

  it('fails with TRANSPORT_TLS_FAILED, certain and final, when the server refuses the client', async () => {
    const url = await httpsServer(identify, { requireClientCertificate: true });
    const anonymous = await failure(newClient().request({ url, body: 'x' }));
    expect(anonymous.code).toBe('TRANSPORT_TLS_FAILED');
    expect(anonymous.phase).toBe('connect');
    expect(classifyTransportError(anonymous)).toEqual({ retryable: false, outcomeUnknown: false, code: 'TRANSPORT_TLS_FAILED' });
    const stranger = createTestCa('Autre AC').issue('INSI-MANU');
    const foreign = await failure(
      newClient({ tls: { ca: ca.certPem, clientCertificate: { kind: 'pem', key: stranger.keyPem, cert: stranger.certPem } } }).request({ url, body: 'x' }),
    );
    // The server may answer with an alert or simply drop the handshake: either way nothing was sent.
    expect(['TRANSPORT_TLS_FAILED', 'TRANSPORT_CONNECTION_RESET']).toContain(foreign.code);
    expect(foreign.phase).toBe('connect');
    expect(foreign.outcomeUnknown).toBe(false);
  });

  it('fails with TRANSPORT_TLS_FAILED when the server certificate is not trusted', async () => {
    const url = await httpsServer(identify);
    const error = await failure(new HttpClient({ tls: { ca: createTestCa('Autre AC').certPem } }).request({ url }));
    expect(error.code).toBe('TRANSPORT_TLS_FAILED');
    expect(error.phase).toBe('connect');
    expect(error.systemCode).toBeDefined();
  });
});

describe('classifyTransportError', () => {
  it('classifies errors that did not come from the HTTP client', () => {
    expect(classifyTransportError(new AppError('NOT_AVAILABLE_YET'))).toEqual({ retryable: false, outcomeUnknown: false, code: 'NOT_AVAILABLE_YET' });
    expect(classifyTransportError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toEqual({
      retryable: true,
      outcomeUnknown: true,
      code: 'TRANSPORT_CONNECTION_LOST',
    });
    expect(classifyTransportError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({
      retryable: true,
      outcomeUnknown: false,
      code: 'TRANSPORT_CONNECTION_REFUSED',
    });
    expect(classifyTransportError(new Error('bug'))).toEqual({ retryable: false, outcomeUnknown: true, code: 'INTERNAL' });
    expect(classifyTransportError('not even an error')).toEqual({ retryable: false, outcomeUnknown: true, code: 'INTERNAL' });
  });
});
