/**
 * One file per domain declares its methods, events and error codes; this list merges them.
 * Adding a domain: create `domains/<name>.ts`, then add one line to each object below.
 */
import { cryptoErrors, cryptoEvents, cryptoMethods } from './crypto';
import { identityErrors, identityEvents, identityMethods } from './identity';
import { patientsErrors, patientsEvents, patientsMethods } from './patients';
import { transportErrors, transportEvents, transportMethods } from './transport';
export const domainErrors = {
  ...cryptoErrors,
  ...identityErrors,
  ...patientsErrors,
  ...transportErrors,
} as const;

export const domainMethods = {
  ...cryptoMethods,
  ...identityMethods,
  ...patientsMethods,
  ...transportMethods,
} as const;

export const domainEvents = {
  ...cryptoEvents,
  ...identityEvents,
  ...patientsEvents,
  ...transportEvents,
} as const;
