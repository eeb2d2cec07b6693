/**
 * Scan routing (issue 10): every kind a recogniser can claim goes to a screen the app really has.
 * A destination naming a section that does not exist would silently downgrade to « pas encore
 * disponible ».
 */
import { describe, expect, it } from 'vitest';
import { sections } from '../../app/sections';
import { destinationFor, SCAN_DESTINATIONS } from './destinations';

describe('scan destinations', () => {
  it('sends the appli carte Vitale to the intake and the ordonnance numérique to the Ordonnances section', () => {
    expect(destinationFor('apcv')?.section).toBe('/apcv');
    expect(destinationFor('eprescription')?.section).toBe('/ordonnances');
    expect(sections.find((s) => s.path === '/ordonnances')?.shortcut).toBe('0');
  });

  it('has a section of the app behind every destination, and none for what is handled in place or unknown', () => {
    const paths = sections.map((s) => s.path);
    for (const destination of Object.values(SCAN_DESTINATIONS)) expect(paths).toContain(destination.section);
    expect(destinationFor('ins-datamatrix')).toBeNull();
    expect(destinationFor('unknown')).toBeNull();
    expect(destinationFor('eprescription', ['/patient'])).toBeNull();
  });
});
