import type { EventName, EventPayload, MethodName, MethodParams, MethodResult, WireError } from '../../electron/contract';

/** What the preload script exposes as `window.pupitre`, and what the WebSocket client implements. */
export interface PupitreApi {
  invoke(method: string, params: unknown): Promise<unknown>;
  subscribe(event: string, callback: (payload: unknown) => void): () => void;
}

export interface Bridge {
  invoke<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>>;
  subscribe<E extends EventName>(event: E, callback: (payload: EventPayload<E>) => void): () => void;
  /** 'electron' (MessagePort via preload) or 'websocket' (pupitre serve). */
  readonly kind: 'electron' | 'websocket';
  onConnectionChange(callback: (state: ConnectionState) => void): () => void;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A host error as the UI sees it: stable code, French message. */
export class HostError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = 'HostError';
    this.code = wire.code;
    this.details = wire.details;
  }
}

declare global {
  interface Window {
    pupitre?: PupitreApi;
  }
}
