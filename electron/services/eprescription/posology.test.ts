import { describe, expect, it } from 'vitest';
import { AppError } from '../../contract';
import type { StructuredPosology } from './model';
import { checkPosology, durationDays, posologyText } from './posology';

const base: StructuredPosology = { kind: 'structured', dose: { low: 1, unit: 'comprimé' }, frequency: { times: 3, per: 'jour' }, duration: { value: 5, unit: 'jour' } };

describe('posology in plain French', () => {
  it('writes the dose, the frequency, the condition, the duration, the route and the maximum', () => {
    expect(posologyText(base)).toBe('1 comprimé 3 fois par jour, pendant 5 jours');
    expect(
      posologyText({ ...base, dose: { low: 1, high: 2, unit: 'comprimé' }, asNeeded: { condition: 'si douleur' }, route: '20053000', maxPerDay: { value: 6, unit: 'comprimé' } }),
    ).toBe('1 à 2 comprimés 3 fois par jour, si douleur, pendant 5 jours, voie orale, sans dépasser 6 comprimés par jour');
    expect(posologyText({ ...base, dose: { low: 2.5, unit: 'mL' }, frequency: { everyHours: 6 }, duration: { value: 1, unit: 'semaine' } })).toBe('2,5 mL toutes les 6 heures, pendant 1 semaine');
    expect(posologyText({ ...base, frequency: { times: 1, per: 'semaine' }, duration: { value: 3, unit: 'mois' } })).toBe('1 comprimé 1 fois par semaine, pendant 3 mois');
    expect(posologyText({ kind: 'text', text: '  1 sachet le soir  ' })).toBe('1 sachet le soir');
  });

  it('counts durations in days (a month is 30 days)', () => {
    expect(durationDays({ value: 2, unit: 'semaine' })).toBe(14);
    expect(durationDays({ value: 3, unit: 'mois' })).toBe(90);
  });

  it('refuses what a pharmacist could not read unambiguously, naming the field', () => {
    const field = (p: Parameters<typeof checkPosology>[0]): string => {
      try {
        checkPosology(p, 'lines[0].posology');
        return 'ok';
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        return String((error as AppError).details?.field);
      }
    };
    expect(field(base)).toBe('ok');
    expect(field({ ...base, dose: { low: 2, high: 1, unit: 'comprimé' } })).toBe('lines[0].posology.dose.high');
    expect(field({ ...base, frequency: { times: 0, per: 'jour' } })).toBe('lines[0].posology.frequency');
    expect(field({ ...base, duration: { value: 13, unit: 'mois' } })).toBe('lines[0].posology.duration');
    expect(field({ ...base, route: '99999999' })).toBe('lines[0].posology.route');
    expect(field({ kind: 'text', text: ' ' })).toBe('lines[0].posology.text');
  });
});
