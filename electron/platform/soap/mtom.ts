/**
 * MTOM/XOP (W3C SOAP MTOM, XOP 1.0) over MIME multipart/related (RFC 2387, RFC 2046 §5.1), both
 * ways: ITI-41 requests carry documents as binary parts referenced by `xop:Include href="cid:…"`;
 * ITI-43 responses come back as multipart/related, even for faults (research notes dmp.md §1.2).
 *
 * Building yields the message as a list of buffers — the documents themselves, not copies — with
 * its exact length. Parsing is a streaming state machine over the response chunks: part data is
 * kept as views of the received chunks and joined once at the end of each part, so a document is
 * copied once. Every size is bounded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { childElements, textOf, xmlNamespace, type XmlElementNode } from '../xml';
import { SoapError } from './envelope';

export const XOP_NS = 'http://www.w3.org/2004/08/xop/include';
const xop = xmlNamespace(XOP_NS, 'xop');

export interface MtomAttachment {
  /** Content-ID without angle brackets (see `newContentId`). */
  contentId: string;
  contentType?: string;
  data: Uint8Array;
}

export interface MultipartBody {
  /** The HTTP Content-Type header value. */
  contentType: string;
  contentLength: number;
  /** Header buffers and the documents' own buffers, in order: write them as they are. */
  chunks: readonly Buffer[];
}

// RFC 2392: a cid URL is the Content-ID with URL-unsafe characters %-encoded. Content-IDs made here
// use a restricted alphabet, so the cid URL is the Content-ID itself.
const CONTENT_ID = /^[A-Za-z0-9._+-]+@[A-Za-z0-9._-]+$/;

export function newContentId(): string {
  return `${randomUUID()}@pupitre`;
}

/** `<xop:Include href="cid:…"/>`, to put where the binary content goes in the envelope. */
export function xopInclude(contentId: string): XmlElementNode {
  if (!CONTENT_ID.test(contentId)) throw new TypeError(`unsupported Content-ID: ${contentId}`);
  return xop.el('Include', { kind: 'attribute', name: { ns: null, prefix: '', local: 'href' }, value: `cid:${contentId}` });
}

function quoted(value: string): string {
  if (/["\\\r\n]/.test(value)) throw new TypeError('MIME parameter values cannot contain quotes or line breaks');
  return `"${value}"`;
}

const CRLF = '\r\n';

/**
 * Builds an MTOM request: a root part `application/xop+xml; type="application/soap+xml"` with the
 * envelope, then one binary part per attachment. The SOAP action goes as the `action` parameter of
 * the root part and of the message, as in the official TD2.1 example.
 */
export function buildMtomMessage(options: {
  envelope: string | Uint8Array;
  attachments: readonly MtomAttachment[];
  action?: string;
  boundary?: string;
  rootContentId?: string;
}): MultipartBody {
  const envelope = typeof options.envelope === 'string' ? Buffer.from(options.envelope, 'utf8') : toBuffer(options.envelope);
  const rootId = options.rootContentId ?? newContentId();
  for (const id of [rootId, ...options.attachments.map((a) => a.contentId)]) {
    if (!CONTENT_ID.test(id)) throw new TypeError(`unsupported Content-ID: ${id}`);
  }
  const datas = options.attachments.map((a) => toBuffer(a.data));
  const boundary = options.boundary ?? `MIMEBoundary_${randomBytes(16).toString('hex')}`;
  // RFC 2046 §5.1.1: 1 to 70 characters (bchars), the last not a space (no spaces here at all).
  if (!/^[A-Za-z0-9'()+_,\-./:=?]{1,70}$/.test(boundary)) throw new TypeError('invalid MIME boundary');
  // RFC 2046 §5.1.1: the boundary must not occur in any part. A boundary given by the caller is
  // checked. A generated one is not searched for: its 128 bits come from the CSPRNG after the parts
  // exist, so no content can have been made to hold it, and by chance it occurs in a megabyte with
  // a probability below 2^-100 (the search cost 0.1 ms a document in bulk sending, issue 15).
  if (options.boundary !== undefined && [envelope, ...datas].some((d) => d.includes(`--${boundary}`))) {
    throw new TypeError('the MIME boundary occurs in the content');
  }
  const action = options.action === undefined ? '' : `; action=${quoted(options.action)}`;
  const chunks: Buffer[] = [];
  chunks.push(
    Buffer.from(
      `--${boundary}${CRLF}` +
        `Content-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"${action}${CRLF}` +
        `Content-Transfer-Encoding: 8bit${CRLF}` +
        `Content-ID: <${rootId}>${CRLF}${CRLF}`,
      'latin1',
    ),
    envelope,
  );
  options.attachments.forEach((attachment, index) => {
    const contentType = attachment.contentType ?? 'application/octet-stream';
    if (!/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"\r\n]*"|[\w.+-]+))*$/.test(contentType)) throw new TypeError('invalid part Content-Type');
    chunks.push(
      Buffer.from(
        `${CRLF}--${boundary}${CRLF}` +
          `Content-Type: ${contentType}${CRLF}` +
          `Content-Transfer-Encoding: binary${CRLF}` +
          `Content-ID: <${attachment.contentId}>${CRLF}${CRLF}`,
        'latin1',
      ),
      datas[index] as Buffer,
    );
  });
  chunks.push(Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'latin1'));
  return {
    contentType:
      `multipart/related; type="application/xop+xml"; boundary=${quoted(boundary)}; start=${quoted(`<${rootId}>`)}; ` +
      `start-info="application/soap+xml"${action}`,
    contentLength: chunks.reduce((n, c) => n + c.length, 0),
    chunks,
  };
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export interface MediaType {
  /** type/subtype, lower case. */
  type: string;
  /** Parameter names in lower case, values unquoted. */
  params: Record<string, string>;
}

/** RFC 2045 §5.1 Content-Type value: `type/subtype *(; attribute=value)`, values token or quoted-string. */
export function parseMediaType(value: string): MediaType {
  const match = /^\s*([^\s;/]+\/[^\s;]+)\s*/.exec(value);
  if (match === null) throw new SoapError('MTOM_MALFORMED', { reason: 'content-type' });
  const params: Record<string, string> = {};
  let rest = value.slice(match[0].length);
  const param = /^;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]*))\s*/;
  while (rest.length > 0) {
    if (/^;\s*$/.test(rest)) break;
    const p = param.exec(rest);
    if (p === null) throw new SoapError('MTOM_MALFORMED', { reason: 'content-type-parameter' });
    params[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    rest = rest.slice(p[0].length);
  }
  return { type: (match[1] as string).toLowerCase(), params };
}

export interface MultipartLimits {
  /** Default 100. */
  maxParts?: number;
  /** Header block of one part, default 16 KiB. */
  maxHeaderBytes?: number;
  /** One part's data, default 64 MiB. */
  maxPartBytes?: number;
  /** All parts together, default 128 MiB. */
  maxTotalBytes?: number;
  /** Bytes before the first boundary, default 64 KiB. */
  maxPreambleBytes?: number;
}

export interface MimePart {
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** Content-ID without angle brackets. */
  contentId: string | null;
  contentType: string;
  data: Buffer;
}

interface PartSink {
  onPart(headers: Record<string, string>): void;
  onData(chunk: Buffer): void;
  onPartEnd(): void;
}

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

type State = 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'epilogue';

/**
 * Streaming multipart parser. Delimiters are found as "LF--boundary" (the preceding CR, when present,
 * belongs to the delimiter): strict CRLF senders and the bare-LF official examples both parse. The
 * last bytes of a chunk are held back only as long as they could start a delimiter.
 */
export class MultipartParser {
  private state: State = 'preamble';
  private readonly delimiter: Buffer;
  // The stream is read as if preceded by a line feed, so that a first boundary at offset 0 matches.
  private pending: Buffer = Buffer.from([LF]);
  private buffer: Buffer = EMPTY;
  private partBytes = 0;
  private totalBytes = 0;
  private preambleBytes = 0;
  private parts = 0;
  private readonly limits: Required<MultipartLimits>;

  constructor(
    boundary: string,
    private readonly sink: PartSink,
    limits: MultipartLimits = {},
  ) {
    if (boundary === '' || boundary.length > 200) throw new SoapError('MTOM_MALFORMED', { reason: 'boundary' });
    this.delimiter = Buffer.from(`\n--${boundary}`, 'latin1');
    this.limits = {
      maxParts: limits.maxParts ?? 100,
      maxHeaderBytes: limits.maxHeaderBytes ?? 16 * 1024,
      maxPartBytes: limits.maxPartBytes ?? 64 * 1024 * 1024,
      maxTotalBytes: limits.maxTotalBytes ?? 128 * 1024 * 1024,
      maxPreambleBytes: limits.maxPreambleBytes ?? 64 * 1024,
    };
  }

  write(input: Uint8Array): void {
    let chunk: Buffer | null = toBuffer(input);
    while (chunk !== null) {
      switch (this.state) {
        case 'epilogue':
          return; // RFC 2046: the epilogue is ignored
        case 'preamble':
        case 'body':
          chunk = this.scan(chunk);
          if (chunk !== null) this.state = 'after-delimiter';
          break;
        case 'after-delimiter':
          chunk = this.afterDelimiter(chunk);
          break;
        case 'headers':
          chunk = this.headers(chunk);
          break;
      }
    }
  }

  /** Call at the end of the stream: the closing delimiter must have been seen. */
  end(): void {
    // Held-back bytes that were never searched (tiny chunks) may still hold the last delimiter.
    if (this.state === 'body' || this.state === 'preamble') this.write(EMPTY);
    if (this.state !== 'epilogue') throw new SoapError('MTOM_MALFORMED', { reason: 'truncated', state: this.state });
  }

  private emit(data: Buffer): void {
    if (data.length === 0) return;
    if (this.state === 'preamble') {
      this.preambleBytes += data.length;
      if (this.preambleBytes > this.limits.maxPreambleBytes) throw new SoapError('MTOM_MALFORMED', { reason: 'preamble-too-large' });
      return;
    }
    this.partBytes += data.length;
    this.totalBytes += data.length;
    if (this.partBytes > this.limits.maxPartBytes) throw new SoapError('MTOM_MALFORMED', { reason: 'part-too-large' });
    if (this.totalBytes > this.limits.maxTotalBytes) throw new SoapError('MTOM_MALFORMED', { reason: 'message-too-large' });
    this.sink.onData(data);
  }

  /** Finds the next delimiter; emits the data before it. Returns what follows it, or null. */
  private scan(chunk: Buffer): Buffer | null {
    const d = this.delimiter;
    const pending = this.pending;
    const pl = pending.length;
    if (pl > 0) {
      // A delimiter starting in the held-back bytes ends within d.length - 1 bytes of the chunk.
      const head = Buffer.concat([pending, chunk.subarray(0, d.length - 1)]);
      const i = head.indexOf(d);
      if (i !== -1 && i < pl) {
        this.emit(pending.subarray(0, i > 0 && head[i - 1] === CR ? i - 1 : i));
        this.pending = EMPTY;
        this.closePart();
        return chunk.subarray(i + d.length - pl);
      }
    }
    const j = chunk.indexOf(d);
    if (j !== -1) {
      let pendingEnd = pl;
      let end = j;
      if (j > 0) {
        if (chunk[j - 1] === CR) end = j - 1;
      } else if (pl > 0 && pending[pl - 1] === CR) {
        pendingEnd = pl - 1;
      }
      this.emit(pending.subarray(0, pendingEnd));
      this.emit(chunk.subarray(0, end));
      this.pending = EMPTY;
      this.closePart();
      return chunk.subarray(j + d.length);
    }
    // No delimiter: hold back the last d.length bytes (a partial delimiter and the CR before it).
    if (pl + chunk.length <= d.length) {
      this.pending = pl === 0 ? chunk : Buffer.concat([pending, chunk]);
    } else if (chunk.length >= d.length) {
      this.emit(pending);
      this.emit(chunk.subarray(0, chunk.length - d.length));
      this.pending = chunk.subarray(chunk.length - d.length);
    } else {
      const keep = d.length - chunk.length;
      this.emit(pending.subarray(0, pl - keep));
      this.pending = Buffer.concat([pending.subarray(pl - keep), chunk]);
    }
    return null;
  }

  private closePart(): void {
    if (this.state === 'body') this.sink.onPartEnd();
  }

  /** After "--boundary": "--" closes the message; otherwise optional white space then a line break. */
  private afterDelimiter(chunk: Buffer): Buffer | null {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const buffer = this.buffer;
    if (buffer.length < 2) return null;
    if (buffer[0] === 0x2d && buffer[1] === 0x2d) {
      this.state = 'epilogue';
      this.buffer = EMPTY;
      return null;
    }
    const lf = buffer.indexOf(LF);
    if (lf === -1) {
      if (buffer.length > 1024) throw new SoapError('MTOM_MALFORMED', { reason: 'boundary-line' });
      return null;
    }
    const padding = buffer.subarray(0, lf > 0 && buffer[lf - 1] === CR ? lf - 1 : lf);
    if (!/^[ \t]*$/.test(padding.toString('latin1'))) throw new SoapError('MTOM_MALFORMED', { reason: 'boundary-line' });
    this.buffer = EMPTY;
    this.state = 'headers';
    return buffer.subarray(lf + 1);
  }

  private headers(chunk: Buffer): Buffer | null {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const buffer = this.buffer;
    let headerEnd = -1;
    let bodyStart = -1;
    if (buffer[0] === LF) {
      headerEnd = 0;
      bodyStart = 1;
    } else if (buffer[0] === CR && buffer[1] === LF) {
      headerEnd = 0;
      bodyStart = 2;
    } else {
      const crlf = buffer.indexOf('\r\n\r\n');
      const lflf = buffer.indexOf('\n\n');
      if (crlf !== -1 && (lflf === -1 || crlf < lflf)) {
        headerEnd = crlf;
        bodyStart = crlf + 4;
      } else if (lflf !== -1) {
        headerEnd = lflf;
        bodyStart = lflf + 2;
      }
    }
    if (headerEnd === -1) {
      if (buffer.length > this.limits.maxHeaderBytes) throw new SoapError('MTOM_MALFORMED', { reason: 'part-headers-too-large' });
      return null;
    }
    if (headerEnd > this.limits.maxHeaderBytes) throw new SoapError('MTOM_MALFORMED', { reason: 'part-headers-too-large' });
    if (++this.parts > this.limits.maxParts) throw new SoapError('MTOM_MALFORMED', { reason: 'too-many-parts' });
    this.sink.onPart(parseHeaders(buffer.subarray(0, headerEnd).toString('latin1')));
    this.buffer = EMPTY;
    this.partBytes = 0;
    this.state = 'body';
    this.pending = EMPTY;
    return buffer.subarray(bodyStart);
  }
}

/** RFC 5322 header fields with folding; names in lower case. */
function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = block.split(/\r?\n/);
  let current: string | null = null;
  for (const line of lines) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && current !== null) {
      headers[current] = `${headers[current] ?? ''} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SoapError('MTOM_MALFORMED', { reason: 'part-header' });
    current = line.slice(0, colon).trim().toLowerCase();
    headers[current] = line.slice(colon + 1).trim();
  }
  return headers;
}

function stripAngles(value: string): string {
  const trimmed = value.trim();
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed.slice(1, -1) : trimmed;
}

export interface MultipartMessage {
  parts: MimePart[];
  /** The `start` parameter (root Content-ID, without angle brackets), if any. */
  start: string | null;
  /** The `type` parameter (application/xop+xml for MTOM). */
  type: string | null;
  startInfo: string | null;
}

/** Parses a whole multipart/related message from a buffer or a stream of chunks. */
export async function parseMultipartRelated(
  contentType: string,
  body: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limits: MultipartLimits = {},
): Promise<MultipartMessage> {
  const media = parseMediaType(contentType);
  if (media.type !== 'multipart/related') throw new SoapError('MTOM_MALFORMED', { reason: 'not-multipart-related' });
  const boundary = media.params.boundary;
  if (boundary === undefined) throw new SoapError('MTOM_MALFORMED', { reason: 'no-boundary' });
  return parseMultipartWithBoundary(boundary, body, limits, {
    start: media.params.start === undefined ? null : stripAngles(media.params.start),
    type: media.params.type ?? null,
    startInfo: media.params['start-info'] ?? null,
  });
}

/** Parses a multipart body whose boundary is already known (e.g. read from a saved message). */
export async function parseMultipartWithBoundary(
  boundary: string,
  body: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limits: MultipartLimits = {},
  params: Omit<MultipartMessage, 'parts'> = { start: null, type: null, startInfo: null },
): Promise<MultipartMessage> {
  const parts: MimePart[] = [];
  let headers: Record<string, string> = {};
  let chunks: Buffer[] = [];
  let size = 0;
  const parser = new MultipartParser(
    boundary,
    {
      onPart: (h) => {
        headers = h;
        chunks = [];
        size = 0;
      },
      onData: (chunk) => {
        chunks.push(chunk);
        size += chunk.length;
      },
      onPartEnd: () => {
        parts.push(finishPart(headers, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size)));
        chunks = [];
      },
    },
    limits,
  );
  if (body instanceof Uint8Array) parser.write(body);
  else for await (const chunk of body as AsyncIterable<Uint8Array>) parser.write(chunk);
  parser.end();
  return { parts, ...params };
}

function finishPart(headers: Record<string, string>, raw: Buffer): MimePart {
  const encoding = (headers['content-transfer-encoding'] ?? 'binary').toLowerCase();
  let data = raw;
  if (encoding === 'base64') data = Buffer.from(raw.toString('latin1').replace(/\s+/g, ''), 'base64');
  else if (encoding !== 'binary' && encoding !== '8bit' && encoding !== '7bit') {
    throw new SoapError('MTOM_MALFORMED', { reason: 'transfer-encoding', encoding });
  }
  const contentId = headers['content-id'];
  return {
    headers,
    contentId: contentId === undefined ? null : stripAngles(contentId),
    contentType: headers['content-type'] ?? 'text/plain',
    data,
  };
}

export interface MtomMessage {
  root: MimePart;
  /** Every part but the root, by Content-ID. */
  attachments: ReadonlyMap<string, MimePart>;
}

/** Splits a parsed multipart/related message into the XOP root and its attachments. */
export function toMtomMessage(message: MultipartMessage): MtomMessage {
  const root = (message.start === null ? undefined : message.parts.find((p) => p.contentId === message.start)) ?? message.parts[0];
  if (root === undefined) throw new SoapError('MTOM_MALFORMED', { reason: 'no-parts' });
  const rootType = parseMediaType(root.contentType);
  if (rootType.type !== 'application/xop+xml' && rootType.type !== 'application/soap+xml' && rootType.type !== 'text/xml') {
    throw new SoapError('MTOM_MALFORMED', { reason: 'root-type', type: rootType.type });
  }
  const attachments = new Map<string, MimePart>();
  for (const part of message.parts) {
    if (part === root || part.contentId === null) continue;
    if (attachments.has(part.contentId)) throw new SoapError('MTOM_MALFORMED', { reason: 'duplicate-content-id' });
    attachments.set(part.contentId, part);
  }
  return { root, attachments };
}

export async function parseMtomMessage(
  contentType: string,
  body: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  limits?: MultipartLimits,
): Promise<MtomMessage> {
  return toMtomMessage(await parseMultipartRelated(contentType, body, limits));
}

/**
 * The binary content of an element that carries either an `xop:Include` (MTOM) or base64 text
 * (the same element when the server did not optimise it).
 */
export function readBinaryContent(element: Element, attachments: ReadonlyMap<string, MimePart>): Buffer {
  const include = childElements(element, XOP_NS, 'Include')[0];
  if (include === undefined) {
    const value = textOf(element).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) throw new SoapError('MTOM_MALFORMED', { reason: 'base64' });
    return Buffer.from(value, 'base64');
  }
  const href = include.getAttribute('href') ?? '';
  if (!href.startsWith('cid:')) throw new SoapError('MTOM_MALFORMED', { reason: 'xop-href' });
  let contentId: string;
  try {
    contentId = decodeURIComponent(href.slice(4));
  } catch (cause) {
    throw new SoapError('MTOM_MALFORMED', { reason: 'xop-href' }, { cause });
  }
  const part = attachments.get(contentId);
  if (part === undefined) throw new SoapError('MTOM_PART_MISSING');
  return part.data;
}
