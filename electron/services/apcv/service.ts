/**
 * The appli carte Vitale at the desk: opens a context from a scanned payload (refused at once when
 * the service is known to be unreachable), hands its beneficiaries to the picker, counts its time
 * down, signs its one invoice for billing, and destroys it when the patient is done. Contexts live
 * in memory only: they carry health data and last 20 minutes.
 *
 * Nothing half-done: a context whose data cannot be read back is destroyed at once; a failed scan
 * leaves no context, no patient and no audit entry other than the refusal.
 */
import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../../contract';
import type { ApcvContextView, ApcvSource, ApcvStatus } from '../../contract/domains/apcv';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/log';
import type { AuditWriter } from '../audit';
import type { AssertionHolder } from '../insi';
import type { XmlSigner } from '../../platform/xml';
import { authenticate } from './authenticate';
import type { ApcvClient, ApcvCredentials } from './client';
import { closeRecord, destroyRemoteContext } from './destroy-context';
import { checkPayloadSize } from './payload';
import type { ApcvProfessional, InvoiceToSign } from './request';
import { restoreContext } from './restore-context';
import { expireIfDue, expiryOf, PUBLIC_APCV_LIMITS, viewOf, type ApcvContextRecord, type ApcvLimits } from './session-rules';
import { checkCanSign, signInvoice, type SignedInvoice } from './sign-vitale';

export interface ApcvPractitioner {
  holder: AssertionHolder;
  signer: XmlSigner;
  /** IdentifiantFacturation + CodeSpecialiteAMO; null when the card session does not give them. */
  professional: ApcvProfessional | null;
}

/** The scan pipeline's hand-over (TEAM.md: `takePayload(scanId)`); absent until services/scan is wired. */
export type ScanPayloadPort = (scanId: string) => { payload: Uint8Array; source: ApcvSource; symbology: string } | null;

export interface ApcvServiceDeps {
  /** Null when the spec-level configuration is missing (production without addendum 8): every call says so. */
  client: ApcvClient | null;
  mode: ApcvStatus['mode'];
  endpoint: () => string;
  clock: Clock;
  logger: Logger;
  audit: AuditWriter;
  practitioner: () => ApcvPractitioner | null;
  limits?: Partial<ApcvLimits>;
  takeScanPayload?: ScanPayloadPort;
  notify?: (change: { contextId: string; state: 'open' | 'expired' | 'closed' }) => void;
  /** Who acts when no card session is open (audit). */
  deskActor?: string;
  newId?: () => string;
}

export class ApcvService {
  readonly limits: ApcvLimits;
  private readonly contexts = new Map<string, ApcvContextRecord>();
  private readonly logger: Logger;
  private lastFailureAt: number | null = null;
  private lastSuccessAt: number | null = null;

  constructor(private readonly deps: ApcvServiceDeps) {
    this.limits = { ...PUBLIC_APCV_LIMITS, ...deps.limits };
    this.logger = deps.logger.child('apcv');
  }

  private now(): number {
    return this.deps.clock.now();
  }

  private actor(): string {
    return this.deps.practitioner()?.holder.idNat ?? this.deps.deskActor ?? 'poste';
  }

  private requireClient(): ApcvClient {
    if (this.deps.client === null) throw new AppError('APCV_NOT_CONFIGURED', { reason: 'specification' });
    return this.deps.client;
  }

  private requirePractitioner(): ApcvPractitioner & { credentials: ApcvCredentials } {
    const practitioner = this.deps.practitioner();
    if (practitioner === null) throw new AppError('CARD_SESSION_REQUIRED');
    return { ...practitioner, credentials: { holder: practitioner.holder, signer: practitioner.signer } };
  }

  /** Offline known: refuse at once, without making the patient wait for a timeout. */
  private refuseIfKnownOffline(): void {
    if (this.lastFailureAt === null) return;
    if (this.now() - this.lastFailureAt < this.limits.offlineHoldMs) throw new AppError('APCV_OFFLINE', { held: true });
  }

  private record<T>(promise: Promise<T>): Promise<T> {
    return promise.then(
      (value) => {
        this.lastFailureAt = null;
        this.lastSuccessAt = this.now();
        return value;
      },
      (error: unknown) => {
        if (isAppError(error) && (error.code === 'APCV_OFFLINE' || error.code === 'APCV_UNAVAILABLE')) this.lastFailureAt = this.now();
        throw error;
      },
    );
  }

  private refusal(error: unknown, source: ApcvSource): never {
    const code = isAppError(error) ? error.code : 'INTERNAL';
    this.deps.audit({ actor: this.actor(), patientRef: null, action: 'apcv.scan.refused', details: { source, code } });
    throw error;
  }

  /** authentifierUtilisateurProximite + restituerContexteApCV; the payload is passed byte for byte and never kept. */
  async open(payload: Uint8Array, source: ApcvSource): Promise<ApcvContextView> {
    try {
      const client = this.requireClient();
      if (!checkPayloadSize(payload)) throw new AppError('APCV_PAYLOAD_NOT_RECOGNISED', { reason: 'size' });
      this.refuseIfKnownOffline();
      const practitioner = this.requirePractitioner();
      if (practitioner.professional === null) throw new AppError('APCV_NOT_CONFIGURED', { reason: 'billing-identity' });
      const openedAt = this.now();
      const authenticated = await this.record(authenticate(client, payload, practitioner.professional, practitioner.credentials));
      let restored;
      try {
        restored = await this.record(restoreContext(client, practitioner.credentials));
      } catch (error) {
        // Nothing half-done: the context the SI ApCV opened is destroyed when its data cannot be read.
        await destroyRemoteContext(client, authenticated.identifier, practitioner.credentials, this.logger);
        throw error;
      }
      const record: ApcvContextRecord = {
        id: (this.deps.newId ?? randomUUID)(),
        identifier: restored.identifier,
        source,
        openedAt,
        expiresAt: expiryOf(openedAt, restored.expiresAt ?? authenticated.expiresAt, this.limits),
        state: 'open',
        invoicesSigned: 0,
        coverage: restored.coverage,
        insuredNir: restored.insuredNir,
        beneficiaries: restored.beneficiaries,
        openedBy: practitioner.holder.idNat,
      };
      // One patient at the desk at a time per professional: an older open context is ended.
      for (const other of this.contexts.values()) {
        if (other.state === 'open' && other.openedBy === record.openedBy) void this.close(other.id);
      }
      this.contexts.set(record.id, record);
      this.deps.audit({
        actor: practitioner.holder.idNat,
        patientRef: null,
        action: 'apcv.context.opened',
        details: { source, beneficiaries: record.beneficiaries.length, contextId: record.id },
      });
      this.deps.notify?.({ contextId: record.id, state: 'open' });
      return viewOf(record, this.now(), this.limits);
    } catch (error) {
      this.refusal(error, source);
    }
  }

  /** The scan pipeline kept the payload for a short time: take it (once) and open. */
  async openFromScan(scanId: string): Promise<ApcvContextView> {
    const taken = this.deps.takeScanPayload?.(scanId) ?? null;
    if (taken === null) throw new AppError('APCV_SCAN_EXPIRED');
    return this.open(taken.payload, taken.source);
  }

  /** The context for the picker and the countdown; reading its beneficiaries is audited like a Vitale read. */
  context(contextId: string): ApcvContextView {
    const record = this.contexts.get(contextId);
    if (record === undefined) throw new AppError('APCV_CONTEXT_UNKNOWN');
    if (expireIfDue(record, this.now())) this.deps.notify?.({ contextId, state: 'expired' });
    if (record.state === 'open') {
      this.deps.audit({
        actor: this.actor(),
        patientRef: null,
        action: 'apcv.context.read',
        details: { contextId, beneficiaries: record.beneficiaries.length },
      });
    }
    return viewOf(record, this.now(), this.limits);
  }

  /** For billing: the coverage and insured NIR of an open context (no audit: billing audits its invoice). */
  contextRecord(contextId: string): Readonly<ApcvContextRecord> | null {
    const record = this.contexts.get(contextId);
    if (record === undefined) return null;
    expireIfDue(record, this.now());
    return record;
  }

  /** signerVitale, exported for billing: one invoice per context, inside its lifetime. */
  async signerVitale(contextId: string, invoice: InvoiceToSign): Promise<SignedInvoice> {
    const client = this.requireClient();
    const practitioner = this.requirePractitioner();
    const record = checkCanSign(this.contexts.get(contextId), this.now(), this.limits, practitioner.holder.idNat);
    try {
      const signed = await this.record(signInvoice(client, record, invoice, practitioner.credentials, this.limits, () => this.now()));
      this.deps.audit({ actor: practitioner.holder.idNat, patientRef: null, action: 'apcv.invoice.signed', details: { contextId, type: invoice.type } });
      return signed;
    } catch (error) {
      // The SI ApCV may know better (its own clock or count): mirror what it said.
      if (isAppError(error) && error.code === 'APCV_CONTEXT_EXPIRED') {
        record.state = 'expired';
        record.beneficiaries = [];
        this.deps.notify?.({ contextId, state: 'expired' });
      }
      if (isAppError(error) && error.code === 'APCV_INVOICE_ALREADY_SIGNED') record.invoicesSigned = Math.max(record.invoicesSigned, this.limits.invoicesPerContext);
      this.deps.audit({
        actor: practitioner.holder.idNat,
        patientRef: null,
        action: 'apcv.invoice.refused',
        details: { contextId, code: isAppError(error) ? error.code : 'INTERNAL' },
      });
      throw error;
    }
  }

  /** The patient is done: detruireContexteApCV (best effort remotely, always locally). */
  async close(contextId: string): Promise<{ closed: boolean }> {
    const record = this.contexts.get(contextId);
    if (record === undefined) return { closed: false };
    const wasOpen = closeRecord(record);
    if (!wasOpen) return { closed: false };
    this.deps.notify?.({ contextId, state: 'closed' });
    this.deps.audit({ actor: this.actor(), patientRef: null, action: 'apcv.context.closed', details: { contextId } });
    const practitioner = this.deps.practitioner();
    if (this.deps.client !== null && practitioner !== null) {
      await destroyRemoteContext(this.deps.client, record.identifier, { holder: practitioner.holder, signer: practitioner.signer }, this.logger);
    }
    return { closed: true };
  }

  /** Marks contexts past their lifetime as expired (the host calls it every few seconds). */
  sweep(): number {
    let changed = 0;
    const now = this.now();
    for (const record of this.contexts.values()) {
      if (expireIfDue(record, now)) {
        changed += 1;
        this.deps.notify?.({ contextId: record.id, state: 'expired' });
      }
      // Ended contexts are forgotten after a while (their ids only).
      if (record.state !== 'open' && now - record.expiresAt > 60 * 60_000) this.contexts.delete(record.id);
    }
    return changed;
  }

  status(): ApcvStatus {
    const now = this.now();
    const reachable = this.lastFailureAt !== null ? 'no' : this.lastSuccessAt !== null ? 'yes' : 'unknown';
    return {
      mode: this.deps.client === null ? 'unavailable' : this.deps.mode,
      endpoint: this.deps.endpoint(),
      reachable,
      lastFailureAt: this.lastFailureAt === null ? null : new Date(this.lastFailureAt).toISOString(),
      limits: { contextLifetimeMs: this.limits.contextLifetimeMs, invoicesPerContext: this.limits.invoicesPerContext },
      contexts: [...this.contexts.values()].map((record) => {
        expireIfDue(record, now);
        const view = viewOf(record, now, this.limits);
        return { id: view.id, state: view.state, expiresAt: view.expiresAt, timeLeftMs: view.timeLeftMs, invoicesSigned: view.invoicesSigned };
      }),
    };
  }

  /** Forget a known outage (the Diagnostic screen's « réessayer », the demo switch). */
  resetReachability(): void {
    this.lastFailureAt = null;
  }
}
