/**
 * The audit screen (Paramètres → Journal d'audit): entries named for people — who acted by the
 * name on their card, which patient by name — and filtered by patient, person, action and local
 * dates. Showing the journal with names is itself recorded (`audit.consulted`).
 */
import type { AuditTrail } from '../../services/audit';
import type { HandlerMap } from '../rpc';
import { DESK_ACTOR } from './core';

export interface AuditHandlerDeps {
  audit: AuditTrail;
  /** Who consults the journal (the card holder, else the desk). */
  actor: () => string;
  patients: {
    displayNames(ids: readonly string[]): Map<string, string>;
    idsByName(text: string): string[];
  };
}

/** The name shown for an actor of the audit trail: a person by name, the desk or the system in words. */
export function actorName(actor: string, people: ReadonlyMap<string, string>): string {
  const known = people.get(actor);
  if (known !== undefined) return known;
  if (actor === DESK_ACTOR) return 'Le poste (sans carte)';
  if (actor === 'système') return 'Pupitre (automatique)';
  if (actor === 'démo') return 'Données de démonstration';
  // An IdNat never seen in a session here (an older base, another desk): say what it is.
  if (/^[0-9][0-9A-Z/]{8,}$/.test(actor)) return `Titulaire de la carte ${actor}`;
  return actor;
}

/** « AAAA-MM-JJ » of the desk's calendar → the ISO instant of that local midnight. */
function localMidnight(day: string, plusDays = 0): string {
  const [year, month, date] = day.split('-').map(Number);
  return new Date(year ?? 1970, (month ?? 1) - 1, (date ?? 1) + plusDays).toISOString();
}

export function createAuditHandlers(deps: AuditHandlerDeps): HandlerMap {
  return {
    'audit.list': ({ limit, patientRef, patient, actor, action, from, to }) => {
      const patientRefs = patient === undefined || patient.trim() === '' ? undefined : deps.patients.idsByName(patient);
      const rows = deps.audit.list({
        limit,
        patientRef,
        patientRefs,
        actor,
        action,
        from: from === undefined ? undefined : localMidnight(from),
        to: to === undefined ? undefined : localMidnight(to, 1),
      });
      const people = new Map(deps.audit.people().map((p) => [p.actor, p.name]));
      const names = deps.patients.displayNames(rows.map((r) => r.patientRef).filter((r): r is string => r !== null));
      deps.audit.write({
        actor: deps.actor(),
        patientRef: null,
        action: 'audit.consulted',
        details: { entries: rows.length, filters: [patient ? 'patient' : null, actor ? 'person' : null, action ? 'action' : null, from || to ? 'date' : null].filter(Boolean) },
      });
      return {
        entries: rows.map((row) => ({
          ...row,
          actorName: actorName(row.actor, people),
          patientName: row.patientRef === null ? null : (names.get(row.patientRef) ?? 'Patient d’un autre environnement'),
        })),
      };
    },
    'audit.people': () => ({
      people: deps.audit.people().map((p) => ({ actor: p.actor, name: p.name, cardType: p.cardType })),
      actions: deps.audit.actions(),
    }),
  };
}
