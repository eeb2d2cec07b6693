/**
 * One SI ApCV exchange: SOAP 1.2 envelope with WS-Addressing (MessageID, Action), wsse:Security
 * carrying the CPS assertion signed on the card (the same SAML assertion as INSi's « assertion PS »,
 * services/insi/assertion.ts; the templates call it AssertionCPS3), and ContexteLPS (IDAM, version,
 * instance, name). Over server-authenticated TLS. Errors become the APCV_* codes the desk sees:
 * a connection that could not be made is « offline », a timeout / 5xx / fault Receiver is
 * « unavailable », a fault Sender is mapped by response.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { AppError, isAppError } from '../../contract';
import type { Clock } from '../../platform/clock';
import { isTransportError, type HttpTimeouts, type HttpTransport, type TransportError } from '../../platform/http';
import { buildEnvelope, isSoapFaultError, SoapClient } from '../../platform/soap';
import type { XmlElementNode, XmlSigner } from '../../platform/xml';
import { buildAssertionPs, contexteLps, type AssertionHolder, type LpsIdentity } from '../insi';
import { APCV_ACTIONS, APCV_PATHS, type ApcvOperation } from './request';
import { apcvFaultError } from './response';

export interface ApcvCredentials {
  holder: AssertionHolder;
  signer: XmlSigner;
}

export interface ApcvClientDeps {
  transport: HttpTransport;
  /** Base URL (scheme + host), e.g. https://ias.apcv.sesam-vitale.fr; operations add their path. */
  baseUrl: () => string;
  lps: () => LpsIdentity;
  clock: Clock;
  /** Short: ApCV is used with the patient at the desk (a slow answer is refused, not waited for). */
  timeouts?: Partial<HttpTimeouts>;
  newId?: () => string;
}

export const APCV_DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 4_000, responseMs: 15_000, totalMs: 20_000 };

export class ApcvClient {
  private readonly soap: SoapClient;
  private readonly newId: () => string;

  constructor(private readonly deps: ApcvClientDeps) {
    this.soap = new SoapClient(deps.transport, { maxEnvelopeBytes: 256 * 1024 });
    this.newId = deps.newId ?? randomUUID;
  }

  /** The envelope as sent (tests check its shape against the public templates). */
  async envelope(operation: ApcvOperation, body: XmlElementNode, credentials: ApcvCredentials): Promise<XmlElementNode> {
    const at = new Date(this.deps.clock.now()).toISOString();
    const assertion = await buildAssertionPs({ holder: credentials.holder, signer: credentials.signer, issueInstant: at });
    return buildEnvelope({
      body,
      addressing: { action: APCV_ACTIONS[operation], messageId: `uuid:${this.newId()}` },
      headers: [contexteLps({ lps: this.deps.lps(), emitter: credentials.holder.idNat, at, lpsId: this.newId(), bamId: '' })],
      security: assertion,
    });
  }

  async call(operation: ApcvOperation, body: XmlElementNode, credentials: ApcvCredentials, signal?: AbortSignal): Promise<Element> {
    const base = this.deps.baseUrl();
    if (!/^https:\/\/[^/]+/.test(base)) throw new AppError('APCV_NOT_CONFIGURED', { reason: 'endpoint' });
    const url = `${base.replace(/\/+$/, '')}${APCV_PATHS[operation]}`;
    const envelope = await this.envelope(operation, body, credentials);
    try {
      const response = await this.soap.call({
        url,
        action: APCV_ACTIONS[operation],
        envelope,
        timeouts: { ...APCV_DEFAULT_TIMEOUTS, ...this.deps.timeouts },
        ...(signal === undefined ? {} : { signal }),
      });
      return response.content;
    } catch (error) {
      throw toApcvError(error, operation);
    }
  }
}

/** Transport and SOAP failures in the desk's words; `offline` when nothing reached the service. */
export function toApcvError(error: unknown, operation: ApcvOperation): AppError {
  if (isSoapFaultError(error)) return apcvFaultError(error);
  if (isTransportError(error)) {
    const details = { operation, transport: error.code, phase: error.phase, ...(error.status === undefined ? {} : { status: error.status }) };
    if (error.code === 'TRANSPORT_MALFORMED_RESPONSE') return new AppError('APCV_MALFORMED_RESPONSE', details);
    return new AppError(isOffline(error) ? 'APCV_OFFLINE' : 'APCV_UNAVAILABLE', details);
  }
  if (isAppError(error)) return error;
  return new AppError('APCV_UNAVAILABLE', { operation });
}

/** Nothing reached the service: no route, no name, nobody listening, or no connection in time. */
export function isOffline(error: TransportError): boolean {
  if (error.code === 'TRANSPORT_CONNECTION_REFUSED' || error.code === 'TRANSPORT_HOST_NOT_FOUND' || error.code === 'TRANSPORT_NETWORK_UNREACHABLE') return true;
  return error.code === 'TRANSPORT_TIMEOUT' && error.phase === 'connect';
}
