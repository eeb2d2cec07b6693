/**
 * Carte Vitale 2 (public layout: L1L1/cardpeek vitale_2.lua; ukinoki/Rufus lecteurvitale.cpp;
 * research cards.md §2): SELECT AID_VITALE, read the directory EF 2001 in 256-byte chunks, then
 * every EF it lists, and assemble the `65` beneficiary templates (assuré and ayants droit), the
 * `66` card template and the insured template (`67`, MODELLED).
 * Vitale 1 is recognised by its ATR and refused with CARD_VITALE_1_UNSUPPORTED: it is a Bull CP8
 * memory card (CLA BC) whose reading is not public enough to do reliably.
 */
import { AppError } from '../../../contract';
import type { Beneficiary, VitaleCard } from '../../../contract/domains/cards';
import { readBinary, selectAid, selectFile, SW, type CardChannel } from '../../../../native/pcsc';
import { parseTlv, childText, type Tlv } from '../tlv';
import { parseBeneficiary, parseVitaleDirectory, validNir } from '../vitale-data';
import type { VitaleDriver } from './driver';

export const AID_VITALE = Uint8Array.from(Buffer.from('D250000002564954414C45', 'hex'));
const DIRECTORY_FID = 0x2001;
const CHUNK = 256;
/** An EF larger than this is not a Vitale data file: stop reading (bounded work on bad cards). */
const MAX_EF = 8 * 1024;

/** READ BINARY in 256-byte chunks until a short chunk (cardpeek read_bin). */
async function readEf(channel: CardChannel): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const r = await channel.send(readBinary(offset, 0));
    if (r.sw === 0x6b00 && offset > 0) break; // offset beyond the end: the file was a multiple of 256
    if (r.sw !== SW.OK && r.sw !== 0x6282) throw new AppError('CARD_STATUS_WORD', { sw: r.sw.toString(16).toUpperCase(), command: 'READ BINARY' });
    parts.push(Buffer.from(r.data));
    offset += r.data.length;
    if (r.data.length < CHUNK || r.sw === 0x6282 || offset >= MAX_EF) break;
  }
  return Uint8Array.from(Buffer.concat(parts));
}

export function assembleVitale(nodes: readonly Tlv[]): VitaleCard {
  const insured = nodes.find((n) => n.tag === 0x67);
  const card = nodes.find((n) => n.tag === 0x66);
  const templates = nodes.filter((n) => n.tag === 0x65);
  if (templates.length === 0) throw new AppError('CARD_DATA_INVALID', { reason: 'no-beneficiary' });
  const firstOwnNir = templates.map((t) => validNir(childText(t, 0x93))).find((n) => n !== null) ?? null;
  const insuredNir = validNir(insured ? childText(insured, 0x93) : null) ?? firstOwnNir;
  if (insuredNir === null) throw new AppError('CARD_DATA_INVALID', { reason: 'insured-nir' });
  const beneficiaries: Beneficiary[] = templates.map((t, i) => parseBeneficiary(t, i, insuredNir));
  return {
    generation: 2,
    serial: card ? childText(card, 0x81) : null,
    regime: insured ? childText(insured, 0x80) : null,
    caisse: insured ? childText(insured, 0x81) : null,
    centre: insured ? childText(insured, 0x82) : null,
    validFrom: card ? childText(card, 0x80) : null,
    beneficiaries,
  };
}

export const vitale2Driver: VitaleDriver = {
  family: 'vitale',
  kinds: ['VITALE_2'],
  async readBeneficiaries(channel) {
    // P2 0C: no FCI wanted, which saves a GET RESPONSE on T=0 (ISO 7816-4 §11.2.2).
    await channel.expect(selectAid(AID_VITALE, 0x0c));
    await channel.expect(selectFile(DIRECTORY_FID, 0x02, 0x0c));
    const directory = parseVitaleDirectory(await readEf(channel));
    const nodes: Tlv[] = [];
    let currentAid = Buffer.from(AID_VITALE).toString('hex').toUpperCase();
    for (const file of directory.files) {
      const app = directory.applications.find((a) => a.index === file.index);
      if (app === undefined) continue;
      if (app.aid !== currentAid) {
        await channel.expect(selectAid(Uint8Array.from(Buffer.from(app.aid, 'hex')), 0x0c));
        currentAid = app.aid;
      }
      const selected = await channel.send(selectFile(file.fid, 0x02, 0x0c));
      if (selected.sw === SW.FILE_NOT_FOUND) continue;
      if (selected.sw !== SW.OK) throw new AppError('CARD_STATUS_WORD', { sw: selected.sw.toString(16).toUpperCase(), command: 'SELECT' });
      nodes.push(...parseTlv(await readEf(channel)));
    }
    return assembleVitale(nodes);
  },
};

export const vitale1Driver: VitaleDriver = {
  family: 'vitale',
  kinds: ['VITALE_1'],
  readBeneficiaries() {
    return Promise.reject(new AppError('CARD_VITALE_1_UNSUPPORTED'));
  },
};
