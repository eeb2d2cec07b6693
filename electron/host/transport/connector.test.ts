/**
 * Issue 14, point 6: a web page of an allowed origin (a web practice software using Pupitre as a
 * local connector) reaches an explicit allow-list of methods and events, nothing else; security-
 * sensitive settings (PKCS#11 module, endpoints, allowed origins) change only from the desk's
 * own UI or the terminal, after a confirmation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestHost, type TestHost } from '../../../fixtures/testing/host';
import { CONNECTOR_EVENTS, CONNECTOR_METHODS } from '../../contract/connector';
import { RPC_PROTOCOL, startWebSocketHost, TOKEN_PROTOCOL_PREFIX, type WebSocketHost } from './websocket';

const PRACTICE_SOFTWARE = 'https://logiciel-cabinet.example';

let host: TestHost;
let server: WebSocketHost;

beforeEach(async () => {
  host = await createTestHost();
  server = await startWebSocketHost({ dispatcher: host.dispatcher, logger: host.logger, extraOrigins: () => [PRACTICE_SOFTWARE] });
});
afterEach(async () => {
  await server.close();
  await host.close();
});

function connect(origin: string): Promise<WebSocket> {
  const ws = new WebSocket(server.url, [RPC_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${server.token}`], { headers: { Origin: origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let nextId = 1;
function call(ws: WebSocket, method: string, params: unknown = {}): Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(data.toString()) as { kind: string; id: number };
      if (frame.kind !== 'response' || frame.id !== id) return;
      ws.off('message', onMessage);
      resolve(frame as never);
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ kind: 'request', id, method, params }));
  });
}

const desk = () => connect(`http://127.0.0.1:${server.port}`);

describe('the local connector (a web origin allowed in settings)', () => {
  it('cannot load a native library by setting pkcs11Module, nor change endpoints or origins', async () => {
    const ws = await connect(PRACTICE_SOFTWARE);
    const before = host.settings.get();
    for (const [key, value] of [
      ['pkcs11Module', '/tmp/evil.so'],
      ['endpoints.insi', 'https://collecte.example/insi'],
      ['allowedOrigins', ['https://evil.example']],
    ] as const) {
      const set = await call(ws, 'settings.set', { key, value });
      expect(set, key).toMatchObject({ ok: false, error: { code: 'CONNECTOR_METHOD_NOT_ALLOWED' } });
      const request = await call(ws, 'settings.requestChange', { key, value });
      expect(request, key).toMatchObject({ ok: false, error: { code: 'CONNECTOR_METHOD_NOT_ALLOWED' } });
    }
    expect(host.settings.get()).toEqual(before);
    ws.close();
  });

  it('reaches only the methods of its allow-list', async () => {
    const ws = await connect(PRACTICE_SOFTWARE);
    expect(await call(ws, 'app.info')).toMatchObject({ ok: true, result: { dataDir: '' } });
    expect(await call(ws, 'ins.check', { matricule: '1800175123456' })).toMatchObject({ ok: true });
    for (const method of ['settings.get', 'audit.list', 'patients.search', 'outbox.cancel', 'backup.run', 'backup.requestRestore', 'backup.cancelRestore', 'vault.recoveryKey', 'demo.cards.insert', 'diagnostic.run']) {
      const response = await call(ws, method, {});
      expect(response, method).toMatchObject({ ok: false, error: { code: 'CONNECTOR_METHOD_NOT_ALLOWED' } });
      expect(response.error?.message).not.toMatch(/CONNECTOR/);
    }
    ws.close();
  });

  it('receives only the events of its allow-list', async () => {
    const ws = await connect(PRACTICE_SOFTWARE);
    const seen: string[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { kind: string; event?: string };
      if (frame.kind === 'event' && frame.event !== undefined) seen.push(frame.event);
    });
    host.dispatcher.emit('settings.changed', { key: 'environment' });
    host.dispatcher.emit('outbox.changed', host.outbox.status());
    await call(ws, 'app.info');
    expect(seen).toEqual(['outbox.changed']);
    ws.close();
  });

  it('has an allow-list made of contract names, without settings, audit, demo or backups', () => {
    expect(CONNECTOR_METHODS.filter((m) => /^(settings|audit|demo|backup|diagnostic|patients)\./.test(m))).toEqual([]);
    expect(CONNECTOR_EVENTS).not.toContain('settings.changed');
  });
});

describe('the page pupitre serve gives the desk', () => {
  it('may connect to this server\'s WebSocket only, not to another local port', async () => {
    await server.close();
    const staticDir = mkdtempSync(join(tmpdir(), 'pupitre-static-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Pupitre</title>');
    server = await startWebSocketHost({ dispatcher: host.dispatcher, logger: host.logger, staticDir });
    const csp = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port: server.port, path: '/' }, (res) => {
        res.resume();
        resolve(String(res.headers['content-security-policy']));
      })
        .on('error', reject)
        .end();
    });
    const connect = csp.split('; ').find((d) => d.startsWith('connect-src'));
    expect(connect).toBe(`connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}`);
  });
});

describe('security-sensitive settings from the desk', () => {
  it('need a confirmation: a direct set is refused, request then confirm applies and audits', async () => {
    const ws = await desk();
    const direct = await call(ws, 'settings.set', { key: 'pkcs11Module', value: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so' });
    expect(direct).toMatchObject({ ok: false, error: { code: 'SETTINGS_CONFIRMATION_REQUIRED' } });

    const request = (await call(ws, 'settings.requestChange', { key: 'pkcs11Module', value: '/opt/cps/libcps3_pkcs11_lux.so' })) as {
      ok: boolean;
      result: { changeId: string; consequence: string; cpsPin: boolean };
    };
    expect(request.ok).toBe(true);
    expect(request.result.cpsPin).toBe(false);
    expect(request.result.consequence).toMatch(/bibliothèque/);
    expect(host.settings.get().pkcs11Module).not.toBe('/opt/cps/libcps3_pkcs11_lux.so');

    const confirm = await call(ws, 'settings.confirmChange', { changeId: request.result.changeId });
    expect(confirm).toMatchObject({ ok: true, result: { pkcs11Module: '/opt/cps/libcps3_pkcs11_lux.so' } });
    const audit = host.audit.list({ limit: 5 }).find((e) => e.action === 'settings.set');
    expect(audit?.details).toMatchObject({ key: 'pkcs11Module', confirmed: true, client: 'desk' });
    // A confirmation is used once.
    expect(await call(ws, 'settings.confirmChange', { changeId: request.result.changeId })).toMatchObject({ ok: false, error: { code: 'SETTINGS_CHANGE_EXPIRED' } });
    ws.close();
  });

  it('binds a confirmation to the window that asked for it', async () => {
    const first = await desk();
    const second = await desk();
    const request = (await call(first, 'settings.requestChange', { key: 'allowedOrigins', value: ['https://cabinet.example'] })) as { result: { changeId: string } };
    expect(await call(second, 'settings.confirmChange', { changeId: request.result.changeId })).toMatchObject({ ok: false, error: { code: 'SETTINGS_CHANGE_EXPIRED' } });
    expect(host.settings.get().allowedOrigins).toEqual([]);
    first.close();
    second.close();
  });

  it('keeps ordinary settings one step', async () => {
    const ws = await desk();
    expect(await call(ws, 'settings.set', { key: 'lps.cndaAuthorisation', value: 'CNDA-2026-0001' })).toMatchObject({ ok: true });
    ws.close();
  });
});
