/**
 * Which local record may be the beneficiary read from the card: the screens pick one only when it
 * has the same birth date (00 for an unknown part, as on the card) — a twin or a homonym found by
 * NIR or by name is not offered as the same person. The host checks again (BILLING_PATIENT_MISMATCH,
 * ADRI_PATIENT_MISMATCH); this only avoids proposing the wrong record.
 */
interface RecordBirthDate {
  year: number;
  month: number | null;
  day: number | null;
}

const pad = (n: number | null, width: number) => String(n ?? 0).padStart(width, '0');

/** `raw` is the card's AAAAMMJJ. */
export function sameBirthDate(record: RecordBirthDate, raw: string): boolean {
  return `${pad(record.year, 4)}${pad(record.month, 2)}${pad(record.day, 2)}` === raw;
}

/** The one record among `found` that matches, or null when none or several do (then the person chooses). */
export function onlyMatch<T extends { id: string; match: 'exact' | 'approx'; birthDate: RecordBirthDate }>(found: readonly T[], raw: string, accept: (record: T) => boolean = () => true): T | null {
  const ids = new Map<string, T>();
  for (const record of found) if (record.match === 'exact' && sameBirthDate(record.birthDate, raw) && accept(record)) ids.set(record.id, record);
  return ids.size === 1 ? [...ids.values()][0]! : null;
}

/** A name folded for comparison: no accents, upper case, hyphens, apostrophes and spaces as one space. */
function fold(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[-'’\s]+/g, ' ')
    .trim();
}

/**
 * The card's given name is the record's first given name or its used one, whole: the patients
 * search counts a prefix as an exact match (« LEA » finds « LEANE »), which is right for typing a
 * name and wrong for deciding that a twin's record is this beneficiary's.
 */
export function sameGivenName(record: { firstGivenName: string; usedGivenName: string | null }, givenName: string): boolean {
  const wanted = fold(givenName);
  return fold(record.firstGivenName) === wanted || (record.usedGivenName !== null && fold(record.usedGivenName) === wanted);
}
