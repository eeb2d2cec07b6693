/**
 * The identity history in French for people: each event named, each change with its old and new
 * value, birth places by name. Codes (event names) stay out of the text (issue 13, « French for people »).
 */
import type { IdentityHistoryEntry } from '../../../electron/contract/domains/identity';
import { STATUS_LABELS } from './format';

const EVENTS: Record<string, string> = {
  'identity.created': 'Création de la fiche',
  'insi.succeeded': 'Identité INSi acceptée : traits INSi repris',
  'insi.refused': 'Identité INSi non rattachée',
  'document.checked': 'Contrôle d’un justificatif d’identité',
  'traits.changed': 'Modification des traits stricts',
  'used-traits.changed': 'Modification des traits utilisés',
  'attribute.set': 'Attribut de l’identité',
  'ins.detached': 'INS retiré : il était aussi rattaché à une autre fiche (doublon potentiel)',
  'patient.merged': 'Fusion : une autre fiche a été fusionnée dans celle-ci',
  'patient.merged-into': 'Fusion : cette fiche a été fusionnée dans une autre',
  'duplicate.distinct': 'Doublon potentiel écarté : deux personnes distinctes',
};

export const FIELD_LABELS: Record<string, string> = {
  birthName: 'Nom de naissance',
  birthGivenNames: 'Prénoms de naissance',
  givenNames: 'Prénoms de naissance',
  firstGivenName: 'Premier prénom',
  birthDate: 'Date de naissance',
  sex: 'Sexe',
  birthPlaceCode: 'Lieu de naissance',
  birthPlace: 'Lieu de naissance',
  usedName: 'Nom utilisé',
  usedGivenName: 'Prénom utilisé',
};

const REFUSED_BY: Record<string, string> = {
  rule: 'traits différents de l’identité locale (probablement une autre personne)',
  person: 'refusée par l’utilisateur',
  'ins-already-attached': 'cet INS est déjà rattaché à une autre fiche',
};

export interface HistoryChange {
  field: string;
  from: string | null;
  to: string | null;
  /** Birth places: their name when the change was made. */
  fromLabel?: string | null;
  toLabel?: string | null;
}

export function eventLabel(entry: IdentityHistoryEntry): string {
  const base = EVENTS[entry.event] ?? 'Événement de l’identité';
  if (entry.event === 'insi.refused') {
    const by = REFUSED_BY[String(entry.details.by)] ?? '';
    return by === '' ? base : `${base} : ${by}`;
  }
  if (entry.event === 'attribute.set') {
    const name = String(entry.details.attribute ?? '');
    return `${entry.details.value === true ? 'Identité marquée' : 'Attribut retiré :'} ${name}`;
  }
  return base;
}

/** Old → new values; birth places by the name recorded with the change. */
export function historyChanges(entry: IdentityHistoryEntry): Array<{ label: string; from: string; to: string }> {
  const changes = Array.isArray(entry.details.changes) ? (entry.details.changes as HistoryChange[]) : [];
  const show = (field: string, value: string | null, label: string | null | undefined) => {
    if (value === null || value === '') return '(vide)';
    if (field === 'birthPlaceCode') return label ?? 'lieu de naissance';
    if (field === 'sex') return value === 'F' ? 'Féminin' : 'Masculin';
    return value;
  };
  return changes.map((c) => ({ label: FIELD_LABELS[c.field] ?? c.field, from: show(c.field, c.from, c.fromLabel), to: show(c.field, c.to, c.toLabel) }));
}

/** The other details worth a line: reason, accepted difference, fields that differed. */
export function historyNotes(entry: IdentityHistoryEntry): string[] {
  const notes: string[] = [];
  const d = entry.details;
  if (typeof d.reason === 'string' && d.reason !== '') notes.push(`Motif : ${d.reason}`);
  const accepted = d.acceptedDifference as { field?: string } | null | undefined;
  if (accepted?.field !== undefined) notes.push(`Différence acceptée : ${(FIELD_LABELS[accepted.field] ?? accepted.field).toLowerCase()}`);
  if (Array.isArray(d.findings) && d.findings.length > 0) {
    notes.push(`Traits différents : ${(d.findings as Array<{ field: string }>).map((f) => (FIELD_LABELS[f.field] ?? f.field).toLowerCase()).join(', ')}`);
  }
  if (entry.from !== entry.to) notes.push(`Statut : ${STATUS_LABELS[entry.from]} → ${STATUS_LABELS[entry.to]}`);
  return notes;
}
