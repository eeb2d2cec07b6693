import { describe, expect, it } from 'vitest';
import { auditActionLabel, fallbackActorName } from './labels';

describe('French for people', () => {
  it('says what an action is in words, never its code', () => {
    expect(auditActionLabel('dmp.td32')).toBe('Lecture d’un document du DMP');
    expect(auditActionLabel('something.new')).toBe('Autre action');
    expect(auditActionLabel('x.y')).not.toMatch(/[a-z]+\.[a-z]+/);
  });

  it('names actors without a known card in words', () => {
    expect(fallbackActorName('poste')).toBe('Le poste (sans carte)');
    expect(fallbackActorName('899700123450')).toBe('Titulaire de la carte 899700123450');
    expect(fallbackActorName('liste de travail INSi 1a2b3c4d')).toBe('liste de travail INSi 1a2b3c4d');
  });
});
