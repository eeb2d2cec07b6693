/**
 * Scanning: the pipeline with the recognisers of the domains (TEAM.md interface agreement), the
 * HID-POS scanners (node-hid; in demo, plus a virtual scanner: demo-scan.ts), the contactless
 * reader through the cards' PC/SC supervisor, the contract handlers and the doctor check.
 *
 * Recognisers, in the order they are tried (TEAM.md interface agreement): INS datamatrix
 * (identity), appli carte Vitale (apcv, modelled shape), ordonnance numérique (eprescription,
 * modelled number). Their shapes do not overlap (binary datamatrix with its OID, `ApCV-DEMO:1:`
 * prefix, 18 upper-case alphanumerics alone), so the order only matters for speed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { appPath } from '../../platform/app-root';
import { HidPosWatcher, NodeHidBackend, type HidBackend } from '../../../native/hid';
import { AppError } from '../../contract';
import type { ScanKind } from '../../contract/domains/scan';
import { recogniseApcvPayload } from '../../services/apcv';
import { recogniseEprescriptionPayload } from '../../services/eprescription';
import { insDatamatrixRecogniser } from '../../services/identity';
import type { PatientsService } from '../../services/patients';
import { APCV_NFC_APPLICATION, attachHidSource, attachNfcSource, ScanPipeline, type ScanRecogniser, type TakenScan, type UdevRuleLocation } from '../../services/scan';
import { createScanHandlers, scanDoctorCheck } from '../handlers/scan';
import type { WiringContext } from './context';

export interface ScanWiring {
  pipeline: ScanPipeline;
  /**
   * The hand-over a domain gets (TEAM.md: `takePayload(scanId)`): the scan's bytes once, if it is
   * of `kind` and came through faithfully; null when the scan is no longer held.
   */
  takeFor(kind: ScanKind): (scanId: string) => Pick<TakenScan, 'payload' | 'source' | 'symbology'> | null;
  watcher: HidPosWatcher;
  /** Starts watching HID scanners and the contactless reader (CLI hosts do it on demand). */
  start(): Promise<void>;
  udev(): UdevRuleLocation | null;
}

const RULE_NAME = '70-pupitre-hidpos.rules';
const HELPER_NAME = 'pupitre-hidpos-check';
const CHECKOUT_UDEV_DIR = appPath(import.meta.url, 'build', 'udev');

/** Linux only: the shipped rule (packaged: resources/udev; checkout: build/udev), and whether udev has it. */
export function udevRuleLocation(platform = process.platform, resourcesPath: string | undefined = (process as { resourcesPath?: string }).resourcesPath): UdevRuleLocation | null {
  if (platform !== 'linux') return null;
  const dirs = [resourcesPath === undefined ? null : join(resourcesPath, 'udev'), CHECKOUT_UDEV_DIR].filter((d): d is string => d !== null);
  const dir = dirs.find((d) => existsSync(join(d, RULE_NAME))) ?? CHECKOUT_UDEV_DIR;
  const installed = ['/etc/udev/rules.d', '/usr/lib/udev/rules.d', '/lib/udev/rules.d'].some((d) => existsSync(join(d, RULE_NAME)));
  return { rule: join(dir, RULE_NAME), helper: join(dir, HELPER_NAME), installed };
}

/** The appli carte Vitale recogniser (services/apcv), saying which way the app was read. */
const apcvRecogniser: ScanRecogniser = {
  kind: 'apcv',
  recognise(payload, symbology) {
    const recognition = recogniseApcvPayload(payload, symbology);
    if (recognition === null) return null;
    return { kind: 'apcv', summary: symbology === 'nfc' ? 'Appli carte Vitale (sans contact).' : `${recognition.summary}.`, details: { shape: recognition.shape } };
  },
};

/** The ordonnance numérique recogniser (services/eprescription), with the end of the number shown. */
const eprescriptionRecogniser: ScanRecogniser = {
  kind: 'eprescription',
  recognise(payload, symbology) {
    const recognition = recogniseEprescriptionPayload(payload, symbology);
    if (recognition === null) return null;
    return { kind: 'eprescription', summary: `${recognition.summary}.`, details: { numberEnd: recognition.numberEnd } };
  },
};

export async function wireScan(ctx: WiringContext, deps: { patients: PatientsService }): Promise<ScanWiring> {
  const pipeline = new ScanPipeline({
    clock: ctx.clock,
    logger: ctx.logger,
    recognisers: [insDatamatrixRecogniser, apcvRecogniser, eprescriptionRecogniser],
    notify: (n) => ctx.dispatcher.emit(n.event, n.payload),
  });
  const demo = ctx.environment === 'demo' ? await (await import('../demo-scan')).attachDemoScanner({ logger: ctx.logger.child('host') }) : null;
  const real = new NodeHidBackend();
  const backend: HidBackend = demo?.backend(real) ?? real;
  const watcher = new HidPosWatcher({ backend, logger: ctx.logger, now: () => ctx.clock.now() });
  const udev = () => udevRuleLocation();
  const detach = [attachHidSource(pipeline, watcher, { udev })];
  if (ctx.pcsc) detach.push(attachNfcSource(pipeline, ctx.pcsc, { applications: [APCV_NFC_APPLICATION] }));

  let started: Promise<void> | null = null;
  const start = (): Promise<void> => (started ??= watcher.start());

  ctx.dispatcher.register(
    createScanHandlers({
      scan: pipeline,
      patients: deps.patients,
      audit: ctx.audit.write,
      actor: () => ctx.actor.current(),
      environment: () => ctx.settings.get().environment,
      udev,
    }),
  );
  if (demo) ctx.dispatcher.register(demo.handlers);
  ctx.doctorChecks.push(scanDoctorCheck(pipeline, udev, start));
  if (ctx.transport !== 'in-process') void start();
  ctx.closers.push(async () => {
    for (const stop of detach) stop();
    await watcher.stop();
    pipeline.close();
  });
  const takeFor: ScanWiring['takeFor'] = (kind) => (scanId) => {
    try {
      const { payload, source, symbology } = pipeline.takePayload(scanId, { kind, requireTrusted: true });
      return { payload, source, symbology };
    } catch (error) {
      if (error instanceof AppError && error.code === 'SCAN_NOT_FOUND') return null;
      throw error;
    }
  };
  return { pipeline, watcher, start, udev, takeFor };
}
