/**
 * The ordonnance numérique service: a folder of use cases (one file each) bound to one context by
 * the composition root. It registers its two outbox queues and the base's probe.
 */
import type { LineOutcome } from './model';
import type { EprescriptionContext, EprescriptionDeps } from './context';
import { genericsOf, searchDrugs } from './drugs/search-drugs';
import { importDrugs } from './drugs/import-drugs';
import { getPrescription, listPrescriptions } from './list-prescriptions';
import { openDispensation } from './open-dispensation';
import { prescribe, type PrescribeInput } from './prescribe';
import { markPrinted, ordonnancePdf } from './print';
import { ERX_ENDPOINT, executeQueue, registerQueue } from './queues';
import { readDocument } from './read-document';
import { recordDispensation } from './record-dispensation';
import { createPrescriptionStore } from './store';
import type { PaperFormat } from './pdf/ordonnance';

export function createEprescriptionService(deps: EprescriptionDeps) {
  const ctx: EprescriptionContext = {
    ...deps,
    logger: deps.logger.child('eprescription'),
    store: createPrescriptionStore(deps.db),
    now: () => new Date(deps.clock.now()).toISOString(),
  };
  if (deps.outbox !== undefined) {
    deps.outbox.register(registerQueue(ctx));
    deps.outbox.register(executeQueue(ctx));
    deps.outbox.setProbe(ERX_ENDPOINT, () => ctx.base().probe());
  }
  return {
    prescribe: (input: PrescribeInput, actor: string) => prescribe(ctx, input, actor),
    list: (patientId: string, actor: string) => listPrescriptions(ctx, patientId, actor),
    get: (number: string, actor: string) => getPrescription(ctx, number, actor),
    pdf: (number: string, format: PaperFormat, actor: string) => ordonnancePdf(ctx, number, format, actor),
    printed: (number: string, format: PaperFormat, actor: string) => markPrinted(ctx, number, format, actor),
    openDispensation: (input: { number: string } | { scanId: string }, actor: string) => openDispensation(ctx, input, actor),
    recordDispensation: (input: { number: string; lines: Array<{ lineId: string; outcome: LineOutcome }>; sendToDmp: boolean; patientId?: string | undefined }, actor: string) =>
      recordDispensation(ctx, input, actor),
    readDocument: (input: { contentBase64: string } | { patientId: string; uniqueId: string }, actor: string) => readDocument(ctx, input, actor),
    searchDrugs: (text: string, limit?: number) => searchDrugs(deps.db, text, limit),
    generics: (cis: string) => genericsOf(deps.db, cis),
    importDrugs: (dir: string, actor: string) => {
      const report = importDrugs(deps.db, { dir, actor, now: ctx.now() });
      deps.audit({ actor, patientRef: null, action: 'drugs.import', details: { specialties: report.specialties, presentations: report.presentations, rejected: report.rejectedCount } });
      return report;
    },
  };
}

export type EprescriptionService = ReturnType<typeof createEprescriptionService>;
