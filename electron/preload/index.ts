/// <reference lib="dom" />
/**
 * The only bridge the sandboxed renderer gets: window.pupitre = { invoke, subscribe }, over the
 * MessagePort the main process hands over. ipcRenderer itself is never exposed.
 */
import { contextBridge, ipcRenderer } from 'electron';

type Listener = (payload: unknown) => void;

let port: MessagePort | null = null;
let nextId = 1;
const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
const listeners = new Map<string, Set<Listener>>();
const queued: string[] = [];

function deliver(event: string, payload: unknown): void {
  for (const listener of listeners.get(event) ?? []) listener(payload);
}

function failPending(): void {
  for (const { reject } of pending.values()) {
    reject({ code: 'HOST_UNAVAILABLE', message: 'Le service local de Pupitre ne répond pas. Il redémarre automatiquement ; patientez quelques secondes.' });
  }
  pending.clear();
}

ipcRenderer.on('pupitre:port', (event, info: { restarted: boolean }) => {
  const [received] = event.ports;
  if (received === undefined) return;
  port = received;
  port.onmessage = (message: MessageEvent<string>) => {
    const frame = JSON.parse(message.data) as
      | { kind: 'event'; event: string; payload: unknown }
      | { kind: 'response'; id: number; ok: boolean; result?: unknown; error?: unknown };
    if (frame.kind === 'event') {
      deliver(frame.event, frame.payload);
      return;
    }
    const entry = pending.get(frame.id);
    if (entry === undefined) return;
    pending.delete(frame.id);
    if (frame.ok) entry.resolve(frame.result);
    else entry.reject(frame.error);
  };
  port.start();
  for (const text of queued.splice(0)) port.postMessage(text);
  if (info.restarted) deliver('host.restarted', { at: new Date().toISOString(), reason: 'redémarrage du service local' });
});

ipcRenderer.on('pupitre:host-exited', () => {
  port = null;
  failPending();
});

contextBridge.exposeInMainWorld('pupitre', {
  invoke(method: string, params: unknown): Promise<unknown> {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method'));
    const id = nextId++;
    const text = JSON.stringify({ kind: 'request', id, method, params });
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (port === null) queued.push(text);
      else port.postMessage(text);
    });
  },
  subscribe(event: string, callback: Listener): () => void {
    let set = listeners.get(event);
    if (set === undefined) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(callback);
    return () => set.delete(callback);
  },
});
