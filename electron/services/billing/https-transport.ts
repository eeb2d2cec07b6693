/**
 * Démo transport of lots. MODELLED: real lots travel over the SESAM-Vitale messaging (RSS, per
 * organism mail addresses and certificates, cards.md §7) and returns come back as ARL and NOEMIE
 * files, all under agreement. This transport keeps the same shape — submit a lot, ask whether it
 * arrived, collect returns from a mailbox after a cursor — over HTTPS with a client certificate
 * (the structure's), JSON bodies, and the outcome-aware errors of platform/http so that the outbox
 * can tell a refused connection from a request that may have arrived.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../contract';
import { httpStatusError, type HttpClient, type HttpTimeouts } from '../../platform/http';
import type { BillingTransport, LotSubmission, RemoteReturn, SubmissionReceipt } from './adapters';

export const BILLING_TRANSPORT_TIMEOUTS: HttpTimeouts = { connectMs: 10_000, responseMs: 30_000, totalMs: 60_000 };
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

const receiptSchema = z.object({ recuLe: z.string(), doublon: z.boolean() });
const receivedSchema = z.object({ recu: z.boolean() });
const returnSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('ARL'),
    id: z.string().min(1).max(100),
    numeroLot: z.number().int(),
    emission: z.number().int(),
    positif: z.boolean(),
    libelle: z.string().max(500),
    date: z.string(),
  }),
  z.object({
    type: z.literal('PAIEMENT'),
    id: z.string().min(1).max(100),
    numeroFacture: z.number().int(),
    etat: z.enum(['P', 'C', 'R', 'A']),
    libelle: z.string().max(500),
    montant: z.number().int().nullable(),
    date: z.string(),
  }),
]);
/** The envelope must be readable (else nothing is applied and the cursor stays); each return is read on its own. */
const returnsSchema = z.object({ retours: z.array(z.unknown()).max(10_000), curseur: z.string().nullable() });
const readableIdSchema = z.object({ id: z.string().min(1).max(100) });
const lotNumberSchema = z.object({ numeroLot: z.number().int() });

export class HttpsBillingTransport implements BillingTransport {
  constructor(
    private readonly http: HttpClient,
    private readonly baseUrl: () => string,
    private readonly timeouts: HttpTimeouts = BILLING_TRANSPORT_TIMEOUTS,
  ) {}

  get endpoint(): string {
    return this.baseUrl();
  }

  async submit(submission: LotSubmission, signal: AbortSignal): Promise<SubmissionReceipt> {
    const body = await this.json('POST', '/lots', signal, {
      body: submission.body,
      headers: {
        'content-type': submission.contentType,
        'x-emetteur': submission.emitter,
        'x-numero-lot': String(submission.lotNumber),
        'x-emission': String(submission.emission),
      },
    });
    const receipt = parse(receiptSchema, body);
    return { receivedAt: receipt.recuLe, duplicate: receipt.doublon };
  }

  async received(emitter: string, lotNumber: number, emission: number, signal: AbortSignal): Promise<boolean> {
    const body = await this.json('GET', `/lots/${encodeURIComponent(emitter)}/${lotNumber}/${emission}`, signal, { notFoundIs: { recu: false } });
    return parse(receivedSchema, body).recu;
  }

  async fetchReturns(emitter: string, cursor: string | null, signal?: AbortSignal): Promise<{ returns: RemoteReturn[]; cursor: string | null }> {
    const query = cursor === null ? '' : `?apres=${encodeURIComponent(cursor)}`;
    const body = parse(returnsSchema, await this.json('GET', `/retours/${encodeURIComponent(emitter)}${query}`, signal));
    return {
      cursor: body.curseur,
      returns: body.retours.map(readReturn),
    };
  }

  async probe(): Promise<boolean> {
    try {
      const response = await this.http.request({ method: 'GET', url: this.url('/etat'), timeouts: { connectMs: 3_000, responseMs: 3_000, totalMs: 5_000 }, acceptErrorStatus: true });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  private url(path: string): string {
    return `${this.baseUrl().replace(/\/+$/, '')}${path}`;
  }

  private async json(
    method: 'GET' | 'POST',
    path: string,
    signal: AbortSignal | undefined,
    options: { body?: Uint8Array; headers?: Record<string, string>; notFoundIs?: unknown } = {},
  ): Promise<unknown> {
    const response = await this.http.request({
      method,
      url: this.url(path),
      headers: { accept: 'application/json', ...options.headers },
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(signal === undefined ? {} : { signal }),
      timeouts: this.timeouts,
      maxResponseBytes: MAX_RESPONSE_BYTES,
      acceptErrorStatus: true,
    });
    if (response.status === 404 && options.notFoundIs !== undefined) return options.notFoundIs;
    if (response.status >= 500 || response.status === 429 || response.status === 408) throw httpStatusError(response.status);
    if (response.status >= 400) throw new AppError('BILLING_LOT_REFUSED_BY_SERVICE', { status: response.status });
    try {
      return JSON.parse(response.body.toString('utf8')) as unknown;
    } catch {
      throw new AppError('BILLING_RESPONSE_MALFORMED', { reason: 'json' });
    }
  }
}

/**
 * One return of the mailbox. An entry that does not read (a field missing or of another type) is
 * kept as « illisible » rather than blocking the mailbox: it is never taken as positive or negative,
 * so its lot stays without acknowledgement and the 2-working-day rule sends it again (R161-47).
 * Its id: the service's own when that much reads, else a digest of the entry, so that reading the
 * same page twice (a crash before the cursor is kept) records it once.
 */
export function readReturn(entry: unknown): RemoteReturn {
  const parsed = returnSchema.safeParse(entry);
  if (parsed.success) {
    const r = parsed.data;
    return r.type === 'ARL'
      ? { id: r.id, kind: 'arl', lotNumber: r.numeroLot, emission: r.emission, positive: r.positif, label: r.libelle, at: r.date }
      : { id: r.id, kind: 'payment', invoiceNumber: r.numeroFacture, status: r.etat, label: r.libelle, amountCents: r.montant, at: r.date };
  }
  const id = readableIdSchema.safeParse(entry);
  const lot = lotNumberSchema.safeParse(entry);
  const reason = parsed.error.issues[0]?.path.join('.') || 'entrée';
  return {
    id: id.success ? id.data.id : `illisible-${createHash('sha256').update(JSON.stringify(entry) ?? 'undefined').digest('hex').slice(0, 32)}`,
    kind: 'unreadable',
    lotNumber: lot.success ? lot.data.numeroLot : null,
    reason: reason.slice(0, 100),
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AppError('BILLING_RESPONSE_MALFORMED', { reason: 'shape' });
  return parsed.data;
}
