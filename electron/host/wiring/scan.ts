/**
 * Scanning: the pipeline with the recognisers of the domains (TEAM.md interface agreement), the
 * HID-POS scanners (node-hid; in demo, plus a virtual scanner: demo-scan.ts), the contactless
 * reader through the cards' PC/SC supervisor, the contract handlers and the doctor check.
 *
 * Recognisers, in the order they are tried: INS datamatrix (identity). The appli carte Vitale
 * (apcv) and ordonnance numérique (eprescription) recognisers are added by their wiring with
 * `scan.pipeline.addRecogniser` when those domains are composed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HidPosWatcher, NodeHidBackend, type HidBackend } from '../../../native/hid';
import { insDatamatrixRecogniser } from '../../services/identity';
import type { PatientsService } from '../../services/patients';
import { APCV_NFC_APPLICATION, attachHidSource, attachNfcSource, ScanPipeline, type UdevRuleLocation } from '../../services/scan';
import { createScanHandlers, scanDoctorCheck } from '../handlers/scan';
import type { WiringContext } from './context';

export interface ScanWiring {
  pipeline: ScanPipeline;
  watcher: HidPosWatcher;
  /** Starts watching HID scanners and the contactless reader (CLI hosts do it on demand). */
  start(): Promise<void>;
  udev(): UdevRuleLocation | null;
}

const RULE_NAME = '70-pupitre-hidpos.rules';
const HELPER_NAME = 'pupitre-hidpos-check';
const CHECKOUT_UDEV_DIR = fileURLToPath(new URL('../../../build/udev', import.meta.url));

/** Linux only: the shipped rule (packaged: resources/udev; checkout: build/udev), and whether udev has it. */
export function udevRuleLocation(platform = process.platform, resourcesPath: string | undefined = (process as { resourcesPath?: string }).resourcesPath): UdevRuleLocation | null {
  if (platform !== 'linux') return null;
  const dirs = [resourcesPath === undefined ? null : join(resourcesPath, 'udev'), CHECKOUT_UDEV_DIR].filter((d): d is string => d !== null);
  const dir = dirs.find((d) => existsSync(join(d, RULE_NAME))) ?? CHECKOUT_UDEV_DIR;
  const installed = ['/etc/udev/rules.d', '/usr/lib/udev/rules.d', '/lib/udev/rules.d'].some((d) => existsSync(join(d, RULE_NAME)));
  return { rule: join(dir, RULE_NAME), helper: join(dir, HELPER_NAME), installed };
}

export async function wireScan(ctx: WiringContext, deps: { patients: PatientsService }): Promise<ScanWiring> {
  const pipeline = new ScanPipeline({
    clock: ctx.clock,
    logger: ctx.logger,
    recognisers: [insDatamatrixRecogniser],
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
  return { pipeline, watcher, start, udev };
}
