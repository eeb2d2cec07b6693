/**
 * CPS/CPE (CPx family: CPS3 contact, CPS4 which behaves as a CPS3 at power-on — ANS spec
 * "Carte CPS4", research cards.md §1.3).
 *
 * Public: EF.SN.ICC `3F00/D003` (12 bytes: 5A 0A, then the ANS issuer 80 25 00 00 01 and the
 * serial; OpenSC issue #2275 trace), IAS-ECC AID
 * `E8 28 BD 08 0F 80 25 00 00 01 FF 00 10`, SELECT with P2 04 (FCP) by AID (OpenSC commits
 * 20f359ea0, 1a3666364), READ BINARY in chunks of 0xE7 (card-cps3.c max_recv_size), PIN counter by
 * GET DATA `00 CB 3F FF 0A 4D 08 70 06 BF 81 01 02 A0 80` (tags 9A max, 9B left; card-cps3.c
 * cps3_get_pin_counter), VERIFY `00 20 00 81` (P2 81: IAS-ECC local CHV 1, [U] in the research),
 * 63Cx / 6983. The holder's identity comes from the authentication certificate's subject and
 * IGC-Santé extensions — the public fallback the research recommends (cards.md §1.5).
 *
 * MODELLED — the "ASIP_CPS3_Données-métier" specification is not public: the FIDs of the
 * certificate EFs in the IAS DF (C001 authentication), the "INFO_PS" EF `3F00/D011` (A0: 80/81
 * profession code/label, 82/83 specialty code/label) and the inner format of the situation files
 * D120…D12F (A0: 80 structure id, 81 structure name, 82/83 role code/label, 84 activity sector).
 * On a real card, this is the part to replace with the Cryptolib CPS objects (CPS_INFO_PS,
 * CPS_ACTIVITY_xx_PS) once their layout is available.
 */
import { AppError } from '../../../contract';
import type { CardKind, CpsHolder, Situation } from '../../../contract/domains/cards';
import { describeCertificate } from '../../../platform/crypto';
import { readBinary, selectAid, selectFile, statusWordError, SW, type CardChannel } from '../../../../native/pcsc';
import { childText, findTlv, parseTlv } from '../tlv';
import type { CpsDriver, HolderReadOptions } from './driver';

export const CPX_IAS_AID = Uint8Array.from(Buffer.from('E828BD080F8025000001FF0010', 'hex'));
const ANS_ISSUER = [0x80, 0x25, 0x00, 0x00, 0x01];
const FILES = { snIcc: 0xd003, infoPs: 0xd011, authCert: 0xc001, firstSituation: 0xd120 } as const;
const MAX_RECV = 0xe7;
const SITUATION_SLOTS = 16;
const PIN_COUNTER = Uint8Array.from([0x4d, 0x08, 0x70, 0x06, 0xbf, 0x81, 0x01, 0x02, 0xa0, 0x80]);

/** TRE_G02 TypeProduit (1.2.250.1.71.1.2.2): 0 CPS, 1 CPF, 2 CPE, 3 CPA. */
const CARD_TYPE_BY_PRODUCT: Record<number, CpsHolder['cardType']> = { 0: 'CPS', 1: 'CPF', 2: 'CPE', 3: 'CPA' };

const LOCKED = Symbol('locked');

/**
 * SELECT + READ BINARY of a whole transparent EF under the current DF. Null when the file is
 * absent; LOCKED when the card refuses to read it before the PIN (6982).
 */
async function readWholeEf(channel: CardChannel, fid: number, maxBytes: number, ber = true): Promise<Uint8Array | null | typeof LOCKED> {
  const selected = await channel.send(selectFile(fid, 0x02, 0x0c));
  if (selected.sw === SW.FILE_NOT_FOUND) return null;
  if (selected.sw !== SW.OK) throw statusWordError(selected.sw, 'SELECT');
  const first = await channel.send(readBinary(0, MAX_RECV));
  if (first.sw === SW.SECURITY_NOT_SATISFIED) return LOCKED;
  if (first.sw !== SW.OK && first.sw !== 0x6282) throw statusWordError(first.sw, 'READ BINARY');
  // The BER length of the outer object tells how much to read (certificates, TLV files).
  const total = Math.min(maxBytes, (ber ? berTotalLength(first.data) : null) ?? first.data.length);
  const chunks = [first.data];
  let got = first.data.length;
  while (got < total && first.data.length === MAX_RECV) {
    const next = await channel.expect(readBinary(got, Math.min(MAX_RECV, total - got)), [SW.OK, 0x6282]);
    if (next.data.length === 0) break;
    chunks.push(next.data);
    got += next.data.length;
  }
  if (got < total) throw new AppError('CARD_DATA_INVALID', { reason: 'truncated-file', fid: fid.toString(16) });
  return Uint8Array.from(Buffer.concat(chunks.map((c) => Buffer.from(c)))).slice(0, total);
}

async function readPublicEf(channel: CardChannel, fid: number, maxBytes: number, ber = true): Promise<Uint8Array | null> {
  const bytes = await readWholeEf(channel, fid, maxBytes, ber);
  if (bytes === LOCKED) throw new AppError('CARD_STATUS_WORD', { sw: '6982', command: 'READ BINARY' });
  return bytes;
}

/** Total size of the first BER object (header + value), or null when the header is not there. */
export function berTotalLength(bytes: Uint8Array): number | null {
  if (bytes.length < 2) return null;
  let i = 1;
  if (((bytes[0] ?? 0) & 0x1f) === 0x1f) {
    while (i < bytes.length && ((bytes[i] ?? 0) & 0x80) !== 0) i++;
    i++;
  }
  const l = bytes[i];
  if (l === undefined) return null;
  if (l < 0x80) return i + 1 + l;
  const n = l & 0x7f;
  if (n === 0 || n > 3 || i + 1 + n > bytes.length) return null;
  let length = 0;
  for (let k = 0; k < n; k++) length = (length << 8) | (bytes[i + 1 + k] ?? 0);
  return i + 1 + n + length;
}

/**
 * The card serial from EF.SN.ICC: `5A 0A` then 10 bytes starting with the ANS issuer
 * `80 25 00 00 01` (a real CPx answers `5A 0A 80 25 00 00 01 …`: OpenSC issue #2275). Null when the
 * file is not that of an ANS card.
 */
export function serialFromSnIcc(sn: Uint8Array): string | null {
  if (sn.length < 12 || !ANS_ISSUER.every((b, i) => sn[2 + i] === b)) return null;
  return Buffer.from(sn.slice(2, 12)).toString('hex').toUpperCase();
}

function parseSituation(bytes: Uint8Array, index: number): Situation {
  const node = parseTlv(bytes).find((n) => n.tag === 0xa0);
  const structureId = node ? childText(node, 0x80) : null;
  if (!node || !structureId) throw new AppError('CARD_DATA_INVALID', { reason: 'situation', index });
  const roleCode = childText(node, 0x82);
  return {
    index,
    structureId,
    structureName: childText(node, 0x81, 'utf8') ?? '',
    role: roleCode === null ? null : { code: roleCode, label: childText(node, 0x83, 'utf8') ?? roleCode },
    activitySector: childText(node, 0x84),
  };
}

export function createCpsDriver(kinds: readonly CardKind[]): CpsDriver {
  return {
    family: 'cps',
    kinds,
    async readHolder(channel, options: HolderReadOptions) {
      await channel.expect(selectFile(0x3f00, 0x00, 0x0c));
      const sn = await readPublicEf(channel, FILES.snIcc, 12, false);
      const serial = sn === null ? null : serialFromSnIcc(sn);
      if (serial === null) throw new AppError('CARD_DATA_INVALID', { reason: 'sn-icc' });
      const info = await readPublicEf(channel, FILES.infoPs, 1024);
      const infoNode = info === null ? undefined : parseTlv(info).find((n) => n.tag === 0xa0);

      await channel.expect(selectAid(CPX_IAS_AID, 0x04));
      const der = await readPublicEf(channel, FILES.authCert, 8192);
      if (der === null) throw new AppError('CARD_DATA_INVALID', { reason: 'certificate-missing' });
      let certificate;
      try {
        certificate = describeCertificate(Buffer.from(der));
      } catch (cause) {
        throw new AppError('CARD_DATA_INVALID', { reason: 'certificate' }, { cause });
      }
      const idNat = certificate.subjectValue('CN');
      if (!idNat) throw new AppError('CARD_DATA_INVALID', { reason: 'certificate-subject' });
      const cardType = CARD_TYPE_BY_PRODUCT[certificate.igcSante.productType ?? 0] ?? 'CPS';
      const professionCode = (infoNode && childText(infoNode, 0x80)) ?? certificate.igcSante.professionCode;
      const specialtyCode = infoNode ? childText(infoNode, 0x82) : null;

      const situations: Situation[] = [];
      let situationsLocked = true;
      if (options.situations) {
        situationsLocked = false;
        for (let i = 0; i < SITUATION_SLOTS; i++) {
          const bytes = await readWholeEf(channel, FILES.firstSituation + i, 1024);
          if (bytes === null) break; // slots are filled from the first one
          if (bytes === LOCKED) {
            situationsLocked = true;
            break;
          }
          situations.push(parseSituation(bytes, i + 1));
        }
      }
      const expiresAt = certificate.notAfter;
      return {
        cardKind: kinds[0] ?? 'CPS3',
        cardType,
        serial,
        idNat,
        rpps: idNat.startsWith('8') && /^8\d{11}$/.test(idNat) ? idNat.slice(1) : null,
        surname: certificate.subjectValue('SN') ?? '',
        givenName: certificate.subjectValue('GN') ?? '',
        profession: professionCode
          ? { code: professionCode, label: (infoNode && childText(infoNode, 0x81, 'utf8')) ?? certificate.subjectValue('title') ?? professionCode }
          : null,
        specialty: specialtyCode && infoNode ? { code: specialtyCode, label: childText(infoNode, 0x83, 'utf8') ?? specialtyCode } : null,
        situations,
        situationsLocked,
        expiresAt,
        expired: Date.parse(expiresAt) < options.now,
      };
    },

    async verifyPin(channel, pin) {
      // CPS PINs are 4 to 8 digits (test PINs in the public logs have 4; cards.md §1.6).
      if (!/^\d{4,8}$/.test(pin)) throw new AppError('CARD_PIN_FORMAT');
      await channel.expect(selectFile(0x3f00, 0x00, 0x0c));
      const counter = await channel.send({ cla: 0x00, ins: 0xcb, p1: 0x3f, p2: 0xff, data: PIN_COUNTER, le: 0, name: 'GET DATA' });
      let maxTries = 3;
      if (counter.sw === SW.OK) {
        const nodes = parseTlv(counter.data);
        maxTries = findTlv(nodes, 0x9a)?.value[0] ?? 3;
        const left = findTlv(nodes, 0x9b)?.value[0];
        if (left === 0) throw new AppError('CARD_PIN_BLOCKED');
      }
      const result = await channel.send({ cla: 0x00, ins: 0x20, p1: 0x00, p2: 0x81, data: Buffer.from(pin, 'ascii'), name: 'VERIFY' });
      if (result.sw === SW.OK) return { ok: true, triesLeft: maxTries };
      if ((result.sw & 0xfff0) === 0x63c0) return { ok: false, triesLeft: result.sw & 0x0f };
      if (result.sw === SW.AUTH_BLOCKED || result.sw === SW.REF_DATA_NOT_USABLE) return { ok: false, triesLeft: 0 };
      throw new AppError('CARD_STATUS_WORD', { sw: result.sw.toString(16).toUpperCase(), command: 'VERIFY' });
    },
  };
}
