/**
 * Where a scan goes when no screen expects it (issue 10): the appli carte Vitale to the patient
 * intake, an ordonnance numérique to the pharmacist's screen, an INS datamatrix to that patient's
 * record (ScanProvider looks it up). The intake and pharmacist screens belong to their features;
 * a destination only counts when a section of the app serves its path.
 */
import type { ScanKind } from '../../../electron/contract/domains/scan';
import { sections } from '../../app/sections';

export interface ScanDestination {
  /** Route of the screen, with the scan id for it to take the payload. */
  path(scanId: string): string;
  /** French: what opens. */
  label: string;
}

export const SCAN_DESTINATIONS: Partial<Record<ScanKind, ScanDestination>> = {
  apcv: { path: (id) => `/appli-carte-vitale?scan=${encodeURIComponent(id)}`, label: 'l’accueil du patient (appli carte Vitale)' },
  eprescription: { path: (id) => `/dispensation?scan=${encodeURIComponent(id)}`, label: 'l’écran de dispensation' },
};

/** The destination of `kind` when the app has a section for it. */
export function destinationFor(kind: ScanKind, available = sections.map((s) => s.path)): ScanDestination | null {
  const destination = SCAN_DESTINATIONS[kind];
  if (destination === undefined) return null;
  const path = destination.path('x').split('?')[0] ?? '';
  return available.some((p) => path === p || path.startsWith(`${p}/`)) ? destination : null;
}
