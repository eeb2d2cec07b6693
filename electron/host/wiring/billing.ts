/**
 * Billing: the service over the cards (CPS session and carte Vitale reads), the appli carte Vitale
 * and ADRi, the outbox and the adapters. Démo → modelled encoding, signatures and transport to the
 * billing simulator (demo-billing.ts). Elsewhere the SESAM-Vitale library is not configured: every
 * invoice is refused with BILLING_SSV_NOT_CONFIGURED, said plainly, never guessed. Background work
 * (follow-up of deadlines and ARLs, collecting returns) runs in the app and `pupitre serve`; CLI
 * hosts drive it with `pupitre billing sync`.
 */
import type { AdriService } from '../../services/adri';
import type { ApcvService } from '../../services/apcv';
import {
  BillingService,
  defaultTariffs,
  HttpsBillingTransport,
  modelledEncoder,
  modelledSigner,
  unconfiguredEncoder,
  unconfiguredSigner,
  unconfiguredTransport,
  type BillingIdentitySettings,
} from '../../services/billing';
import type { CardsService } from '../../services/cards';
import type { PatientsService } from '../../services/patients';
import { billingDoctorCheck, createBillingHandlers } from '../handlers/billing';
import type { HandlerMap } from '../rpc';
import type { WiringContext } from './context';
import { patientRecordIdentity } from './patient-record';

const FOLLOW_UP_INTERVAL_MS = 60_000;
/** Returns are collected often while lots wait for an ARL in démo, rarely otherwise. */
const RETURNS_INTERVAL_MS = { demo: 3_000, other: 5 * 60_000 } as const;
const NOTIFY_THROTTLE_MS = 150;

export async function wireBilling(ctx: WiringContext, deps: { patients: PatientsService; cards: CardsService; apcv: ApcvService; adri: AdriService }): Promise<BillingService> {
  const demo = ctx.environment === 'demo' ? await (await import('../demo-billing')).startDemoBilling(ctx.clock, ctx.dataDir) : null;
  if (demo !== null) ctx.closers.push(() => demo.close());

  const settings = (): BillingIdentitySettings => {
    const current = ctx.settings.get();
    const practitioner = current.practitioner;
    // Démo: each part of the billing identity not set yet is the simulators' (the démo e-prescription
    // wiring sets the same numéro AM, but neither specialty nor sector).
    const fallback = demo?.identity ?? { amNumber: '', specialty: '', conventionSector: '' };
    return {
      amNumber: practitioner.amNumber || fallback.amNumber,
      specialty: practitioner.specialty || fallback.specialty,
      conventionSector: practitioner.conventionSector || fallback.conventionSector,
      holidays: current.billing.holidays,
    };
  };

  let pending: 'session' | 'invoice' | 'lot' | 'returns' | 'deadline' | null = null;
  let timer: NodeJS.Timeout | null = null;
  const notify = (reason: NonNullable<typeof pending>) => {
    pending = reason;
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      const last = pending;
      pending = null;
      if (last !== null) ctx.dispatcher.emit('billing.changed', { reason: last });
    }, NOTIFY_THROTTLE_MS);
    timer.unref();
  };

  const billing = new BillingService({
    db: ctx.db,
    clock: ctx.clock,
    logger: ctx.logger,
    audit: ctx.audit.write,
    outbox: ctx.outbox,
    settings,
    practitioner: () => {
      const session = deps.cards.practitionerSession();
      return session === null ? null : { idNat: session.holder.idNat, surname: session.holder.surname, givenName: session.holder.givenName, signer: session.signer };
    },
    readVitale: (reader) => deps.cards.readBeneficiaries(reader),
    apcv: {
      contextRecord: (contextId) => {
        const record = deps.apcv.contextRecord(contextId);
        return record === null ? null : { ...record, invoicesAllowed: deps.apcv.limits.invoicesPerContext };
      },
      signerVitale: (contextId, invoice) => deps.apcv.signerVitale(contextId, invoice),
    },
    patients: { identity: (patientId, actor) => patientRecordIdentity(deps.patients, patientId, actor) },
    rights: { latest: (patientId, beneficiary) => deps.adri.latestRights(patientId, beneficiary), acquire: (patientId, coverage, actor, readRecord) => deps.adri.acquire(patientId, coverage, actor, readRecord) },
    encoder: demo === null ? unconfiguredEncoder : modelledEncoder,
    signer: demo === null ? unconfiguredSigner : modelledSigner,
    transport: demo === null ? unconfiguredTransport : new HttpsBillingTransport(demo.transport, () => demo.url),
    mode: demo === null ? 'unavailable' : 'modelled',
    tariffs: defaultTariffs(),
    notify,
  });
  ctx.dispatcher.register(createBillingHandlers(billing, { actor: () => ctx.actor.current() }));
  ctx.doctorChecks.push(billingDoctorCheck(billing));
  if (demo !== null) {
    const handlers: HandlerMap = {
      'demo.billing.state': () => demo.state(),
      'demo.billing.configure': async (change) => {
        const state = await demo.configure(change);
        notify('lot');
        return state;
      },
    };
    ctx.dispatcher.register(handlers);
  }

  if (ctx.transport !== 'in-process') {
    const actor = () => ctx.actor.current();
    const followUp = () => {
      try {
        billing.followUp(actor());
      } catch (error) {
        ctx.logger.warn('billing.follow_up_failed', { error: (error as Error).name });
      }
    };
    followUp();
    const followTimer = setInterval(followUp, FOLLOW_UP_INTERVAL_MS);
    followTimer.unref();
    // Collect ARLs and payments: often while lots wait for an acknowledgement, rarely otherwise.
    let collecting = false;
    let lastCollect = 0;
    const collect = async () => {
      const interval = billing.awaitingReturns() ? RETURNS_INTERVAL_MS[demo === null ? 'other' : 'demo'] : RETURNS_INTERVAL_MS.other;
      if (collecting || ctx.clock.now() - lastCollect < interval) return;
      collecting = true;
      lastCollect = ctx.clock.now();
      try {
        await billing.fetchReturns(actor());
        followUp();
      } finally {
        collecting = false;
      }
    };
    const collectTimer = setInterval(() => void collect(), 1_000);
    collectTimer.unref();
    ctx.closers.push(() => {
      clearInterval(followTimer);
      clearInterval(collectTimer);
      if (timer !== null) clearTimeout(timer);
    });
  }
  return billing;
}
