import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';
import { RPC_PROTOCOL, startWebSocketHost, TOKEN_PROTOCOL_PREFIX, type WebSocketHost } from './websocket';

let host: TestHost;
let server: WebSocketHost;
let staticDir: string;

beforeEach(async () => {
  host = await createTestHost();
  staticDir = mkdtempSync(join(tmpdir(), 'pupitre-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pupitre</title>');
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  server = await startWebSocketHost({ dispatcher: host.dispatcher, logger: host.logger, staticDir });
});
afterEach(async () => {
  await server.close();
  await host.close();
});

function connect(options: { token?: string | null; origin?: string | null }): Promise<WebSocket> {
  const protocols = [RPC_PROTOCOL];
  if (options.token !== null) protocols.push(`${TOKEN_PROTOCOL_PREFIX}${options.token ?? server.token}`);
  const headers: Record<string, string> = {};
  if (options.origin !== null) headers.Origin = options.origin ?? `http://127.0.0.1:${server.port}`;
  const ws = new WebSocket(server.url, protocols, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, frame: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const parsed = JSON.parse(data.toString()) as Record<string, unknown>;
      if (parsed.kind !== 'response') return;
      ws.off('message', onMessage);
      resolve(parsed);
    };
    ws.on('message', onMessage);
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('WebSocket host (pupitre serve)', () => {
  it('listens on loopback only', () => {
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/rpc$/);
    expect(server.appUrl).toContain(`#token=${server.token}`);
  });

  it('refuses a connection without the token', async () => {
    await expect(connect({ token: null })).rejects.toThrow('HTTP 401');
  });

  it('refuses a connection with a wrong token', async () => {
    await expect(connect({ token: 'f'.repeat(48) })).rejects.toThrow('HTTP 401');
  });

  it('refuses a foreign Origin, and a missing one', async () => {
    await expect(connect({ origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect({ origin: null })).rejects.toThrow('HTTP 403');
  });

  it('accepts an origin added to the allow-list by settings', async () => {
    await server.close();
    server = await startWebSocketHost({
      dispatcher: host.dispatcher,
      logger: host.logger,
      extraOrigins: () => ['https://logiciel-cabinet.local'],
    });
    const ws = await connect({ origin: 'https://logiciel-cabinet.local' });
    expect(await call(ws, { kind: 'request', id: 1, method: 'app.info', params: {} })).toMatchObject({ ok: true });
    ws.close();
  });

  it('answers bad messages with an error code and keeps serving', async () => {
    const ws = await connect({});
    expect(await call(ws, { kind: 'request', id: 1, method: 'nope', params: {} })).toMatchObject({ id: 1, ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(await call(ws, { kind: 'request', id: 2, method: 'audit.list', params: { limit: 'all' } })).toMatchObject({ id: 2, ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await call(ws, '{not json')).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    expect(await call(ws, { kind: 'request', id: 3, method: 'app.info', params: {} })).toMatchObject({ id: 3, ok: true, result: { transport: 'in-process' } });
    ws.close();
  });

  it('closes a connection that sends a message above the bound, and still accepts new ones', async () => {
    const ws = await connect({});
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send('x'.repeat(33 * 1024 * 1024));
    expect(await closed).toBe(1009);
    const again = await connect({});
    expect(await call(again, { kind: 'request', id: 9, method: 'app.info', params: {} })).toMatchObject({ ok: true });
    again.close();
  });

  it('pushes validated events to connected clients', async () => {
    const ws = await connect({});
    const event = new Promise<Record<string, unknown>>((resolve) => ws.on('message', (data) => resolve(JSON.parse(data.toString()))));
    host.dispatcher.emit('settings.changed', { key: 'environment' });
    expect(await event).toEqual({ kind: 'event', event: 'settings.changed', payload: { key: 'environment' } });
    ws.close();
  });

  it('serves the UI with a strict CSP and never outside its folder', async () => {
    const get = (path: string) =>
      new Promise<{ status: number; csp: string | undefined; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, csp: res.headers['content-security-policy'] as string | undefined, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.csp).toContain("script-src 'self'");
    // 'wasm-unsafe-eval' (WebAssembly only, for the webcam decoder) is not JavaScript eval.
    expect(index.csp).not.toContain("'unsafe-eval'");
    expect((await get('/assets/app.js')).body).toBe('console.log(1)');
    const traversal = await get('/..%2f..%2f..%2fetc%2fpasswd');
    expect(traversal.body).not.toContain('root:');
  });
});
