/**
 * One file per domain declares its methods, events and error codes; this list merges them.
 * Adding a domain: create `domains/<name>.ts`, then add one line to each object below.
 */
import { cryptoErrors, cryptoEvents, cryptoMethods } from './crypto';
import { transportErrors, transportEvents, transportMethods } from './transport';
export const domainErrors = {
  ...cryptoErrors,
  ...transportErrors,
} as const;

export const domainMethods = {
  ...cryptoMethods,
  ...transportMethods,
} as const;

export const domainEvents = {
  ...cryptoEvents,
  ...transportEvents,
} as const;
