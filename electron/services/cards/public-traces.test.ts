/**
 * The card drivers against what real cards are publicly known to answer (fixtures/cards/
 * public-traces.ts: OpenSC issues #2223 and #2275 for a CPx, pcsc-tools smartcard_list.txt for the
 * ATRs), replayed byte for byte. Where the driver needs an answer no public trace shows, the test
 * says "modelled" in its name and gives that answer explicitly.
 */
import { describe, expect, it } from 'vitest';
import { CPS3_PUBLIC_ATR, CPX_PUBLIC_EXCHANGES, ReplayCard, SMARTCARD_LIST_ENTRIES, type PublicExchange } from '../../../fixtures/cards/public-traces';
import { CpsCard } from '../../../fixtures/cards';
import { CardChannel, fromHex, toHex, type PcscConnection } from '../../../native/pcsc';
import { recogniseAtr } from './atr';
import { createCpsDriver, serialFromSnIcc } from './drivers/cps';

function channelTo(card: ReplayCard): CardChannel {
  const connection: PcscConnection = { protocol: 'T0', transmit: async (apdu) => card.transmit(apdu), disconnect: async () => undefined };
  return new CardChannel(connection, { apduTimeoutMs: 1_000 });
}

const traced = (command: string): PublicExchange => {
  const found = CPX_PUBLIC_EXCHANGES.find((e) => e.command === command);
  if (found === undefined) throw new Error(command);
  return found;
};

describe('ATRs listed in pcsc-tools smartcard_list.txt', () => {
  it('recognises every carte Vitale and CPS entry of the list as its family', () => {
    const kinds = SMARTCARD_LIST_ENTRIES.map((e) => `${recogniseAtr(toHex(fromHex(e.atr)))} ← ${e.label}`);
    expect(kinds.filter((k) => k.startsWith('VITALE_2'))).toHaveLength(9);
    expect(kinds.filter((k) => k.startsWith('VITALE_1'))).toHaveLength(7);
    expect(kinds.filter((k) => /^(CPS3|CPS3_CL|CPS4|CPS2TER) /.test(k))).toHaveLength(4);
    expect(kinds.filter((k) => k.startsWith('UNKNOWN'))).toEqual([]);
    expect(recogniseAtr(toHex(fromHex(CPS3_PUBLIC_ATR)))).toBe('CPS3');
    expect(recogniseAtr('3BAC00402A001225006480820212009000')).toBe('CPS2TER');
    expect(recogniseAtr('3BDC18FF00001225006480000401009000')).toBe('CPS4');
  });
});

describe('a real CPx card, replayed from public traces', () => {
  it('gives the serial our driver reads from EF.SN.ICC (5A 0A + ANS issuer), and the emulator has that layout too', async () => {
    const answer = fromHex(traced('00 B0 00 00 0C').response);
    const snIcc = answer.slice(0, answer.length - 2);
    expect(serialFromSnIcc(snIcc)).toBe('8025000001992138450F');
    expect(serialFromSnIcc(Uint8Array.of(0x5a, 0x0a, 0x80, 0x25, 0x00, 0x00, 0x02, 1, 2, 3, 4, 5))).toBeNull();
    // The emulator's EF.SN.ICC starts as the real card's does.
    const emulator = new CpsCard({
      cardNumber: '8025000001/0000012345',
      profession: null,
      specialty: null,
      situations: [],
      authenticationCertificateDer: new Uint8Array(0),
      signatureCertificateDer: new Uint8Array(0),
      pin: '1234',
    });
    await emulator.transmit(fromHex('00A4000C023F00'));
    await emulator.transmit(fromHex('00A4020C02D003'));
    const read = await emulator.transmit(fromHex('00B000000C'));
    expect(toHex(read.slice(0, 7))).toBe(toHex(snIcc.slice(0, 7)));
  });

  it('reads the PIN counter as the card answers it (3 tries of 3), selecting the MF as the card accepts it — VERIFY’s answer modelled', async () => {
    // No public trace shows VERIFY on a CPx (P2 81 is an inference): its answers are given here.
    const right: PublicExchange = { command: '00 20 00 81 04 31 32 33 34', response: '90 00', source: 'modelled' };
    const card = new ReplayCard(CPS3_PUBLIC_ATR, CPX_PUBLIC_EXCHANGES, [right]);
    const driver = createCpsDriver(['CPS3']);
    await expect(driver.verifyPin(channelTo(card), '1234')).resolves.toEqual({ ok: true, triesLeft: 3 });
    expect(card.unknown).toEqual([]);
    // Select MF (#2223), GET DATA of CHV 1 with its T=0 GET RESPONSE (#2275), then the modelled VERIFY.
    expect(card.sent).toEqual(['00A4000C023F00', '00CB3FFF0A4D087006BF810102A08000', '00C0000018', '0020008104' + '31323334']);
  });

  it('counts a wrong PIN down from the traced counter — VERIFY’s 63C2 answer modelled', async () => {
    const wrong: PublicExchange = { command: '00 20 00 81 04 39 39 39 39', response: '63 C2', source: 'modelled' };
    const card = new ReplayCard(CPS3_PUBLIC_ATR, CPX_PUBLIC_EXCHANGES, [wrong]);
    await expect(createCpsDriver(['CPS3']).verifyPin(channelTo(card), '9999')).resolves.toEqual({ ok: false, triesLeft: 2 });
    expect(card.unknown).toEqual([]);
  });

  it('notices when a driver leaves the trace (the replay is not an emulator)', async () => {
    const card = new ReplayCard(CPS3_PUBLIC_ATR, CPX_PUBLIC_EXCHANGES);
    await expect(createCpsDriver(['CPS3']).verifyPin(channelTo(card), '1234')).rejects.toMatchObject({ code: 'CARD_STATUS_WORD' });
    expect(card.unknown).toEqual(['002000810431323334']);
  });
});
