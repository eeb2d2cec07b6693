/**
 * Contract handlers of the DMP domain: thin adapters from validated params to DmpService, plus the
 * adapter from a card session (services/cards `practitionerSession()`) to the DMP's caller.
 */
import type { DmpPatient, DmpPractitioner, DmpService } from '../../services/dmp';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

export interface DemoSimulatorChange {
  mode?: string | undefined;
  latencyMs?: number | undefined;
  extraDocuments?: number | undefined;
}

export interface DmpHandlerOptions {
  actor?: () => string;
  /** Démo only: drives the local simulator. */
  simulator?: (change: DemoSimulatorChange) => Promise<{ mode: string; url: string; documents: number }>;
}

/** What a card session gives (structural: services/cards PractitionerSession). */
export interface CardSessionLike {
  holder: {
    cardType: string;
    idNat: string;
    surname: string;
    givenName: string;
    profession: { code: string; label: string } | null;
    specialty: { code: string; label: string } | null;
    situations: Array<{ structureId: string; structureName: string; activitySector: string | null }>;
  };
  signer: DmpPractitioner['signer'];
}

/** The DMP caller from a card session: the first situation d'exercice gives the structure (VIHF Identifiant_Structure). */
export function dmpPractitionerFrom(session: CardSessionLike | null, fallbackStructure: DmpPractitioner['structure']): DmpPractitioner | null {
  if (session === null) return null;
  const h = session.holder;
  const situation = h.situations[0];
  return {
    idNat: h.idNat,
    givenName: h.givenName,
    surname: h.surname,
    cardType: h.cardType === 'CPE' ? 'CPE' : 'CPS',
    profession: h.profession,
    specialty: h.specialty,
    structure:
      situation === undefined
        ? fallbackStructure
        : { id: situation.structureId, name: situation.structureName, activitySector: situation.activitySector ?? fallbackStructure.activitySector },
    signer: session.signer,
  };
}

/** The patient as the DMP needs it (INS with its status; traits for the CDA header). */
export function dmpPatientOf(patient: {
  id: string;
  identity: { status: DmpPatient['status']; ins: { matricule: string; oid: string } | null };
  strictTraits: { birthName: string; birthGivenNames: string; birthDate: { date: string }; sex: 'M' | 'F'; birthPlaceCode: string | null };
}): DmpPatient {
  return {
    id: patient.id,
    status: patient.identity.status,
    ins: patient.identity.ins,
    birthName: patient.strictTraits.birthName,
    firstNames: patient.strictTraits.birthGivenNames,
    sex: patient.strictTraits.sex,
    birthDate: patient.strictTraits.birthDate.date,
    birthPlaceCode: patient.strictTraits.birthPlaceCode,
  };
}

/** The OID of a UUID (ITU-T X.667 / ISO/IEC 9834-8: arc 2.25 + the UUID as an integer). */
export function uuidOid(uuid: string): string {
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString()}`;
}

function bytesOf(contentBase64: string): Buffer {
  return Buffer.from(contentBase64, 'base64');
}

export function createDmpHandlers(service: DmpService, options: DmpHandlerOptions = {}): HandlerMap {
  const actor = options.actor ?? (() => DESK_ACTOR);
  const handlers: HandlerMap = {
    'dmp.open': async ({ patientId, access, widen }) => service.open(patientId, { ...(access === undefined ? {} : { access }), widen }, actor()),
    'dmp.cached': async ({ patientId }) => service.cached(patientId, actor()),
    'dmp.document.get': async ({ patientId, uniqueId, access }) => service.document(patientId, uniqueId, access, actor()),
    'dmp.document.markSeen': async ({ patientId, uniqueIds }) => ({ updated: service.markSeen(patientId, uniqueIds) }),
    'dmp.documentTypes': async () => service.documentTypes(),
    'dmp.send': async ({ patientId, fileName, contentBase64, typeCode, title, visibility, replaces }) => ({
      sending: await service.send({ patientId, fileName, content: bytesOf(contentBase64), typeCode, title, visibility, replaces }, actor()),
    }),
    'dmp.sendings': async ({ patientId }) => ({ sendings: service.sendings(patientId) }),
    'dmp.document.setVisibility': async ({ patientId, uniqueId, ...change }) => ({ document: await service.setVisibility(patientId, uniqueId, change, actor()) }),
    'dmp.document.setStatus': async ({ patientId, uniqueId, status }) => {
      await service.setStatus(patientId, uniqueId, status, actor());
      return { ok: true as const };
    },
    'dmp.authorisation.set': async ({ patientId, action, patientConsent }) => service.setAuthorisation(patientId, action, patientConsent, actor()),
  };
  if (options.simulator !== undefined) {
    const simulator = options.simulator;
    handlers['dmp.demo.simulator'] = async ({ mode, latencyMs, extraDocuments }) => simulator({ mode, latencyMs, extraDocuments });
  }
  return handlers;
}
