/**
 * The three parts of SESAM-Vitale billing that are under agreement (ARCHITECTURE.md §9), each
 * behind one adapter so that the whole workflow around them is real:
 * - `FseEncoder`: the FSE and lot byte formats (cahier des charges SESAM-Vitale 1.40, norme B2);
 * - `FseSigner`: what the CPS and the carte Vitale compute to secure an FSE (the SSV library);
 * - `BillingTransport`: sending lots and fetching acknowledgements and payment returns (RSS
 *   messaging, NOEMIE).
 * Démo wires modelled implementations (modelled-*.ts, https-transport.ts), clearly labelled as
 * not the official formats. Elsewhere the « not configured » implementations below refuse with a
 * French message until the certified library of the GIE SESAM-Vitale is configured.
 */
import { AppError } from '../../contract';
import type { BillingMode, Coverage, Organism, PricedLine, RightsSummary, Securing, Totals } from '../../contract/domains/billing';
import type { Signer } from '../../platform/crypto';

/** Everything an FSE says, before encoding. */
export interface FseContent {
  number: number;
  practitioner: { billingNumber: string; idNat: string; name: string; specialty: string; conventionSector: string };
  careDate: string;
  securing: Securing;
  mode: BillingMode;
  coverage: Coverage;
  beneficiary: {
    surname: string;
    usedName: string | null;
    givenName: string;
    /** AAAAMMJJ as on the card. */
    birthDate: string;
    birthRank: number;
    nir: string | null;
    insuredNir: string;
  };
  organism: Organism;
  rights: RightsSummary;
  lines: PricedLine[];
  totals: Totals;
}

export interface LotHeader {
  emitter: { billingNumber: string; idNat: string };
  lotNumber: number;
  emission: 1 | 2;
  organism: Organism;
  kind: 'fse' | 'fse-degradee';
  createdAt: string;
}

export interface SignedFse {
  number: number;
  encoded: Uint8Array;
  cpsSignature: Uint8Array;
  cpsCertificate: string;
  vitaleSignature: Uint8Array | null;
  vitaleKind: string | null;
}

export interface FseEncoder {
  /** Name of the byte format, stored with each invoice. */
  readonly format: string;
  encodeInvoice(content: FseContent): Uint8Array;
  encodeLot(header: LotHeader, invoices: readonly SignedFse[]): { body: Uint8Array; contentType: string };
  /** What the SI ApCV signs for this FSE (DonneeFSE of signerVitale). */
  digest(encoded: Uint8Array): string;
}

/** How the Vitale side of the FSE is secured. */
export type VitaleSecuring =
  /**
   * A physical carte Vitale in the reader: the card computes its part (under agreement), so it
   * must still be the card read when the FSE is signed: `present()` rejects with
   * BILLING_VITALE_ABSENT (pulled out) or BILLING_VITALE_CHANGED (another card) otherwise.
   */
  | { kind: 'card'; serial: string | null; beneficiaryIndex: number; present(): Promise<void> }
  /** The appli carte Vitale: the SI ApCV signs (signerVitale), online only. */
  | { kind: 'apcv'; signerVitale(digest: string): Promise<Uint8Array> }
  /** FSE dégradée: no Vitale, the CPS only. */
  | null;

export interface FseSignatures {
  cps: Uint8Array;
  cpsCertificate: string;
  vitale: Uint8Array | null;
  vitaleKind: string | null;
}

export interface FseSigner {
  sign(encoded: Uint8Array, digest: string, cps: Signer, vitale: VitaleSecuring): Promise<FseSignatures>;
}

export interface LotSubmission {
  emitter: string;
  lotNumber: number;
  emission: 1 | 2;
  body: Uint8Array;
  contentType: string;
}

export interface SubmissionReceipt {
  receivedAt: string;
  /** The service already had this emission of the lot: nothing was taken twice. */
  duplicate: boolean;
}

/** An acknowledgement (ARL) or a payment return (NOEMIE), as fetched. */
export type RemoteReturn =
  | {
      id: string;
      kind: 'arl';
      lotNumber: number;
      emission: number;
      positive: boolean;
      label: string;
      at: string;
    }
  | {
      id: string;
      kind: 'payment';
      invoiceNumber: number;
      status: 'P' | 'C' | 'R' | 'A';
      label: string;
      amountCents: number | null;
      at: string;
    }
  | {
      /** A return the desk could not read: kept, never taken as positive or negative. */
      id: string;
      kind: 'unreadable';
      /** The lot it names, when that much reads. */
      lotNumber: number | null;
      /** The first field that did not read (no content: the entry itself is not kept). */
      reason: string;
    };

export interface BillingTransport {
  /** Where lots go, for the screen (or why nothing is configured). */
  readonly endpoint: string;
  submit(submission: LotSubmission, signal: AbortSignal): Promise<SubmissionReceipt>;
  /** For an unknown outcome: did the service receive this emission of the lot? */
  received(emitter: string, lotNumber: number, emission: number, signal: AbortSignal): Promise<boolean>;
  /** Returns after `cursor` (null: from the start), oldest first, and the cursor to keep. */
  fetchReturns(emitter: string, cursor: string | null, signal?: AbortSignal): Promise<{ returns: RemoteReturn[]; cursor: string | null }>;
  probe(): Promise<boolean>;
}

/** Without the SESAM-Vitale library: every FSE is refused with BILLING_SSV_NOT_CONFIGURED. */
export const unconfiguredEncoder: FseEncoder = {
  format: 'non-configuré',
  encodeInvoice() {
    throw new AppError('BILLING_SSV_NOT_CONFIGURED');
  },
  encodeLot() {
    throw new AppError('BILLING_SSV_NOT_CONFIGURED');
  },
  digest() {
    throw new AppError('BILLING_SSV_NOT_CONFIGURED');
  },
};

export const unconfiguredSigner: FseSigner = {
  sign() {
    return Promise.reject(new AppError('BILLING_SSV_NOT_CONFIGURED'));
  },
};

export const unconfiguredTransport: BillingTransport = {
  endpoint: 'à configurer (messagerie de télétransmission SESAM-Vitale, sous convention)',
  submit() {
    return Promise.reject(new AppError('BILLING_TRANSPORT_NOT_CONFIGURED'));
  },
  received() {
    return Promise.reject(new AppError('BILLING_TRANSPORT_NOT_CONFIGURED'));
  },
  fetchReturns() {
    return Promise.reject(new AppError('BILLING_TRANSPORT_NOT_CONFIGURED'));
  },
  probe() {
    return Promise.resolve(false);
  },
};
