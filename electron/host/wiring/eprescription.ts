/**
 * Ordonnance numérique: the service with its ports onto the cards (the practitioner's session), the
 * patient base, the DMP sending and the base e-prescription. The base's wire format is modelled
 * (services/eprescription/teleservice): in démo the simulator stands in; in test and production an
 * endpoint must be configured, and without one the `unavailableBase` says so in French and the jobs
 * wait. The scan recogniser is exported by the service for the scan pipeline (wiring/scan.ts), and
 * a scanned number reaches the dispensation by scan id (`takeScanPayload`, from the pipeline).
 */
import { DMP_LPS_TLS, HttpClient } from '../../platform/http';
import type { CardsService } from '../../services/cards';
import type { DmpService } from '../../services/dmp';
import { createEprescriptionService, modelledBase, unavailableBase, type EprescriptionBase, type EprescriptionService } from '../../services/eprescription';
import type { PatientsService } from '../../services/patients';
import { DEMO_BDPM_DIR, lazyDemoBase } from '../demo-eprescription';
import { createEprescriptionHandlers } from '../handlers/eprescription';
import { uuidOid } from '../handlers/dmp';
import type { WiringContext } from './context';

export function wireEprescription(
  ctx: WiringContext,
  deps: {
    patients: PatientsService;
    cards: CardsService;
    dmp: DmpService;
    takeScanPayload?: (scanId: string) => Uint8Array | null;
    /** Whose card the numéro AM of Paramètres belongs to (billing), see services/eprescription/card.ts. */
    amNumberHolder: (amNumber: string) => string | null;
  },
): EprescriptionService {
  const { settings, outbox, dispatcher } = ctx;
  const demo = ctx.environment === 'demo' ? lazyDemoBase(ctx.clock) : null;
  if (demo !== null) ctx.closers.push(() => demo.close());
  const productionTransport = new HttpClient({ tls: { ...DMP_LPS_TLS } });
  ctx.closers.push(() => productionTransport.close());
  const configured = modelledBase({
    endpoint: () => demo?.current()?.url ?? settings.get().endpoints.eprescription,
    transport: () => demo?.current()?.transport ?? productionTransport,
    clock: ctx.clock,
  });
  // Outside démo the modelled format is only used when an https endpoint is configured.
  const base = (): EprescriptionBase => (demo !== null || /^https:\/\//.test(settings.get().endpoints.eprescription) ? configured : unavailableBase);

  const service = createEprescriptionService({
    db: ctx.db,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    environment: () => settings.get().environment,
    outbox,
    base,
    ...(demo === null ? {} : { prepare: async () => void (await demo.ready()) }),
    ...(deps.takeScanPayload === undefined ? {} : { takeScanPayload: deps.takeScanPayload }),
    amNumberHolder: deps.amNumberHolder,
    session: () => deps.cards.practitionerSession(),
    settings: () => {
      const current = settings.get();
      return { ...current.practitioner, lpsOid: uuidOid(current.lps.installationId) };
    },
    patients: {
      get(patientId, actor) {
        const { patient } = deps.patients.get(patientId, actor);
        const s = patient.strictTraits;
        return {
          id: patient.id,
          ins: patient.identity.ins,
          qualified: patient.insShareable,
          birthName: s.birthName,
          firstNames: s.birthGivenNames,
          usedName: patient.usedTraits.usedName,
          usedGivenName: patient.usedTraits.usedGivenName,
          sex: s.sex,
          birthDate: s.birthDate.date,
          birthPlaceCode: s.birthPlaceCode,
          mergedInto: patient.mergedInto,
        };
      },
      findQualifiedByIns(matricule, actor) {
        if (!/^\d{5}(?:\d{2}|2[AB])\d{6}(?:\d{2})?$/.test(matricule)) return null;
        const found = deps.patients.search({ nir: matricule.slice(0, 13) }, actor).results.filter((p) => p.status === 'QUAL');
        if (found.length !== 1) return null;
        const patient = deps.patients.get((found[0] as { id: string }).id, actor).patient;
        return patient.insShareable && patient.identity.ins?.matricule === matricule ? patient.id : null;
      },
    },
    dmp: {
      queueCda: (patientId, xml, fileName, actor) => {
        const sending = deps.dmp.queue({ patientId, fileName, content: xml }, actor);
        return { uniqueId: sending.uniqueId, jobId: sending.jobId };
      },
      sendingState: (patientId, uniqueId) => {
        const sending = deps.dmp.sendings(patientId).find((s) => s.uniqueId === uniqueId);
        return sending === undefined ? null : { state: sending.state, message: sending.message, jobId: sending.jobId };
      },
      fetch: async (patientId, uniqueId, actor) => Buffer.from((await deps.dmp.document(patientId, uniqueId, undefined, actor)).contentBase64, 'base64'),
    },
    notify: (event, payload) => dispatcher.emit(event, payload),
  });

  // The démo desk starts with fictitious practitioner mentions (AM number in département « 99 »,
  // which does not exist) and a short real extract of the drug list (an empty list only).
  if (demo !== null && settings.get().practitioner.amNumber === '') {
    settings.set('practitioner.amNumber', '991130972', 'système');
    settings.set('practitioner.address', '12 rue des Lilas\n75020 Paris', 'système');
    settings.set('practitioner.phone', '01 23 45 67 89', 'système');
  }
  if (demo !== null && service.searchDrugs('').source === null) {
    const report = service.importDrugs(DEMO_BDPM_DIR, 'système');
    ctx.logger.info('demo.drugs_imported', { specialties: report.specialties });
  }

  dispatcher.register(
    createEprescriptionHandlers(service, {
      actor: () => ctx.actor.current(),
      ...(demo === null
        ? {}
        : {
            simulator: async (change) => {
              const state = await demo.control(change);
              if (change.mode === 'up') void outbox.syncNow();
              return state;
            },
          }),
    }),
  );
  return service;
}
