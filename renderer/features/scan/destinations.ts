/**
 * Where a scan goes when no screen expects it (issue 10): the appli carte Vitale to the patient
 * intake (its session opened from the scan), an ordonnance numérique to the pharmacist's screen,
 * an INS datamatrix to that patient's record (ScanProvider looks it up). A destination only counts
 * when a section of the app serves it.
 */
import type { ScanEvent, ScanKind } from '../../../electron/contract/domains/scan';
import { navigate } from '../../app/router';
import { sections } from '../../app/sections';
import type { Bridge } from '../../bridge';
import { setCurrentApcvContext } from '../apcv/current';
import { setPendingDispensationScan } from '../eprescription/scanned';

export interface ScanDestination {
  /** Section path of the screen. */
  section: string;
  /** French: what opens. */
  label: string;
  /** Hands the scan to its screen (throws the host's error, shown in a toast). */
  open(scan: ScanEvent, bridge: Bridge): Promise<void>;
}

export const SCAN_DESTINATIONS: Partial<Record<ScanKind, ScanDestination>> = {
  apcv: {
    section: '/apcv',
    label: 'l’accueil « Appli carte Vitale »',
    async open(scan, bridge) {
      const opened = await bridge.invoke('apcv.openFromScan', { scanId: scan.id });
      setCurrentApcvContext(opened.id);
      navigate('/apcv');
    },
  },
  eprescription: {
    section: '/ordonnances',
    label: 'l’écran de dispensation (Ordonnances)',
    async open(scan) {
      // The screen takes the number from the host by scan id, once (a pharmacist's card is needed).
      setPendingDispensationScan(scan.id);
      navigate('/ordonnances');
    },
  },
};

/** The destination of `kind` when the app has a section for it. */
export function destinationFor(kind: ScanKind, available = sections.map((s) => s.path)): ScanDestination | null {
  const destination = SCAN_DESTINATIONS[kind];
  if (destination === undefined) return null;
  return available.includes(destination.section) ? destination : null;
}
