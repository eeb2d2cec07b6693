/**
 * One INSi exchange: builds the SOAP 1.2 envelope (WS-Addressing MessageID + Action, ContexteLPS,
 * ContexteBAM, and in card mode a wsse:Security header with the signed assertion PS), sends it,
 * and returns the parsed RESULTAT or throws a typed error (INSI_* for SOAP faults, TRANSPORT_* from
 * platform/http). Two authentication modes (insi.md §1.1):
 * - `cps`: the assertion signed by the CPx card; server-authenticated TLS only;
 * - `structure`: mutual TLS with a structure certificate whose CN is INSI-AUTO or INSI-MANU (the
 *   client certificate is in the HTTP transport); no assertion; Emetteur = the certificate OU.
 *
 * In card mode one signed assertion serves the calls of a few minutes (ASSERTION_REUSE_MS): a CPS
 * signs in hundreds of milliseconds and one card serves every call of a worklist, so signing per
 * call would make the card the bottleneck. padoa/tlsi-ins, in production with INSi, signs once
 * and reuses one assertion for all the calls of a client. The official example assertion carries
 * no validity condition (only IssueInstant) and the age INSi accepts is not public: an assertion
 * refused after reuse is signed again once and the call sent again (a look-up changes nothing).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../../contract';
import type { InsiResult } from '../../contract/domains/insi';
import type { Clock } from '../../platform/clock';
import type { HttpTransport } from '../../platform/http';
import { buildEnvelope, isSoapFaultError, SoapClient, type SecurityToken } from '../../platform/soap';
import type { Element } from '@xmldom/xmldom';
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
  /** How long a signed assertion PS serves (ms); 0 signs one per call. Default ASSERTION_REUSE_MS. */
  assertionReuseMs?: number;
}

/** Pupitre's choice (see above): short enough to follow a card change, long enough for a worklist. */
export const ASSERTION_REUSE_MS = 5 * 60_000;

interface SignedAssertion {
  /** The holder's attributes the assertion states. */
  key: string;
  issuedAt: number;
  element: Promise<Element>;
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
  /** Card mode: the assertion was signed for an earlier call. */
  reusedAssertion?: boolean;
}

export class InsiClient {
  private readonly newId: () => string;
  private readonly soap = new Map<InsiAuthMode, SoapClient>();
  /** Per card session (the signer of a session is one object): its current signed assertion. */
  private readonly assertions = new WeakMap<XmlSigner, SignedAssertion>();
  /** Signatures made (card mode), for the Diagnostic and the tests. */
  assertionsSigned = 0;

  constructor(private readonly deps: InsiClientDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /** The card session's assertion, signed now or earlier within ASSERTION_REUSE_MS. */
  private assertionFor(holder: AssertionHolder, signer: XmlSigner, now: number): { element: Promise<Element>; reused: boolean } {
    const key = JSON.stringify([holder.idNat, holder.billingNumber ?? null, holder.activitySector ?? null]);
    const reuseMs = this.deps.assertionReuseMs ?? ASSERTION_REUSE_MS;
    const current = this.assertions.get(signer);
    if (current !== undefined && current.key === key && now >= current.issuedAt && now - current.issuedAt < reuseMs) return { element: current.element, reused: true };
    this.assertionsSigned += 1;
    const signed: SignedAssertion = { key, issuedAt: now, element: buildAssertionPs({ holder, signer, issueInstant: new Date(now).toISOString() }) };
    // Concurrent calls share one signature; a failed one (card removed, PIN blocked) is not kept.
    if (reuseMs > 0) this.assertions.set(signer, signed);
    signed.element.catch(() => this.forgetAssertion(signer, signed.element));
    return { element: signed.element, reused: false };
  }

  private forgetAssertion(signer: XmlSigner, element: Promise<Element>): void {
    if (this.assertions.get(signer)?.element === element) this.assertions.delete(signer);
  }

  /** The envelope as it is sent (also what conformance tests validate against the XSDs). */
  async buildEnvelope(request: EnvelopeRequest, options: { freshAssertion?: boolean } = {}): Promise<BuiltEnvelope> {
    const now = this.deps.clock.now();
    const at = new Date(now).toISOString();
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
    let reusedAssertion: boolean | undefined;
    if (credentials.mode === 'cps') {
      if (options.freshAssertion === true) this.assertions.delete(credentials.signer);
      const assertion = this.assertionFor(credentials.holder, credentials.signer, now);
      security = await assertion.element;
      reusedAssertion = assertion.reused;
    }
    const messageId = `uuid:${this.newId()}`;
    const envelope = buildEnvelope({
      body: request.body,
      addressing: { action: INSI_ACTIONS[request.operation], messageId },
      headers: [contexteLps(context), contexteBam(context)],
      ...(security === undefined ? {} : { security }),
    });
    return reusedAssertion === undefined ? { envelope, messageId } : { envelope, messageId, reusedAssertion };
  }

  private soapFor(mode: InsiAuthMode): SoapClient {
    let client = this.soap.get(mode);
    if (client === undefined) {
      client = new SoapClient(this.deps.transport(mode), { maxEnvelopeBytes: 1024 * 1024 });
      this.soap.set(mode, client);
    }
    return client;
  }

  private async send(request: EnvelopeRequest, signal?: AbortSignal, freshAssertion = false): Promise<InsiResult> {
    const endpoint = this.deps.endpoint(request.credentials.mode);
    if (!/^https:\/\//.test(endpoint)) throw new AppError('INSI_ENDPOINT_NOT_CONFIGURED');
    const { envelope, reusedAssertion } = await this.buildEnvelope(request, { freshAssertion });
    try {
      const response = await this.soapFor(request.credentials.mode).call({
        url: endpoint,
        action: INSI_ACTIONS[request.operation],
        envelope,
        ...(signal === undefined ? {} : { signal }),
      });
      return parseResultat(response.content);
    } catch (error) {
      if (!isSoapFaultError(error)) throw error;
      const fault = insiFaultError(error);
      // A reused assertion refused (too old for INSi?): once more with a new signature.
      if (reusedAssertion === true && fault.code === 'INSI_RIGHTS_INSUFFICIENT') return this.send(request, signal, true);
      throw fault;
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
