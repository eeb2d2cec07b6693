/**
 * What every billing use case receives: the service's dependencies (given by the composition
 * root, ARCHITECTURE.md §2) and what the service builds once from them (store, calendar, tariffs).
 * The ports to cards, the appli carte Vitale and ADRi are narrow so that tests can stand in.
 */
import { randomUUID } from 'node:crypto';
import type { AdriCoverage, AdriRights } from '../../contract/domains/adri';
import type { BillingStatus } from '../../contract/domains/billing';
import type { Beneficiary, VitaleCard } from '../../contract/domains/cards';
import type { Clock } from '../../platform/clock';
import type { Signer } from '../../platform/crypto';
import type { Db } from '../../platform/db';
import type { Logger } from '../../platform/log';
import type { BeneficiaryKey, RecordIdentity } from '../adri';
import type { InvoiceToSign } from '../apcv';
import type { AuditWriter } from '../audit';
import type { Outbox } from '../outbox';
import type { BillingTransport, FseEncoder, FseSigner } from './adapters';
import { parisDate, WorkingCalendar, type HolidayRegion } from './calendar';
import type { BillingStore } from './store';
import type { Tariffs } from './tariffs';

/** The practitioner's card session: holder and the card's signature key. */
export interface PractitionerCard {
  idNat: string;
  surname: string;
  givenName: string;
  signer: Signer;
}

export interface BillingIdentitySettings {
  amNumber: string;
  specialty: string;
  conventionSector: '' | 'secteur-1' | 'secteur-2' | 'secteur-2-optam';
  holidays: HolidayRegion;
}

/** What billing needs of an appli carte Vitale context (services/apcv). */
export interface ApcvContextPort {
  state: 'open' | 'expired' | 'closed';
  coverage: { regime: string | null; caisse: string | null; centre: string | null };
  insuredNir: string;
  beneficiaries: Beneficiary[];
  invoicesSigned: number;
  /** The public limit « 1 facture par session » as the ApCV service applies it. */
  invoicesAllowed: number;
}

export interface ApcvPort {
  contextRecord(contextId: string): Readonly<ApcvContextPort> | null;
  signerVitale(contextId: string, invoice: InvoiceToSign): Promise<{ signature: Uint8Array }>;
}

export interface RightsPort {
  /** The latest rights stored for this record and asked for this very beneficiary, or null. */
  latest(patientId: string, beneficiary: BeneficiaryKey): AdriRights | null;
  /** `readRecord`: the record as billing read and checked it for this invoice (ADRi checks it without reading it again). */
  acquire(patientId: string, coverage: AdriCoverage, actor: string, readRecord: RecordIdentity): Promise<AdriRights>;
}

/** What billing compares of a local record with the beneficiary (services/patients, read audited). */
export interface BillingPatientsPort {
  /** Null when the record does not exist (any more). */
  identity(patientId: string, actor: string): RecordIdentity | null;
}

export type BillingChange = 'session' | 'invoice' | 'lot' | 'returns' | 'deadline';

export interface BillingDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  outbox: Outbox;
  settings: () => BillingIdentitySettings;
  /** The open CPS session, or null (no card, or PIN not typed). */
  practitioner: () => PractitionerCard | null;
  /** Reads (or returns the cached read of) the carte Vitale in a reader; throws CARD_* errors. */
  readVitale: (reader?: string) => Promise<VitaleCard>;
  apcv: ApcvPort | null;
  patients: BillingPatientsPort;
  rights: RightsPort | null;
  encoder: FseEncoder;
  signer: FseSigner;
  transport: BillingTransport;
  /** `modelled` in démo; `unavailable` when the SESAM-Vitale library is not configured. */
  mode: BillingStatus['mode'];
  tariffs: Tariffs;
  notify?: (reason: BillingChange) => void;
  /** This process in invoice-number reservations. */
  workerId?: string;
  newId?: () => string;
  /** Most invoices in one lot (PyxVital's public configuration: NBMAX_FSE_LOT=50, cards.md §7). */
  lotSize?: number;
}

export interface BillingContext {
  deps: BillingDeps;
  store: BillingStore;
  logger: Logger;
  workerId: string;
  lotSize: number;
  now(): number;
  today(): string;
  calendar(): WorkingCalendar;
  newId(): string;
  notify(reason: BillingChange): void;
}

export const DEFAULT_LOT_SIZE = 50;
/** A reservation older than this belongs to a process that died: its number is abandoned, never reused. */
export const RESERVATION_STALE_MS = 5 * 60_000;

export function createContext(deps: BillingDeps, store: BillingStore): BillingContext {
  const logger = deps.logger.child('billing');
  const calendars = new Map<HolidayRegion, WorkingCalendar>();
  return {
    deps,
    store,
    logger,
    workerId: deps.workerId ?? `billing-${randomUUID()}`,
    lotSize: deps.lotSize ?? DEFAULT_LOT_SIZE,
    now: () => deps.clock.now(),
    today: () => parisDate(deps.clock.now()),
    calendar: () => {
      const region = deps.settings().holidays;
      let calendar = calendars.get(region);
      if (calendar === undefined) {
        calendar = new WorkingCalendar(region);
        calendars.set(region, calendar);
      }
      return calendar;
    },
    newId: deps.newId ?? randomUUID,
    notify: (reason) => {
      try {
        deps.notify?.(reason);
      } catch (error) {
        logger.warn('billing.notify_failed', { reason, error: (error as Error).name });
      }
    },
  };
}
