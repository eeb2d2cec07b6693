/**
 * PcscBackend over the `pcsclite` addon (santigimeno/node-pcsclite). The addon keeps one status
 * thread per reader and one for the reader list; when pcscd stops, SCardGetStatusChange fails with
 * SCARD_E_NO_SERVICE and the addon emits `error`: we report it as `failed` and the supervisor
 * builds a new backend (new SCARDCONTEXT) once pcscd is back.
 *
 * pcsclite has no SCardBeginTransaction: exclusivity comes from SCARD_SHARE_EXCLUSIVE for the
 * whole operation (connect → APDUs → disconnect), which also keeps other programs out.
 */
import { createRequire } from 'node:module';
import type pcscFactory from 'pcsclite';
import type { PcscBackend, PcscBackendListener, PcscConnection, ReaderStatus } from './backend';
import { isServiceLost, SCARD, scardCodeOf } from './errors';

type PcscLite = ReturnType<typeof pcscFactory>;
type CardReader = Parameters<Parameters<PcscLite['on']>[1]>[0] & { name: string };

const require = createRequire(import.meta.url);

/** SCARD_STATE_* bits (pcsclite.h). */
const STATE = { UNAVAILABLE: 0x8, EMPTY: 0x10, PRESENT: 0x20, EXCLUSIVE: 0x80, INUSE: 0x100, MUTE: 0x200 } as const;

/** Largest response we accept: short APDU 256 + SW, with room for extended length. */
const MAX_RESPONSE = 0x10002;

export function statusFromState(state: number, atr: Buffer | undefined): ReaderStatus {
  const present = (state & STATE.PRESENT) !== 0;
  return {
    present,
    mute: present && (state & STATE.MUTE) !== 0,
    inUse: (state & STATE.EXCLUSIVE) !== 0,
    atr: present && atr !== undefined && atr.length > 0 ? Uint8Array.from(atr) : null,
  };
}

export class PcscliteBackend implements PcscBackend {
  readonly kind = 'pcsclite' as const;
  private pcsc: PcscLite | null = null;
  private readonly readers = new Map<string, CardReader>();
  private closed = false;

  start(listener: PcscBackendListener): void {
    const factory = require('pcsclite') as typeof pcscFactory;
    const pcsc = factory();
    this.pcsc = pcsc;
    pcsc.on('error', (error: unknown) => {
      if (!this.closed) listener.failed(error);
    });
    pcsc.on('reader', (reader: CardReader) => {
      // Always listen for errors: an unhandled 'error' event would end the host.
      reader.on('error', (error: unknown) => {
        // F_COMM_ERROR on a status thread is the socket to pcscd breaking (pcscd killed).
        if (!this.closed && (isServiceLost(error) || scardCodeOf(error) === SCARD.F_COMM_ERROR)) listener.failed(error);
      });
      if (this.closed) return;
      this.readers.set(reader.name, reader);
      listener.readerAdded(reader.name);
      reader.on('status', (status: { state: number; atr?: Buffer }) => {
        if (!this.closed) listener.status(reader.name, statusFromState(status.state, status.atr));
      });
      reader.on('end', () => {
        this.readers.delete(reader.name);
        if (!this.closed) listener.readerRemoved(reader.name);
      });
    });
  }

  async connect(name: string): Promise<PcscConnection> {
    const reader = this.readers.get(name);
    if (reader === undefined) throw Object.assign(new Error('SCardConnect error: unknown reader(0x80100009)'), {});
    const protocol = await new Promise<number>((resolve, reject) => {
      reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE }, (error: unknown, p: number) => (error ? reject(toError(error)) : resolve(p)));
    });
    return {
      protocol: protocol === reader.SCARD_PROTOCOL_T0 ? 'T0' : 'T1',
      transmit: (apdu) =>
        new Promise<Uint8Array>((resolve, reject) => {
          reader.transmit(Buffer.from(apdu), MAX_RESPONSE, protocol, (error: unknown, data: Buffer) =>
            error ? reject(toError(error)) : resolve(Uint8Array.from(data)),
          );
        }),
      disconnect: (reset = false) =>
        new Promise<void>((resolve) => {
          reader.disconnect(reset ? reader.SCARD_RESET_CARD : reader.SCARD_LEAVE_CARD, () => resolve());
        }),
    };
  }

  close(): void {
    this.closed = true;
    const readers = [...this.readers.values()];
    const pcsc = this.pcsc;
    this.readers.clear();
    this.pcsc = null;
    // The addon calls our listeners while holding the reader's mutex (cardreader.cpp
    // HandleReaderStatusChange), and CardReader::Close takes that mutex: closing from inside a
    // callback would deadlock the event loop. Close on a later turn instead.
    setImmediate(() => {
      for (const reader of readers) {
        try {
          reader.close();
        } catch {
          // the context may already be gone with pcscd
        }
      }
      try {
        pcsc?.close();
      } catch {
        // idem
      }
    });
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
