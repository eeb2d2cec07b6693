/**
 * PcscBackend without pcscd: virtual readers holding objects that answer APDUs (the emulators of
 * fixtures/cards). Used by unit tests and by demo mode when no pcscd is reachable. Behaves like
 * pcscd where the drivers can tell: exclusive connections (a second connect is a sharing
 * violation), removal while connected makes the next transmit fail with SCARD_W_REMOVED_CARD.
 */
import type { PcscBackend, PcscBackendListener, PcscConnection, ReaderStatus } from './backend';
import { SCARD, ScardError } from './errors';

/** What a virtual card implements. */
export interface VirtualCard {
  readonly atr: Uint8Array;
  /** Power on / warm reset: selection and security state start over. */
  reset(): void;
  /** One APDU in, one response (data + SW) out; may be slow or never answer (fault injection). */
  transmit(apdu: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

interface Slot {
  card: VirtualCard | null;
  connected: boolean;
  /** Bumped on every insertion/removal so that a stale connection notices. */
  generation: number;
  /** Pending transmits fail at once when the card goes (as pcscd answers SCARD_W_REMOVED_CARD). */
  waiting: Set<() => void>;
}

export class InProcessBackend implements PcscBackend {
  readonly kind = 'in-process' as const;
  private readonly slots = new Map<string, Slot>();
  private listener: PcscBackendListener | null = null;

  constructor(readers: readonly string[] = []) {
    for (const name of readers) this.slots.set(name, { card: null, connected: false, generation: 0, waiting: new Set() });
  }

  start(listener: PcscBackendListener): void {
    this.listener = listener;
    for (const [name, slot] of this.slots) {
      listener.readerAdded(name);
      listener.status(name, statusOf(slot));
    }
  }

  readerNames(): string[] {
    return [...this.slots.keys()];
  }

  cardIn(reader: string): VirtualCard | null {
    return this.slots.get(reader)?.card ?? null;
  }

  addReader(name: string): void {
    if (this.slots.has(name)) return;
    const slot: Slot = { card: null, connected: false, generation: 0, waiting: new Set() };
    this.slots.set(name, slot);
    this.listener?.readerAdded(name);
    this.listener?.status(name, statusOf(slot));
  }

  removeReader(name: string): void {
    if (!this.slots.delete(name)) return;
    this.listener?.readerRemoved(name);
  }

  insert(reader: string, card: VirtualCard): void {
    const slot = this.slots.get(reader);
    if (slot === undefined) throw new ScardError(SCARD.E_UNKNOWN_READER, 'insert');
    card.reset();
    slot.card = card;
    slot.generation++;
    this.listener?.status(reader, statusOf(slot));
  }

  remove(reader: string): void {
    const slot = this.slots.get(reader);
    if (slot === undefined || slot.card === null) return;
    slot.card = null;
    slot.generation++;
    slot.connected = false;
    for (const wake of slot.waiting) wake();
    slot.waiting.clear();
    this.listener?.status(reader, statusOf(slot));
  }

  async connect(reader: string): Promise<PcscConnection> {
    const slot = this.slots.get(reader);
    if (slot === undefined) throw new ScardError(SCARD.E_UNKNOWN_READER, 'SCardConnect');
    if (slot.card === null) throw new ScardError(SCARD.E_NO_SMARTCARD, 'SCardConnect');
    if (slot.connected) throw new ScardError(SCARD.E_SHARING_VIOLATION, 'SCardConnect');
    slot.connected = true;
    const generation = slot.generation;
    const card = slot.card;
    const live = (): boolean => slot.generation === generation && this.slots.get(reader) === slot;
    return {
      protocol: 'T0',
      async transmit(apdu) {
        if (!live()) throw new ScardError(SCARD.W_REMOVED_CARD, 'SCardTransmit');
        let wake: () => void = () => undefined;
        const removed = new Promise<never>((_, reject) => {
          wake = () => reject(new ScardError(SCARD.W_REMOVED_CARD, 'SCardTransmit'));
        });
        slot.waiting.add(wake);
        try {
          const response = await Promise.race([Promise.resolve(card.transmit(apdu)), removed]);
          if (!live()) throw new ScardError(SCARD.W_REMOVED_CARD, 'SCardTransmit');
          return response;
        } finally {
          slot.waiting.delete(wake);
        }
      },
      async disconnect(reset = false) {
        if (!live()) return;
        if (reset) card.reset();
        slot.connected = false;
      },
    };
  }

  close(): void {
    this.listener = null;
  }
}

function statusOf(slot: Slot): ReaderStatus {
  return { present: slot.card !== null, mute: false, inUse: slot.connected, atr: slot.card?.atr ?? null };
}
