/**
 * DMPi client: one method per transaction, each call a SOAP 1.2 exchange with WS-Addressing and a
 * signed VIHF in wsse:Security (one per caller, patient and validity window: ./vihf-cache.ts), over
 * mutual TLS on a kept-alive connection (the HTTP transport carries the client
 * certificate). Responses are parsed at the edge into typed values; SOAP faults and registry
 * errors become DmpErrors that say whether a retry makes sense (outbox classification).
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Element } from '@xmldom/xmldom';
import { AppError, type ErrorCode } from '../../contract/errors';
import type { Clock } from '../../platform/clock';
import type { HttpTransport } from '../../platform/http';
import { buildEnvelope, isSoapFaultError, newContentId, newMessageId, sanitizeFaultToken, SoapClient, type SoapFaultError, type SoapResponse } from '../../platform/soap';
import { childElements, serializeXml, signSubmissionSet, xmlNamespace, type SubmissionSetDocument, type XmlElementNode, type XmlSigner } from '../../platform/xml';
import { DMP_ACTIONS, DMP_PATHS, DMP_REPOSITORY_UNIQUE_ID, NS, type PurposeOfUse } from './codes';
import { buildAdhocQueryRequest, ITI18_RECORDS, parseAdhocQueryResponse, type AdhocQueryResult, type RegistryError, type StoredQuery } from './iti18';
import { buildTd02Request, parseTd02Response, type DmpStatus } from './td02';
import {
  buildMetadataUpdate,
  buildProvideAndRegister,
  buildRetrieveRequest,
  buildStatusUpdate,
  readRegistryResponse,
  readRetrieveResponse,
  type MetadataUpdateInput,
  type ProvideAndRegisterInput,
  type StatusUpdateInput,
} from './transactions';
import { type AuthenticationMode, type LpsIdentity, type VihfSubject } from './vihf';
import { VihfCache, type VihfLease } from './vihf-cache';

const habilitation = xmlNamespace(NS.habilitation);

/** TD0.3 response (official example: output/status DMPOk, output/context). */
export function readSetAuthorizationResponse(content: Element): { status: string; context: string } {
  if (content.localName !== 'setAuthorizationResponse' || content.namespaceURI !== NS.habilitation) throw new TypeError('not a setAuthorizationResponse');
  const output = childElements(content, NS.habilitation, 'output')[0];
  if (output === undefined) throw new TypeError('no output');
  const read = (local: string): string => (childElements(output, NS.habilitation, local)[0]?.textContent ?? '').trim();
  return { status: read('status'), context: read('context') };
}

/** An AppError that carries its outbox classification (platform/http `hasClassification`). */
export class DmpError extends AppError {
  constructor(
    code: ErrorCode,
    readonly retryable: boolean,
    readonly outcomeUnknown: boolean,
    details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(code, details, options);
    this.name = 'DmpError';
  }
}

/** Who calls: built per request from the card session or the structure certificate. */
export interface DmpCallerCredentials {
  mode: AuthenticationMode;
  subject: VihfSubject;
  /** Signs the VIHF: the CPS signature key (direct) or ORG SIGN (indirect). */
  signer: XmlSigner;
  /** Mutual TLS transport: CPS authentication key (direct) or ORG AUTH_CLI (indirect). */
  http: HttpTransport;
}

export interface DmpCallContext {
  credentials: DmpCallerCredentials;
  patient: { matricule: string; oid: string };
  purposeOfUse: PurposeOfUse;
  signal?: AbortSignal;
}

export interface DmpClientOptions {
  /** DMPi base URL, e.g. https://…/si-dmp-server/v2/services. */
  baseUrl: () => string;
  clock: Clock;
  lps: () => LpsIdentity;
  /** OID identifying this installation (sender device, submission set source). */
  lpsOid: () => string;
  timeouts?: { connectMs?: number; responseMs?: number; totalMs?: number };
  /** Time spent in each stage of an exchange, for the bench's breakdown (nothing by default). */
  trace?: DmpTrace;
}

/**
 * Stages of an exchange: VIHF (cached or signed), request (transaction body + envelope), exchange
 * (HTTP round trip, response envelope parsed), parse (the transaction's answer read); db (the
 * service's writes of what it read).
 */
export type DmpTrace = (stage: 'vihf' | 'request' | 'exchange' | 'parse' | 'db', ms: number) => void;

/** Known DMP fault subcodes (as the simulator raises them; real DMP faults use DMP* subcodes too). */
const FAULT_CODES: Record<string, ErrorCode> = {
  DMPAccessDenied: 'DMP_NOT_AUTHORIZED',
  DMPAccessDeniedByRights: 'DMP_FORBIDDEN_BY_RIGHTS',
  DMPPatientNotFound: 'DMP_NOT_FOUND',
  DMPClosed: 'DMP_CLOSED',
  DMPInvalidCertificate: 'DMP_VIHF_REFUSED',
  DMPVIHFInvalid: 'DMP_VIHF_REFUSED',
  DMPBreakGlassOpposed: 'DMP_BREAK_GLASS_OPPOSED',
  DMPInvalidSignature: 'DMP_SIGNATURE_REFUSED',
};

function hl7Ts(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * A SOAP fault of the DMP → the error the desk sees: its French message from the subcode, the
 * subcodes kept sanitised in the details. The DMP's reason text is never kept, nor the fault as a
 * cause (it may quote the patient; issue 14 point 9).
 */
export function dmpFaultError(error: SoapFaultError): DmpError {
  const sub = error.fault.subcodes.map((s) => sanitizeFaultToken(s.local) ?? 'non-standard');
  const mapped = error.fault.subcodes.map((s) => FAULT_CODES[s.local]).find((c) => c !== undefined);
  if (mapped !== undefined) return new DmpError(mapped, false, false, { fault: sub.join(',') });
  const receiver = error.fault.code.local === 'Receiver';
  return new DmpError(receiver ? 'DMP_UNAVAILABLE' : 'DMP_REJECTED', receiver, false, { fault: sub.join(',') || sanitizeFaultToken(error.fault.code.local) });
}

export class DmpClient {
  private readonly vihfs: VihfCache;

  constructor(private readonly options: DmpClientOptions) {
    this.vihfs = new VihfCache(options.clock);
  }

  private vihf(ctx: DmpCallContext): Promise<VihfLease> {
    return this.vihfs.get({ subject: ctx.credentials.subject, mode: ctx.credentials.mode, patient: ctx.patient, purposeOfUse: ctx.purposeOfUse, lps: this.options.lps() }, ctx.credentials.signer);
  }

  /** The card session ended: its VIHFs are forgotten. */
  forgetVihfs(): void {
    this.vihfs.clear();
  }

  /**
   * Takes the slow parts off the next exchange's critical path: the VIHF for this caller and
   * patient is signed, and a connection to the DMP is opened in the keep-alive pool (TLS handshake
   * done). Never throws: the exchange itself says what is wrong.
   */
  async prewarm(ctx: DmpCallContext): Promise<void> {
    const base = this.options.baseUrl();
    if (!/^https?:\/\//.test(base)) return;
    await Promise.all([this.vihf(ctx).catch(() => undefined), ctx.credentials.http.warm?.(base)]);
  }

  private url(path: string): string {
    const base = this.options.baseUrl();
    if (!/^https?:\/\//.test(base)) throw new DmpError('DMP_NOT_CONFIGURED', false, false);
    return `${base.replace(/\/+$/, '')}${path}`;
  }

  private async call(
    ctx: DmpCallContext,
    path: string,
    action: string,
    body: XmlElementNode,
    extra: { attachments?: Array<{ contentId: string; contentType: string; data: Uint8Array }>; mtom?: boolean; records?: { ns: string; local: string }; idempotent?: boolean } = {},
  ): Promise<SoapResponse> {
    const url = this.url(path);
    const trace = this.options.trace;
    let started = performance.now();
    const lease = await this.vihf(ctx);
    trace?.('vihf', performance.now() - started);
    try {
      return await this.exchange(ctx, url, action, body, extra, lease.assertion);
    } catch (error) {
      // A VIHF signed for an earlier request and refused now (the DMP's window may be shorter than
      // the one modelled): dropped, and the request made once more with a fresh one. A refusal
      // happens before the DMP does anything, so no request has an effect twice.
      if (!(lease.reused && error instanceof DmpError && error.code === 'DMP_VIHF_REFUSED')) throw error;
      lease.drop();
      started = performance.now();
      const fresh = await this.vihf(ctx);
      trace?.('vihf', performance.now() - started);
      return await this.exchange(ctx, url, action, body, extra, fresh.assertion);
    }
  }

  private async exchange(
    ctx: DmpCallContext,
    url: string,
    action: string,
    body: XmlElementNode,
    extra: { attachments?: Array<{ contentId: string; contentType: string; data: Uint8Array }>; mtom?: boolean; records?: { ns: string; local: string }; idempotent?: boolean },
    assertion: Element,
  ): Promise<SoapResponse> {
    const trace = this.options.trace;
    let started = performance.now();
    const envelope = buildEnvelope({
      addressing: { action, messageId: newMessageId(), to: url, replyTo: true },
      security: assertion,
      body,
    });
    // A patient's whole DMP can list thousands of entries (~8 KB each): allow 64 MiB of envelope.
    // Serialised here rather than in the SOAP client, so that the bench sees it as request building.
    const bytes = Buffer.from(serializeXml(envelope, { declaration: true }), 'utf8');
    const soap = new SoapClient(ctx.credentials.http, { maxEnvelopeBytes: 64 * 1024 * 1024 });
    trace?.('request', performance.now() - started);
    started = performance.now();
    try {
      return await soap.call({
        url,
        action,
        envelope: bytes,
        ...(extra.attachments === undefined ? {} : { attachments: extra.attachments }),
        ...(extra.mtom === true ? { mtom: true } : {}),
        ...(extra.records === undefined ? {} : { records: extra.records }),
        ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
        ...(this.options.timeouts === undefined ? {} : { timeouts: this.options.timeouts }),
        ...(extra.idempotent === true ? { idempotent: true } : {}),
      });
    } catch (error) {
      if (isSoapFaultError(error)) throw dmpFaultError(error);
      throw error;
    } finally {
      trace?.('exchange', performance.now() - started);
    }
  }

  private malformed(cause: unknown): DmpError {
    return new DmpError('DMP_RESPONSE_INVALID', true, true, undefined, { cause });
  }

  private rejected(errors: RegistryError[]): DmpError {
    const first = errors[0];
    // The errorCode is a token (XDSRegistryBusy…); the codeContext is the registry's text, never kept.
    const code = sanitizeFaultToken(first?.errorCode) ?? '';
    if (code === 'XDSUnknownPatientId') return new DmpError('DMP_NOT_FOUND', false, false, { registryError: code });
    if (code === 'XDSRegistryBusy' || code === 'XDSRepositoryBusy') return new DmpError('DMP_UNAVAILABLE', true, false, { registryError: code });
    return new DmpError('DMP_REJECTED', false, false, { registryError: code, count: errors.length });
  }

  /** TD0.2: existence of the DMP and authorisation of the caller. */
  async td02(ctx: DmpCallContext): Promise<DmpStatus> {
    const now = this.options.clock.now();
    const body = buildTd02Request({
      messageId: randomUUID(),
      queryId: randomUUID(),
      creationTime: hl7Ts(now),
      patient: ctx.patient,
      sender: { root: this.options.lpsOid(), name: this.options.lps().name },
    });
    // A read: sent again on a new connection if the kept-alive one turns out closed.
    const response = await this.call(ctx, DMP_PATHS.patient, DMP_ACTIONS.td02, body, { idempotent: true });
    const started = performance.now();
    try {
      return parseTd02Response(response.content);
    } catch (error) {
      throw this.malformed(error);
    } finally {
      this.options.trace?.('parse', performance.now() - started);
    }
  }

  /** TD0.3: adds or removes the caller's authorisation on the patient's DMP (official TD0.3 example). */
  async td03(ctx: DmpCallContext, action: 'AJOUT' | 'SUPPRESSION'): Promise<{ status: string; context: string }> {
    const body = habilitation.el('setAuthorization', habilitation.el('action', action));
    const response = await this.call(ctx, DMP_PATHS.habilitation, DMP_ACTIONS.td03, body);
    let result: { status: string; context: string };
    try {
      result = readSetAuthorizationResponse(response.content);
    } catch (error) {
      throw this.malformed(error);
    }
    if (result.status !== 'DMPOk') throw new DmpError('DMP_REJECTED', false, false, { status: sanitizeFaultToken(result.status) });
    return result;
  }

  /** TD3.1 (ITI-18). */
  async query(ctx: DmpCallContext, stored: StoredQuery): Promise<AdhocQueryResult> {
    // A whole DMP can list thousands of entries: read them one at a time (issue 14, memory bound).
    const response = await this.call(ctx, DMP_PATHS.registry, DMP_ACTIONS.iti18, buildAdhocQueryRequest(stored), { records: ITI18_RECORDS, idempotent: true });
    const started = performance.now();
    let result: AdhocQueryResult;
    try {
      result = parseAdhocQueryResponse(response.content, response.records());
    } catch (error) {
      throw this.malformed(error);
    } finally {
      this.options.trace?.('parse', performance.now() - started);
    }
    if (result.status === 'failure') throw this.rejected(result.errors);
    return result;
  }

  /** TD3.2 (ITI-43): the document bytes, from the MTOM part. */
  async retrieve(ctx: DmpCallContext, uniqueId: string, repositoryUniqueId = DMP_REPOSITORY_UNIQUE_ID): Promise<{ mimeType: string; data: Buffer }> {
    const response = await this.call(ctx, DMP_PATHS.repository, DMP_ACTIONS.iti43, buildRetrieveRequest([{ repositoryUniqueId, uniqueId }]), { mtom: true, idempotent: true });
    let parsed: ReturnType<typeof readRetrieveResponse>;
    try {
      parsed = readRetrieveResponse(response.content);
    } catch (error) {
      throw this.malformed(error);
    }
    const found = parsed.documents.find((d) => d.uniqueId === uniqueId);
    if (found === undefined) {
      if (parsed.errors.length > 0 && parsed.errors[0]?.errorCode !== 'XDSDocumentUniqueIdError') throw this.rejected(parsed.errors);
      throw new DmpError('DMP_DOCUMENT_NOT_FOUND', false, false);
    }
    try {
      return { mimeType: found.mimeType, data: response.binary(found.content) };
    } catch (error) {
      throw this.malformed(error);
    }
  }

  /**
   * TD2.1 (ITI-41): the document as an MTOM part and, as in the official example, the XAdES
   * signature of the submission set (signed by the same key as the VIHF) as a second one.
   */
  async provideAndRegister(
    ctx: DmpCallContext,
    input: Omit<ProvideAndRegisterInput, 'contentId' | 'signature'>,
    document: Uint8Array,
    options: { signatureUniqueId?: string; canonicalDigest?: SubmissionSetDocument['canonicalDigest'] } = {},
  ): Promise<void> {
    const contentId = newContentId();
    const attachments = [{ contentId, contentType: input.metadata.mimeType, data: document }];
    let signature: ProvideAndRegisterInput['signature'];
    if (options.signatureUniqueId !== undefined) {
      const xml = Buffer.from(
        await signSubmissionSet({
          signer: ctx.credentials.signer,
          signatureId: randomUUID(),
          submissionSetUniqueId: input.submissionSet.uniqueId,
          // The CDA's canonical digest, when computed once at queue time, is used as it is.
          documents: [
            {
              uniqueId: input.metadata.uniqueId,
              content: document,
              xml: input.metadata.mimeType === 'text/xml',
              ...(options.canonicalDigest === undefined ? {} : { canonicalDigest: options.canonicalDigest }),
            },
          ],
          signingTime: this.options.clock.now(),
        }),
        'utf8',
      );
      signature = { uniqueId: options.signatureUniqueId, contentId: newContentId(), size: xml.length, hash: createHash('sha1').update(xml).digest('hex') };
      attachments.push({ contentId: signature.contentId, contentType: 'text/xml', data: xml });
    }
    const body = buildProvideAndRegister({ ...input, contentId, ...(signature === undefined ? {} : { signature }) });
    const response = await this.call(ctx, DMP_PATHS.repository, DMP_ACTIONS.iti41, body, { attachments });
    this.checkRegistryResponse(response);
  }

  /** TD3.3c/d (ITI-57): delete or archive. */
  async updateStatus(ctx: DmpCallContext, input: StatusUpdateInput): Promise<void> {
    const response = await this.call(ctx, DMP_PATHS.registry, DMP_ACTIONS.iti57, buildStatusUpdate(input));
    this.checkRegistryResponse(response);
  }

  /** TD3.3a/b (ITI-57): new metadata version (masking, visibility). */
  async updateMetadata(ctx: DmpCallContext, input: MetadataUpdateInput): Promise<void> {
    const response = await this.call(ctx, DMP_PATHS.registry, DMP_ACTIONS.iti57, buildMetadataUpdate(input));
    this.checkRegistryResponse(response);
  }

  private checkRegistryResponse(response: SoapResponse): void {
    let parsed: ReturnType<typeof readRegistryResponse>;
    try {
      parsed = readRegistryResponse(response.content);
    } catch (error) {
      throw this.malformed(error);
    }
    if (parsed.status === 'failure') throw this.rejected(parsed.errors);
  }
}

export { hl7Ts };
