/**
 * One bridge to the host: `window.pupitre` (Electron preload, MessagePort) when present,
 * otherwise the WebSocket of `pupitre serve` with the token from the URL fragment.
 */
import { HostError, type Bridge, type ConnectionState, type PupitreApi } from './types';
import { readTokenFromLocation, WebSocketApi } from './websocket';

export * from './types';

function wrap(api: PupitreApi, kind: Bridge['kind'], onState: Bridge['onConnectionChange']): Bridge {
  return {
    kind,
    invoke: async (method, params) => {
      try {
        return (await api.invoke(method, params)) as never;
      } catch (error) {
        if (error instanceof HostError) throw error;
        const wire = error as { code?: unknown; message?: unknown };
        if (typeof wire?.code === 'string' && typeof wire.message === 'string') {
          throw new HostError({ code: wire.code, message: wire.message });
        }
        throw error;
      }
    },
    subscribe: (event, callback) => api.subscribe(event, callback as (payload: unknown) => void),
    onConnectionChange: onState,
  };
}

export function createBridge(): Bridge {
  if (window.pupitre !== undefined) {
    const api = window.pupitre;
    return wrap(api, 'electron', (callback: (state: ConnectionState) => void) => {
      callback('open');
      return api.subscribe('host.restarted', () => callback('open'));
    });
  }
  const token = readTokenFromLocation();
  if (token === null) throw new MissingTokenError();
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/rpc`;
  const api = new WebSocketApi(url, token);
  return wrap(api, 'websocket', (callback) => api.onConnectionChange(callback));
}

export class MissingTokenError extends Error {
  constructor() {
    super("Adresse incomplète : ouvrez l'adresse affichée par « pupitre serve » (elle contient le jeton de connexion).");
    this.name = 'MissingTokenError';
  }
}
