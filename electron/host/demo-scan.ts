/**
 * Demo wiring of the scanners (ARCHITECTURE.md §7): a virtual HID-POS scanner, « Douchette
 * virtuelle (démo) », beside the real ones, that the Démo panel makes « scan » a code: the
 * payload goes out as HID-POS reports (56 bytes each, AIM identifier, CR suffix, 8 ms apart)
 * through native/hid's replay backend, the watcher's reassembly and the same pipeline as a
 * scanner on the desk. One of the few product files allowed to import fixtures/ (none needed).
 */
import { AppError } from '../contract';
import type { Logger } from '../platform/log';
import { CompositeHidBackend, encodeHidPosReports, ReplayHidBackend, type HidBackend, type RecordedDevice } from '../../native/hid';
import type { HandlerMap } from './rpc';

export const DEMO_SCANNER: RecordedDevice = {
  path: 'demo:douchette',
  vendorId: 0x0000,
  productId: 0x0001,
  product: 'Douchette virtuelle (démo)',
  manufacturer: null,
  usagePage: 0x8c,
  usage: 0x02,
  interface: 0,
  featureReport: 'accept',
};

const AIM = { qr: ']Q1', datamatrix: ']d1' } as const;
const REPORT_GAP_MS = 8;

export interface DemoScanner {
  backend(real: HidBackend): HidBackend;
  handlers: HandlerMap;
}

export async function attachDemoScanner(options: { logger: Logger }): Promise<DemoScanner> {
  const replay = new ReplayHidBackend();
  replay.plug(DEMO_SCANNER);
  let busy = false;
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  /** The watcher reopens the virtual scanner after a replug: reports sent before would be lost. */
  const ready = async (): Promise<void> => {
    for (let waited = 0; !replay.isOpen(DEMO_SCANNER.path); waited += 25) {
      if (waited > 3_000) throw new AppError('NOT_AVAILABLE_YET', { reason: 'demo-scanner-closed' });
      await wait(25);
    }
  };

  const handlers: HandlerMap = {
    'demo.scan.hid': async ({ payloadBase64, symbology, fault }) => {
      if (busy) throw new AppError('INVALID_PARAMS', { reason: 'scan-in-progress' });
      busy = true;
      try {
        await ready();
        const payload = Buffer.concat([Buffer.from(payloadBase64, 'base64'), Buffer.from('\r')]);
        const reports = encodeHidPosReports(payload, { aim: AIM[symbology] });
        for (const [index, report] of reports.entries()) {
          if (index > 0) await wait(REPORT_GAP_MS);
          replay.send(DEMO_SCANNER.path, report);
          if (fault === 'unplug' && index === 0 && reports.length > 1) {
            replay.unplug(DEMO_SCANNER.path);
            await wait(300);
            replay.plug(DEMO_SCANNER);
            break;
          }
        }
        options.logger.info('demo.scan_hid', { symbology, reports: reports.length, fault });
        return { reports: reports.length };
      } finally {
        busy = false;
      }
    },
  };
  return { backend: (real) => new CompositeHidBackend([real, replay]), handlers };
}
