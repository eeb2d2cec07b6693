/**
 * services/billing — SESAM-Vitale billing (ARCHITECTURE.md §2): offline sessions, invoices (FSE),
 * lots through the outbox, acknowledgements, re-sending, paper duplicates, legal deadlines
 * (art. R161-47) and payment returns. One file per use case; the FSE format, its signatures and
 * the transport are behind adapters (adapters.ts) with modelled démo implementations.
 */
export {
  unconfiguredEncoder,
  unconfiguredSigner,
  unconfiguredTransport,
  type BillingTransport,
  type FseContent,
  type FseEncoder,
  type FseSignatures,
  type FseSigner,
  type LotHeader,
  type LotSubmission,
  type RemoteReturn,
  type SignedFse,
  type SubmissionReceipt,
  type VitaleSecuring,
} from './adapters';
export { addDays, daysBetween, isIsoDate, parisDate, WorkingCalendar, type Holiday, type HolidayRegion } from './calendar';
export { DEFAULT_LOT_SIZE, type ApcvPort, type BillingDeps, type BillingIdentitySettings, type BillingPatientsPort, type PractitionerCard, type RightsPort } from './context';
export { LAST_INVOICE_NUMBER, type CreateInvoiceInput } from './create-invoice';
export { ARL_WAIT_WORKING_DAYS, arlDueDate, deadlineStatus, RETENTION_DAYS, TRANSMISSION_WORKING_DAYS, transmissionDeadline, warningFrom } from './deadlines';
export { BILLING_TRANSPORT_TIMEOUTS, HttpsBillingTransport } from './https-transport';
export { LOT_QUEUE, lotJobKey } from './lot-queue-name';
export { MODELLED_FSE_FORMAT, MODELLED_LOT_CONTENT_TYPE, MODELLED_LOT_FORMAT, modelledEncoder } from './modelled-encoder';
export { APCV_SIGNATURE, MODELLED_VITALE_SEAL, modelledSigner } from './modelled-signer';
export { isMinorOn, priceInvoice, RATE_PERCENT, type LineRequest, type PricedInvoice, type PricingInput } from './pricing';
export { billingMigrations } from './schema';
export { BillingService } from './service';
export { defaultTariffs, Tariffs, tariffFileSchema, type PricedAct, type TariffFile } from './tariffs';
