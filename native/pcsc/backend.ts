/**
 * The small interface every PC/SC binding hides behind (ARCHITECTURE.md §2, native/pcsc): the
 * `pcsclite` addon in production and hardware tests, an in-process backend for unit tests and for
 * demo mode on machines without pcscd. Another binding (smartcard, pcsc-mini: research cards.md
 * §5.1) would be one more implementation of this file.
 */

export interface ReaderStatus {
  present: boolean;
  /** SCARD_STATE_MUTE: a card is there but gave no ATR. */
  mute: boolean;
  /** SCARD_STATE_EXCLUSIVE / INUSE: another program holds the card. */
  inUse: boolean;
  atr: Uint8Array | null;
}

export interface PcscBackendListener {
  readerAdded(name: string): void;
  readerRemoved(name: string): void;
  status(name: string, status: ReaderStatus): void;
  /** The context itself failed (pcscd stopped, handle invalid): the supervisor recreates the backend. */
  failed(error: unknown): void;
}

export type Protocol = 'T0' | 'T1';

export interface PcscConnection {
  readonly protocol: Protocol;
  /** One raw exchange: command APDU in, response APDU (data + SW1 SW2) out. */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Leaves the card powered (SCARD_LEAVE_CARD) unless `reset`. */
  disconnect(reset?: boolean): Promise<void>;
}

export interface PcscBackend {
  readonly kind: 'pcsclite' | 'in-process';
  /** Starts watching readers; throws when the service cannot be reached. */
  start(listener: PcscBackendListener): void;
  /** Opens an exclusive connection to the card in `reader` (SCARD_SHARE_EXCLUSIVE). */
  connect(reader: string): Promise<PcscConnection>;
  close(): void;
}

export type PcscBackendFactory = () => PcscBackend;
