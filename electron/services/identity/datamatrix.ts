/**
 * INS datamatrix: ANS « Format datamatrix INS » v2.2.20230926, as summarised in insi.md §4
 * (`lsoulier42/healthcare-domain: src/Identity/Service/InsiDatamatrixPayload.php`, cross-checked
 * with Mediboard `CPatientINSNIR.php` and the ZXing C40 regression test).
 *
 * - ECC200 square DataMatrix (ISO/IEC 16022), quiet zone of at least one module;
 * - header `IS` + version `01` + 22 × `0` (26 characters);
 * - blocks identified by 2 characters: S1 matricule (15), S2 OID (≤ 20), S3 prénoms de naissance
 *   (≤ 100), S4 nom de naissance (≤ 100), S5 sexe (1), S6 date de naissance JJ-MM-AAAA (10),
 *   S7 COG of the birth place (5, last);
 * - `<GS>` (0x1D) closes a variable-length field shorter than its maximum when it is not last;
 *   fixed-length fields take none;
 * - produced only for a QUAL identity (insi.md §2.5, [EXI DIF 02]).
 * The surrounding « cartouche » of the printed layout is drawn by the print preview, not here.
 */
import { toBuffer, toSVG } from 'bwip-js/node';
import { AppError } from '../../contract';
import type { IdentityRecord } from './rniv';
import { insOidInfo, parseMatricule, type InsOid } from './matricule';
import { isValidCog } from './traits';

export const DATAMATRIX_HEADER = `IS01${'0'.repeat(22)}`;
export const GS = '\u001d';

export interface InsDatamatrixPayload {
  /** 15 characters: 13 + key. */
  matricule: string;
  oid: InsOid;
  /** Liste des prénoms de naissance, space-joined, INSi lexical form. */
  birthGivenNames: string;
  birthName: string;
  sex: 'M' | 'F';
  /** ISO YYYY-MM-DD (written JJ-MM-AAAA in the symbol). */
  birthDate: string;
  /** COG of the birth place; null when unknown (S7 is then left out). */
  birthPlaceCode: string | null;
}

type FieldId = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'S6' | 'S7';
interface FieldSpec {
  id: FieldId;
  /** Fixed-length fields have min === max. */
  min: number;
  max: number;
}

const FIELDS: readonly FieldSpec[] = [
  { id: 'S1', min: 15, max: 15 },
  { id: 'S2', min: 19, max: 20 },
  { id: 'S3', min: 1, max: 100 },
  { id: 'S4', min: 1, max: 100 },
  { id: 'S5', min: 1, max: 1 },
  { id: 'S6', min: 10, max: 10 },
  { id: 'S7', min: 5, max: 5 },
];
const SPEC = new Map(FIELDS.map((f) => [f.id, f]));

/** ANS datamatrix S3/S4: upper case without diacritics; hyphen and apostrophe allowed. */
const TRAIT_TEXT = /^[A-Z][A-Z' -]*$|^'[A-Z][A-Z' -]*$/;

export class DatamatrixPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatamatrixPayloadError';
  }
}

function toSymbolDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (match === null) throw new DatamatrixPayloadError('birth date must be YYYY-MM-DD');
  return `${match[3]}-${match[2]}-${match[1]}`;
}

function fromSymbolDate(text: string): string {
  const match = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text);
  if (match === null) throw new DatamatrixPayloadError('S6 must be JJ-MM-AAAA');
  return `${match[3]}-${match[2]}-${match[1]}`;
}

function validatePayload(payload: InsDatamatrixPayload): void {
  const matricule = parseMatricule(payload.matricule);
  if (!matricule.ok || matricule.matricule.value !== payload.matricule) throw new DatamatrixPayloadError(`S1: ${matricule.ok ? 'not canonical' : matricule.reason}`);
  if (insOidInfo(payload.oid) === null) throw new DatamatrixPayloadError('S2: unknown OID');
  for (const [id, text] of [
    ['S3', payload.birthGivenNames],
    ['S4', payload.birthName],
  ] as const) {
    if (text.length > 100 || !TRAIT_TEXT.test(text)) throw new DatamatrixPayloadError(`${id}: not in INSi lexical form`);
  }
  if (payload.sex !== 'M' && payload.sex !== 'F') throw new DatamatrixPayloadError('S5: M or F');
  toSymbolDate(payload.birthDate);
  if (payload.birthPlaceCode !== null && !isValidCog(payload.birthPlaceCode)) throw new DatamatrixPayloadError('S7: COG of 5 characters');
}

/** Builds the symbol content. Throws DatamatrixPayloadError on a value the format cannot carry. */
export function encodeInsDatamatrix(payload: InsDatamatrixPayload): string {
  validatePayload(payload);
  const values: Array<[FieldId, string]> = [
    ['S1', payload.matricule],
    ['S2', payload.oid],
    ['S3', payload.birthGivenNames],
    ['S4', payload.birthName],
    ['S5', payload.sex],
    ['S6', toSymbolDate(payload.birthDate)],
  ];
  if (payload.birthPlaceCode !== null) values.push(['S7', payload.birthPlaceCode]);
  let text = DATAMATRIX_HEADER;
  values.forEach(([id, value], index) => {
    const spec = SPEC.get(id) as FieldSpec;
    const last = index === values.length - 1;
    text += id + value;
    if (spec.min !== spec.max && value.length < spec.max && !last) text += GS;
  });
  return text;
}

/**
 * Reads a symbol's content back. Blocks are located by their identifier, not by their order
 * (as Mediboard's `readDatamatrixINS` does); S1–S6 are required, S7 optional.
 */
export function decodeInsDatamatrix(text: string): InsDatamatrixPayload {
  if (!text.startsWith(DATAMATRIX_HEADER)) throw new DatamatrixPayloadError('header IS01 + 22 zeros expected');
  const values = new Map<FieldId, string>();
  let at = DATAMATRIX_HEADER.length;
  while (at < text.length) {
    const id = text.slice(at, at + 2) as FieldId;
    const spec = SPEC.get(id);
    if (spec === undefined) throw new DatamatrixPayloadError(`unknown block identifier at ${at}`);
    if (values.has(id)) throw new DatamatrixPayloadError(`block ${id} repeated`);
    at += 2;
    let value: string;
    if (spec.min === spec.max) {
      value = text.slice(at, at + spec.max);
      at += spec.max;
    } else {
      const gs = text.indexOf(GS, at);
      const end = Math.min(gs === -1 ? text.length : gs, at + spec.max);
      value = text.slice(at, end);
      at = end;
      if (text[at] === GS) at += 1;
    }
    if (value.length < spec.min) throw new DatamatrixPayloadError(`block ${id} too short`);
    values.set(id, value);
  }
  const need = (id: FieldId): string => {
    const value = values.get(id);
    if (value === undefined) throw new DatamatrixPayloadError(`block ${id} missing`);
    return value;
  };
  const payload: InsDatamatrixPayload = {
    matricule: need('S1'),
    oid: need('S2') as InsOid,
    birthGivenNames: need('S3'),
    birthName: need('S4'),
    sex: need('S5') as 'M' | 'F',
    birthDate: fromSymbolDate(need('S6')),
    birthPlaceCode: values.get('S7') ?? null,
  };
  validatePayload(payload);
  return payload;
}

/** The payload of a record; refuses anything but a QUAL identity with an INS. */
export function insDatamatrixPayload(record: IdentityRecord): InsDatamatrixPayload {
  const { identity, traits } = record;
  if (identity.status !== 'QUAL' || identity.ins === null) {
    throw new AppError('IDENTITY_DATAMATRIX_NOT_QUALIFIED', { status: identity.status });
  }
  return {
    matricule: identity.ins.matricule,
    oid: identity.ins.oid,
    birthGivenNames: traits.birthGivenNames,
    birthName: traits.birthName,
    sex: traits.sex,
    birthDate: traits.birthDate.date,
    birthPlaceCode: traits.birthPlaceCode,
  };
}

export interface RenderOptions {
  /** bwip-js draws one module as 2 × scale pixels (default scale 2: 4 pixels per module). */
  scale?: number;
  /** Quiet zone in modules (default 2; the format asks for at least 1). */
  quietZone?: number;
}

function bwipOptions(text: string, options: RenderOptions) {
  const scale = Math.max(1, Math.round(options.scale ?? 2));
  const quietZone = Math.max(1, Math.round(options.quietZone ?? 2));
  // bwip-js padding is in the same units as a module's 2 units: 2 per module of quiet zone.
  return { bcid: 'datamatrix', text, scale, padding: quietZone * 2 };
}

export function renderInsDatamatrixSvg(text: string, options: RenderOptions = {}): string {
  return toSVG(bwipOptions(text, options));
}

export function renderInsDatamatrixPng(text: string, options: RenderOptions = {}): Promise<Buffer> {
  return toBuffer(bwipOptions(text, options));
}
