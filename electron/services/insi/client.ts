/**
 * One INSi exchange: builds the SOAP 1.2 envelope (WS-Addressing MessageID + Action, ContexteLPS,
 * ContexteBAM, and in card mode a wsse:Security header with the signed assertion PS), sends it,
 * and returns the parsed RESULTAT or throws a typed error (INSI_* for SOAP faults, TRANSPORT_* from
 * platform/http). Two authentication modes (insi.md §1.1):
 * - `cps`: the assertion signed by the CPx card; server-authenticated TLS only;
 * - `structure`: mutual TLS with a structure certificate whose CN is INSI-AUTO or INSI-MANU (the
 *   client certificate is in the HTTP transport); no assertion; Emetteur = the certificate OU.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract';
import type { InsiResult } from '../../contract/domains/insi';
import type { Clock } from '../../platform/clock';
import type { HttpTransport } from '../../platform/http';
import { buildEnvelope, isSoapFaultError, SoapClient, type SecurityToken } from '../../platform/soap';
import type { XmlElementNode, XmlSigner } from '../../platform/xml';
import { buildAssertionPs, type AssertionHolder } from './assertion';
import {
  contexteBam,
  contexteLps,
  INSI_ACTIONS,
  recSansVitale,
  recVitale,
  type InsiOperation,
  type LpsIdentity,
  type TraitsQuery,
  type VitaleCoverage,
  type VitaleQuery,
} from './request';
import { insiFaultError, parseResultat } from './response';

export type InsiCredentials =
  | { mode: 'cps'; holder: AssertionHolder; signer: XmlSigner }
  /** `emitter`: the OU of the INSI-AUTO/INSI-MANU certificate (padoa/tlsi-ins emitter.helper.ts). */
  | { mode: 'structure'; emitter: string };

export type InsiAuthMode = InsiCredentials['mode'];

export interface InsiClientDeps {
  /** HTTPS transport per mode: the structure transport carries the client certificate. */
  transport: (mode: InsiAuthMode) => HttpTransport;
  endpoint: (mode: InsiAuthMode) => string;
  lps: () => LpsIdentity;
  clock: Clock;
  newId?: () => string;
}

export interface EnvelopeRequest {
  operation: InsiOperation;
  body: XmlElementNode;
  credentials: InsiCredentials;
  coverage?: VitaleCoverage;
}

export interface BuiltEnvelope {
  envelope: XmlElementNode;
  messageId: string;
}

export class InsiClient {
  private readonly newId: () => string;
  private readonly soap = new Map<InsiAuthMode, SoapClient>();

  constructor(private readonly deps: InsiClientDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** The envelope as it is sent (also what conformance tests validate against the XSDs). */
  async buildEnvelope(request: EnvelopeRequest): Promise<BuiltEnvelope> {
    const at = new Date(this.deps.clock.now()).toISOString();
    const credentials = request.credentials;
    const emitter = credentials.mode === 'cps' ? credentials.holder.idNat : credentials.emitter;
    const context = {
      lps: this.deps.lps(),
      emitter,
      at,
      lpsId: this.newId(),
      bamId: this.newId(),
      ...(request.coverage === undefined ? {} : { coverage: request.coverage }),
    };
    let security: SecurityToken | undefined;
    if (credentials.mode === 'cps') {
      security = await buildAssertionPs({ holder: credentials.holder, signer: credentials.signer, issueInstant: at });
    }
    const messageId = `uuid:${this.newId()}`;
    const envelope = buildEnvelope({
      body: request.body,
      addressing: { action: INSI_ACTIONS[request.operation], messageId },
      headers: [contexteLps(context), contexteBam(context)],
      ...(security === undefined ? {} : { security }),
    });
    return { envelope, messageId };
  }

  private soapFor(mode: InsiAuthMode): SoapClient {
    let client = this.soap.get(mode);
    if (client === undefined) {
      client = new SoapClient(this.deps.transport(mode), { maxEnvelopeBytes: 1024 * 1024 });
      this.soap.set(mode, client);
    }
    return client;
  }

  private async send(request: EnvelopeRequest, signal?: AbortSignal): Promise<InsiResult> {
    const endpoint = this.deps.endpoint(request.credentials.mode);
    if (!/^https:\/\//.test(endpoint)) throw new AppError('INSI_ENDPOINT_NOT_CONFIGURED');
    const { envelope } = await this.buildEnvelope(request);
    try {
      const response = await this.soapFor(request.credentials.mode).call({
        url: endpoint,
        action: INSI_ACTIONS[request.operation],
        envelope,
        ...(signal === undefined ? {} : { signal }),
      });
      return parseResultat(response.content);
    } catch (error) {
      if (isSoapFaultError(error)) throw insiFaultError(error);
      throw error;
    }
  }

  /** rechercherInsAvecTraitsIdentite: one call, no retry strategy (see strategy.ts). */
  searchByTraits(query: TraitsQuery, credentials: InsiCredentials, signal?: AbortSignal): Promise<InsiResult> {
    return this.send({ operation: 'traits', body: recSansVitale(query), credentials }, signal);
  }

  /** rechercherInsAvecCarteVitale. */
  searchByVitale(query: VitaleQuery, coverage: VitaleCoverage, credentials: InsiCredentials, signal?: AbortSignal): Promise<InsiResult> {
    return this.send({ operation: 'vitale', body: recVitale(query), credentials, coverage }, signal);
  }
}
