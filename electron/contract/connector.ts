/**
 * What a web practice software reaches through the local connector (`pupitre serve`, a web origin
 * the user added to `allowedOrigins`): an explicit allow-list (issue 14, point 6). It reads the
 * cards in the readers and has the practitioner's code checked on the CPS, qualifies identities
 * with INSi from traits or a carte Vitale, uses the INS and document-type references, and follows
 * the outbox's counts. Everything else — settings, the audit trail, the desk's own patient base,
 * the DMP flows bound to it, backups, the demo — stays with the desk's own UI and the terminal.
 */
import type { EventName, MethodName } from './index';

export const CONNECTOR_METHODS = [
  'app.info',
  'cards.readers',
  'cards.readHolder',
  'cards.verifyPin',
  'cards.readVitale',
  'cards.session',
  'insi.searchTraits',
  'insi.lookupVitale',
  'insi.parse',
  'ins.check',
  'ins.normalize',
  'cda.documentTypes',
  'dmp.documentTypes',
  'outbox.status',
] as const satisfies readonly MethodName[];

export const CONNECTOR_EVENTS = ['cards.changed', 'outbox.changed', 'host.ready', 'host.restarted'] as const satisfies readonly EventName[];

const methods: ReadonlySet<string> = new Set(CONNECTOR_METHODS);
const events: ReadonlySet<string> = new Set(CONNECTOR_EVENTS);

export function isConnectorMethod(name: string): boolean {
  return methods.has(name);
}

export function isConnectorEvent(name: string): boolean {
  return events.has(name);
}
