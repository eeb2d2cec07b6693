/**
 * The renderer's client for `pupitre serve`: the token comes in the URL fragment (never sent to a
 * server), travels as a WebSocket subprotocol, and is removed from the address bar at once.
 */
import { parseHostFrame } from './frames';
import { HostError, type ConnectionState, type PupitreApi } from './types';

const RPC_PROTOCOL = 'pupitre.v1';
const TOKEN_PREFIX = 'pupitre-token.';

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export function readTokenFromLocation(): string | null {
  const params = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (token !== null) {
    sessionStorage.setItem('pupitre.token', token);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return token;
  }
  return sessionStorage.getItem('pupitre.token');
}

export class WebSocketApi implements PupitreApi {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private state: ConnectionState | null = null;
  private opened: Promise<void> | null = null;
  private retryMs = 500;

  constructor(
    private readonly url: string,
    private readonly token: string,
  ) {}

  onConnectionChange(callback: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(callback);
    // A component mounted after the socket opened (behind the vault gate, say) learns the state now.
    if (this.state !== null) callback(this.state);
    return () => this.stateListeners.delete(callback);
  }

  async invoke(method: string, params: unknown): Promise<unknown> {
    await this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket?.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  subscribe(event: string, callback: (payload: unknown) => void): () => void {
    void this.connect().catch(() => undefined);
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(callback);
    return () => set.delete(callback);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private connect(): Promise<void> {
    if (this.opened !== null) return this.opened;
    this.setState('connecting');
    this.opened = new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(this.url, [RPC_PROTOCOL, `${TOKEN_PREFIX}${this.token}`]);
      this.socket = socket;
      socket.onopen = () => {
        this.retryMs = 500;
        this.setState('open');
        resolve();
      };
      socket.onmessage = (message) => this.onFrame(String(message.data));
      socket.onclose = () => {
        this.opened = null;
        this.socket = null;
        this.setState('closed');
        for (const pending of this.pending.values()) {
          pending.reject(new HostError({ code: 'HOST_UNAVAILABLE', message: 'Le service local de Pupitre ne répond pas. Il redémarre automatiquement ; patientez quelques secondes.' }));
        }
        this.pending.clear();
        reject(new Error('closed'));
        // Reconnect while someone listens: the host may be restarting.
        if (this.listeners.size > 0) {
          setTimeout(() => void this.connect().catch(() => undefined), this.retryMs);
          this.retryMs = Math.min(this.retryMs * 2, 10_000);
        }
      };
    });
    return this.opened;
  }

  private onFrame(text: string): void {
    const frame = parseHostFrame(text);
    if (frame === null) return;
    if (frame.kind === 'event') {
      for (const listener of this.listeners.get(frame.event) ?? []) listener(frame.payload);
      return;
    }
    const pending = this.pending.get(frame.id);
    if (pending === undefined) return;
    this.pending.delete(frame.id);
    if (frame.ok) pending.resolve(frame.result);
    else pending.reject(new HostError(frame.error));
  }
}
