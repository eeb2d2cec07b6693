/**
 * `pupitre serve`: the contract over a loopback WebSocket, and the renderer's static files on the
 * same origin (ARCHITECTURE.md §1, §6). Loopback only; a per-launch token is required on connect
 * (sent as a WebSocket subprotocol, never in a URL the server logs); the `Origin` must be in the
 * allow-list; frames larger than MAX_MESSAGE_BYTES are refused by the socket itself.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_MESSAGE_BYTES } from '../../contract';
import type { Logger } from '../../platform/log';
import type { RpcDispatcher } from '../rpc';
import { ClientSession } from './session';
import { CONTENT_SECURITY_POLICY } from '../../contract/csp';

export const TOKEN_PROTOCOL_PREFIX = 'pupitre-token.';
export const RPC_PROTOCOL = 'pupitre.v1';

export interface WebSocketHostOptions {
  dispatcher: RpcDispatcher;
  logger: Logger;
  /** Folder with the built renderer (index.html); when absent only the WebSocket is served. */
  staticDir?: string;
  port?: number;
  /** Extra origins allowed to connect (web practice software using Pupitre as a local connector). */
  extraOrigins?: () => readonly string[];
  token?: string;
}

export interface WebSocketHost {
  url: string;
  /** URL to open in a browser: the token travels in the fragment, which browsers never send. */
  appUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

export async function startWebSocketHost(options: WebSocketHostOptions): Promise<WebSocketHost> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const expected = Buffer.from(`${TOKEN_PROTOCOL_PREFIX}${token}`);
  const logger = options.logger.child('ws');

  const server: Server = createServer((req, res) => serveStatic(req, res, options.staticDir));
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(RPC_PROTOCOL) ? RPC_PROTOCOL : false),
  });

  let port = 0;
  const allowedOrigins = (): Set<string> =>
    new Set([`http://${LOOPBACK}:${port}`, `http://localhost:${port}`, ...(options.extraOrigins?.() ?? [])]);

  server.on('upgrade', (req, socket, head) => {
    const refuse = (status: number, reason: string): void => {
      logger.warn('ws.refused', { reason });
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);
    };
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/rpc') return refuse(403, 'path');
    const origin = req.headers.origin;
    if (origin === undefined || !allowedOrigins().has(origin)) return refuse(403, 'origin');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const tokenOk = offered.some((candidate) => {
      const bytes = Buffer.from(candidate);
      return bytes.length === expected.length && timingSafeEqual(bytes, expected);
    });
    if (!tokenOk) return refuse(401, 'token');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket): void => {
    const session = new ClientSession(options.dispatcher, { send: (text) => ws.send(text) }, { transport: 'websocket' }, logger);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'binary frames are not accepted');
        return;
      }
      void session.receive(data.toString());
    });
    ws.on('close', () => session.close());
    ws.on('error', (error) => logger.warn('ws.client_error', { error }));
  };

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => resolvePromise());
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `ws://${LOOPBACK}:${port}/rpc`,
    appUrl: `http://${LOOPBACK}:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolvePromise) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string | undefined): void {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (staticDir === undefined || !existsSync(join(staticDir, 'index.html'))) {
    res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end("L'interface n'est pas construite : lancez « npm run build:renderer ».\n");
    return;
  }
  const root = resolve(staticDir);
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let file = normalize(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // One synchronous read (files of the built interface, at most a few MB): no thread-pool round
  // trips between the request and the answer, which a loaded machine makes long (first paint,
  // bench/startup.bench.ts).
  res.end(readFileSync(file));
}
