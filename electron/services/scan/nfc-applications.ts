/**
 * What Pupitre asks a phone laid on a contactless reader. The phone is an ISO/IEC 14443-4 card
 * (Android HCE); the appli carte Vitale answers an application identifier (AID) that is **not
 * public** (research cards.md §3: NFC AID and HCE commands unconfirmed; the SESAM-Vitale ApCV
 * specification is distributed under agreement).
 *
 * « Modélisé »: the AID below and the read sequence (SELECT by AID, then READ BINARY of an opaque
 * payload until a short answer, ISO/IEC 7816-4 §11.3.3) are Pupitre's model, kept in this one
 * place. The payload is handed to the SI ApCV as it is, like the QR code's. With the real
 * specification, only this file changes.
 */
import { readBinary, selectAid, type CardChannel } from '../../../native/pcsc';

export interface NfcApplication {
  id: string;
  /** French, for messages. */
  label: string;
  aid: Uint8Array;
  /** True while the AID and commands are Pupitre's model, not the published ones. */
  modelled: boolean;
  /** Reads the payload once the application answered SELECT with 9000. */
  read(channel: CardChannel): Promise<Uint8Array>;
}

/** « Modélisé »: a proprietary-range AID (ISO/IEC 7816-5: first nibble F), not the real one. */
export const APCV_NFC_AID = Uint8Array.of(0xf0, 0x41, 0x50, 0x43, 0x56, 0x30, 0x31);
/** Longest payload read from a phone (an ApCV QR code's content is far shorter). */
export const MAX_NFC_PAYLOAD = 4096;

async function readOpaquePayload(channel: CardChannel): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (;;) {
    const response = await channel.send(readBinary(offset, 0));
    // 6282 end of file reached before Le bytes, 6B00 offset beyond the end (ISO 7816-4 §5.6).
    if (response.sw === 0x6b00) break;
    if (response.sw !== 0x9000 && response.sw !== 0x6282) throw new NfcReadError(response.sw);
    parts.push(response.data);
    offset += response.data.length;
    if (offset > MAX_NFC_PAYLOAD) throw new NfcReadError(response.sw, 'too-long');
    if (response.sw === 0x6282 || response.data.length < 256) break;
  }
  const out = new Uint8Array(offset);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export class NfcReadError extends Error {
  constructor(
    readonly sw: number,
    readonly reason: 'status' | 'too-long' = 'status',
  ) {
    super(`contactless read failed (${reason}, SW ${sw.toString(16).padStart(4, '0')})`);
    this.name = 'NfcReadError';
  }
}

export const APCV_NFC_APPLICATION: NfcApplication = {
  id: 'apcv',
  label: 'Appli carte Vitale',
  aid: APCV_NFC_AID,
  modelled: true,
  read: readOpaquePayload,
};

/** Whether `select` answered that the application is there. */
export async function selectApplication(channel: CardChannel, application: NfcApplication): Promise<boolean> {
  const response = await channel.send(selectAid(application.aid));
  return response.sw === 0x9000;
}
