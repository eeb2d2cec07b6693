/**
 * Contract handlers of the INSi domain: thin adapters from validated params to InsiService.
 */
import { parseInsiResponse, type InsiService } from '../../services/insi';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

export interface InsiHandlerOptions {
  /** Who acts (the card holder once a card session exists). */
  actor?: () => string;
}

export function createInsiHandlers(service: InsiService, options: InsiHandlerOptions = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  return {
    'insi.searchTraits': async ({ traits }) => service.searchTraits(traits, actor()),
    'insi.lookupPatient': async ({ patientId }) => service.lookupPatient(patientId, actor()),
    'insi.lookupVitale': async ({ patientId, beneficiary }) => service.lookupVitale(patientId, beneficiary, actor()),
    'insi.accept': async ({ patientId, lookupId, confirmation }) =>
      service.accept(patientId, lookupId, actor(), confirmation === undefined ? undefined : { reason: confirmation.reason }),
    'insi.reject': async ({ patientId, lookupId, reason }) => {
      service.reject(patientId, lookupId, reason, actor());
      return { ok: true as const };
    },
    'insi.preview': async ({ patientId, lookupId }) => service.preview(patientId, lookupId, actor()),
    'insi.createPatient': async ({ lookupId, acknowledgeDuplicates }) => service.createPatient(lookupId, acknowledgeDuplicates, actor()),
    'insi.parse': async ({ xml }) => parseInsiResponse(xml),
    'insi.worklist.start': async ({ selection }) => service.startWorklist(selection, actor()),
    'insi.worklist.progress': async ({ worklistId }) => service.progress(worklistId),
    'insi.worklist.list': async () => ({ worklists: service.worklists() }),
    'insi.worklist.items': async ({ worklistId, status, limit }) => ({ items: service.items(worklistId, status, limit) }),
    'insi.worklist.report': async ({ worklistId }) => service.report(worklistId, actor()),
    'insi.worklist.toVerify': async ({ limit, text, sort }) => service.toVerify({ limit, text, sort }, actor()),
  };
}
