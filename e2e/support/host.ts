/**
 * A direct line to the running `pupitre serve` of a scenario, as a second client of its WebSocket
 * (token subprotocol, same Origin as the page): lets a scenario change the world — insert a virtual
 * card, take the DMP down — without touching the page under test, whose focus stays where the user
 * left it.
 */
import WebSocket from 'ws';
import type { RunningApp } from './app';

const RPC_PROTOCOL = 'pupitre.v1';
const TOKEN_PREFIX = 'pupitre-token.';

export interface HostLine {
  call<T = unknown>(method: string, params: Record<string, unknown>): Promise<T>;
  close(): void;
}

export async function connectHost(app: RunningApp): Promise<HostLine> {
  const ws = new WebSocket(`ws://127.0.0.1:${app.port}/rpc`, [RPC_PROTOCOL, `${TOKEN_PREFIX}${app.token}`], { headers: { Origin: `http://127.0.0.1:${app.port}` } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as { kind: string; id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string } };
    if (frame.kind !== 'response' || frame.id === undefined) return;
    const waiter = pending.get(frame.id);
    pending.delete(frame.id);
    if (frame.ok) waiter?.resolve(frame.result);
    else waiter?.reject(new Error(`${frame.error?.code}: ${frame.error?.message}`));
  });
  return {
    call: <T,>(method: string, params: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        ws.send(JSON.stringify({ kind: 'request', id, method, params }));
      }),
    close: () => ws.close(),
  };
}
