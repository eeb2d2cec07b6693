/**
 * The modelled base e-prescription client (wire format in wire.ts, MODELLED): SOAP 1.2 with
 * WS-Addressing, the CPS « assertion PS » in wsse:Security (signed on the card through PKCS#11, the
 * INSi construction: services/insi), over HTTPS. SOAP faults of the model become typed errors with
 * their outbox classification; transport errors classify themselves (platform/http).
 */
import { randomUUID } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import type { Clock } from '../../../platform/clock';
import type { HttpTransport } from '../../../platform/http';
import { buildEnvelope, isSoapFaultError, SoapClient, type SoapFaultError } from '../../../platform/soap';
import type { XmlElementNode } from '../../../platform/xml';
import { buildAssertionPs } from '../../insi';
import type { BaseStatus } from '../model';
import { ErxError, type BaseCaller, type EprescriptionBase } from './base';
import {
  ERX_ACTIONS,
  ERX_FAULTS,
  ERX_NS,
  executeRequest,
  parseReadResponse,
  parseStatusResponse,
  readRequest,
  registerRequest,
  statusRequest,
  WireError,
  type ErxOperation,
} from './wire';

export interface ModelledBaseOptions {
  endpoint: () => string;
  transport: () => HttpTransport;
  clock: Clock;
}

function faultError(error: SoapFaultError): ErxError {
  const sub = error.fault.subcodes.find((s) => s.ns === ERX_NS)?.local;
  const details = { fault: sub ?? error.fault.code.local };
  switch (sub) {
    case ERX_FAULTS.unknown:
      return new ErxError('ERX_UNKNOWN_NUMBER', false, false, details);
    case ERX_FAULTS.alreadyDispensed:
      return new ErxError('ERX_ALREADY_DISPENSED', false, false, details);
    case ERX_FAULTS.cancelled:
      return new ErxError('ERX_CANCELLED', false, false, details);
    case ERX_FAULTS.rights:
      return new ErxError('ERX_RIGHTS_REFUSED', false, false, details);
    case ERX_FAULTS.lineExhausted:
      return new ErxError('ERX_LINE_EXHAUSTED', false, false, details);
    case ERX_FAULTS.unavailable:
      return new ErxError('ERX_UNAVAILABLE', true, false, details);
    case ERX_FAULTS.numberTaken:
    case ERX_FAULTS.invalid:
      return new ErxError('ERX_PRESCRIPTION_INVALID', false, false, details);
    default:
      // A fault outside the model: the Receiver side failing may succeed later.
      return new ErxError(error.retryable ? 'ERX_UNAVAILABLE' : 'ERX_RESPONSE_INVALID', error.retryable, false, details);
  }
}

export function modelledBase(options: ModelledBaseOptions): EprescriptionBase {
  let soap: SoapClient | null = null;
  let soapTransport: HttpTransport | null = null;
  const client = (): SoapClient => {
    const transport = options.transport();
    if (soap === null || soapTransport !== transport) {
      soap = new SoapClient(transport, { maxEnvelopeBytes: 48 * 1024 * 1024 });
      soapTransport = transport;
    }
    return soap;
  };

  async function call(caller: BaseCaller, operation: ErxOperation, body: XmlElementNode, signal?: AbortSignal): Promise<Element> {
    const endpoint = options.endpoint();
    if (!/^https:\/\//.test(endpoint)) throw new ErxError('ERX_TELESERVICE_NOT_AVAILABLE', false, false);
    const assertion = await buildAssertionPs({
      holder: { idNat: caller.idNat, billingNumber: caller.billingNumber, activitySector: caller.activitySector },
      signer: caller.signer,
      issueInstant: new Date(options.clock.now()).toISOString(),
    });
    const envelope = buildEnvelope({ body, addressing: { action: ERX_ACTIONS[operation], messageId: `uuid:${randomUUID()}` }, security: assertion });
    try {
      const response = await client().call({ url: endpoint, action: ERX_ACTIONS[operation], envelope, ...(signal === undefined ? {} : { signal }) });
      return response.content;
    } catch (error) {
      if (isSoapFaultError(error)) throw faultError(error);
      throw error;
    }
  }

  /** A 2xx answer the model cannot read: the request may have been processed. */
  const unreadable = (error: unknown): ErxError =>
    new ErxError('ERX_RESPONSE_INVALID', true, true, { field: error instanceof WireError ? error.field : 'réponse' }, { cause: error });

  const statusOf = (content: Element): BaseStatus => {
    try {
      return parseStatusResponse(content).status;
    } catch (error) {
      throw unreadable(error);
    }
  };

  return {
    available: true,
    async register(caller, input, signal) {
      return { status: statusOf(await call(caller, 'register', registerRequest(input), signal)) };
    },
    async read(caller, number, signal) {
      const content = await call(caller, 'read', readRequest(number), signal);
      try {
        return parseReadResponse(content);
      } catch (error) {
        throw new ErxError('ERX_RESPONSE_INVALID', true, false, { field: error instanceof WireError ? error.field : 'réponse' }, { cause: error });
      }
    },
    async execute(caller, number, execution, signal) {
      return { status: statusOf(await call(caller, 'execute', executeRequest(number, execution), signal)) };
    },
    async status(caller, number, signal) {
      try {
        return statusOf(await call(caller, 'status', statusRequest(number), signal));
      } catch (error) {
        if (error instanceof ErxError && error.code === 'ERX_UNKNOWN_NUMBER') return null;
        throw error;
      }
    },
    async probe() {
      try {
        // Any HTTP answer means the service is reachable; only the network failing says it is not.
        const response = await options.transport().stream({ method: 'GET', url: options.endpoint(), acceptErrorStatus: true, timeouts: { connectMs: 3_000, responseMs: 5_000 } });
        for await (const _chunk of response.body) void _chunk;
        return response.status !== 503;
      } catch {
        return false;
      }
    },
  };
}
