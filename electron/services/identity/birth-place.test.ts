import { describe, expect, it } from 'vitest';
import { birthPlaceLabel, birthPlaceSources, describeBirthPlace, sameBirthPlaceLineage, searchBirthPlaces } from './birth-place';

describe('birth places (COG communes and countries)', () => {
  it('shows a code by its name, with the department', () => {
    expect(birthPlaceLabel('75056')).toBe('Paris');
    expect(birthPlaceLabel('63113')).toBe('Clermont-Ferrand (Puy-de-Dôme)');
    expect(birthPlaceLabel('2A004')).toBe('Ajaccio (Corse-du-Sud)');
    expect(birthPlaceLabel(null)).toBeNull();
  });

  it('shows a country abroad by its name, historical ones with the year they ended', () => {
    expect(birthPlaceLabel('99134')).toBe('Espagne');
    expect(birthPlaceLabel('99115')).toBe('Tchécoslovaquie (jusqu’en 1993)');
    expect(describeBirthPlace('99243')?.kind).toBe('pays');
  });

  it('never shows an unknown code bare', () => {
    expect(birthPlaceLabel('00001')).toBe('Lieu de naissance absent du référentiel INSEE');
  });

  it('completes a commune from the start of its name, accents and hyphens ignored, biggest first', () => {
    const found = searchBirthPlaces('clermont fer');
    expect(found[0]?.code).toBe('63113');
    expect(searchBirthPlaces('st etienne')[0]?.name).toBe('Saint-Étienne');
    expect(searchBirthPlaces('Espa').map((p) => p.code)).toContain('99134');
    expect(searchBirthPlaces('63113')[0]?.name).toBe('Clermont-Ferrand');
  });

  it('still finds a commune merged since a birth, through its commune déléguée or former code', () => {
    // Saint-Bois (01340) became a commune déléguée of Arboys en Bugey (01015).
    const saintBois = searchBirthPlaces('Saint-Bois').find((p) => p.code === '01340');
    expect(saintBois?.kind).toBe('commune-deleguee');
    expect(saintBois?.current?.name).toBe('Arboys en Bugey');
    expect(sameBirthPlaceLineage('01340', '01015')).toBe(true);
    // A municipal arrondissement belongs to its commune.
    expect(sameBirthPlaceLineage('75101', '75056')).toBe(true);
    expect(sameBirthPlaceLineage('75056', '13055')).toBe(false);
    expect(sameBirthPlaceLineage('99134', '99139')).toBe(false);
  });

  it('names its sources with the dataset version', () => {
    expect(birthPlaceSources().communes).toMatch(/^@etalab\/decoupage-administratif \d+\.\d+\.\d+$/);
  });
});
