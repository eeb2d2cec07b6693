/**
 * One SOAP 1.2 exchange over the HTTP client: the envelope (plain `application/soap+xml`, or MTOM
 * when there are attachments) goes out; the response — plain or multipart/related — comes back as
 * a parsed envelope, its attachments, or a typed error:
 *  - SoapFaultError for a SOAP Fault (whatever the HTTP status: SOAP 1.2 Part 2 §7.5.1 maps Sender
 *    faults to 400 and others to 500, and ITI-43 faults come inside multipart/related);
 *  - TransportError TRANSPORT_MALFORMED_RESPONSE when a 2xx response cannot be read (the request may
 *    have been processed: outcome unknown);
 *  - TransportError TRANSPORT_HTTP_* for an error status without a readable fault;
 *  - the HTTP client's TransportErrors for network, TLS and timeouts.
 */
import type { Element } from '@xmldom/xmldom';
import { isAppError } from '../../contract/errors';
import { httpStatusError, TransportError, type HttpStreamResponse, type HttpTimeouts, type HttpTransport } from '../http';
import { DEFAULT_MAX_XML_BYTES, parseXmlWithRecords, serializeXml, type XmlElementNode, type XmlReadableElement } from '../xml';
import { parseEnvelope, SoapFaultError, type SoapEnvelope } from './envelope';
import {
  buildMtomMessage,
  parseMediaType,
  parseMultipartRelated,
  readBinaryContent,
  toMtomMessage,
  type MimePart,
  type MtomAttachment,
  type MultipartLimits,
} from './mtom';

export interface SoapCall {
  url: string;
  /** wsa:Action, also sent as the `action` media-type parameter (SOAP 1.2 Part 2 §7.1.3). */
  action: string;
  envelope: XmlElementNode | string | Uint8Array;
  /** Binary parts referenced from the envelope by `xopInclude(contentId)`: sent as MTOM. */
  attachments?: readonly MtomAttachment[];
  /** Send as MTOM even without attachments (MTOM endpoints such as the DMP repository). */
  mtom?: boolean;
  signal?: AbortSignal;
  timeouts?: Partial<HttpTimeouts>;
  /** A read: sent once more on a new connection if a pooled one turns out closed (`HttpRequest.idempotent`). */
  idempotent?: boolean;
  /** Accept a SOAP 1.1 envelope in the response (no DMP/INSi response uses it). */
  allowSoap11?: boolean;
  /**
   * A list answer: the children of these elements are parsed one at a time (`SoapResponse.records`)
   * instead of in the envelope's tree, so that a list of thousands of entries stays within the
   * memory bound of every parse (10 × its size).
   */
  records?: { ns: string; local: string };
}

export interface SoapResponse {
  status: number;
  envelope: SoapEnvelope;
  /** The operation's response element (first child of Body). */
  content: Element;
  /** MTOM parts other than the root, by Content-ID (empty for a plain response). */
  attachments: ReadonlyMap<string, MimePart>;
  /** Bytes of an element holding an xop:Include (or base64 text). */
  binary(element: Element): Buffer;
  /** With `SoapCall.records`: each record, parsed when reached (empty otherwise). */
  records(): Iterable<XmlReadableElement>;
}

export interface SoapClientOptions {
  /** Largest SOAP envelope accepted (the root part for MTOM). Default 16 MiB. */
  maxEnvelopeBytes?: number;
  multipart?: MultipartLimits;
}

function malformed(status: number, cause: unknown): TransportError {
  return new TransportError('TRANSPORT_MALFORMED_RESPONSE', { phase: 'receive', status, retryable: true, outcomeUnknown: true, cause });
}

async function readAll(body: AsyncIterable<Buffer>, max: number, status: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new TransportError('TRANSPORT_RESPONSE_TOO_LARGE', { phase: 'receive', status, retryable: false, outcomeUnknown: true });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

export class SoapClient {
  constructor(
    private readonly http: HttpTransport,
    private readonly options: SoapClientOptions = {},
  ) {}

  async call(call: SoapCall): Promise<SoapResponse> {
    const envelopeBytes =
      typeof call.envelope === 'string'
        ? Buffer.from(call.envelope, 'utf8')
        : call.envelope instanceof Uint8Array
          ? call.envelope
          : Buffer.from(serializeXml(call.envelope, { declaration: true }), 'utf8');
    const attachments = call.attachments ?? [];
    const useMtom = call.mtom === true || attachments.length > 0;
    const headers: Record<string, string> = { accept: 'application/soap+xml, multipart/related' };
    let body: Uint8Array | readonly Buffer[];
    let contentLength: number;
    if (useMtom) {
      const message = buildMtomMessage({ envelope: envelopeBytes, attachments, action: call.action });
      headers['content-type'] = message.contentType;
      body = message.chunks;
      contentLength = message.contentLength;
    } else {
      if (/["\\\r\n]/.test(call.action)) throw new TypeError('invalid SOAP action');
      headers['content-type'] = `application/soap+xml; charset=UTF-8; action="${call.action}"`;
      body = envelopeBytes;
      contentLength = envelopeBytes.byteLength;
    }

    const response = await this.http.stream({
      method: 'POST',
      url: call.url,
      headers,
      body,
      contentLength,
      signal: call.signal,
      timeouts: call.timeouts,
      acceptErrorStatus: true,
      ...(call.idempotent === true ? { idempotent: true } : {}),
    });
    return this.readResponse(response, call);
  }

  private async readResponse(response: HttpStreamResponse, call: SoapCall): Promise<SoapResponse> {
    const { status } = response;
    const maxEnvelope = this.options.maxEnvelopeBytes ?? DEFAULT_MAX_XML_BYTES;
    const contentType = String(response.headers['content-type'] ?? '');
    let mediaType: string;
    try {
      mediaType = contentType === '' ? '' : parseMediaType(contentType).type;
    } catch {
      mediaType = '';
    }
    let consumed = false;
    try {
      let xml: Buffer;
      let xmlContentType = contentType;
      let attachments: ReadonlyMap<string, MimePart> = new Map();
      if (mediaType === 'multipart/related') {
        try {
          const message = toMtomMessage(await parseMultipartRelated(contentType, response.body, this.options.multipart));
          consumed = true;
          if (message.root.data.length > maxEnvelope) throw new TransportError('TRANSPORT_RESPONSE_TOO_LARGE', { phase: 'receive', status, retryable: false, outcomeUnknown: true });
          xml = message.root.data;
          xmlContentType = message.root.contentType;
          attachments = message.attachments;
        } catch (error) {
          if (error instanceof TransportError) throw error;
          throw status >= 400 ? httpStatusError(status) : malformed(status, error);
        }
      } else if (mediaType === 'application/soap+xml' || mediaType === 'text/xml' || mediaType === 'application/xml') {
        xml = await readAll(response.body, maxEnvelope, status);
        consumed = true;
      } else {
        // An HTML error page from a proxy, or nothing: no SOAP answer to read.
        throw status >= 400 ? httpStatusError(status) : malformed(status, new Error(`unexpected content type ${mediaType || '(none)'}`));
      }

      let envelope: SoapEnvelope;
      let records = (): Iterable<XmlReadableElement> => [];
      try {
        // XML 1.0 Appendix F: the MIME charset, when given, decides the encoding.
        const encoding = parseMediaType(xmlContentType).params.charset;
        const limits = { maxBytes: maxEnvelope, ...(encoding === undefined ? {} : { encoding }) };
        if (call.records === undefined) envelope = parseEnvelope(xml, { limits, allowSoap11: call.allowSoap11 });
        else {
          const split = parseXmlWithRecords(xml, call.records, limits);
          envelope = parseEnvelope(split.skeleton, { allowSoap11: call.allowSoap11 });
          records = () => split.readableRecords();
        }
      } catch (error) {
        if (status >= 400) throw httpStatusError(status);
        throw malformed(status, isAppError(error) ? error : new Error('unreadable envelope'));
      }
      if (envelope.fault !== null) throw new SoapFaultError(envelope.fault, status);
      if (status >= 400) throw httpStatusError(status);
      if (envelope.content === null) throw malformed(status, new Error('empty SOAP body'));
      const parts = attachments;
      return {
        status,
        envelope,
        content: envelope.content,
        attachments: parts,
        binary: (element) => readBinaryContent(element, parts),
        records,
      };
    } finally {
      if (!consumed) response.cancel();
    }
  }
}
