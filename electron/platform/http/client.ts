/**
 * HTTPS client over node:https for the teleservices (INSi, DMP): client certificates (mutual TLS),
 * a custom CA, connect / response / total timeouts, abort, bounded responses, and errors that say
 * whether the request may have reached the server (see errors.ts).
 *
 * Bodies may be given as an iterable of buffers (an MTOM message) and are written with
 * back-pressure, without concatenation. Responses can be consumed as a stream (`stream`) or read
 * whole within a size bound (`request`). No redirect is followed; no proxy support (not needed by
 * the services so far: say so in the Diagnostic screen if a site requires one).
 */
import { once } from 'node:events';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { httpStatusError, TransportError, transportErrorFrom, type TransportPhase } from './errors';

export interface HttpTimeouts {
  /** TCP connection and TLS handshake (includes waiting for a free pooled socket). */
  connectMs: number;
  /** From the end of sending to the response headers, and then the longest silence while receiving. */
  responseMs: number;
  /** The whole exchange, from the call to the last byte of the response. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 10_000, responseMs: 60_000, totalMs: 180_000 };
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** A client certificate for mutual TLS: PEM key + certificate chain, or a PKCS#12 file. */
export type ClientCertificate =
  | { kind: 'pem'; key: string | Buffer; cert: string | Buffer; passphrase?: string }
  | { kind: 'pfx'; pfx: Buffer; passphrase: string };

export interface TlsClientOptions {
  clientCertificate?: ClientCertificate;
  /** Trusted CAs for the server certificate; replaces the system list when given. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  minVersion?: tls.SecureVersion;
  /** Default TLSv1.2 (see clientCertificateOptions). */
  maxVersion?: tls.SecureVersion;
  /** OpenSSL cipher list (TLS 1.2). */
  ciphers?: string;
  /** SNI / certificate name to check, when it differs from the URL host. */
  servername?: string;
}

/**
 * PDT-INF-579v4 (10/07/2025, "Référentiel des suites cryptographiques supportées par le système
 * DMP"), "Accès LPS": TLS 1.2 with ECDHE_RSA + CHACHA20_POLY1305_SHA256, AES_128_GCM_SHA256,
 * AES_256_CBC_SHA384, AES_256_GCM_SHA384 (OpenSSL names below). The same four suites, offered
 * AES-GCM first: the desk's processors encrypt AES in hardware (AES-NI, ARMv8 crypto), several times
 * faster than ChaCha20 for a megabyte-sized ITI-41; ChaCha20 stays offered for a server preferring it.
 */
export const DMP_LPS_TLS: Pick<TlsClientOptions, 'minVersion' | 'maxVersion' | 'ciphers'> = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.2',
  ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-SHA384',
};

export interface HttpClientOptions {
  tls?: TlsClientOptions;
  timeouts?: Partial<HttpTimeouts>;
  maxResponseBytes?: number;
  /** Reuse connections (a mutual-TLS handshake is costly). Default true. */
  keepAlive?: boolean;
  maxSockets?: number;
  userAgent?: string;
  /** Plain http:// is refused unless allowed (loopback simulators and tests only). */
  allowPlainHttp?: boolean;
}

export type HttpBody = string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: HttpBody;
  /** Length of an iterable body when known (otherwise chunked transfer encoding is used). */
  contentLength?: number;
  signal?: AbortSignal;
  timeouts?: Partial<HttpTimeouts>;
  maxResponseBytes?: number;
  /** Return 4xx/5xx responses instead of throwing (SOAP faults come with 400/500). Default false. */
  acceptErrorStatus?: boolean;
  /**
   * The request may be sent twice without effect (a read). A pooled keep-alive connection the
   * server closed while it sat idle (a restart, the server's own idle timeout) fails the request
   * as soon as it is written: such a request is then sent once more, on a new connection. Only with
   * a body that can be written again (string, bytes, or an array of chunks). Default false.
   */
  idempotent?: boolean;
}

export type HttpHeaders = http.IncomingHttpHeaders;

export interface HttpResponse {
  status: number;
  headers: HttpHeaders;
  body: Buffer;
}

export interface HttpStreamResponse {
  status: number;
  headers: HttpHeaders;
  /** The response body; iterate it to the end, or call `cancel()`. Errors are TransportErrors. */
  body: AsyncIterable<Buffer>;
  cancel(): void;
}

/** What the SOAP layer needs from an HTTP client (tests may pass a fake). */
export interface HttpTransport {
  stream(request: HttpRequest): Promise<HttpStreamResponse>;
  /**
   * Opens (or keeps) a connection to the server of `url` in the keep-alive pool, so that the next
   * request does not wait for the TCP connection and the TLS handshake. Never throws.
   */
  warm?(url: string): Promise<void>;
}

/** Connections opened and requests sent on a pooled one, since the client was made. */
export interface HttpConnectionStats {
  connections: number;
  reused: number;
  /** Requests sent again after a stale pooled connection (`HttpRequest.idempotent`). */
  retried: number;
}

function clientCertificateOptions(tlsOptions: TlsClientOptions | undefined): tls.SecureContextOptions {
  const options: tls.SecureContextOptions = {};
  const cert = tlsOptions?.clientCertificate;
  if (cert?.kind === 'pem') {
    options.key = cert.key;
    options.cert = cert.cert;
    if (cert.passphrase !== undefined) options.passphrase = cert.passphrase;
  } else if (cert?.kind === 'pfx') {
    options.pfx = cert.pfx;
    options.passphrase = cert.passphrase;
  }
  if (tlsOptions?.ca !== undefined) options.ca = tlsOptions.ca as string | Buffer | Array<string | Buffer>;
  if (tlsOptions?.minVersion !== undefined) options.minVersion = tlsOptions.minVersion;
  // TLS 1.2 unless told otherwise: PDT-INF-579v4 (the DMP accepts TLS 1.2 only), and in TLS 1.2 a
  // refused client certificate fails the handshake, before anything is sent. TLS 1.3 reports it
  // after the client has written its request, often as a bare connection reset, which would have
  // to be classified as an unknown outcome.
  options.maxVersion = tlsOptions?.maxVersion ?? 'TLSv1.2';
  if (tlsOptions?.ciphers !== undefined) options.ciphers = tlsOptions.ciphers;
  return options;
}

export class HttpClient implements HttpTransport {
  private readonly timeouts: HttpTimeouts;
  private readonly maxResponseBytes: number;
  private readonly secureContext: tls.SecureContext;
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;
  private readonly options: HttpClientOptions;
  private readonly counters: HttpConnectionStats = { connections: 0, reused: 0, retried: 0 };

  constructor(options: HttpClientOptions = {}) {
    this.options = options;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    try {
      // Built once, so a wrong PKCS#12 passphrase or a key that does not match fails here, clearly.
      this.secureContext = tls.createSecureContext(clientCertificateOptions(options.tls));
    } catch (cause) {
      throw new TransportError('TRANSPORT_CLIENT_CERTIFICATE_INVALID', {
        phase: 'connect',
        retryable: false,
        outcomeUnknown: false,
        systemCode: (cause as { code?: string }).code,
        cause,
      });
    }
    const agentOptions = { keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 8 };
    this.httpsAgent = new https.Agent(agentOptions);
    this.httpAgent = new http.Agent(agentOptions);
  }

  /** Closes pooled connections. */
  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  /** Connections opened and reused so far (the bench's breakdown, keep-alive tests). */
  stats(): HttpConnectionStats {
    return { ...this.counters };
  }

  /**
   * A request to the server's address whose answer, whatever its status, is read to the end so
   * that its connection goes back to the pool, TLS handshake done. Errors are swallowed: the real
   * request will say what is wrong.
   */
  async warm(url: string): Promise<void> {
    try {
      const response = await this.stream({ method: 'GET', url, acceptErrorStatus: true, maxResponseBytes: 1024 * 1024, timeouts: { connectMs: 10_000, responseMs: 10_000, totalMs: 15_000 } });
      for await (const chunk of response.body) void chunk;
    } catch {
      // Nothing to do: the connection will be made by the request itself.
    }
  }

  /** Sends the request and returns the whole response body (bounded). */
  async request(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.stream(request);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      chunks.push(chunk);
      size += chunk.length;
    }
    return { status: response.status, headers: response.headers, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) };
  }

  /** Sends the request; resolves at the response headers, the body streams afterwards. */
  stream(request: HttpRequest): Promise<HttpStreamResponse> {
    const body = request.body;
    const replayable = body === undefined || typeof body === 'string' || body instanceof Uint8Array || Array.isArray(body);
    return this.attempt(request, request.idempotent === true && replayable);
  }

  private attempt(request: HttpRequest, mayRetry: boolean): Promise<HttpStreamResponse> {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    if (!secure && !(url.protocol === 'http:' && this.options.allowPlainHttp === true)) {
      throw new TypeError(`refusing ${url.protocol} URL: only https is allowed`);
    }
    const timeouts = { ...this.timeouts, ...request.timeouts };
    const maxBytes = request.maxResponseBytes ?? this.maxResponseBytes;
    const headers: Record<string, string> = { ...request.headers };
    if (this.options.userAgent !== undefined && headers['user-agent'] === undefined) headers['user-agent'] = this.options.userAgent;
    const body = request.body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    } else if (body !== undefined && request.contentLength !== undefined) {
      headers['content-length'] = String(request.contentLength);
    }

    return new Promise<HttpStreamResponse>((resolve, reject) => {
      let phase: TransportPhase = 'connect';
      let failure: TransportError | null = null;
      let settled = false;
      let finished = false;
      let reused = false;
      const timers = new Set<NodeJS.Timeout>();
      let responseTimer: NodeJS.Timeout | null = null;

      const clearTimers = (): void => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        if (responseTimer !== null) clearTimeout(responseTimer);
        responseTimer = null;
        request.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: TransportError): void => {
        if (failure !== null || finished) return;
        failure = error;
        clearTimers();
        // Without the error object: once a response has ended, the socket may already be back in
        // the keep-alive pool, where nobody listens for its errors. `failure` carries the cause.
        req.destroy();
        if (!settled) {
          settled = true;
          // A pooled connection closed by the server before any answer (RFC 9112 §9.3.1: a client
          // may retry an idempotent request after such an asynchronous close): once, on a new one.
          if (mayRetry && reused && (error.code === 'TRANSPORT_CONNECTION_LOST' || error.code === 'TRANSPORT_CONNECTION_RESET') && phase !== 'receive' && request.signal?.aborted !== true) {
            this.counters.retried += 1;
            resolve(this.attempt(request, false));
            return;
          }
          reject(error);
        }
      };
      const timeoutError = (): TransportError =>
        phase === 'await-response' || phase === 'receive'
          ? new TransportError('TRANSPORT_TIMEOUT_OUTCOME_UNKNOWN', { phase, retryable: true, outcomeUnknown: true })
          : new TransportError('TRANSPORT_TIMEOUT', { phase, retryable: true, outcomeUnknown: false });
      const arm = (ms: number): NodeJS.Timeout => {
        const timer = setTimeout(() => fail(timeoutError()), ms);
        timers.add(timer);
        return timer;
      };
      const armResponseTimer = (): void => {
        if (responseTimer !== null) clearTimeout(responseTimer);
        responseTimer = setTimeout(() => fail(timeoutError()), timeouts.responseMs);
      };
      function onAbort(): void {
        fail(
          new TransportError('TRANSPORT_ABORTED', {
            phase,
            retryable: true,
            outcomeUnknown: phase === 'await-response' || phase === 'receive',
            cause: request.signal?.reason,
          }),
        );
      }

      const readBody = async function* (res: http.IncomingMessage): AsyncGenerator<Buffer> {
        let received = 0;
        try {
          for await (const chunk of res as AsyncIterable<Buffer>) {
            received += chunk.length;
            if (received > maxBytes) {
              fail(new TransportError('TRANSPORT_RESPONSE_TOO_LARGE', { phase: 'receive', status: res.statusCode, retryable: false, outcomeUnknown: true }));
              throw failure;
            }
            armResponseTimer();
            yield chunk;
          }
          if (!res.complete) throw new TransportError('TRANSPORT_CONNECTION_LOST', { phase: 'receive', retryable: true, outcomeUnknown: true });
          finished = true;
        } catch (error) {
          const mapped = failure ?? transportErrorFrom(error, 'receive');
          fail(mapped);
          throw mapped;
        } finally {
          clearTimers();
          if (!finished) {
            finished = true;
            req.destroy();
          }
        }
      };

      const requestOptions: https.RequestOptions = {
        method: request.method ?? (body === undefined ? 'GET' : 'POST'),
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
      };
      if (secure) {
        // Passed through the agent to tls.connect (https.RequestOptions does not list it).
        (requestOptions as tls.ConnectionOptions).secureContext = this.secureContext;
        // The agent keys pooled sockets on these: sockets are never shared across TLS identities.
        Object.assign(requestOptions, clientCertificateOptions(this.options.tls));
        requestOptions.rejectUnauthorized = true;
        if (this.options.tls?.servername !== undefined) requestOptions.servername = this.options.tls.servername;
      }
      const req = (secure ? https : http).request(requestOptions);
      const connectTimer = arm(timeouts.connectMs);
      arm(timeouts.totalMs);

      let flushedBeforeConnect = false;
      const connected = (): void => {
        clearTimeout(connectTimer);
        timers.delete(connectTimer);
        if (phase !== 'connect') return;
        if (flushedBeforeConnect) {
          // The request was queued in the TLS layer during the handshake and leaves now.
          phase = 'await-response';
          armResponseTimer();
        } else {
          phase = 'send';
        }
      };
      req.on('socket', (socket: Socket) => {
        reused = req.reusedSocket;
        if (reused) this.counters.reused += 1;
        else this.counters.connections += 1;
        // Nothing of the request can leave before the TCP connection (and the TLS handshake) exists.
        if (req.reusedSocket) connected();
        else if (secure) socket.once('secureConnect', connected);
        else if (socket.connecting) socket.once('connect', connected);
        else connected();
      });
      req.on('finish', () => {
        // During a TLS handshake, 'finish' only means the TLS layer has queued the request.
        if (phase === 'connect') {
          flushedBeforeConnect = true;
          return;
        }
        if (phase !== 'send') return;
        // Every byte of the request is now with the operating system: it may reach the server.
        phase = 'await-response';
        armResponseTimer();
      });
      req.on('error', (error) => fail(transportErrorFrom(failure ?? error, phase)));
      req.on('response', (res: http.IncomingMessage) => {
        // Errors of the response stream surface through `failure` and the body iterator.
        res.on('error', () => undefined);
        phase = 'receive';
        armResponseTimer();
        const status = res.statusCode ?? 0;
        const declared = Number(res.headers['content-length'] ?? Number.NaN);
        if (Number.isFinite(declared) && declared > maxBytes) {
          fail(new TransportError('TRANSPORT_RESPONSE_TOO_LARGE', { phase, status, retryable: false, outcomeUnknown: true }));
          return;
        }
        const isError = status < 200 || status >= 300;
        if (isError && !(request.acceptErrorStatus === true && status >= 400)) {
          fail(httpStatusError(status));
          return;
        }
        settled = true;
        resolve({
          status,
          headers: res.headers,
          body: readBody(res),
          cancel: () => {
            if (!finished) {
              finished = true;
              clearTimers();
              req.destroy();
            }
          },
        });
      });

      if (request.signal?.aborted === true) {
        onAbort();
        return;
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      writeBody(req, body).catch((error: unknown) => fail(transportErrorFrom(failure ?? error, phase)));
    });
  }
}

/** Writes the body with back-pressure; iterables are streamed chunk by chunk, never concatenated. */
async function writeBody(req: http.ClientRequest, body: HttpBody | undefined): Promise<void> {
  if (body === undefined) {
    req.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body);
    return;
  }
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    if (req.destroyed) return;
    if (!req.write(chunk)) {
      await Promise.race([once(req, 'drain'), once(req, 'close')]);
    }
  }
  if (!req.destroyed) req.end();
}
