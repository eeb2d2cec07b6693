/**
 * Issue 14 point 2: one request must never bring `pupitre serve` down. A web page on another port
 * can make the browser send any path (an `<img src>`), so malformed paths and upgrades get a 400
 * and the process keeps serving. Runs against the real CLI process, with a fuzz over request lines.
 */
import fc from 'fast-check';
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRpc, httpGet, startServeProcess, type ServeProcess } from '../../../fixtures/testing/serve-process';

let server: ServeProcess;

beforeAll(async () => {
  server = await startServeProcess();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/** Sends raw bytes, returns the status line's code (0 when the server closed without answering). */
function rawRequest(port: number, raw: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    let data = '';
    const done = (): void => {
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(match === null ? 0 : Number(match[1]));
    };
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      // One response is enough: close instead of waiting for keep-alive to time out.
      if (/\r\n\r\n/.test(data)) socket.destroy();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(raw));
  });
}

const get = (target: string): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://127.0.0.1\r\n\r\n`;

async function stillServing(): Promise<void> {
  expect(server.alive(), server.stderr()).toBe(true);
  expect((await httpGet(server.port, '/')).status).toBe(200);
}

describe('pupitre serve keeps serving after a malformed request (real process)', () => {
  it('answers 400 to paths that do not decode or name no path, and keeps serving', async () => {
    for (const target of ['/%', '/%zz', '/%E0%A4%A', '//', '///', '//evil.example/x', '/a%00b', '/%C0%AF', 'http://127.0.0.1/', '*']) {
      const status = await rawRequest(server.port, get(target));
      expect({ target, status }).toEqual({ target, status: 400 });
      await stillServing();
    }
  });

  it('answers 400 to an upgrade on a malformed path, and still accepts the UI', async () => {
    for (const target of ['//', '///', '/%', '/%zz', '//rpc', '/rpc%']) {
      const status = await rawRequest(server.port, upgrade(target));
      expect({ target, status }).toEqual({ target, status: 400 });
      await stillServing();
    }
    const client = await connectRpc(server);
    expect(await client.call('app.info')).toMatchObject({ ok: true });
    client.close();
  });

  it('still serves the UI and refuses traversal', async () => {
    expect((await httpGet(server.port, '/assets/app.js')).body).toBe('console.log(1)');
    expect((await httpGet(server.port, '/..%2f..%2f..%2fetc%2fpasswd')).body).not.toContain('root:');
    expect([400, 403]).toContain((await httpGet(server.port, '/%2e%2e/%2e%2e/etc/passwd')).status);
  });

  it('survives any request line and any upgrade path (fuzz)', async () => {
    const pathChar = fc.constantFrom(...'/%.\\:?#@;=&+ aZ09EeAa~'.split(''), '%00', '%zz', '%E0', '%A4', '%C0%AF', '%2e', '%2f', 'é', '\u{1F600}', '\uD800');
    const target = fc.oneof(
      fc.array(pathChar, { maxLength: 24 }).map((parts) => `/${parts.join('')}`),
      fc.array(pathChar, { maxLength: 12 }).map((parts) => parts.join('')),
      fc.string({ maxLength: 40 }),
    );
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'PUT', 'DELETE', 'BREW', 'G\u00c9T', '');
    const line = fc.tuple(method, target, fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', '')).map(([m, t, v]) => `${m} ${t} ${v}`.trim());
    await fc.assert(
      fc.asyncProperty(line, fc.boolean(), async (requestLine, asUpgrade) => {
        const head = asUpgrade
          ? upgrade('X').replace('GET X HTTP/1.1', requestLine)
          : `${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
        const status = await rawRequest(server.port, Buffer.from(head, 'utf8'));
        // Whatever the line: an answer below 500 (or a closed socket for a line HTTP cannot carry).
        expect(status === 0 || status < 500, `${JSON.stringify(requestLine)} → ${status}`).toBe(true);
        expect(server.alive(), server.stderr()).toBe(true);
      }),
      { numRuns: 300 },
    );
    await stillServing();
  }, 120_000);
});
