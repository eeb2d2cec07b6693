import { afterEach, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from '../../fixtures/testing/host';

let host: TestHost;
afterEach(async () => host?.close());

describe('contract dispatcher', () => {
  it('answers a valid request with a result that matches the schema', async () => {
    host = await createTestHost();
    const response = await host.dispatcher.handleFrame({ kind: 'request', id: 7, method: 'app.info', params: {} }, { transport: 'in-process' });
    expect(response).toMatchObject({ kind: 'response', id: 7, ok: true, result: { name: 'Pupitre', environment: 'demo' } });
  });

  it('refuses an unknown method with UNKNOWN_METHOD and a French message', async () => {
    host = await createTestHost();
    const response = await host.dispatcher.handleFrame({ kind: 'request', id: 1, method: 'fs.readFile', params: {} }, { transport: 'in-process' });
    expect(response).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    expect(response.ok === false && response.error.message).toMatch(/n'est pas reconnue/);
  });

  it('refuses invalid params without echoing their values', async () => {
    host = await createTestHost();
    const response = await host.dispatcher.handleFrame(
      { kind: 'request', id: 2, method: 'settings.set', params: { key: 'nom', value: 'DUPONT' } },
      { transport: 'in-process' },
    );
    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(JSON.stringify(response)).not.toContain('DUPONT');
  });

  it('refuses a malformed frame', async () => {
    host = await createTestHost();
    expect(await host.dispatcher.handleFrame({ id: 'x' }, { transport: 'in-process' })).toMatchObject({ id: -1, ok: false, error: { code: 'MALFORMED_MESSAGE' } });
    expect(await host.dispatcher.handleFrame(null, { transport: 'in-process' })).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } });
  });

  it('turns an unexpected exception into INTERNAL without its text, and logs it redacted', async () => {
    host = await createTestHost();
    const { RpcDispatcher } = await import('./rpc');
    const dispatcher = new RpcDispatcher((await import('../platform/log')).createMemoryLogger(host.clock));
    dispatcher.register({
      'app.info': () => {
        throw new Error('secret 1 80 01 75 123 456 78');
      },
    });
    const response = await dispatcher.handleFrame({ kind: 'request', id: 3, method: 'app.info', params: {} }, { transport: 'in-process' });
    expect(response).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(response)).not.toContain('secret');
  });

  it('refuses a handler result that does not match the contract', async () => {
    host = await createTestHost();
    const { RpcDispatcher } = await import('./rpc');
    const dispatcher = new RpcDispatcher((await import('../platform/log')).createMemoryLogger(host.clock));
    dispatcher.register({ 'audit.verify': () => ({ ok: 'yes' }) as never });
    const response = await dispatcher.handleFrame({ kind: 'request', id: 4, method: 'audit.verify', params: {} }, { transport: 'in-process' });
    expect(response).toMatchObject({ ok: false, error: { code: 'INVALID_RESULT' } });
  });

  it('reports a contract method without handler as not available yet', async () => {
    host = await createTestHost();
    const { RpcDispatcher } = await import('./rpc');
    const dispatcher = new RpcDispatcher((await import('../platform/log')).createMemoryLogger(host.clock));
    await expect(dispatcher.call('app.info', {}, { transport: 'in-process' })).rejects.toMatchObject({ code: 'NOT_AVAILABLE_YET' });
  });

  it('validates events before they leave the host', async () => {
    host = await createTestHost();
    const seen: string[] = [];
    host.dispatcher.subscribe((event) => seen.push(event));
    host.dispatcher.emit('settings.changed', { key: 'environment' });
    host.dispatcher.emit('settings.changed', { key: 42 } as never);
    expect(seen).toEqual(['settings.changed']);
    expect(host.logLines.some((line) => line.includes('rpc.invalid_event'))).toBe(true);
  });
});
