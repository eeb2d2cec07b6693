/**
 * Owns the PC/SC context for the whole host (STYLE.md "Cards"): one backend at a time, recreated
 * with exponential backoff when the service disappears (SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED,
 * SCARD_E_INVALID_HANDLE, pcscd restarted), and turns reader status changes into events in the
 * spirit of nfc-pcsc: reader added/removed, card inserted/removed, service up/down.
 *
 * Every multi-APDU operation goes through `withCard`, which serialises operations per reader and
 * holds an exclusive connection for the duration of the operation.
 */
import type { Logger } from '../../electron/platform/log';
import { AppError } from '../../electron/contract/errors';
import { toHex } from './apdu';
import type { PcscBackend, PcscBackendFactory, PcscBackendListener, ReaderStatus } from './backend';
import { CardChannel } from './channel';
import { isServiceLost, toCardError } from './errors';

export type PcscServiceState = 'starting' | 'up' | 'down';

export type PcscEvent =
  | { type: 'reader-added'; reader: string }
  | { type: 'reader-removed'; reader: string }
  | { type: 'card-inserted'; reader: string; atr: string }
  | { type: 'card-removed'; reader: string }
  | { type: 'card-mute'; reader: string }
  | { type: 'service'; state: PcscServiceState };

export interface ReaderSnapshot {
  name: string;
  status: ReaderStatus;
  atr: string | null;
}

export interface PcscSupervisorOptions {
  createBackend: PcscBackendFactory;
  logger: Logger;
  apduTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Observes every raw exchange (bench). */
  onExchange?: (reader: string, command: Uint8Array, response: Uint8Array) => void;
}

export class PcscSupervisor {
  private backend: PcscBackend | null = null;
  private state: PcscServiceState = 'down';
  private readonly readerMap = new Map<string, ReaderSnapshot>();
  private readonly listeners = new Set<(event: PcscEvent) => void>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private running = false;
  private readonly apduTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(private readonly options: PcscSupervisorOptions) {
    this.apduTimeoutMs = options.apduTimeoutMs ?? 5_000;
    this.backoff = options.backoff ?? { initialMs: 250, maxMs: 5_000 };
    this.retryDelay = this.backoff.initialMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.open();
  }

  stop(): void {
    this.running = false;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.backend?.close();
    this.backend = null;
    this.readerMap.clear();
    this.setState('down');
  }

  service(): PcscServiceState {
    return this.state;
  }

  /** The backend in use (demo wiring inserts virtual cards into an in-process backend). */
  currentBackend(): PcscBackend | null {
    return this.backend;
  }

  readers(): ReaderSnapshot[] {
    return [...this.readerMap.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  on(listener: (event: PcscEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Runs `operation` with an exclusive connection to the card in `reader`. Operations on the same
   * reader run one after the other; the connection is released even when the card was pulled.
   */
  async withCard<T>(reader: string, operation: (channel: CardChannel) => Promise<T>): Promise<T> {
    const previous = this.locks.get(reader) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.runExclusive(reader, operation));
    this.locks.set(reader, run);
    try {
      return await run;
    } finally {
      if (this.locks.get(reader) === run) this.locks.delete(reader);
    }
  }

  private async runExclusive<T>(reader: string, operation: (channel: CardChannel) => Promise<T>): Promise<T> {
    const backend = this.backend;
    if (backend === null || this.state !== 'up') throw new AppError('CARD_PCSC_UNAVAILABLE');
    if (!this.readerMap.has(reader)) throw new AppError('CARD_READER_NOT_FOUND');
    let connection;
    try {
      connection = await backend.connect(reader);
    } catch (error) {
      throw this.noteFailure(error, 'connect');
    }
    const onExchange = this.options.onExchange;
    const channel = new CardChannel(connection, {
      apduTimeoutMs: this.apduTimeoutMs,
      ...(onExchange ? { onExchange: (c: Uint8Array, r: Uint8Array) => onExchange(reader, c, r) } : {}),
    });
    let failed = false;
    const atr = this.readerMap.get(reader)?.atr ?? null;
    try {
      return await operation(channel);
    } catch (error) {
      failed = true;
      const typed = this.noteFailure(error, 'transmit');
      if (typed.code === 'CARD_MUTE' || (typed.code === 'CARD_DATA_INVALID' && typed.details?.reason === 'short-response')) {
        // A card pulled mid-exchange may first look mute or answer nothing (vpcd): if the reader
        // reports it gone shortly after, say so — the user's next step differs.
        if (await this.cardLeft(reader, atr)) throw new AppError('CARD_REMOVED', { operation: 'transmit' }, { cause: error });
      }
      throw typed;
    } finally {
      // A failed operation resets the card so the next one starts from a clean state.
      await connection.disconnect(failed).catch(() => undefined);
    }
  }

  private async cardLeft(reader: string, atr: string | null, waitMs = 500): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const now = this.readerMap.get(reader);
      if (now === undefined || !now.status.present || now.atr !== atr) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private noteFailure(error: unknown, operation: string): AppError {
    if (isServiceLost(error)) this.serviceLost(error);
    return toCardError(error, operation);
  }

  private open(): void {
    if (!this.running) return;
    this.setState('starting');
    let backend: PcscBackend;
    try {
      backend = this.options.createBackend();
      this.backend = backend;
      backend.start(this.listenerFor(backend));
    } catch (error) {
      // Warn once per outage; the retries that follow are debug noise.
      const log = this.retryDelay === this.backoff.initialMs ? this.options.logger.warn : this.options.logger.debug;
      log.call(this.options.logger, 'pcsc.unavailable', { reason: describe(error), retryInMs: this.retryDelay });
      this.backend?.close();
      this.backend = null;
      this.setState('down');
      this.scheduleRetry();
      return;
    }
    this.retryDelay = this.backoff.initialMs;
    this.setState('up');
  }

  private listenerFor(backend: PcscBackend): PcscBackendListener {
    const current = () => this.backend === backend;
    return {
      readerAdded: (name) => {
        if (!current() || this.readerMap.has(name)) return;
        this.readerMap.set(name, { name, status: { present: false, mute: false, inUse: false, atr: null }, atr: null });
        this.emit({ type: 'reader-added', reader: name });
      },
      readerRemoved: (name) => {
        if (!current()) return;
        const previous = this.readerMap.get(name);
        if (previous === undefined) return;
        this.readerMap.delete(name);
        if (previous.status.present) this.emit({ type: 'card-removed', reader: name });
        this.emit({ type: 'reader-removed', reader: name });
      },
      status: (name, status) => {
        if (!current()) return;
        const previous = this.readerMap.get(name);
        const atr = status.atr === null ? null : toHex(status.atr);
        this.readerMap.set(name, { name, status, atr });
        const wasPresent = previous?.status.present ?? false;
        if (wasPresent && (!status.present || (atr !== null && previous?.atr !== null && atr !== previous?.atr))) {
          this.emit({ type: 'card-removed', reader: name });
        }
        if (status.present && status.mute && !(previous?.status.mute ?? false)) this.emit({ type: 'card-mute', reader: name });
        if (status.present && atr !== null && (!wasPresent || previous?.atr !== atr)) this.emit({ type: 'card-inserted', reader: name, atr });
      },
      failed: (error) => {
        if (current()) this.serviceLost(error);
      },
    };
  }

  private serviceLost(error: unknown): void {
    if (this.backend === null) return;
    this.options.logger.warn('pcsc.lost', { reason: describe(error) });
    const backend = this.backend;
    this.backend = null;
    try {
      backend.close();
    } catch {
      // the old context is gone with its service
    }
    for (const snapshot of this.readers()) {
      if (snapshot.status.present) this.emit({ type: 'card-removed', reader: snapshot.name });
      this.emit({ type: 'reader-removed', reader: snapshot.name });
    }
    this.readerMap.clear();
    this.setState('down');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, this.backoff.maxMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
    this.retryTimer.unref?.();
  }

  private setState(state: PcscServiceState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit({ type: 'service', state });
  }

  private emit(event: PcscEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger.error('pcsc.listener-failed', { event: event.type, reason: describe(error) });
      }
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
