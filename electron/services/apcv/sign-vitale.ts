/**
 * signerVitale (for billing): the SI ApCV signs one invoice in place of the card's Vitale
 * signature (cards.md §3: a server-side Vitale signature). Rules enforced before anything is sent:
 * the context is open, not expired on the desk's clock, opened by the same professional, and has
 * not yet signed its one invoice (public rule « 1 facture par session »). The SI ApCV enforces the
 * same rules on its side; its refusals come back as the same error codes.
 */
import { AppError } from '../../contract';
import type { ApcvClient, ApcvCredentials } from './client';
import { signerVitale as signerVitaleBody, type InvoiceToSign } from './request';
import { parseSignature } from './response';
import { expireIfDue, type ApcvContextRecord, type ApcvLimits } from './session-rules';

export interface SignedInvoice {
  /** The signature blob to put into the FSE/DRE (format of the addendum: opaque here). */
  signature: Uint8Array;
  signedAt: string;
  /** Invoices this context may still sign (0 after the first one, with the public limit). */
  invoicesLeft: number;
}

export function checkCanSign(record: ApcvContextRecord | undefined, now: number, limits: ApcvLimits, idNat: string): ApcvContextRecord {
  if (record === undefined || record.state === 'closed') throw new AppError('APCV_CONTEXT_UNKNOWN');
  expireIfDue(record, now);
  if (record.state === 'expired') throw new AppError('APCV_CONTEXT_EXPIRED');
  if (record.openedBy !== idNat) throw new AppError('APCV_CONTEXT_UNKNOWN', { reason: 'other-professional' });
  if (record.invoicesSigned >= limits.invoicesPerContext) throw new AppError('APCV_INVOICE_ALREADY_SIGNED');
  return record;
}

export async function signInvoice(
  client: ApcvClient,
  record: ApcvContextRecord,
  invoice: InvoiceToSign,
  credentials: ApcvCredentials,
  limits: ApcvLimits,
  now: () => number,
): Promise<SignedInvoice> {
  const content = await client.call('sign', signerVitaleBody(record.identifier, invoice), credentials);
  const signature = parseSignature(content);
  record.invoicesSigned += 1;
  return { signature, signedAt: new Date(now()).toISOString(), invoicesLeft: Math.max(0, limits.invoicesPerContext - record.invoicesSigned) };
}
