/**
 * HL7 v3 TS timestamps (CDA R2 datatypes-base: YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]) and their
 * XDS form (IHE ITI TF-3 §4.2.3.1.7: DTM in UTC, truncated to the precision known).
 */

const TS = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.\d{1,4})?([+-]\d{4})?$/;

export interface Hl7Time {
  /** Digits as written (without fraction and zone). */
  digits: string;
  /** Offset in minutes when a zone is given. */
  offsetMinutes?: number;
}

export function parseHl7Time(value: string): Hl7Time | null {
  const match = TS.exec(value.trim());
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, zone] = match;
  // Each part only when the previous one is there (the regex already orders them).
  const digits = [year, month, day, hour, minute, second].filter((p): p is string => p !== undefined).join('');
  if (!isValidDigits(digits)) return null;
  if (zone === undefined) return { digits };
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = Number(zone.slice(3, 5));
  if (hours > 14 || minutes > 59) return null;
  return { digits, offsetMinutes: sign * (hours * 60 + minutes) };
}

function isValidDigits(digits: string): boolean {
  const month = digits.length >= 6 ? Number(digits.slice(4, 6)) : 1;
  const day = digits.length >= 8 ? Number(digits.slice(6, 8)) : 1;
  const hour = digits.length >= 10 ? Number(digits.slice(8, 10)) : 0;
  const minute = digits.length >= 12 ? Number(digits.slice(10, 12)) : 0;
  const second = digits.length >= 14 ? Number(digits.slice(12, 14)) : 0;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return false;
  const year = Number(digits.slice(0, 4));
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * XDS DTM from an HL7 TS: converted to UTC when the zone and at least the hour are known
 * (ITI TF-3 §4.2.3.1.7 "times shall be in UTC"); otherwise the digits as written.
 */
export function toXdsTime(value: string): string | undefined {
  const parsed = parseHl7Time(value);
  if (parsed === null) return undefined;
  const { digits, offsetMinutes } = parsed;
  if (offsetMinutes === undefined || digits.length < 10) return digits;
  const padded = digits.padEnd(14, '0');
  const utc = Date.UTC(
    Number(padded.slice(0, 4)),
    Number(padded.slice(4, 6)) - 1,
    Number(padded.slice(6, 8)),
    Number(padded.slice(8, 10)),
    Number(padded.slice(10, 12)),
    Number(padded.slice(12, 14)),
  ) - offsetMinutes * 60_000;
  return formatUtc(utc).slice(0, digits.length);
}

/** yyyyMMddHHmmss in UTC. */
export function formatUtc(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * An input time (ISO 8601 with a zone, or an HL7 TS) as the HL7 TS written in a CDA header: UTC
 * with an explicit "+0000" zone when a time of day is known, the bare date otherwise.
 */
export function toCdaTime(value: string): string | null {
  const trimmed = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const digits = trimmed.replaceAll('-', '');
    return isValidDigits(digits) ? digits : null;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
    const epoch = Date.parse(trimmed);
    if (Number.isNaN(epoch)) return null;
    return `${formatUtc(epoch)}+0000`;
  }
  const parsed = parseHl7Time(trimmed);
  if (parsed === null) return null;
  if (parsed.offsetMinutes === undefined || parsed.digits.length < 10) return parsed.digits;
  const utc = toXdsTime(trimmed);
  return utc === undefined ? null : `${utc}+0000`;
}
