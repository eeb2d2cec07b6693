/**
 * Creates one invoice (FSE) in an open session:
 * 1. who and what: the beneficiary from the carte Vitale in the reader (works offline), from an
 *    appli carte Vitale context (online only) or typed for a FSE dégradée; the acts priced from
 *    the tariff table on the day of care; the rights known for the patient (ADRi when online,
 *    otherwise « droits non vérifiés » with the reason, cards.md §7);
 * 2. the number: the practitioner's next invoice number, committed before anything is signed (a
 *    number that left the desk inside a signature is never given again);
 * 3. encoding and signatures (FseEncoder / FseSigner: CPS, then the card or the SI ApCV);
 * 4. the invoice stored with its legal deadline, in one transaction with its audit entry.
 * A failure after step 2 abandons the number (kept as a row, never reused); nothing else is left.
 */
import { AppError, isAppError } from '../../contract';
import type { AdriCoverage } from '../../contract/domains/adri';
import type { BillingMode, Coverage, InvoiceSource, InvoiceView, Organism, RightsSummary } from '../../contract/domains/billing';
import type { VitaleCard } from '../../contract/domains/cards';
import { sameBeneficiary, type RecordIdentity } from '../adri';
import { computeMatriculeKey } from '../identity';
import type { FseContent, VitaleSecuring } from './adapters';
import { beneficiaryKeyOf, requireBeneficiaryPatient } from './beneficiary-patient';
import { addDays } from './calendar';
import type { BillingContext } from './context';
import { transmissionDeadline } from './deadlines';
import { requireOpenSession } from './identity';
import { priceInvoice, type LineRequest } from './pricing';
import { invoiceViewOf } from './queries';
import type { InvoiceContentRecord } from './views';

export interface CreateInvoiceInput {
  sessionId: string;
  source: InvoiceSource;
  patientId: string | null;
  lines: readonly LineRequest[];
  coverage: Coverage;
  mode: BillingMode;
  careDate?: string | undefined;
}

/** The number space of FSE numbers (PyxVital's public configuration: Numéro_FSE_fin=999999, cards.md §7). */
export const LAST_INVOICE_NUMBER = 999_999;
/** Care older than this is not billed electronically any more (the statute of limitation is two years). */
const OLDEST_CARE_DAYS = 2 * 365;

interface Beneficiary {
  surname: string;
  usedName: string | null;
  givenName: string;
  birthDate: string;
  birthRank: number;
  nir: string | null;
  insuredNir: string;
}

interface ResolvedSource {
  securing: 'vitale' | 'apcv' | 'degradee';
  beneficiary: Beneficiary;
  organism: Organism;
  vitale: VitaleSecuring;
  apcvContextId: string | null;
}

export async function createInvoice(ctx: BillingContext, input: CreateInvoiceInput): Promise<InvoiceView> {
  const { session, card } = requireOpenSession(ctx, input.sessionId);
  const today = ctx.today();
  const careDate = input.careDate ?? today;
  if (careDate > today || careDate < addDays(today, -OLDEST_CARE_DAYS)) throw new AppError('BILLING_CARE_DATE_INVALID');
  for (const line of input.lines) if (line.date !== undefined && line.date < addDays(today, -OLDEST_CARE_DAYS)) throw new AppError('BILLING_CARE_DATE_INVALID');

  const source = await resolveSource(ctx, input.source, session.mode);
  // The chosen record, read (and audited) once: checked here, handed to ADRi for the rights below.
  const patient = input.patientId === null ? null : { id: input.patientId, record: requireBeneficiaryPatient(ctx, input.patientId, beneficiaryKeyOf(source.beneficiary), card.idNat) };
  // Pricing and rights before the number: a typing error never consumes a number.
  const priced = priceInvoice(ctx.deps.tariffs, {
    lines: input.lines,
    coverage: input.coverage,
    mode: input.mode,
    careDate,
    birthDate: source.beneficiary.birthDate,
    conventionSector: session.convention_sector as 'secteur-1',
  });
  const rights = await resolveRights(ctx, patient, source, session.mode, card.idNat);
  const deadline = transmissionDeadline(ctx.calendar(), priced.firstCareDate, input.mode);

  const id = ctx.newId();
  const number = reserveNumber(ctx, { id, practitioner: session.practitioner, sessionId: session.id });
  try {
    const content: FseContent = {
      number,
      practitioner: { billingNumber: session.practitioner, idNat: session.id_nat, name: session.practitioner_name, specialty: session.specialty, conventionSector: session.convention_sector },
      careDate,
      securing: source.securing,
      mode: input.mode,
      coverage: input.coverage,
      beneficiary: source.beneficiary,
      organism: source.organism,
      rights,
      lines: priced.lines,
      totals: priced.totals,
    };
    const encoded = ctx.deps.encoder.encodeInvoice(content);
    const digest = ctx.deps.encoder.digest(encoded);
    const vitale = source.securing === 'apcv' ? apcvSecuring(ctx, source, content) : source.vitale;
    const signatures = await ctx.deps.signer.sign(encoded, digest, card.signer, vitale);
    const record: InvoiceContentRecord = { beneficiary: source.beneficiary, rights, lines: priced.lines, totals: priced.totals, apcvContextId: source.apcvContextId };
    ctx.deps.db
      .transaction(() => {
        const { changes } = ctx.store.validateInvoice.run({
          id,
          now: ctx.now(),
          patientId: input.patientId,
          careDate,
          firstCareDate: priced.firstCareDate,
          securing: source.securing,
          mode: input.mode,
          coverage: input.coverage,
          kind: source.securing === 'degradee' ? 'fse-degradee' : 'fse',
          regime: source.organism.regime,
          caisse: source.organism.caisse,
          centre: source.organism.centre,
          deadline,
          total: priced.totals.totalCents,
          amo: priced.totals.amoCents,
          patient: priced.totals.patientCents,
          content: JSON.stringify(record),
          encoded: Buffer.from(encoded),
          encoding: ctx.deps.encoder.format,
          cpsSignature: Buffer.from(signatures.cps),
          cpsCertificate: signatures.cpsCertificate,
          vitaleSignature: signatures.vitale === null ? null : Buffer.from(signatures.vitale),
          vitaleKind: signatures.vitaleKind,
        });
        // A reservation taken over as stale (the process was frozen past the limit) is not revived.
        if (changes !== 1) throw new AppError('INTERNAL', { reason: 'reservation-lost' });
        ctx.deps.audit({
          actor: card.idNat,
          patientRef: input.patientId,
          action: 'billing.invoice.created',
          details: { invoiceId: id, number, sessionId: session.id, securing: source.securing, mode: input.mode, rights: rights.status },
        });
      })
      .immediate();
  } catch (error) {
    abandon(ctx, id, number, card.idNat, error);
    throw error;
  }
  ctx.logger.info('billing.invoice_created', { number, securing: source.securing });
  ctx.notify('invoice');
  return invoiceViewOf(ctx, id);
}

/** Takes the next number and records the reservation: committed before any signature. */
function reserveNumber(ctx: BillingContext, input: { id: string; practitioner: string; sessionId: string }): number {
  return ctx.deps.db
    .transaction(() => {
      const number = (ctx.store.nextNumber.get({ practitioner: input.practitioner, kind: 'invoice' }) as { last: number }).last;
      if (number > LAST_INVOICE_NUMBER) throw new AppError('BILLING_NUMBERS_EXHAUSTED');
      ctx.store.reserveInvoice.run({ id: input.id, practitioner: input.practitioner, number, sessionId: input.sessionId, now: ctx.now(), worker: ctx.workerId });
      return number;
    })
    .immediate();
}

function abandon(ctx: BillingContext, id: string, number: number, actor: string, error: unknown): void {
  try {
    ctx.deps.db
      .transaction(() => {
        if (ctx.store.abandonInvoice.run({ id }).changes === 1) {
          ctx.deps.audit({ actor, patientRef: null, action: 'billing.number.abandoned', details: { invoiceId: id, number, code: isAppError(error) ? error.code : 'INTERNAL' } });
        }
      })
      .immediate();
  } catch (abandonError) {
    // The follow-up sweep abandons stale reservations anyway.
    ctx.logger.error('billing.abandon_failed', { number, error: (abandonError as Error).name });
  }
}

function vitaleKeyOf(b: VitaleCard['beneficiaries'][number]) {
  return beneficiaryKeyOf({ insuredNir: b.insuredNir, nir: b.nir, birthDate: b.birthDate.raw, birthRank: b.birthRank });
}

/** The carte Vitale in the reader (the cards service keeps what it read until the card leaves). */
async function readVitaleInReader(ctx: BillingContext, reader: string | undefined): Promise<VitaleCard> {
  try {
    return await ctx.deps.readVitale(reader);
  } catch (error) {
    if (isAppError(error) && (error.code === 'CARD_ABSENT' || error.code === 'CARD_REMOVED' || error.code === 'CARD_WRONG_TYPE')) throw new AppError('BILLING_VITALE_ABSENT');
    throw error;
  }
}

async function resolveSource(ctx: BillingContext, source: InvoiceSource, sessionMode: 'online' | 'offline'): Promise<ResolvedSource> {
  switch (source.kind) {
    case 'vitale': {
      const card = await readVitaleInReader(ctx, source.reader);
      if (source.cardSerial !== undefined && source.cardSerial !== null && card.serial !== source.cardSerial) throw new AppError('BILLING_VITALE_CHANGED');
      // A serial read as null proves nothing: the screen's read is then known by its beneficiary only.
      if (source.cardSerial === null && source.beneficiary === undefined) throw new AppError('BILLING_VITALE_CHANGED');
      const b = card.beneficiaries.find((x) => x.index === source.beneficiaryIndex);
      if (b === undefined) throw new AppError(source.beneficiary === undefined ? 'BILLING_BENEFICIARY_UNKNOWN' : 'BILLING_VITALE_CHANGED');
      if (source.beneficiary !== undefined && !sameBeneficiary(vitaleKeyOf(b), source.beneficiary)) throw new AppError('BILLING_VITALE_CHANGED');
      return {
        securing: 'vitale',
        beneficiary: { surname: b.surname, usedName: b.usedName, givenName: b.givenName, birthDate: b.birthDate.raw, birthRank: b.birthRank, nir: b.nir, insuredNir: b.insuredNir },
        organism: organismOf(card.regime, card.caisse, card.centre),
        vitale: {
          kind: 'card',
          serial: card.serial,
          beneficiaryIndex: b.index,
          present: async () => {
            const now = await readVitaleInReader(ctx, source.reader);
            const again = now.beneficiaries.find((x) => x.index === b.index);
            if (now.serial !== card.serial || again === undefined || !sameBeneficiary(vitaleKeyOf(again), vitaleKeyOf(b))) throw new AppError('BILLING_VITALE_CHANGED');
          },
        },
        apcvContextId: null,
      };
    }
    case 'apcv': {
      // cards.md §3: the appli carte Vitale is online only — refused at once, with the next step.
      if (sessionMode === 'offline') throw new AppError('BILLING_APCV_OFFLINE_SESSION');
      if (ctx.deps.apcv === null) throw new AppError('APCV_NOT_CONFIGURED');
      const record = ctx.deps.apcv.contextRecord(source.contextId);
      if (record === null || record.state === 'closed') throw new AppError('APCV_CONTEXT_UNKNOWN');
      if (record.state === 'expired') throw new AppError('APCV_CONTEXT_EXPIRED');
      // Checked before a number is taken; the ApCV service and the SI ApCV check it again.
      if (record.invoicesSigned >= record.invoicesAllowed) throw new AppError('APCV_INVOICE_ALREADY_SIGNED');
      const b = record.beneficiaries.find((x) => x.index === source.beneficiaryIndex);
      if (b === undefined) throw new AppError('BILLING_BENEFICIARY_UNKNOWN');
      return {
        securing: 'apcv',
        beneficiary: { surname: b.surname, usedName: b.usedName, givenName: b.givenName, birthDate: b.birthDate.raw, birthRank: b.birthRank, nir: b.nir, insuredNir: record.insuredNir },
        organism: organismOf(record.coverage.regime, record.coverage.caisse, record.coverage.centre),
        vitale: null,
        apcvContextId: source.contextId,
      };
    }
    case 'degradee':
      return {
        securing: 'degradee',
        beneficiary: { ...source.beneficiary, usedName: null },
        organism: source.organism,
        vitale: null,
        apcvContextId: null,
      };
  }
}

function organismOf(regime: string | null, caisse: string | null, centre: string | null): Organism {
  if (regime === null || caisse === null || centre === null || !/^\d{2}$/.test(regime) || !/^\d{3}$/.test(caisse) || !/^\d{4}$/.test(centre)) {
    throw new AppError('BILLING_ORGANISM_REQUIRED');
  }
  return { regime, caisse, centre };
}

/** signerVitale through the ApCV service: one invoice per context, enforced there (and by the SI ApCV). */
function apcvSecuring(ctx: BillingContext, source: ResolvedSource, content: FseContent): VitaleSecuring {
  const apcv = ctx.deps.apcv;
  const contextId = source.apcvContextId;
  if (apcv === null || contextId === null) throw new AppError('APCV_NOT_CONFIGURED');
  const split = (nir: string) => ({ number: nir.slice(0, 13), key: nir.length === 15 ? nir.slice(13) : computeMatriculeKey(nir.slice(0, 13)) });
  return {
    kind: 'apcv',
    signerVitale: async (hash) => {
      const signed = await apcv.signerVitale(contextId, {
        type: 'FSE',
        insuredNir: split(content.beneficiary.insuredNir),
        hash: { kind: 'FSE', value: hash },
        summary: {
          professional: { billingNumber: content.practitioner.billingNumber, idNat: content.practitioner.idNat, name: content.practitioner.name },
          beneficiary: {
            usedName: content.beneficiary.usedName ?? content.beneficiary.surname,
            birthName: content.beneficiary.surname,
            givenName: content.beneficiary.givenName,
            certifiedNir: content.beneficiary.nir === null ? null : split(content.beneficiary.nir),
          },
        },
      });
      return signed.signature;
    },
  };
}

const UNVERIFIED_REASON: Record<string, string> = {
  offline: 'service des droits injoignable',
  unavailable: 'service des droits indisponible',
  'not-configured': 'service des droits non configuré',
  'not-found': 'bénéficiaire inconnu du service des droits',
  refused: 'refusé par le service des droits',
  'card-session': 'carte CPS absente',
};

/**
 * What is known of the rights on the day of care: never blocks billing. Offline, without a
 * patient in the base, or in mode dégradé, the invoice records « droits non vérifiés » and why.
 */
async function resolveRights(
  ctx: BillingContext,
  patient: { id: string; record: RecordIdentity } | null,
  source: ResolvedSource,
  sessionMode: 'online' | 'offline',
  actor: string,
): Promise<RightsSummary> {
  const unverified = (reason: string): RightsSummary => ({ status: 'unverified', reason, checkedAt: null });
  if (source.securing === 'degradee') return unverified('facture sans carte (mode dégradé)');
  if (sessionMode === 'offline') return unverified('session hors ligne');
  if (ctx.deps.rights === null) return unverified('service des droits non configuré');
  if (patient === null) return unverified('patient non rattaché à la base');
  const b = source.beneficiary;
  // Reused only when asked for this very beneficiary (a twin on the same record never lends hers).
  const latest = ctx.deps.rights.latest(patient.id, beneficiaryKeyOf(b));
  const today = ctx.today();
  let rights = latest !== null && latest.status !== 'unverified' && latest.checkedAt.slice(0, 10) >= addDays(today, -1) ? latest : null;
  if (rights === null) {
    const coverage: AdriCoverage = {
      source: source.securing === 'apcv' ? 'apcv' : 'vitale',
      regime: source.organism.regime,
      caisse: source.organism.caisse,
      centre: source.organism.centre,
      insuredNir: b.insuredNir,
      beneficiaryNir: b.nir,
      birthDate: b.birthDate,
      birthRank: b.birthRank,
    };
    try {
      rights = await ctx.deps.rights.acquire(patient.id, coverage, actor, patient.record);
    } catch (error) {
      ctx.logger.info('billing.rights_unavailable', { code: isAppError(error) ? error.code : 'INTERNAL' });
      return unverified('service des droits indisponible');
    }
  }
  if (rights.status === 'unverified') return unverified(UNVERIFIED_REASON[rights.reason ?? ''] ?? 'droits non vérifiés');
  return { status: rights.status, reason: null, checkedAt: rights.checkedAt };
}
