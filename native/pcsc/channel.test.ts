import { describe, expect, it } from 'vitest';
import { AppError } from '../../electron/contract/errors';
import { fromHex, readBinary, selectAid, toHex } from './apdu';
import type { PcscConnection } from './backend';
import { CardChannel } from './channel';
import { SCARD, ScardError, scardCodeOf, toCardError } from './errors';

function scripted(replies: Record<string, string[]>): PcscConnection & { sent: string[] } {
  const sent: string[] = [];
  return {
    protocol: 'T0',
    sent,
    async transmit(apdu) {
      const hex = toHex(apdu);
      sent.push(hex);
      const queue = replies[hex];
      const next = queue?.shift();
      if (next === undefined) return fromHex('6D00');
      if (next === 'REMOVED') throw new ScardError(SCARD.W_REMOVED_CARD, 'SCardTransmit');
      if (next === 'HANG') return new Promise<Uint8Array>(() => undefined);
      return fromHex(next);
    },
    async disconnect() {},
  };
}

describe('CardChannel (ISO 7816-3/-4 T=0 rules)', () => {
  it('follows 61xx with GET RESPONSE and concatenates the data', async () => {
    const connection = scripted({
      '00A404000BD250000002564954414C4500': ['6104'],
      '00C0000004': ['AABB6102'],
      '00C0000002': ['CCDD9000'],
    });
    const channel = new CardChannel(connection, { apduTimeoutMs: 200 });
    const r = await channel.send(selectAid(fromHex('D250000002564954414C45')));
    expect(toHex(r.data)).toBe('AABBCCDD');
    expect(r.sw).toBe(0x9000);
    expect(channel.apduCount).toBe(3);
  });

  it('resends with the Le of a 6Cxx', async () => {
    const connection = scripted({ '00B00000E7': ['6C0C'], '00B000000C': ['0102030405060708090A0B0C9000'] });
    const channel = new CardChannel(connection, { apduTimeoutMs: 200 });
    const r = await channel.send(readBinary(0, 0xe7));
    expect(r.data.length).toBe(12);
    expect(connection.sent).toEqual(['00B00000E7', '00B000000C']);
  });

  it('turns a removed card, a timeout and a refused SW into typed errors', async () => {
    const channel = new CardChannel(scripted({ '00B0000000': ['REMOVED'], '00B0010000': ['HANG'], '00B0020000': ['6A82'] }), { apduTimeoutMs: 50 });
    await expect(channel.send(readBinary(0, 0))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await expect(channel.send(readBinary(0x100, 0))).rejects.toMatchObject({ code: 'CARD_MUTE', details: { reason: 'timeout' } });
    await expect(channel.expect(readBinary(0x200, 0))).rejects.toMatchObject({ code: 'CARD_STATUS_WORD', details: { sw: '6A82', meaning: 'file-not-found' } });
  });

  it('refuses a response shorter than a status word', async () => {
    const channel = new CardChannel(scripted({ '00B0000000': ['90'] }), { apduTimeoutMs: 50 });
    await expect(channel.send(readBinary(0, 0))).rejects.toBeInstanceOf(AppError);
  });
});

describe('PC/SC error codes', () => {
  it('reads the SCARD code from pcsclite messages and maps it', () => {
    const error = new Error('SCardConnect error: Sharing violation.(0x8010000b)');
    expect(scardCodeOf(error)).toBe(SCARD.E_SHARING_VIOLATION);
    expect(toCardError(error, 'connect').code).toBe('CARD_READER_BUSY');
    expect(toCardError(new Error('SCardListReaders error: Service not available.(0x8010001d)'), 'x').code).toBe('CARD_PCSC_UNAVAILABLE');
    expect(toCardError(new Error('SCardTransmit error: Card was removed.(0x80100069)'), 'x').code).toBe('CARD_REMOVED');
    expect(toCardError(new Error('other'), 'x').code).toBe('CARD_MUTE');
  });
});
