/**
 * Contract handlers of the identity and patients domains: thin adapters from validated params to
 * the INS domain functions and the PatientsService.
 */
import { checkIns, IDENTITY_DEVICES, isFirstGivenNameConsistent, normalizeTrait, searchBirthPlaces } from '../../services/identity';
import type { PatientsService } from '../../services/patients';
import type { HandlerMap } from '../rpc';
import type { ImportRunner } from '../workers';
import { DESK_ACTOR } from './core';

export interface PatientsHandlerOptions {
  /** Who acts, for the audit trail and the identity history (the card holder once a card session exists). */
  actor?: () => string;
  /**
   * Where CSV imports run: the host's worker thread (workers/index.ts), so that the desk and the
   * outbox keep answering. Without one (tests on an in-memory database) they run here.
   */
  imports?: ImportRunner;
}

function bytesOf(contentBase64: string): Uint8Array {
  return Buffer.from(contentBase64, 'base64');
}

export function createPatientsHandlers(service: PatientsService, options: PatientsHandlerOptions = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  return {
    'ins.check': async ({ matricule, oid }) => checkIns(matricule, oid, service.environment()),
    'ins.normalize': async ({ values }) => {
      const results = values.map(({ field, value }) => normalizeTrait(value, field));
      const first = results.find((r) => r.field === 'firstGivenName');
      const list = results.find((r) => r.field === 'birthGivenNames');
      const firstGivenNameConsistent = first?.ok && list?.ok ? isFirstGivenNameConsistent(first.value, list.value) : null;
      return { results, firstGivenNameConsistent };
    },
    'identity.devices': async () => ({ devices: [...IDENTITY_DEVICES] }),
    'identity.places.search': async ({ query, limit }) => ({ places: searchBirthPlaces(query, limit) }),
    'patients.search': async (params) => service.search(params, actor()),
    'patients.get': async ({ id }) => service.get(id, actor()),
    'patients.create': async (params) => service.create(params, actor()),
    'patients.update': async (params) => service.update(params, actor()),
    'patients.duplicates.find': async ({ strictTraits }) => ({ candidates: service.findDuplicates(strictTraits, actor(), 'desk') }),
    'patients.duplicates.list': async ({ limit }) => ({ pairs: service.duplicatePairs(limit, actor()) }),
    'patients.duplicates.compare': async ({ a, b }) => service.compare(a, b, actor()),
    'patients.merge': async (params) => service.merge(params, actor()),
    'patients.markDistinct': async (params) => {
      service.markDistinct(params, actor());
      return { ok: true as const };
    },
    'patients.recordIdentityCheck': async (params) => service.recordIdentityCheck(params, actor()),
    'patients.setIdentityAttribute': async (params) => service.setIdentityAttribute(params, actor()),
    'patients.datamatrix': async ({ id }) => service.datamatrix(id, actor()),
    'patients.import.preview': async ({ contentBase64, mapping }) =>
      options.imports === undefined ? service.importPreview({ bytes: bytesOf(contentBase64), mapping }, actor()) : options.imports.preview(bytesOf(contentBase64), mapping, actor()),
    'patients.import.commit': async ({ contentBase64, mapping }) =>
      options.imports === undefined ? service.importCommit({ bytes: bytesOf(contentBase64), mapping }, actor()) : options.imports.commit(bytesOf(contentBase64), mapping, actor()),
  };
}
