/**
 * INSi teleservice client (ARCHITECTURE.md §2, services/insi): SOAP 1.2 + WS-Addressing,
 * ContexteLPS/ContexteBAM, assertion PS signed by the CPx card or mutual TLS with an INSI-AUTO /
 * INSI-MANU structure certificate, result and fault parsing, the CNDA first-name strategy, the
 * local/INSi comparison, and the worklist over the outbox queue `insi.lookup`.
 */
export { buildAssertionPs, subjectDn, SAML2_NS, type AssertionHolder, type AssertionInput } from './assertion';
export { ASSERTION_REUSE_MS, InsiClient, type BuiltEnvelope, type EnvelopeRequest, type InsiAuthMode, type InsiClientDeps, type InsiCredentials } from './client';
export { compareTraits, displayDate } from './compare';
export { RateLimiter } from './rate-limiter';
export {
  INSI_ACTIONS,
  INSI_NS,
  contexteBam,
  contexteLps,
  recSansVitale,
  recVitale,
  type ContextInput,
  type InsiOperation,
  type LpsIdentity,
  type TraitsQuery,
  type VitaleCoverage,
  type VitaleQuery,
} from './request';
export { faultCode, faultInfo, insiFaultError, parseInsiResponse, parseResultat, type InsiFaultInfo } from './response';
export {
  INSI_LOOKUP_QUEUE,
  InsiService,
  classifyInsiError,
  type InsiAuditCallback,
  type InsiPatientsPort,
  type InsiPractitionerSession,
  type InsiServiceDeps,
  type LookupJobPayload,
} from './service';
export { givenNamesOf, guidanceFor, lunarDate, runStrategy, strategyQueries, type StrategyOutcome } from './strategy';
export { insiMigrations, insiMigrations2 } from './worklist-store';
