/**
 * Contract handlers of the ordonnance numérique: thin adapters from validated params to the
 * eprescription service (services/eprescription), plus the démo simulator control.
 */
import { lookupValueSet } from '../../services/cda';
import { COMMON_ROUTES, type EprescriptionService } from '../../services/eprescription';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

export interface EprescriptionHandlerOptions {
  actor?: () => string;
  /** Démo only: drives the local base e-prescription simulator. */
  simulator?: (change: { mode?: 'up' | 'down' | 'slow' | undefined; cancel?: string | undefined }) => Promise<{ mode: string; url: string; prescriptions: number }>;
}

export function createEprescriptionHandlers(service: EprescriptionService, options: EprescriptionHandlerOptions = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  const handlers: HandlerMap = {
    'eprescription.drugs.search': async ({ text, limit }) => service.searchDrugs(text, limit),
    'eprescription.drugs.generics': async ({ cis }) => ({ drugs: service.generics(cis) }),
    'eprescription.routes': async () => ({
      routes: COMMON_ROUTES.map((code) => lookupValueSet('route', code)).filter((c): c is NonNullable<typeof c> => c !== undefined),
    }),
    'eprescription.prescribe': async (params) => ({ prescription: await service.prescribe(params, actor()) }),
    'eprescription.list': async ({ patientId }) => ({ prescriptions: service.list(patientId, actor()) }),
    'eprescription.get': async ({ number }) => ({ prescription: service.get(number, actor()) }),
    'eprescription.pdf': async ({ number, format }) => {
      const { pdf, fileName } = await service.pdf(number, format, actor());
      return { pdfBase64: Buffer.from(pdf).toString('base64'), fileName };
    },
    'eprescription.printed': async ({ number, format }) => ({ printedAt: service.printed(number, format, actor()) }),
    'eprescription.dispensation.open': async (params) => ({ dispensation: await service.openDispensation(params, actor()) }),
    'eprescription.dispensation.record': async (params) => ({ dispensation: await service.recordDispensation(params, actor()) }),
    'eprescription.document.read': async (params) => ({ document: await service.readDocument(params, actor()) }),
  };
  if (options.simulator !== undefined) {
    const simulator = options.simulator;
    handlers['eprescription.demo.simulator'] = async ({ mode, cancel }) => simulator({ mode, cancel });
  }
  return handlers;
}
