/**
 * One file per domain declares its methods, events and error codes; this list merges them.
 * Adding a domain: create `domains/<name>.ts`, then add one line to each object below.
 */
import { adriErrors, adriEvents, adriMethods } from './adri';
import { apcvErrors, apcvEvents, apcvMethods } from './apcv';
import { billingErrors, billingEvents, billingMethods } from './billing';
import { cardsErrors, cardsEvents, cardsMethods } from './cards';
import { cdaErrors, cdaEvents, cdaMethods } from './cda';
import { cryptoErrors, cryptoEvents, cryptoMethods } from './crypto';
import { dmpErrors, dmpEvents, dmpMethods } from './dmp';
import { eprescriptionErrors, eprescriptionEvents, eprescriptionMethods } from './eprescription';
import { identityErrors, identityEvents, identityMethods } from './identity';
import { insiErrors, insiEvents, insiMethods } from './insi';
import { outboxErrors, outboxEvents, outboxMethods } from './outbox';
import { patientsErrors, patientsEvents, patientsMethods } from './patients';
import { settingsGuardErrors, settingsGuardMethods } from './settings-guard';
import { storageErrors, storageEvents, storageMethods } from './storage';
import { scanErrors, scanEvents, scanMethods } from './scan';
import { transportErrors, transportEvents, transportMethods } from './transport';
import { vaultErrors, vaultEvents, vaultMethods } from './vault';
export const domainErrors = {
  ...adriErrors,
  ...apcvErrors,
  ...billingErrors,
  ...cardsErrors,
  ...cdaErrors,
  ...cryptoErrors,
  ...dmpErrors,
  ...eprescriptionErrors,
  ...identityErrors,
  ...insiErrors,
  ...outboxErrors,
  ...patientsErrors,
  ...settingsGuardErrors,
  ...storageErrors,
  ...scanErrors,
  ...transportErrors,
  ...vaultErrors,
} as const;

export const domainMethods = {
  ...adriMethods,
  ...apcvMethods,
  ...billingMethods,
  ...cardsMethods,
  ...cdaMethods,
  ...cryptoMethods,
  ...dmpMethods,
  ...eprescriptionMethods,
  ...identityMethods,
  ...insiMethods,
  ...outboxMethods,
  ...patientsMethods,
  ...settingsGuardMethods,
  ...storageMethods,
  ...scanMethods,
  ...transportMethods,
  ...vaultMethods,
} as const;

export const domainEvents = {
  ...adriEvents,
  ...apcvEvents,
  ...billingEvents,
  ...cardsEvents,
  ...cdaEvents,
  ...cryptoEvents,
  ...dmpEvents,
  ...eprescriptionEvents,
  ...identityEvents,
  ...insiEvents,
  ...outboxEvents,
  ...patientsEvents,
  ...storageEvents,
  ...scanEvents,
  ...transportEvents,
  ...vaultEvents,
} as const;
