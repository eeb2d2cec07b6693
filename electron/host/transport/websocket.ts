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
import { servedContentSecurityPolicy } from '../../contract/csp';

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

  const server: Server = createServer((req, res) => {
    // One request must never bring the host down (issue 14): whatever escapes is a 500, logged.
    try {
      serveStatic(req, res, options.staticDir, port, logger);
    } catch (error) {
      logger.error('http.failed', { error });
      if (!res.headersSent) res.writeHead(500, securityHeaders(port));
      res.end();
    }
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(RPC_PROTOCOL) ? RPC_PROTOCOL : false),
  });

  let port = 0;
  // The page this server serves is the desk itself; other allowed origins are connectors.
  const ownOrigins = (): Set<string> => new Set([`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([...ownOrigins(), ...(options.extraOrigins?.() ?? [])]);

  server.on('upgrade', (req, socket, head) => {
    // After an upgrade the HTTP server no longer watches the socket: a reset must not crash the host.
    socket.on('error', (error) => logger.warn('ws.socket_error', { error }));
    const refuse = (status: 400 | 401 | 403, reason: string): void => {
      logger.warn('ws.refused', { reason });
      socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\n\r\n`);
    };
    const path = requestPath(req.url);
    if (path === null) return refuse(400, 'malformed-path');
    if (path !== '/rpc') return refuse(403, 'path');
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
    const caller = ownOrigins().has(origin) ? 'desk' : 'connector';
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, caller));
  });

  const attach = (ws: WebSocket, caller: 'desk' | 'connector'): void => {
    const session = new ClientSession(options.dispatcher, { send: (text) => ws.send(text) }, { transport: 'websocket', caller }, logger);
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

function securityHeaders(port: number): Record<string, string> {
  return {
    // Connections to this server's own WebSocket only, not to any other local port.
    'Content-Security-Policy': servedContentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

const STATUS_TEXT = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden' } as const;

/**
 * The decoded path of a request target, or null when it is not one this server can serve: only the
 * origin form (RFC 9112 §3.2.1: an absolute path, optional query) is accepted; `//x` (which URL
 * parsers read as a host), percent-escapes that do not decode to UTF-8 (`/%`, `/%zz`, `/%E0%A4%A`),
 * and NUL or other control characters after decoding (file system calls throw on NUL) are refused.
 */
export function requestPath(target: string | undefined): string | null {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return null;
  const raw = target.split(/[?#]/, 1)[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded) || decoded.startsWith('//')) return null;
  return decoded;
}

function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string | undefined, port: number, logger: Logger): void {
  const headers = securityHeaders(port);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (staticDir === undefined || !existsSync(join(staticDir, 'index.html'))) {
    res.writeHead(503, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end("L'interface n'est pas construite : lancez « npm run build:renderer ».\n");
    return;
  }
  const pathname = requestPath(req.url);
  if (pathname === null) {
    res.writeHead(400, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Requête invalide.\n');
    return;
  }
  const root = resolve(staticDir);
  let file = normalize(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  const stat = statSync(file, { throwIfNoEntry: false });
  if (stat === undefined || !stat.isFile()) file = join(root, 'index.html');
  // One synchronous read (files of the built interface, at most a few MB): no thread-pool round
  // trips between the request and the answer, which a loaded machine makes long (first paint,
  // bench/startup.bench.ts).
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (error) {
    // A file that vanished or became unreadable since the check: an error status, not a crash.
    logger.warn('http.read_failed', { error });
    res.writeHead(404, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
  res.end(req.method === 'HEAD' ? undefined : body);
}
