/**
 * A card session: every exchange of one operation goes through here, inside one exclusive
 * connection (the supervisor opens it), with the T=0 rules of ISO 7816-3 / 7816-4 §5.3 handled
 * once for every driver:
 * - `61xx`: more bytes are waiting → GET RESPONSE `00 C0 00 00 xx`, repeated while 61xx;
 * - `6Cxx`: wrong Le → resend the same command with Le = xx.
 * Each APDU has a timeout (a mute card must not hang the host) and is counted (bench, logs).
 */
import { AppError } from '../../electron/contract/errors';
import { decodeResponse, encodeApdu, type CommandApdu, type ResponseApdu } from './apdu';
import type { PcscConnection } from './backend';
import { statusWordError, SW, toCardError } from './errors';

export interface ChannelOptions {
  /** Per-APDU timeout; pcscd with vpcd answers in ~40 ms, real cards in 10-300 ms. */
  apduTimeoutMs: number;
  /** Observes every raw exchange (bench replay, debugging); never logged by default. */
  onExchange?: (command: Uint8Array, response: Uint8Array) => void;
}

export class CardChannel {
  /** Raw exchanges on the wire, GET RESPONSE and resends included. */
  apduCount = 0;

  constructor(
    private readonly connection: PcscConnection,
    private readonly options: ChannelOptions,
  ) {}

  get protocol(): PcscConnection['protocol'] {
    return this.connection.protocol;
  }

  /** Sends one command; returns data and final SW after the T=0 rules. Never throws on a SW. */
  async send(command: CommandApdu): Promise<ResponseApdu> {
    let response = await this.exchange(encodeApdu(command), command.name);
    if ((response.sw & 0xff00) === 0x6c00) {
      response = await this.exchange(encodeApdu({ ...command, le: response.sw & 0xff }), command.name);
    }
    let data = response.data;
    let guard = 0;
    while ((response.sw & 0xff00) === 0x6100) {
      if (++guard > 64) throw new AppError('CARD_DATA_INVALID', { command: command.name, reason: 'endless-61xx' });
      response = await this.exchange(Uint8Array.of(0x00, 0xc0, 0x00, 0x00, response.sw & 0xff), 'GET RESPONSE');
      data = concat(data, response.data);
    }
    return { data, sw: response.sw };
  }

  /** Sends one command and requires 9000 (or one of `accept`); other SWs become typed errors. */
  async expect(command: CommandApdu, accept: readonly number[] = [SW.OK]): Promise<ResponseApdu> {
    const response = await this.send(command);
    if (!accept.includes(response.sw)) throw statusWordError(response.sw, command.name);
    return response;
  }

  private async exchange(raw: Uint8Array, name: string): Promise<ResponseApdu> {
    this.apduCount++;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError('CARD_MUTE', { command: name, reason: 'timeout' })), this.options.apduTimeoutMs);
    });
    let out: Uint8Array;
    try {
      out = await Promise.race([this.connection.transmit(raw), timeout]);
    } catch (error) {
      throw toCardError(error, name);
    } finally {
      clearTimeout(timer);
    }
    this.options.onExchange?.(raw, out);
    const response = decodeResponse(out);
    if (response === null) throw new AppError('CARD_DATA_INVALID', { command: name, reason: 'short-response' });
    return response;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
