import { describe, expect, it } from 'vitest';
import { eventLabel, historyChanges, historyNotes } from './history-format';

const entry = (event: string, details: Record<string, unknown>, from = 'PROV' as const, to = 'PROV' as const) => ({ at: '2026-11-22T09:00:00.000Z', actor: 'CPE', event, from, to, details });

describe('identity history in French', () => {
  it('names each event without its code, and a refusal with its cause', () => {
    expect(eventLabel(entry('traits.changed', {}))).toBe('Modification des traits stricts');
    expect(eventLabel(entry('insi.refused', { by: 'rule' }))).toBe('Identité INSi non rattachée : traits différents de l’identité locale (probablement une autre personne)');
    expect(eventLabel(entry('something.new', {}))).toBe('Événement de l’identité');
  });

  it('shows old and new values, birth places by name, never a bare code', () => {
    const changes = historyChanges(
      entry('traits.changed', { changes: [{ field: 'birthPlaceCode', from: '63220', to: '63113', fromLabel: 'Lieu A', toLabel: 'Clermont-Ferrand (Puy-de-Dôme)' }, { field: 'sex', from: 'M', to: 'F' }] }),
    );
    expect(changes).toEqual([
      { label: 'Lieu de naissance', from: 'Lieu A', to: 'Clermont-Ferrand (Puy-de-Dôme)' },
      { label: 'Sexe', from: 'Masculin', to: 'Féminin' },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/63113|63220/);
  });

  it('adds the reason, the accepted difference, the differing fields and the status change', () => {
    expect(historyNotes(entry('insi.succeeded', { reason: 'vérifié', acceptedDifference: { field: 'birthName', kind: 'spelling' } }, 'PROV', 'RECUP' as never))).toEqual([
      'Motif : vérifié',
      'Différence acceptée : nom de naissance',
      'Statut : Provisoire → Récupérée',
    ]);
    expect(historyNotes(entry('insi.refused', { findings: [{ field: 'birthDate', kind: 'different' }] }))).toEqual(['Traits différents : date de naissance']);
  });
});
