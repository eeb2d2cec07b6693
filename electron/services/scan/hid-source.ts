/**
 * Source: HID-POS scanners (native/hid). Each reassembled scan goes into the pipeline with the
 * scanner's name; the scanner list feeds the status (mode, state, what to do). A scanner Linux
 * will not let us open gets the udev rule to install, not a stack trace; a scan lost because the
 * scanner was pulled out is said so the user scans again.
 */
import type { ScannerView } from '../../contract/domains/scan';
import type { HidPosEvent, HidScannerSnapshot } from '../../../native/hid';
import type { ScanPipeline } from './pipeline';
import { symbologyFromAim, symbologyFromHoneywellCode } from './symbology';

export interface HidWatcherLike {
  on(listener: (event: HidPosEvent) => void): () => void;
  list(): HidScannerSnapshot[];
}

/** Where the udev rule and its helper are (Linux), to tell the user how to install them. */
export interface UdevRuleLocation {
  rule: string;
  helper: string;
  installed: boolean;
}

export function udevInstallCommand(udev: UdevRuleLocation): string {
  return `sudo install -m 0755 ${udev.helper} /usr/lib/udev/pupitre-hidpos-check && sudo install -m 0644 ${udev.rule} /etc/udev/rules.d/70-pupitre-hidpos.rules && sudo udevadm control --reload-rules && sudo udevadm trigger --subsystem-match=hidraw`;
}

const NOTHING_ARRIVES =
  'Si rien n’arrive au scan : la douchette doit être en mode « USB HID POS » (code de configuration du guide du fabricant). Un bip sans lecture signale un code abîmé ou trop petit : rapprochez ou éloignez le code.';

export function hidScannerView(snapshot: HidScannerSnapshot, udev: UdevRuleLocation | null): Omit<ScannerView, 'lastScanAt' | 'lastScanKind' | 'scans'> {
  const mode =
    snapshot.modeSwitch === true ? 'HID-POS (mode activé par Pupitre)' : snapshot.modeSwitch === false ? 'HID-POS (activation refusée par la douchette)' : 'HID-POS';
  const base = { id: snapshot.id, source: 'hid' as const, label: snapshot.label, mode, state: snapshot.state };
  switch (snapshot.state) {
    case 'ready':
      return {
        ...base,
        detail: 'Prête : les codes lus arrivent directement dans Pupitre, quel que soit le champ actif.',
        next: snapshot.modeSwitch === false ? `Passez la douchette en mode « USB HID POS » avec le code de configuration du fabricant. ${NOTHING_ARRIVES}` : NOTHING_ARRIVES,
      };
    case 'permission-denied':
      return {
        ...base,
        detail: 'Linux refuse à Pupitre l’accès à cette douchette (droits du périphérique hidraw).',
        next:
          udev === null
            ? 'Donnez à votre compte l’accès aux douchettes HID-POS (règle udev de Pupitre, dossier build/udev), puis rebranchez la douchette.'
            : `Installez la règle udev de Pupitre (elle ne concerne que les douchettes HID-POS), puis rebranchez la douchette : ${udevInstallCommand(udev)}`,
      };
    case 'error':
      return {
        ...base,
        detail: 'La douchette ne peut pas être ouverte : un autre programme l’utilise peut-être.',
        next: 'Fermez l’autre logiciel qui lit la douchette, puis débranchez-la et rebranchez-la.',
      };
    case 'removed':
      return { ...base, detail: 'Débranchée.', next: 'Rebranchez la douchette.' };
  }
}

const LOST_MESSAGE = {
  removed: (label: string) => `La douchette « ${label} » a été débranchée pendant la lecture : rebranchez-la et scannez de nouveau le code.`,
  timeout: (label: string) => `Lecture incomplète sur la douchette « ${label} » : scannez de nouveau le code.`,
  interrupted: (label: string) => `Lecture interrompue sur la douchette « ${label} » : scannez de nouveau le code.`,
  'too-long': (label: string) => `La douchette « ${label} » a envoyé un contenu trop long pour un code QR ou DataMatrix : scannez de nouveau le bon code.`,
} as const;

export function attachHidSource(pipeline: ScanPipeline, watcher: HidWatcherLike, options: { udev: () => UdevRuleLocation | null }): () => void {
  const show = (snapshot: HidScannerSnapshot) => pipeline.registry.upsert(hidScannerView(snapshot, options.udev()));
  for (const snapshot of watcher.list()) show(snapshot);
  return watcher.on((event) => {
    switch (event.type) {
      case 'added':
      case 'state':
        show(event.scanner);
        pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: event.type === 'added' ? 'added' : 'state', scannerId: event.scanner.id, message: null } });
        return;
      case 'removed':
        pipeline.registry.remove(event.scanner.id);
        pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'removed', scannerId: event.scanner.id, message: null } });
        return;
      case 'scan-lost':
        pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'scan-lost', scannerId: event.scanner.id, message: LOST_MESSAGE[event.reason](event.scanner.label) } });
        return;
      case 'scan': {
        const { scan, scanner } = event;
        try {
          pipeline.receive({
            source: 'hid',
            symbology: symbologyFromAim(scan.aim) ?? symbologyFromHoneywellCode(scan.makerCode) ?? 'unknown',
            aim: scan.aim,
            payload: scan.payload,
            receivedAt: scan.completedAt,
            device: scanner.label,
            scannerId: scanner.id,
          });
        } catch {
          pipeline.notify({ event: 'scan.scanners.changed', payload: { reason: 'scan-lost', scannerId: scanner.id, message: LOST_MESSAGE['too-long'](scanner.label) } });
        }
        return;
      }
    }
  });
}
