/**
 * Mutual TLS on loopback, as the INSi simulator and the real INSi mTLS endpoint do it: the server
 * demands a client certificate issued by the (demo) IGC; INSI-AUTO from the PKCS#12 file gets in,
 * no certificate or a certificate from another CA does not.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { request, createServer, type RequestOptions, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSharedTestPki, type DemoPki } from '../../../fixtures/sim/pki';
import { isAppError } from '../../contract/errors';
import { loadTlsClientCredentials, tlsCredentialsFromPem, tlsCredentialsFromPkcs12, tlsPfxCredentials } from './tls';

let pki: DemoPki;
let server: Server;
let port: number;
let served = 0;

beforeAll(async () => {
  pki = await ensureSharedTestPki();
  server = createServer(
    {
      key: pki.server.privateKeyPem,
      cert: pki.server.chainPem.slice(0, 2).join(''),
      ca: pki.caBundlePem,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      served += 1;
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ cn: peer.subject?.CN, ou: peer.subject?.OU }));
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

type Outcome = { status: number; body: { cn?: string; ou?: string } } | { error: string };

function call(options: RequestOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/lps', method: 'GET', agent: false, ...options }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { cn?: string } }));
      res.on('error', (error) => resolve({ error: String((error as NodeJS.ErrnoException).code ?? error.message) }));
    });
    req.on('error', (error) => resolve({ error: String((error as NodeJS.ErrnoException).code ?? error.message) }));
    req.end();
  });
}

describe('mutual TLS with structure certificates', () => {
  it('lets the INSI-AUTO PKCS#12 credentials in, and the server reads the CN and structure OU', async () => {
    const credentials = tlsCredentialsFromPkcs12(await readFile(pki.structure.insiAuto.paths.pkcs12), pki.pkcs12Passphrase, {
      serverCa: [pki.rootCa.certificatePem],
    });
    expect(credentials.ca).toEqual([pki.rootCa.certificatePem]);
    // The client presents its certificate and the intermediate, not the root (RFC 8446 §4.4.2).
    expect(credentials.cert).toBe(pki.structure.insiAuto.chainPem.slice(0, 2).join(''));
    const outcome = await call(credentials);
    expect(outcome).toEqual({ status: 200, body: { cn: 'INSI-AUTO', ou: pki.structure.identity.identifier } });
  });

  it('works the same with the raw PKCS#12 handed to the TLS stack', async () => {
    const credentials = tlsPfxCredentials(await readFile(pki.structure.insiManu.paths.pkcs12), pki.pkcs12Passphrase, {
      serverCa: [pki.rootCa.certificatePem],
    });
    expect(await call(credentials)).toMatchObject({ status: 200, body: { cn: 'INSI-MANU' } });
  });

  it('works from PEM files of the key, certificate and chain', async () => {
    const credential = pki.structure.dmpAuthentication;
    const credentials = await loadTlsClientCredentials(
      { kind: 'pem', privateKeyPath: credential.paths.privateKeyPem, certificatePath: credential.paths.certificatePem, chainPaths: [pki.paths.caBundle] },
      { serverCa: [pki.rootCa.certificatePem] },
    );
    expect(await call(credentials)).toMatchObject({ status: 200, body: { cn: 'PUPITRE DEMO DMP AUTH_CLI' } });
  });

  it('refuses a client without a certificate', async () => {
    const before = served;
    const outcome = await call({ ca: [pki.rootCa.certificatePem] });
    // TLS 1.3: the server's "certificate required" alert, or the reset that follows it.
    expect('error' in outcome && outcome.error).toMatch(/CERTIFICATE_REQUIRED|ECONNRESET|EPIPE/);
    expect(served).toBe(before);
  });

  it('refuses a client certificate from another CA, even named INSI-AUTO', async () => {
    const foreign = tlsCredentialsFromPem(
      { privateKey: pki.foreign.insiAuto.privateKeyPem, certificate: pki.foreign.insiAuto.certificatePem, chain: pki.foreign.insiAuto.chainPem },
      { serverCa: [pki.rootCa.certificatePem] },
    );
    const before = served;
    const outcome = await call(foreign);
    expect('error' in outcome && outcome.error).toMatch(/UNKNOWN_CA|ECONNRESET|EPIPE/);
    expect(served).toBe(before);
  });

  it('refuses a server whose certificate is not from the expected CA', async () => {
    const credentials = tlsCredentialsFromPkcs12(await readFile(pki.structure.insiAuto.paths.pkcs12), pki.pkcs12Passphrase, {
      serverCa: [pki.foreign.rootCa.certificatePem],
    });
    expect(await call(credentials)).toEqual({ error: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' });
  });

  it('reports a wrong PKCS#12 passphrase before any connection', async () => {
    const p12 = await readFile(pki.structure.insiAuto.paths.pkcs12);
    for (const make of [() => tlsCredentialsFromPkcs12(p12, 'faux'), () => tlsPfxCredentials(p12, 'faux')]) {
      try {
        make();
        expect.unreachable();
      } catch (error) {
        expect(isAppError(error) && error.code).toBe('CRYPTO_PASSPHRASE_INCORRECT');
      }
    }
  });
});
