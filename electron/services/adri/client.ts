/**
 * One ADRi exchange: SOAP 1.2, WS-Addressing, CPS assertion, ContexteBAM (with the coverage) and
 * ContexteLPS, over server-authenticated TLS. Short timeouts: rights are asked with the patient at
 * the desk, and « droits non vérifiés » is a valid outcome, never a blocking one.
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { AppError } from '../../contract';
import type { Clock } from '../../platform/clock';
import type { HttpTimeouts, HttpTransport } from '../../platform/http';
import { buildEnvelope, SoapClient } from '../../platform/soap';
import type { XmlSigner } from '../../platform/xml';
import { buildAssertionPs, contexteLps, type AssertionHolder, type LpsIdentity } from '../insi';
import { acquerirLesDroits, ADRI_ACTION, contexteBamAdri, type AdriQuery } from './request';

export interface AdriCredentials {
  holder: AssertionHolder;
  signer: XmlSigner;
}

export interface AdriClientDeps {
  transport: HttpTransport;
  endpoint: () => string;
  lps: () => LpsIdentity;
  clock: Clock;
  timeouts?: Partial<HttpTimeouts>;
  newId?: () => string;
}

export const ADRI_DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 4_000, responseMs: 10_000, totalMs: 15_000 };

export class AdriClient {
  private readonly soap: SoapClient;
  private readonly newId: () => string;

  constructor(private readonly deps: AdriClientDeps) {
    this.soap = new SoapClient(deps.transport, { maxEnvelopeBytes: 256 * 1024 });
    this.newId = deps.newId ?? randomUUID;
  }

  async acquire(query: AdriQuery, credentials: AdriCredentials): Promise<Element> {
    const url = this.deps.endpoint();
    if (!/^https:\/\//.test(url)) throw new AppError('ADRI_NOT_CONFIGURED', { reason: 'endpoint' });
    const at = new Date(this.deps.clock.now()).toISOString();
    const emitter = credentials.holder.idNat;
    const assertion = await buildAssertionPs({ holder: credentials.holder, signer: credentials.signer, issueInstant: at });
    const envelope = buildEnvelope({
      body: acquerirLesDroits(query),
      addressing: { action: ADRI_ACTION, messageId: `uuid:${this.newId()}` },
      headers: [contexteBamAdri(query, { id: this.newId(), at, emitter }), contexteLps({ lps: this.deps.lps(), emitter, at, lpsId: this.newId(), bamId: '' })],
      security: assertion,
    });
    const response = await this.soap.call({ url, action: ADRI_ACTION, envelope, timeouts: { ...ADRI_DEFAULT_TIMEOUTS, ...this.deps.timeouts } });
    return response.content;
  }
}
