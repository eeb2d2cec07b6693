/**
 * Contract handlers of the appli carte Vitale and ADRi domains: thin adapters to the services.
 */
import { AppError } from '../../contract';
import type { AdriService } from '../../services/adri';
import type { ApcvService } from '../../services/apcv';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

export function createApcvHandlers(apcv: ApcvService, adri: AdriService, options: { actor?: () => string } = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  return {
    'apcv.open': async ({ payloadBase64, source }) => {
      const payload = Buffer.from(payloadBase64, 'base64');
      if (payload.byteLength === 0) throw new AppError('APCV_PAYLOAD_NOT_RECOGNISED', { reason: 'empty' });
      return apcv.open(new Uint8Array(payload), source);
    },
    'apcv.openFromScan': async ({ scanId }) => apcv.openFromScan(scanId),
    'apcv.context': async ({ contextId }) => apcv.context(contextId),
    'apcv.close': async ({ contextId }) => apcv.close(contextId),
    'apcv.status': async () => apcv.status(),
    'adri.acquire': async ({ patientId, coverage }) => adri.acquire(patientId, coverage, actor()),
    'adri.rights': async ({ patientId }) => adri.rights(patientId, actor()),
  };
}
