/**
 * The preload is the sandboxed page's only door to the host (ARCHITECTURE.md §6). Electron cannot
 * run here, so the test gives the preload a recording contextBridge and ipcRenderer and checks what
 * it exposes — exactly window.pupitre = { invoke, subscribe }, functions only, no ipcRenderer, no
 * port — which IPC channels it listens to, and that the two functions work over the MessagePort the
 * main process hands over (requests queued until the port arrives, answers, events, host restart).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const exposed: Array<{ key: string; api: unknown }> = [];
  const listeners = new Map<string, (event: { ports: unknown[] }, info: unknown) => void>();
  const touched: string[] = [];
  // Any use of ipcRenderer other than `on` is recorded (send, invoke, sendSync, postMessage…).
  const ipcRenderer = new Proxy(
    {},
    {
      get(_target, property: string) {
        touched.push(property);
        if (property === 'on') return (channel: string, listener: (event: { ports: unknown[] }, info: unknown) => void) => listeners.set(channel, listener);
        return () => undefined;
      },
    },
  );
  return { exposed, listeners, touched, ipcRenderer, contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push({ key, api }) } };
});

vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }));

interface PupitreApi {
  invoke(method: unknown, params?: unknown): Promise<unknown>;
  subscribe(event: string, callback: (payload: unknown) => void): () => void;
}

async function loadPreload(): Promise<PupitreApi> {
  electron.exposed.length = 0;
  electron.listeners.clear();
  electron.touched.length = 0;
  vi.resetModules();
  await import('./index');
  return electron.exposed[0]?.api as PupitreApi;
}

/** The host side of the port, as the main process would connect it. */
function connect(restarted = false): { host: MessagePort; received: unknown[] } {
  const channel = new MessageChannel();
  const received: unknown[] = [];
  channel.port2.on('message', (text: string) => received.push(JSON.parse(text)));
  electron.listeners.get('pupitre:port')?.({ ports: [channel.port1] }, { restarted });
  return { host: channel.port2, received };
}

describe('the preload', () => {
  let opened: MessagePort[] = [];
  beforeEach(() => {
    opened = [];
  });
  afterEach(() => {
    for (const port of opened) port.close();
  });

  it('exposes exactly window.pupitre = { invoke, subscribe }, functions only, and listens to its two channels only', async () => {
    const api = await loadPreload();
    const touched = [...new Set(electron.touched)];
    expect(touched).toEqual(['on']);
    expect(electron.exposed.map((e) => e.key)).toEqual(['pupitre']);
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'subscribe']);
    expect(Object.values(api as object).map((v) => typeof v)).toEqual(['function', 'function']);
    expect(Object.values(api as object)).not.toContain(electron.ipcRenderer);
    expect([...electron.listeners.keys()].sort()).toEqual(['pupitre:host-exited', 'pupitre:port']);
  });

  it('queues requests until the port arrives, then answers them by id', async () => {
    const api = await loadPreload();
    const first = api.invoke('patients.search', { query: 'Dupont' });
    const { host, received } = connect();
    opened.push(host);
    await vi.waitFor(() => expect(received).toEqual([{ kind: 'request', id: 1, method: 'patients.search', params: { query: 'Dupont' } }]));
    const second = api.invoke('dmp.open', { patientId: 'p1' }).catch((error: unknown) => ({ rejected: error }));
    await vi.waitFor(() => expect(received).toHaveLength(2));
    host.postMessage(JSON.stringify({ kind: 'response', id: 2, ok: false, error: { code: 'DMP_CARD_REQUIRED', message: 'Insérez votre carte' } }));
    host.postMessage(JSON.stringify({ kind: 'response', id: 1, ok: true, result: { results: [] } }));
    await expect(first).resolves.toEqual({ results: [] });
    await expect(second).resolves.toEqual({ rejected: { code: 'DMP_CARD_REQUIRED', message: 'Insérez votre carte' } });
    await expect(api.invoke(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
  });

  it('delivers events to subscribers until they unsubscribe, and tells them when the host restarted', async () => {
    const api = await loadPreload();
    const events: unknown[] = [];
    const restarts: unknown[] = [];
    const unsubscribe = api.subscribe('cards.changed', (payload) => events.push(payload));
    api.subscribe('host.restarted', (payload) => restarts.push(payload));
    const { host } = connect(true);
    opened.push(host);
    expect(restarts).toEqual([{ at: expect.any(String), reason: 'redémarrage du service local' }]);
    host.postMessage(JSON.stringify({ kind: 'event', event: 'cards.changed', payload: { reason: 'inserted' } }));
    await vi.waitFor(() => expect(events).toEqual([{ reason: 'inserted' }]));
    unsubscribe();
    host.postMessage(JSON.stringify({ kind: 'event', event: 'cards.changed', payload: { reason: 'removed' } }));
    host.postMessage(JSON.stringify({ kind: 'event', event: 'host.restarted', payload: { at: 'x', reason: 'y' } }));
    await vi.waitFor(() => expect(restarts).toHaveLength(2));
    expect(events).toEqual([{ reason: 'inserted' }]);
  });

  it('fails pending requests in French when the host exits, and queues new ones for the next port', async () => {
    const api = await loadPreload();
    const { host } = connect();
    opened.push(host);
    const pending = api.invoke('insi.search', {});
    electron.listeners.get('pupitre:host-exited')?.({ ports: [] }, undefined);
    await expect(pending).rejects.toEqual({ code: 'HOST_UNAVAILABLE', message: expect.stringMatching(/^Le service local de Pupitre ne répond pas/) });
    const later = api.invoke('core.ping', {});
    const next = connect();
    opened.push(next.host);
    await vi.waitFor(() => expect(next.received).toEqual([{ kind: 'request', id: 2, method: 'core.ping', params: {} }]));
    next.host.postMessage(JSON.stringify({ kind: 'response', id: 2, ok: true, result: 'pong' }));
    await expect(later).resolves.toBe('pong');
  });
});
